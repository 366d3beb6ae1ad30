/**
 * Helpers for the console tests: console users made straight in the store (with a known
 * password), sign-in through the API, and requests that carry the session cookie the way the
 * console's own page sends them (with its Origin).
 */
import assert from 'node:assert/strict'
import type { ConsoleRole } from '@heed/shared'
import { hashPassword } from '../src/console/passwords.ts'
import { request, uid, type Harness, type Res, type TenantHandle } from './harness.ts'

export const PASSWORD = 'correct horse battery staple'

/**
 * The environment of the console tests' setups. scrypt is deliberately slow CPU work (tens of
 * milliseconds alone, far more on a busy test machine), and on PostgreSQL every request is
 * answered within HEED_DATABASE_TIMEOUT_MS (2 s by default) or gets a 503: room for it here,
 * so the tests decide on what they assert, not on the machine's load.
 */
export const SLOW_HASHES = { HEED_DATABASE_TIMEOUT_MS: '15000' }

/** A fresh address, so tests never collide on a shared database. */
export const email = (who = 'user') => `${who}-${uid()}@example.com`

/** The session cookie's token from a Set-Cookie answer, or null. */
export function sessionToken(res: Res): string | null {
  const header = res.headers.get('set-cookie') ?? ''
  return /(?:^|[\s,])heed_session=([^;]*)/.exec(header)?.[1] || null
}

export interface SignedIn {
  token: string
  user: { id: string; email: string; role: ConsoleRole }
  /** A request with the cookie and the console's Origin; `headers` may replace or drop (`undefined`) them. */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string | undefined>): Promise<Res>
}

/** The public URL's origin: what the console's page sends as Origin. */
export const consoleOrigin = (h: Harness) => new URL(h.config.publicUrl).origin

/** Requests with this session cookie (and no API key), from the console's origin unless told otherwise. */
export function withCookie(h: Harness, token: string): SignedIn['req'] {
  return (method, path, body, headers = {}) => {
    const all: Record<string, string | undefined> = { cookie: `heed_session=${token}`, origin: consoleOrigin(h), ...headers }
    const sent = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined))
    return request(h.app, null, method, path, body, { key: null, headers: sent })
  }
}

/** POST /v1/session, from the console's origin. */
export function signInRequest(h: Harness, address: string, password: string, headers: Record<string, string> = {}): Promise<Res> {
  return h.raw('POST', '/v1/session', { email: address, password }, { headers: { origin: consoleOrigin(h), ...headers } })
}

/** Signs in, asserting a 200 and a cookie. */
export async function signIn(h: Harness, address: string, password = PASSWORD): Promise<SignedIn> {
  const res = await signInRequest(h, address, password)
  assert.equal(res.status, 200, `signing in as ${address}: ${res.text}`)
  const token = sessionToken(res)
  assert.ok(token, `a session cookie: ${res.headers.get('set-cookie')}`)
  return { token, user: res.body.user, req: withCookie(h, token) }
}

/** A console user of the tenant with this role and PASSWORD, made in the store; signed in. */
export async function userWithRole(h: Harness, tenant: TenantHandle, role: ConsoleRole, address = email(role)): Promise<SignedIn> {
  const at = h.clock.now
  const made = await h.store.createConsoleUser({ id: uid('usr_'), tenantId: tenant.id, email: address, name: null, role, passwordHash: await hashPassword(PASSWORD), createdAt: at, updatedAt: at })
  assert.ok(made, `creating ${address}`)
  return signIn(h, address)
}
