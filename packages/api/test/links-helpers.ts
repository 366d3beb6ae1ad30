/**
 * Helpers for the link, subscriber-API, hosted-page, ledger and GDPR tests: minting links,
 * calling /v1/me and the pages with nothing but the token (the way a mailbox provider or a
 * browser does), forging tokens, and reading state to prove that something did NOT change.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose'
import type { Harness, Res, TenantHandle } from './harness.ts'
import { putSubscriber } from './harness.ts'

export interface Link {
  token: string
  preferencesUrl: string
  unsubscribeUrl: string
  expiresAt: string
  headers: Record<string, string>
}

/** POST /v1/links, asserting a 201. */
export async function mintLink(t: TenantHandle, subscriberId: string, extra: Record<string, unknown> = {}): Promise<Link> {
  const res = await t.req('POST', '/v1/links', { subscriberId, ...extra })
  assert.equal(res.status, 201, `POST /v1/links for ${subscriberId}: ${res.text}`)
  return res.body
}

/** A subscriber (PUT) and a fresh link for them. */
export async function subscriberWithLink(t: TenantHandle, id: string, patch: Record<string, unknown> = {}): Promise<Link> {
  await putSubscriber(t, id, patch)
  return mintLink(t, id)
}

/** A request carrying only the link token in Authorization (what the widget sends). */
export function asSubscriber(h: Harness, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  return h.raw(method, path, body, { auth: `Bearer ${token}`, headers })
}

/** GET /v1/me with a token. */
export const getMe = (h: Harness, token: string, headers: Record<string, string> = {}) => asSubscriber(h, 'GET', '/v1/me', token, undefined, headers)

async function toRes(res: Response): Promise<Res> {
  const text = await res.text()
  const type = res.headers.get('content-type') ?? ''
  return { status: res.status, headers: res.headers, body: text === '' ? null : /json/.test(type) ? JSON.parse(text) : text, text }
}

/**
 * A request with exactly the headers given: no Authorization, no Cookie, no Origin unless
 * listed. `body` as a string is sent as is (set its Content-Type in `headers`); FormData
 * goes as multipart/form-data with the boundary the runtime chooses.
 */
export async function bare(h: Harness, method: string, path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<Res> {
  const init: RequestInit = { method, headers: { ...headers } }
  if (typeof body === 'string') {
    ;(init.headers as Record<string, string>)['content-length'] = String(Buffer.byteLength(body))
    init.body = body
  } else if (body !== undefined) {
    init.body = body
  }
  return toRes(await h.app.request(path, init))
}

export const FORM = 'application/x-www-form-urlencoded'
export const ONE_CLICK = 'List-Unsubscribe=One-Click'

/** The RFC 8058 POST a mailbox provider sends: urlencoded body, nothing else. */
export const oneClick = (h: Harness, token: string, headers: Record<string, string> = {}) =>
  bare(h, 'POST', `/u/${token}`, ONE_CLICK, { 'content-type': FORM, ...headers })

/** A form POST from the unsubscribe page (e.g. "send me less", "undo"). */
export const postForm = (h: Harness, path: string, fields: Record<string, string>) =>
  bare(h, 'POST', path, new URLSearchParams(fields).toString(), { 'content-type': FORM })

/** The page HTML with the per-response CSP nonce blanked, so two renderings compare equal. */
export const withoutNonce = (html: string) => html.replace(/nonce-[A-Za-z0-9+/=]+/g, 'nonce-X').replace(/nonce="[^"]*"/g, 'nonce="X"')

/** What a subscriber looks like through the API, plus how many consent events the tenant has. */
export async function snapshot(t: TenantHandle, subscriberId: string): Promise<{ subscriber: string; events: number }> {
  const sub = await t.req('GET', `/v1/subscribers/${encodeURIComponent(subscriberId)}`)
  return { subscriber: sub.text, events: (await allEvents(t)).length }
}

/** Every event of the tenant, following the cursor. */
export async function allEvents(t: TenantHandle, subscriberId?: string): Promise<any[]> {
  const out: any[] = []
  let after: string | null = null
  for (;;) {
    const q = new URLSearchParams({ limit: '1000' })
    if (after !== null) q.set('after', after)
    if (subscriberId !== undefined) q.set('subscriberId', subscriberId)
    const res = await t.req('GET', `/v1/events?${q}`)
    assert.equal(res.status, 200, res.text)
    out.push(...res.body.data)
    if (res.body.next === null) return out
    after = res.body.next
  }
}

export async function lastEvent(t: TenantHandle, subscriberId: string): Promise<any> {
  const events = await allEvents(t, subscriberId)
  assert.ok(events.length > 0, `no events for ${subscriberId}`)
  return events.at(-1)
}

export async function check(t: TenantHandle, subscriberId: string, topic: string): Promise<any> {
  const res = await t.req('POST', '/v1/check', { subscriberId, topic })
  assert.equal(res.status, 200, res.text)
  return res.body
}

// ---- tokens ---------------------------------------------------------------------------

export const b64url = (v: string | Buffer | object) =>
  Buffer.from(typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v)).toString('base64url')

export const parts = (token: string) => {
  const [h, p, s] = token.split('.')
  return { header: decodeProtectedHeader(token) as Record<string, unknown>, payload: decodeJwt(token) as Record<string, unknown>, h: h!, p: p!, s: s! }
}

/** The HMAC secret behind a token's kid, read through the Store (as an attacker with a leaked key would hold it). */
export async function secretOf(h: Harness, kid: string): Promise<Uint8Array> {
  const key = await h.store.getSigningKey(kid)
  assert.ok(key, `no signing key ${kid}`)
  return Buffer.from(key.secret, 'base64url')
}

/** Signs header + payload with HMAC by hand (any HS alg), so nothing normalises them. */
export function hmacSign(header: object, payload: object, secret: Uint8Array, alg: 'HS256' | 'HS384' | 'HS512' = 'HS256'): string {
  const input = `${b64url(header)}.${b64url(payload)}`
  const bits = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg]
  return `${input}.${createHmac(bits, secret).update(input).digest('base64url')}`
}

/** A correctly signed JWT through jose, with whatever header and claims. */
export async function joseSign(header: Record<string, unknown> & { alg: string }, payload: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0]) {
  return new SignJWT(payload).setProtectedHeader(header).sign(key)
}

// ---- raw rows ------------------------------------------------------------------------

/**
 * Plain SQL against the store's own connection, for tests that tamper with rows directly or
 * look for data the API no longer shows. Written with `?` placeholders on either database.
 * The dialects differ in what rows carry: structured columns (before, after, settings…) are
 * JSON text on SQLite but jsonb on PostgreSQL, where they come back parsed (read them with
 * `parse(value)`, write them with `json(value)`); instant columns (at, created_at…) are
 * bigint on PostgreSQL and come back as strings (use Number()).
 */
export interface RawDb {
  readonly dialect: 'sqlite' | 'postgres'
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>
  get<T = any>(sql: string, ...params: unknown[]): Promise<T | undefined>
  all<T = any>(sql: string, ...params: unknown[]): Promise<T[]>
  /** A value as a parameter for a JSON column. */
  json(value: unknown): unknown
  /** A JSON column as read back, as its JS value. */
  parse(value: unknown): unknown
  /** The application's tables. */
  tables(): Promise<string[]>
}

/** `?` placeholders to `$1..$n`, leaving quoted strings and identifiers alone. */
const dollarParams = (sql: string) => {
  let n = 0
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === '?' ? `$${++n}` : m))
}

export function rawDb(h: Harness): RawDb {
  const raw = (h.store as any).raw
  assert.ok(raw, `the ${h.store.dialect} store exposes no raw connection`)
  if (h.store.dialect === 'sqlite') {
    const db = raw as import('better-sqlite3').Database
    return {
      dialect: 'sqlite',
      run: async (sql, ...params) => db.prepare(sql).run(...params).changes,
      get: async (sql, ...params) => db.prepare(sql).get(...params) as any,
      all: async (sql, ...params) => db.prepare(sql).all(...params) as any[],
      json: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
      parse: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
      tables: async () =>
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name),
    }
  }
  const pg = raw as import('postgres').Sql
  // drizzle makes the json/jsonb serializers of the client it wraps pass values through, so
  // a jsonb parameter must be JSON text; a plain postgres.js client would JSON-encode it.
  const encodes = (pg as any).options?.serializers?.[3802]
  const jsonText = typeof encodes !== 'function' || encodes('x') === 'x'
  const query = (sql: string, params: unknown[]) => pg.unsafe(dollarParams(sql), params as any[])
  return {
    dialect: 'postgres',
    run: async (sql, ...params) => (await query(sql, params)).count,
    get: async (sql, ...params) => (await query(sql, params))[0] as any,
    all: async (sql, ...params) => [...(await query(sql, params))] as any[],
    json: (value) => (value === null || value === undefined ? null : jsonText ? JSON.stringify(value) : value),
    parse: (value) => value,
    tables: async () =>
      (
        await pg.unsafe<{ name: string }[]>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
        )
      ).map((r) => r.name),
  }
}
