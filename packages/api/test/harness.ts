/**
 * The HTTP test harness: a real store, the real app factory, a tenant created through the
 * root API. Tests talk to the app over `app.request` (no port) and to the data only through
 * HTTP or the Store interface, so the same suite runs on SQLite and on PostgreSQL.
 *
 * The database comes from one place, `testDatabaseUrl()`: `HEED_TEST_DATABASE_URL` when set
 * (e.g. `postgres://…`, shared by every setup, so tests never assume an empty database and
 * every tenant gets a random id), otherwise a fresh temporary SQLite file per setup.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, dropTestDatabase } from '../scripts/postgres-databases.ts'
import { createApp, type App } from '../src/app.ts'
import { batchDecider } from '../src/checks/batch-worker.ts'
import { loadConfig, type Config } from '../src/config.ts'
import { openStore } from '../src/db/open.ts'
import type { Store } from '../src/db/store.ts'
import { MailSender, type MailSenderOptions } from '../src/mail/outbox.ts'
import type { MailTransport } from '../src/mail/transport.ts'

export const ROOT_TOKEN = 'test-root-token-0123456789'

/** Monday 2026-05-04 10:00 UTC: the harness clock starts here, so "now" is deterministic. */
export const T0 = Date.parse('2026-05-04T10:00:00Z')
export const MINUTE = 60_000
export const HOUR = 3_600_000
export const DAY = 86_400_000

/**
 * A database for one setup and a way to dispose of it. The one place that chooses the
 * database: PostgreSQL (or anything) through HEED_TEST_DATABASE_URL, else a temp SQLite file.
 */
export function testDatabase(): { url: string; dir: string | null; dispose: () => void } {
  const shared = process.env.HEED_TEST_DATABASE_URL
  if (shared) return { url: shared, dir: null, dispose: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'heed-test-'))
  return { url: `file:${join(dir, 'heed.db')}`, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A database of its own, for tests that start server processes: on PostgreSQL a new database
 * beside the run's (linguistic collation where the server has ICU, as the run's has), dropped
 * afterwards. Their processes deliver webhooks and mail for every tenant they find, so they
 * must not find the in-process tests' tenants (whose clock is pinned in the past: everything
 * of theirs would be due at once). On SQLite every database is a file of its own anyway.
 */
export async function ownTestDatabase(): Promise<{ url: string; dispose: () => Promise<void> }> {
  const shared = process.env.HEED_TEST_DATABASE_URL
  if (!shared || !/^postgres(ql)?:\/\//.test(shared)) {
    const db = testDatabase()
    return { url: db.url, dispose: async () => db.dispose() }
  }
  const name = `${new URL(shared).pathname.slice(1)}_${randomBytes(3).toString('hex')}`
  return { url: await createTestDatabase(shared, name), dispose: () => dropTestDatabase(shared, name) }
}

export const uid = (prefix = '') => `${prefix}${randomBytes(5).toString('hex')}`

export interface Res<T = any> {
  status: number
  headers: Headers
  /** Parsed JSON for JSON and problem+json answers, text otherwise, null when empty. */
  body: T
  text: string
}

export interface ReqOptions {
  /** An API key secret; `null` sends no Authorization header. Defaults to the tenant's admin key. */
  key?: string | null
  /** The raw Authorization header, overriding `key`. */
  auth?: string
  headers?: Record<string, string>
}

export type Req = <T = any>(method: string, path: string, body?: unknown, opts?: ReqOptions) => Promise<Res<T>>

/** One request to the app, the way an HTTP client sends it. */
export async function request(app: App, defaultKey: string | null, method: string, path: string, body?: unknown, opts: ReqOptions = {}): Promise<Res> {
  const headers: Record<string, string> = {}
  const key = opts.key === undefined ? defaultKey : opts.key
  if (opts.auth !== undefined) headers.authorization = opts.auth
  else if (key !== null) headers.authorization = `Bearer ${key}`
  let payload: string | Uint8Array | undefined
  if (body !== undefined) {
    // A string or bytes are sent as they are; anything else as JSON.
    payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
    headers['content-type'] = 'application/json'
    // app.request does not add Content-Length the way an HTTP/1.1 client does.
    headers['content-length'] = String(Buffer.byteLength(payload))
  }
  Object.assign(headers, opts.headers)
  const res = await app.request(path, { method, headers, body: payload as BodyInit | undefined })
  const text = await res.text()
  const type = res.headers.get('content-type') ?? ''
  const parsed = text === '' ? null : /^application\/([\w.-]+\+)?json(;|$)/.test(type) ? JSON.parse(text) : text
  return { status: res.status, headers: res.headers, body: parsed, text }
}

export interface TenantHandle {
  id: string
  /** The tenant's initial admin key secret (shown once by POST /v1/admin/tenants). */
  adminKey: string
  adminKeyId: string
  /** The 201 body of POST /v1/admin/tenants. */
  created: any
  /** Requests authenticated with this tenant's admin key unless `opts.key` says otherwise. */
  req: Req
  /** Mints a key through POST /v1/api-keys and returns its secret and id. */
  mintKey(role: 'admin' | 'sender', name?: string): Promise<{ id: string; secret: string }>
}

export interface Harness extends TenantHandle {
  app: App
  store: Store
  config: Config
  /** The app's clock; set `clock.now` to move it. */
  clock: { now: number }
  /** Requests without any key unless given; `root: true` sends the root token. */
  raw(method: string, path: string, body?: unknown, opts?: ReqOptions & { root?: boolean }): Promise<Res>
  /** Another tenant on the same app and database. */
  createTenant(body?: Record<string, unknown>): Promise<TenantHandle>
  /** The mail sender, when setup was given a mail transport. */
  mail?: TestMailSender
  close(): Promise<void>
}

/**
 * The harness's mail sender: the real MailSender on the harness's store and clock, for the
 * setup's own tenants, except that a request's wake() is only counted. Mail goes when the test
 * says, with `drain()`, so what a drain returns never depends on timers. Failures it reports
 * are kept in `log`.
 */
export class TestMailSender extends MailSender {
  /** How often requests woke the sender. */
  wakes = 0
  readonly log: string[]

  constructor(store: Store, transport: MailTransport, options: MailSenderOptions & { lines: string[] }) {
    super(store, transport, { ...options, log: (line) => options.lines.push(line) })
    this.log = options.lines
  }

  override wake() {
    this.wakes++
  }
}

export interface SetupOptions {
  /** Settings of the first tenant (name defaults to "Acme"); channels default to email + sms. */
  tenant?: Record<string, unknown>
  /** Overrides of the environment loadConfig reads; `undefined` removes a variable. */
  env?: Record<string, string | undefined>
  /**
   * Heed's own mail goes through this transport: the harness makes a TestMailSender on its
   * store and clock (as `h.mail`), gives it to the app as its mailer, and closes both with
   * the rest. Without it, the app's mailer does nothing and `h.mail` is undefined.
   */
  mail?: MailTransport
}

export async function setup(options: SetupOptions & { mail: MailTransport }): Promise<Harness & { mail: TestMailSender }>
export async function setup(options?: SetupOptions): Promise<Harness>
export async function setup(options: SetupOptions = {}): Promise<Harness> {
  const db = testDatabase()
  const env: Record<string, string | undefined> = { HEED_ADMIN_TOKEN: ROOT_TOKEN, HEED_DEMO: '0', DATABASE_URL: db.url, ...options.env }
  const config = loadConfig(env)
  const store = await openStore(db.url)
  const clock = { now: T0 }
  const batches = batchDecider(store)
  const transport = options.mail
  // Only this setup's tenants: on a shared PostgreSQL, other test files' mails are theirs to send.
  const tenantIds: string[] = []
  const mail = transport && new TestMailSender(store, transport, { publicUrl: config.publicUrl, from: config.mailFrom, now: () => clock.now, tenantIds, lines: [] })
  const app = createApp({ store, config, now: () => clock.now, batches, ...(mail ? { mailer: mail } : {}) })

  const raw: Harness['raw'] = (method, path, body, opts = {}) =>
    request(app, null, method, path, body, opts.root ? { auth: `Bearer ${ROOT_TOKEN}`, ...opts } : opts)

  const createTenant = async (body: Record<string, unknown> = {}): Promise<TenantHandle> => {
    const id = (body.id as string | undefined) ?? uid('t-')
    const res = await raw('POST', '/v1/admin/tenants', { name: 'Acme', channels: ['email', 'sms'], ...body, id }, { root: true })
    assert.equal(res.status, 201, `creating tenant ${id}: ${res.text}`)
    tenantIds.push(res.body.tenant.id)
    const adminKey: string = res.body.apiKey.secret
    const req: Req = (method, path, b, o) => request(app, adminKey, method, path, b, o)
    return {
      id: res.body.tenant.id,
      adminKey,
      adminKeyId: res.body.apiKey.id,
      created: res.body,
      req,
      async mintKey(role, name) {
        const r = await req('POST', '/v1/api-keys', name === undefined ? { role } : { role, name })
        assert.equal(r.status, 201, `minting a ${role} key: ${r.text}`)
        return { id: r.body.id, secret: r.body.secret }
      },
    }
  }

  let first: TenantHandle
  try {
    first = await createTenant(options.tenant)
  } catch (err) {
    await transport?.close()
    await store.close()
    db.dispose()
    throw err
  }
  return {
    ...first,
    app,
    store,
    config,
    clock,
    raw,
    createTenant,
    ...(mail ? { mail } : {}),
    async close() {
      await mail?.close()
      await transport?.close()
      await batches.close()
      await store.close()
      db.dispose()
    },
  }
}

// ---- assertions -------------------------------------------------------------------------

/** An RFC 9457 problem with this status; returns the body. */
export function assertProblem(res: Res, status: number, message = ''): any {
  assert.equal(res.status, status, `${message} expected ${status}, got ${res.status}: ${res.text}`)
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `${message} content-type`)
  const body = res.body
  assert.equal(typeof body.type, 'string', 'problem.type')
  assert.equal(typeof body.title, 'string', 'problem.title')
  assert.equal(body.status, status, 'problem.status')
  assert.equal(typeof body.detail, 'string', 'problem.detail')
  return body
}

/** A 400 validation problem with a field error at `pointer`. */
export function assertFieldError(res: Res, pointer: string, message = ''): any {
  const body = assertProblem(res, 400, message)
  assert.ok(Array.isArray(body.errors), `${message} problem has errors[]: ${res.text}`)
  const pointers = body.errors.map((e: { pointer: string }) => e.pointer)
  assert.ok(pointers.includes(pointer), `${message} expected a field error at ${pointer}, got ${JSON.stringify(pointers)}`)
  for (const e of body.errors) assert.equal(typeof e.detail, 'string')
  return body
}

/** The same instant, whatever the ISO 8601 spelling. */
export function assertInstant(actual: unknown, expected: string | number, message = 'instant'): void {
  assert.equal(typeof actual, 'string', `${message}: expected an ISO 8601 string, got ${JSON.stringify(actual)}`)
  assert.match(actual as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/, message)
  const want = typeof expected === 'number' ? expected : Date.parse(expected)
  assert.equal(new Date(actual as string).toISOString(), new Date(want).toISOString(), message)
}

export const iso = (ms: number) => new Date(ms).toISOString()

// ---- fixtures ---------------------------------------------------------------------------

/**
 * The topics most tests use: `receipts` (required), `news` (email + sms, opt-in),
 * `promo` (email, subscribed by default: the merchant holds consent).
 */
export async function putStandardTopics(t: TenantHandle): Promise<void> {
  const topics: Record<string, unknown> = {
    receipts: { name: 'Receipts', required: true, channels: ['email', 'sms'], order: 0 },
    news: { name: 'News', channels: ['email', 'sms'], order: 10 },
    promo: { name: 'Promotions', channels: ['email'], defaultSubscribed: true, order: 20 },
  }
  for (const [key, body] of Object.entries(topics)) {
    const res = await t.req('PUT', `/v1/topics/${key}`, body)
    assert.ok(res.status === 201 || res.status === 200, `PUT /v1/topics/${key}: ${res.text}`)
  }
}

/** PUT /v1/subscribers/:id, asserting a 2xx; returns the subscriber. */
export async function putSubscriber(t: TenantHandle, id: string, patch: Record<string, unknown>): Promise<any> {
  const res = await t.req('PUT', `/v1/subscribers/${encodeURIComponent(id)}`, patch)
  assert.ok(res.status === 201 || res.status === 200, `PUT /v1/subscribers/${id}: ${res.status} ${res.text}`)
  return res.body
}
