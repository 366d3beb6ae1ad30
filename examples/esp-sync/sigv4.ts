/**
 * AWS Signature Version 4 for a JSON request, with node:crypto only: enough for SES and no
 * more (no chunked or unsigned payloads, no presigned URLs).
 *
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto'

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string | undefined
}

export interface Signable {
  method: string
  /** The URL as it goes on the wire: path segments already percent-encoded. */
  url: string
  /** Every header to sign, `host` and `x-amz-date` included; names in any case. */
  headers: Readonly<Record<string, string>>
  body: string
  region: string
  service: string
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * The canonical URI of a wire path. Every service but S3 encodes each segment once more, so an
 * address sent as `a%40b.example` is signed as `a%2540b.example`.
 */
export const canonicalUri = (wirePath: string) => (wirePath === '' ? '/' : wirePath.split('/').map(encode).join('/'))

const canonicalQuery = (params: URLSearchParams) =>
  [...params]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')

/** The `Authorization` header for a request whose headers already hold `host` and `x-amz-date`. */
export function authorization(req: Signable, credentials: Credentials): string {
  const url = new URL(req.url)
  const headers = new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]))
  const names = [...headers.keys()].sort()
  const amzDate = headers.get('x-amz-date') ?? ''
  const scope = `${amzDate.slice(0, 8)}/${req.region}/${req.service}/aws4_request`
  const canonical = [
    req.method,
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    names.map((n) => `${n}:${headers.get(n)}\n`).join(''),
    names.join(';'),
    sha256(req.body),
  ].join('\n')
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, amzDate.slice(0, 8))
  for (const part of [req.region, req.service, 'aws4_request']) key = hmac(key, part)
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex')
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`
}

/** `20150830T123600Z` */
export const amzDate = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

/**
 * Signs a request made now: returns the headers to send with it (`host` left out, fetch sets
 * it from the URL, and it is signed as exactly that).
 */
export function sign(req: Omit<Signable, 'headers'> & { headers: Record<string, string> }, credentials: Credentials, at = new Date()): Record<string, string> {
  const headers: Record<string, string> = { ...req.headers, 'x-amz-date': amzDate(at) }
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken
  const auth = authorization({ ...req, headers: { ...headers, host: new URL(req.url).host } }, credentials)
  return { ...headers, authorization: auth }
}
