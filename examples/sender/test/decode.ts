/**
 * An independent reading of what the example writes, for its tests: a message's header
 * block, unfolded fields, and RFC 2047 encoded-words decoded (B and Q, any charset Node knows).
 */

/** The raw header lines of a message (CRLF-separated, up to the first empty line). */
export function headerLines(eml: string): string[] {
  const end = eml.indexOf('\r\n\r\n')
  if (end < 0) throw new Error('no end of headers (CRLF CRLF) in the message')
  return eml.slice(0, end).split('\r\n')
}

/** The unfolded value of the first header field called `name`. */
export function headerField(eml: string, name: string): string | undefined {
  const unfolded = headerLines(eml).join('\r\n').replace(/\r\n(?=[ \t])/g, '')
  const line = unfolded.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g

/** Decodes the encoded-words in a header value; whitespace between two adjacent words goes. */
export function decodeWords(value: string): string {
  return value.replace(/(\?=)\s+(?==\?)/g, '$1').replace(WORD, (_, charset: string, enc: string, text: string) => {
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
    return new TextDecoder(charset, { fatal: true }).decode(bytes)
  })
}

/** The body of the MIME part whose Content-Type starts with `type`. */
export function part(eml: string, type: string): { headers: string; body: string } {
  for (const chunk of eml.split(/\r\n--heed-[A-Za-z0-9]+(?:--)?\r\n/).slice(1)) {
    const end = chunk.indexOf('\r\n\r\n')
    const headers = chunk.slice(0, end)
    if (new RegExp(`^Content-Type: ${type}`, 'mi').test(headers)) return { headers, body: chunk.slice(end + 4) }
  }
  throw new Error(`no ${type} part in:\n${eml}`)
}
