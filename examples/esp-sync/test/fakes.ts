/**
 * Local fakes of the three ESP APIs. Each checks a request against the documented shape
 * (method, path, headers, JSON body; for SES the SigV4 signature, recomputed with the test
 * credentials), records it, keeps the state a real ESP would, and answers as the ESP does. A
 * request off the documented shape is answered 400 and listed in `problems`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authorization } from '../sigv4.ts'

export const SENDGRID_KEY = 'SG.test-key'
export const POSTMARK_TOKEN = 'pm-server-token'
export const POSTMARK_STREAM = 'broadcast'
export const SES_REGION = 'eu-north-1'
export const SES_LIST = 'demo-outfitters'
export const AWS_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

type Vendor = 'sendgrid' | 'postmark' | 'ses'

export interface Call {
  vendor: Vendor
  method: string
  /** Decoded, without the query. */
  path: string
  body: unknown
  status: number
}

interface SesContact {
  TopicPreferences: Array<{ TopicName: string; SubscriptionStatus: string }>
  UnsubscribeAll: boolean
}

interface Answer {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export class Fakes {
  readonly calls: Call[] = []
  readonly problems: string[] = []
  /** How many of a vendor's next requests to answer 500. */
  readonly failNext: Record<Vendor, number> = { sendgrid: 0, postmark: 0, ses: 0 }
  /** How long each vendor waits before answering. */
  delayMs = 0
  /** SendGrid: group id → suppressed addresses. */
  readonly groups = new Map<string, Set<string>>()
  /** Postmark: suppressed addresses on the stream. */
  readonly stream = new Set<string>()
  /** SES: the contact list's contacts. */
  readonly contacts = new Map<string, SesContact>()
  readonly urls = { sendgrid: '', postmark: '', ses: '' }
  readonly #servers: Server[] = []

  callsTo(vendor: Vendor) {
    return this.calls.filter((c) => c.vendor === vendor)
  }

  suppressedIn(group: string) {
    return [...(this.groups.get(group) ?? [])]
  }

  async start() {
    this.urls.sendgrid = await this.#listen('sendgrid', (req, path, body) => this.#sendgrid(req, path, body))
    this.urls.postmark = await this.#listen('postmark', (req, path, body) => this.#postmark(req, path, body))
    this.urls.ses = await this.#listen('ses', (req, path, body, raw) => this.#ses(req, path, body, raw))
    return this
  }

  async close() {
    await Promise.all(this.#servers.map((s) => new Promise((done) => s.close(done))))
  }

  #problem(what: string): Answer {
    this.problems.push(what)
    return { status: 400, body: { error: what } }
  }

  async #listen(vendor: Vendor, handle: (req: IncomingMessage, path: string, body: unknown, raw: string) => Answer): Promise<string> {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
      const raw = Buffer.concat(chunks).toString('utf8')
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://fake').pathname)
      let body: unknown = null
      let answer: Answer
      try {
        body = raw === '' ? null : JSON.parse(raw)
        answer = this.failNext[vendor] > 0 ? (this.failNext[vendor]--, { status: 500, body: { error: 'injected' } }) : handle(req, path, body, raw)
      } catch {
        answer = this.#problem(`${vendor}: body is not JSON`)
      }
      this.calls.push({ vendor, method: req.method ?? '', path, body, status: answer.status })
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs))
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
      res.writeHead(answer.status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...answer.headers }).end(text)
    })
    this.#servers.push(server)
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  // https://www.twilio.com/docs/sendgrid/api-reference/suppressions-suppressions
  #sendgrid(req: IncomingMessage, path: string, body: unknown): Answer {
    if (req.headers.authorization !== `Bearer ${SENDGRID_KEY}`) return this.#problem(`sendgrid: Authorization is ${req.headers.authorization}`)
    const add = /^\/v3\/asm\/groups\/(\d+)\/suppressions$/.exec(path)
    if (add && req.method === 'POST') {
      if (!req.headers['content-type']?.startsWith('application/json')) return this.#problem('sendgrid: Content-Type is not JSON')
      const emails = isRecord(body) ? body.recipient_emails : undefined
      if (!Array.isArray(emails) || emails.length === 0 || !emails.every((e) => typeof e === 'string') || Object.keys(body as object).length !== 1) {
        return this.#problem(`sendgrid: body is not {"recipient_emails": [...]}: ${JSON.stringify(body)}`)
      }
      const group = this.groups.get(add[1]!) ?? new Set()
      for (const e of emails as string[]) group.add(e)
      this.groups.set(add[1]!, group)
      return { status: 201, body: { recipient_emails: emails } }
    }
    const remove = /^\/v3\/asm\/groups\/(\d+)\/suppressions\/([^/]+)$/.exec(path)
    if (remove && req.method === 'DELETE') {
      if (body !== null) return this.#problem('sendgrid: DELETE has a body')
      this.groups.get(remove[1]!)?.delete(remove[2]!)
      return { status: 204 }
    }
    return this.#problem(`sendgrid: no such endpoint ${req.method} ${path}`)
  }

  // https://postmarkapp.com/developer/api/suppressions-api
  #postmark(req: IncomingMessage, path: string, body: unknown): Answer {
    if (req.headers['x-postmark-server-token'] !== POSTMARK_TOKEN) return this.#problem('postmark: X-Postmark-Server-Token is wrong')
    if (req.headers.accept !== 'application/json') return this.#problem('postmark: Accept is not application/json')
    if (!req.headers['content-type']?.startsWith('application/json')) return this.#problem('postmark: Content-Type is not JSON')
    const m = /^\/message-streams\/([^/]+)\/suppressions(\/delete)?$/.exec(path)
    if (!m || req.method !== 'POST') return this.#problem(`postmark: no such endpoint ${req.method} ${path}`)
    if (m[1] !== POSTMARK_STREAM) return this.#problem(`postmark: stream ${m[1]}`)
    const list = isRecord(body) ? body.Suppressions : undefined
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => isRecord(s) && typeof s.EmailAddress === 'string' && Object.keys(s).length === 1)) {
      return this.#problem(`postmark: body is not {"Suppressions": [{"EmailAddress": ...}]}: ${JSON.stringify(body)}`)
    }
    const emails = list.map((s: { EmailAddress: string }) => s.EmailAddress)
    for (const e of emails) (m[2] ? this.stream.delete(e) : this.stream.add(e))
    return { status: 200, body: { Suppressions: emails.map((e) => ({ EmailAddress: e, Status: m[2] ? 'Deleted' : 'Suppressed', Message: null })) } }
  }

  // https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_UpdateContact.html, API_CreateContact.html
  #ses(req: IncomingMessage, path: string, body: unknown, raw: string): Answer {
    const auth = req.headers.authorization ?? ''
    const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? []
    for (const required of ['content-type', 'host', 'x-amz-date']) if (!signed.includes(required)) return this.#problem(`ses: ${required} is not signed`)
    const date = req.headers['x-amz-date']
    const at = typeof date === 'string' ? Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) : NaN
    if (!(Math.abs(Date.now() - at) < 5 * 60_000)) return this.#problem(`ses: x-amz-date ${date} is not now`)
    const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h] ?? '')]))
    const expected = authorization({ method: req.method ?? '', url: `http://${req.headers.host}${req.url}`, headers, body: raw, region: SES_REGION, service: 'ses' }, AWS_CREDENTIALS)
    if (auth !== expected) return this.#problem(`ses: signature does not match (got ${auth}, expected ${expected})`)
    if (!req.headers['content-type']?.startsWith('application/json')) return this.#problem('ses: Content-Type is not JSON')

    const contact = (b: unknown, extra: string[]): SesContact | string => {
      if (!isRecord(b) || typeof b.UnsubscribeAll !== 'boolean' || !Array.isArray(b.TopicPreferences)) return 'body is not {TopicPreferences, UnsubscribeAll}'
      if (Object.keys(b).some((k) => !['TopicPreferences', 'UnsubscribeAll', ...extra].includes(k))) return `unexpected field in ${JSON.stringify(b)}`
      const ok = b.TopicPreferences.every((p) => isRecord(p) && typeof p.TopicName === 'string' && (p.SubscriptionStatus === 'OPT_IN' || p.SubscriptionStatus === 'OPT_OUT'))
      return ok ? { TopicPreferences: b.TopicPreferences as SesContact['TopicPreferences'], UnsubscribeAll: b.UnsubscribeAll } : 'a TopicPreference is not {TopicName, SubscriptionStatus}'
    }
    const update = /^\/v2\/email\/contact-lists\/([^/]+)\/contacts\/([^/]+)$/.exec(path)
    const create = /^\/v2\/email\/contact-lists\/([^/]+)\/contacts$/.exec(path)
    const list = (update ?? create)?.[1]
    if (list !== undefined && list !== SES_LIST) return { status: 404, body: { message: `List ${list} does not exist.` }, headers: { 'x-amzn-ErrorType': 'NotFoundException' } }
    if (update && req.method === 'PUT') {
      const c = contact(body, [])
      if (typeof c === 'string') return this.#problem(`ses: UpdateContact ${c}`)
      if (!this.contacts.has(update[2]!)) return { status: 404, body: { message: `Contact ${update[2]} does not exist.` }, headers: { 'x-amzn-ErrorType': 'NotFoundException' } }
      this.contacts.set(update[2]!, c)
      return { status: 200 }
    }
    if (create && req.method === 'POST') {
      const c = contact(body, ['EmailAddress'])
      if (typeof c === 'string') return this.#problem(`ses: CreateContact ${c}`)
      const email = (body as { EmailAddress?: unknown }).EmailAddress
      if (typeof email !== 'string') return this.#problem('ses: CreateContact without EmailAddress')
      if (this.contacts.has(email)) return { status: 400, body: { message: 'Contact already exists.' }, headers: { 'x-amzn-ErrorType': 'AlreadyExistsException' } }
      this.contacts.set(email, c)
      return { status: 200 }
    }
    return this.#problem(`ses: no such endpoint ${req.method} ${path}`)
  }
}
