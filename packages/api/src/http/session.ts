import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { sha256Hex } from '../db/ids.ts'
import type { ConsoleUserRecord, SessionRecord, TenantRecord } from '../db/store.ts'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'

/**
 * Console sessions: the cookie carries a random 32-byte token, the database only its SHA-256.
 * A session ends after SESSION_IDLE_MS without a request, SESSION_MAX_MS after sign-in
 * whatever the use, at sign-out, and when its user is removed or changes their password.
 */

export const SESSION_COOKIE = 'heed_session'
/** Idle this long, a session ends. */
export const SESSION_IDLE_MS = 8 * 3_600_000
/** A session ends this long after sign-in, however much it is used. */
export const SESSION_MAX_MS = 7 * 86_400_000
/** `last_seen_at` is written at most this often per session. */
export const SESSION_TOUCH_MS = 60_000

export interface ResolvedSession {
  session: SessionRecord
  user: ConsoleUserRecord
  tenant: TenantRecord
}

const cookieOptions = (c: Context<Env>) => ({
  httpOnly: true,
  sameSite: 'Strict' as const,
  path: '/',
  secure: c.get('deps').config.publicUrl.startsWith('https:'),
})

/** Starts a session for the user: stores its hash and sets the cookie. */
export async function startSession(c: Context<Env>, user: ConsoleUserRecord): Promise<SessionRecord> {
  const { store, now } = c.get('deps')
  const at = now()
  const token = randomBytes(32).toString('base64url')
  const session: SessionRecord = {
    hash: sha256Hex(token),
    userId: user.id,
    tenantId: user.tenantId,
    createdAt: at,
    lastSeenAt: at,
    expiresAt: at + SESSION_MAX_MS,
    userAgent: c.req.header('User-Agent')?.slice(0, 300) ?? null,
  }
  await store.createSession(session)
  setCookie(c, SESSION_COOKIE, token, { ...cookieOptions(c), maxAge: SESSION_MAX_MS / 1000 })
  return session
}

/** Tells the browser to forget the cookie. */
export function clearSessionCookie(c: Context<Env>): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c))
}

/** True when the request carries a session cookie (valid or not). */
export const hasSessionCookie = (c: Context<Env>) => getCookie(c, SESSION_COOKIE) !== undefined

/**
 * The live session of the request's cookie, or null. An expired one (idle or past its end) is
 * deleted; a live one has `last_seen_at` refreshed, at most once a minute.
 */
export async function readSession(c: Context<Env>): Promise<ResolvedSession | null> {
  const token = getCookie(c, SESSION_COOKIE)
  if (!token || token.length > 100) return null
  const { store, now } = c.get('deps')
  const hash = sha256Hex(token)
  const found = await store.getSession(hash)
  if (!found) return null
  const at = now()
  const { session } = found
  if (at >= session.expiresAt || at - session.lastSeenAt >= SESSION_IDLE_MS) {
    await store.deleteSession(hash)
    return null
  }
  if (at - session.lastSeenAt >= SESSION_TOUCH_MS) await store.touchSession(hash, at)
  return found
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
export const isSafeMethod = (method: string) => SAFE_METHODS.has(method.toUpperCase())

/**
 * The CSRF rule of cookie requests: a request that may change something must come from the
 * console's own origin, by `Origin` (every browser sends it on such requests) or, without one,
 * by `Sec-Fetch-Site: same-origin`. With `lenient`, a request carrying neither passes (sign-in
 * and accepting an invitation from a script or curl); one that names another site never does.
 */
export function requireSameOrigin(c: Context<Env>, lenient = false): void {
  const expected = new URL(c.get('deps').config.publicUrl).origin
  const origin = c.req.header('Origin')
  const site = c.req.header('Sec-Fetch-Site')
  const ok = origin !== undefined ? origin === expected : site !== undefined ? site === 'same-origin' : lenient
  if (!ok) {
    throw new ApiError('forbidden', `a signed-in change must come from the console's own origin (${expected}); this request's Origin is ${origin === undefined ? 'missing' : `"${origin}"`}`)
  }
}
