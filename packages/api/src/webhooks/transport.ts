import { createHmac, randomBytes } from 'node:crypto'
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'

/**
 * One webhook attempt, in the Standard Webhooks format (https://www.standardwebhooks.com/):
 * the body is signed with HMAC-SHA256 over `{id}.{timestamp}.{body}` and sent with the
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` headers. Retries, schedules and
 * what a status means for an endpoint are decided elsewhere; this module only makes the call
 * and says what happened.
 *
 * A webhook URL is chosen by a customer, so the call must not reach into the network Heed
 * runs in (SSRF). Addresses are checked when the connection is made, on the addresses DNS
 * gave for that very connection, so a name that resolves to a public address when the
 * endpoint is saved and to 10.0.0.5 later (DNS rebinding) is still refused.
 */

export interface WebhookTarget {
  url: string
  /** `whsec_…` secrets; during a rotation the new one and the previous one. */
  secrets: readonly string[]
}

export interface WebhookMessage {
  /** The same for every attempt of one message: receivers use it to drop duplicates. */
  id: string
  /** When this attempt is made, in unix seconds. */
  timestamp: number
  /** The JSON body, sent exactly as signed. */
  body: string
}

export interface DeliverOptions {
  /** Lets a target resolve to loopback, private and other internal addresses (local development). */
  allowPrivate: boolean
  /** For the whole attempt: DNS, connection, TLS, the answer. 15 s, the low end of what the spec recommends. */
  timeoutMs?: number
  userAgent?: string
}

export interface Attempt {
  /** The HTTP status, or null when no answer came. */
  status: number | null
  /** Until the answer's headers arrived, or until the attempt failed. */
  latencyMs: number
  /** From the answer's Retry-After header (seconds or an HTTP date); null without one. */
  retryAfterMs: number | null
  /** Why no answer came, in a few words for the console; null when there is a status. */
  error: string | null
}

const SECRET_PREFIX = 'whsec_'
const DEFAULT_TIMEOUT_MS = 15_000
const DEFAULT_USER_AGENT = 'Heed-Webhooks/1'
/** The answer's body is read up to this much and thrown away: it is never shown, and a receiver may send gigabytes. */
const MAX_RESPONSE_BYTES = 4096

/** `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}`, keyed with the base64 key after `whsec_`. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64')
  // An empty key would sign happily and prove nothing.
  if (key.length === 0) throw new Error('a webhook secret is whsec_ followed by a base64 key')
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`
}

/** The `webhook-signature` value: one signature per secret, space-separated, so a receiver holding any of them verifies. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed with')
  return secrets.map((secret) => signature(secret, id, timestamp, body)).join(' ')
}

/** A new secret: 24 random bytes, the spec's minimum, as `whsec_<base64>`. */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64')
}

/**
 * Address ranges a webhook may not reach unless private targets are allowed, by what they are
 * (the name goes into the error). IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) match the IPv4
 * ranges: BlockList compares them as the IPv4 address they stand for.
 */
const RANGES: ReadonlyArray<readonly [kind: string, subnets: ReadonlyArray<readonly [string, number]>]> = [
  ['a loopback', [['127.0.0.0', 8], ['::1', 128]]],
  ['an unspecified', [['0.0.0.0', 8], ['::', 128]]],
  ['a private', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['fc00::', 7]]],
  // 169.254.169.254 is where cloud hosts hand out their credentials.
  ['a link-local', [['169.254.0.0', 16], ['fe80::', 10], ['fec0::', 10]]],
  ['a carrier-grade NAT', [['100.64.0.0', 10]]],
  ['a multicast', [['224.0.0.0', 4], ['ff00::', 8]]],
  [
    'a reserved',
    [
      ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24],
      ['203.0.113.0', 24], ['240.0.0.0', 4],
      // Teredo and 6to4 carry an IPv4 address inside; documentation addresses route nowhere.
      ['2001::', 32], ['2001:db8::', 32], ['2002::', 16],
    ],
  ],
]

const BLOCKS = RANGES.map(([kind, subnets]) => {
  const list = new BlockList()
  for (const [net, prefix] of subnets) list.addSubnet(net, prefix, isIP(net) === 6 ? 'ipv6' : 'ipv4')
  return { kind, list }
})

const IPV4_MAPPED = subnet('::ffff:0:0', 96)
/** Only 2000::/3 is handed out as global IPv6 unicast; everything else (NAT64, discard, …) is refused. */
const GLOBAL_UNICAST = subnet('2000::', 3)

function subnet(net: string, prefix: number): BlockList {
  const list = new BlockList()
  list.addSubnet(net, prefix, 'ipv6')
  return list
}

/** What kind of address `ip` is when a webhook may not go there ("a private", …), or null for a public address. */
function forbiddenKind(ip: string): string | null {
  const address = ip.split('%')[0]! // fe80::1%eth0: the zone says which interface, not which address
  const family = isIP(address)
  if (family === 0) return 'not an IP'
  const type = family === 6 ? 'ipv6' : 'ipv4'
  for (const { kind, list } of BLOCKS) if (list.check(address, type)) return kind
  if (family === 6 && !IPV4_MAPPED.check(address, 'ipv6') && !GLOBAL_UNICAST.check(address, 'ipv6')) return 'a reserved'
  return null
}

/**
 * True when `ip` is loopback, unspecified, private, link-local, carrier-grade NAT, multicast
 * or reserved, in IPv4, IPv6 or IPv4-mapped IPv6 form. Something that is not an IP address is
 * not a public one either: true.
 */
export function isPrivateAddress(ip: string): boolean {
  return forbiddenKind(ip) !== null
}

/**
 * Why `url` can never receive webhooks, or null. A host name is not resolved here: what it
 * resolves to is checked on every delivery.
 */
export function checkUrl(url: string, allowPrivate: boolean): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http and https URLs can receive webhooks'
  if (parsed.username || parsed.password) return 'a webhook URL may not hold a user name or password'
  const host = hostOf(parsed)
  if (!allowPrivate && isIP(host)) {
    const kind = forbiddenKind(host)
    if (kind) return `refused: ${host} is ${kind} address`
  }
  return null
}

/** The host as `request` wants it: IPv6 literals without their brackets. */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
}

/** Thrown inside the lookup hook; its message is the attempt's error as is. */
class RefusedAddress extends Error {}

/**
 * A `lookup` for `request` that resolves every address of the name and refuses the connection
 * when any of them is internal, whichever one the connection would have used: a name that mixes
 * public and internal addresses is not an endpoint to trust. Node calls it for host names only,
 * not for IP literals (those are checked by checkUrl before the request).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '')
      if (!allowPrivate) {
        for (const { address } of addresses) {
          const kind = forbiddenKind(address)
          if (kind) return callback(new RefusedAddress(`refused: ${hostname} resolves to ${address}, ${kind} address`), '')
        }
      }
      const usable = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses
      const first = usable[0]
      if (!first) return callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '')
      if (options.all) callback(null, usable)
      else callback(null, first.address, first.family)
    })
  }
}

/**
 * POSTs one signed message to the target and reports what happened. Never throws: a bad URL,
 * a refused address, DNS, connection, TLS and timeout failures come back as `status: null`
 * with the reason. Redirects are not followed (a 3xx is a failed attempt, as the spec says:
 * the URL should be fixed), and every attempt opens its own connection, so a connection
 * checked for one target is never reused for another.
 */
export function deliver(target: WebhookTarget, message: WebhookMessage, options: DeliverOptions): Promise<Attempt> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const failed = (error: string): Attempt => ({ status: null, latencyMs: elapsed(), retryAfterMs: null, error })

  const problem = checkUrl(target.url, options.allowPrivate)
  if (problem) return Promise.resolve(failed(problem))
  const url = new URL(target.url)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS

  let req: ClientRequest
  const body = Buffer.from(message.body, 'utf8')
  try {
    req = (url.protocol === 'https:' ? httpsRequest : httpRequest)({
      method: 'POST',
      hostname: hostOf(url),
      port: url.port || undefined,
      path: url.pathname + url.search,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
        'webhook-id': message.id,
        'webhook-timestamp': String(message.timestamp),
        'webhook-signature': signatureHeader(target.secrets, message.id, message.timestamp, message.body),
      },
      lookup: guardedLookup(options.allowPrivate),
      agent: false,
    })
  } catch (err) {
    // No secret or one that is not a secret, a header value with a line break: nothing was sent.
    return Promise.resolve(failed(err instanceof Error ? err.message : String(err)))
  }

  return new Promise<Attempt>((resolve) => {
    let answer: Attempt | null = null
    let settled = false
    const settle = (attempt: Attempt) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(attempt)
      req.destroy()
    }
    // One deadline for everything, not the socket's idle timeout, which a slow drip would reset.
    // An answer whose body is slow to end still counts: its status is known.
    const timer = setTimeout(() => settle(answer ?? failed(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)

    req.on('response', (res: IncomingMessage) => {
      answer = { status: res.statusCode ?? null, latencyMs: elapsed(), retryAfterMs: retryAfter(res.headers['retry-after']), error: null }
      const done = () => settle(answer!)
      let read = 0
      res.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > MAX_RESPONSE_BYTES) done()
      })
      res.on('end', done)
      // The body was cut off or the connection dropped after the status: the status stands.
      res.on('error', done)
      res.on('close', done)
    })
    req.on('error', (err) => settle(answer ?? failed(describeError(err, url))))
    req.end(body)
  })
}

/** Retry-After as milliseconds from now: `120` or `Wed, 21 Oct 2015 07:28:00 GMT`; null when absent or unreadable. */
function retryAfter(value: string | undefined): number | null {
  if (value === undefined) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now())
}

/** A connection failure in a few words a customer can act on. */
function describeError(err: Error, url: URL): string {
  if (err instanceof RefusedAddress) return err.message
  const code = (err as NodeJS.ErrnoException).code
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ECONNRESET':
      return 'connection reset'
    case 'ENOTFOUND':
      return `${url.hostname} not found`
    case 'EAI_AGAIN':
      return `DNS lookup of ${url.hostname} failed, try again later`
    case 'EHOSTUNREACH':
      return 'host unreachable'
    case 'ENETUNREACH':
      return 'network unreachable'
    case 'ETIMEDOUT':
      return 'connection timed out'
    case 'EPIPE':
      return 'connection closed while sending'
  }
  // TLS: expired, self-signed or wrong-name certificates; Node's message names the problem.
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code?.startsWith('ERR_SSL')) return `TLS: ${err.message}`
  return err.message
}
