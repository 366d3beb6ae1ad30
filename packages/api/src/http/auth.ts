import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import type { ApiKeyRole, ConsoleRole } from '@heed/shared/schemas'
import { sha256Hex } from '../db/ids.ts'
import type { ApiKeyRecord, Store, TenantRecord } from '../db/store.ts'
import type { Env, Principal } from '../env.ts'
import { ApiError } from './errors.ts'
import { hasSessionCookie, isSafeMethod, readSession, requireSameOrigin } from './session.ts'

/** The credential of an `Authorization: Bearer <credential>` header, or null. */
export const bearerToken = (header: string | undefined): string | null => header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null

/**
 * Keys seen in the last few seconds, with their tenant, so a sender's hot path does not read
 * them from the database on every call. A revocation or tenant change through this process
 * clears it at once; other processes (PostgreSQL deployments) see it within AUTH_CACHE_MS.
 */
export const AUTH_CACHE_MS = 5_000
const MAX_CACHED_KEYS = 10_000
type Authenticated = { key: ApiKeyRecord; tenant: TenantRecord }
const authCaches = new WeakMap<Store, Map<string, { until: number; value: Authenticated }>>()

export async function authenticate(store: Store, hash: string): Promise<Authenticated | null> {
  let cache = authCaches.get(store)
  if (!cache) authCaches.set(store, (cache = new Map()))
  const now = Date.now()
  const hit = cache.get(hash)
  if (hit && hit.until > now) return hit.value
  const value = await store.authenticate(hash)
  if (cache.size >= MAX_CACHED_KEYS) cache.clear()
  if (value) cache.set(hash, { until: now + AUTH_CACHE_MS, value })
  else cache.delete(hash)
  return value
}

/** Forgets every cached key of this store: after a key is revoked or a tenant changed. */
export function forgetAuthenticated(store: Store): void {
  authCaches.get(store)?.clear()
}

/**
 * What a principal may do, by area. One table maps every role, API key or console user, to
 * the areas it may change; `read` lets it read (GET/HEAD) every area. A read of an area is
 * allowed with `read` or with the area's own permission (a sender key reads the subscribers
 * it writes, and nothing else).
 */
export type Permission = 'read' | 'send' | 'subscribers' | 'imports' | 'links' | 'topics' | 'settings' | 'keys' | 'people' | 'ledger' | 'webhooks'
export type Role = Principal['role']

const EVERYTHING: readonly Permission[] = ['read', 'send', 'subscribers', 'imports', 'links', 'topics', 'settings', 'keys', 'people', 'ledger', 'webhooks']

export const PERMISSIONS: Record<Role, readonly Permission[]> = {
  /** API key: everything of its tenant. */
  admin: EVERYTHING,
  /** API key: check, dispatches, links and subscribers. */
  sender: ['send', 'subscribers', 'links'],
  /** Console: everything, people included. */
  owner: EVERYTHING,
  /** Console: reads, and changes to subscribers (imports too), topics, settings and links. */
  editor: ['read', 'subscribers', 'imports', 'topics', 'settings', 'links'],
  /** Console: reads only. */
  viewer: ['read'],
}

const KEY_ROLES = ['admin', 'sender'] as const satisfies readonly ApiKeyRole[]
const USER_ROLES = ['owner', 'editor', 'viewer'] as const satisfies readonly ConsoleRole[]

/** The rule: may this role do this (by method) in this area? */
export function may(role: Role, permission: Permission, method: string): boolean {
  const held = PERMISSIONS[role]
  return held.includes(permission) || (isSafeMethod(method) && held.includes('read'))
}

const UNAUTHORIZED = 'send a valid API key as "Authorization: Bearer <key>", or sign in to the console'

/**
 * Authenticates the request and puts its tenant and principal on the context: an API key
 * (`Authorization: Bearer <secret>`, also set as `apiKey`) or, with no Authorization header,
 * the console's session cookie (also set as `session`; a change must pass the CSRF rule).
 * Missing, unknown, revoked, forged or expired credentials all get the same 401; a principal
 * whose role lacks `permission` (see `may`) gets 403.
 */
export function authorize(permission: Permission): MiddlewareHandler<Env> {
  return async function authorize(c, next) {
    const principal = await authenticatePrincipal(c)
    if (!may(principal.role, permission, c.req.method)) {
      const roles = (principal.kind === 'key' ? KEY_ROLES : USER_ROLES).filter((r) => may(r, permission, c.req.method))
      const who = principal.kind === 'key' ? 'an API key' : 'a console user'
      throw new ApiError(
        'forbidden',
        roles.length === 0
          ? `${who} cannot do this`
          : `this needs ${who} with the role ${roles.map((r) => `"${r}"`).join(' or ')}; yours is "${principal.role}"`,
      )
    }
    await next()
  }
}

async function authenticatePrincipal(c: Context<Env>): Promise<Principal> {
  const header = c.req.header('Authorization')
  if (header !== undefined || !hasSessionCookie(c)) {
    const secret = bearerToken(header)
    const found = secret ? await authenticate(c.get('deps').store, sha256Hex(secret)) : null
    if (!found) throw unauthorized()
    const principal: Principal = { kind: 'key', id: found.key.id, role: found.key.role }
    c.set('tenant', found.tenant)
    c.set('apiKey', found.key)
    c.set('principal', principal)
    return principal
  }
  const signedIn = await readSession(c)
  if (!signedIn) throw unauthorized()
  if (!isSafeMethod(c.req.method)) requireSameOrigin(c)
  const principal: Principal = { kind: 'user', id: signedIn.user.id, role: signedIn.user.role }
  c.set('tenant', signedIn.tenant)
  c.set('session', signedIn.session)
  c.set('principal', principal)
  return principal
}

const unauthorized = () => new ApiError('unauthorized', UNAUTHORIZED, { headers: { 'WWW-Authenticate': 'Bearer realm="heed"' } })

/** Authenticates the root token (HEED_ADMIN_TOKEN) in constant time. */
export function rootAuth(): MiddlewareHandler<Env> {
  return async function rootAuth(c, next) {
    const expected = c.get('deps').config.HEED_ADMIN_TOKEN
    if (!expected) throw new ApiError('unauthorized', 'the admin API is off: start the server with HEED_ADMIN_TOKEN set')
    const given = bearerToken(c.req.header('Authorization')) ?? ''
    const ok = timingSafeEqual(Buffer.from(sha256Hex(given), 'hex'), Buffer.from(sha256Hex(expected), 'hex'))
    if (!ok) {
      throw new ApiError('unauthorized', 'send the admin token as "Authorization: Bearer <HEED_ADMIN_TOKEN>"', {
        headers: { 'WWW-Authenticate': 'Bearer realm="heed-admin"' },
      })
    }
    await next()
  }
}
