/**
 * Header encoding for the example's messages: RFC 5322 headers are ASCII, so a display name
 * or a subject with anything else in it (王方, Łukasz, an emoji) goes in RFC 2047
 * encoded-words, `=?UTF-8?B?…?=`, which every mail client decodes back. Plain ASCII stays
 * readable as it is.
 */

/** atext (RFC 5322 3.2.3) and spaces: a display name that needs no quoting. */
const ATOMS = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
/** An address we can put between <> as it is: ASCII, no spaces, brackets, quotes or commas. */
const PLAIN_ADDRESS = /^[^\s<>()[\]\\,;:"@\x00-\x1f\x7f-\uffff]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/

/** At most 45 bytes of UTF-8 a word: 60 characters of base64 plus `=?UTF-8?B?` and `?=`, 72 ≤ 75. */
const WORD_BYTES = 45

const encodedWord = (s: string) => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`

/** `text` as RFC 2047 encoded-words, each at most 75 characters and split between code points. */
export function encodedWords(text: string): string[] {
  const words: string[] = []
  let chunk = ''
  for (const ch of text) {
    if (chunk && Buffer.byteLength(chunk + ch, 'utf8') > WORD_BYTES) {
      words.push(encodedWord(chunk))
      chunk = ''
    }
    chunk += ch
  }
  if (chunk) words.push(encodedWord(chunk))
  return words
}

/** Whitespace runs (line breaks included: no header injection) become one space. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim()

/** Unstructured header text (Subject): as it is when printable ASCII, else encoded-words. */
export function headerText(text: string): string {
  const t = oneLine(text)
  return PRINTABLE_ASCII.test(t) && !t.includes('=?') ? t : encodedWords(t).join(' ')
}

export const isPlainAddress = (email: string) => PLAIN_ADDRESS.test(email)

/** `Name <address>` for a To or From header, the name as atoms, a quoted string or encoded-words. */
export function mailbox(email: string, name?: string): string {
  if (!isPlainAddress(email)) throw new Error(`not an address this example can write: ${JSON.stringify(email)}`)
  const n = oneLine(name ?? '')
  if (!n) return `<${email}>`
  let phrase: string
  if (n.includes('=?') || !PRINTABLE_ASCII.test(n)) phrase = encodedWords(n).join(' ')
  else if (ATOMS.test(n)) phrase = n
  else phrase = `"${n.replace(/["\\]/g, '\\$&')}"`
  return `${phrase} <${email}>`
}

/**
 * One header field, folded at spaces so that lines stay within 78 characters where they
 * can. The first word of the value stays on the field's line (a long URL is not folded onto
 * a line of its own: that would not make it shorter); the hard limit is 998.
 */
export function header(name: string, value: string): string {
  const [first = '', ...tokens] = value.split(' ')
  const lines: string[] = []
  let line = `${name}: ${first}`
  for (const token of tokens) {
    if (line.length + 1 + token.length > 78) {
      lines.push(line)
      line = ` ${token}`
    } else {
      line += ` ${token}`
    }
  }
  lines.push(line)
  return lines.join('\r\n')
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
