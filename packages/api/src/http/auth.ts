import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { ApiKeyRole } from '@heed/shared/schemas'
import { sha256Hex } from '../db/ids.ts'
import type { ApiKeyRecord, Store, TenantRecord } from '../db/store.ts'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'

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

async function authenticate(store: Store, hash: string): Promise<Authenticated | null> {
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

export interface ApiKeyAuthOptions {
  /** Roles allowed through; others get 403. */
  roles: readonly ApiKeyRole[]
}

const defaults: ApiKeyAuthOptions = { roles: ['admin'] }

/**
 * Authenticates `Authorization: Bearer <api key secret>` and puts the key and its tenant on
 * the context. A missing, unknown, revoked or forged key all get the same 401.
 */
export function apiKeyAuth(options: Partial<ApiKeyAuthOptions> = {}): MiddlewareHandler<Env> {
  const opts = { ...defaults, ...options }
  return async function apiKeyAuth(c, next) {
    const secret = bearerToken(c.req.header('Authorization'))
    const found = secret ? await authenticate(c.get('deps').store, sha256Hex(secret)) : null
    if (!found) {
      throw new ApiError('unauthorized', 'send a valid API key as "Authorization: Bearer <key>"', {
        headers: { 'WWW-Authenticate': 'Bearer realm="heed"' },
      })
    }
    if (!opts.roles.includes(found.key.role)) {
      throw new ApiError('forbidden', `this needs an API key with the role ${opts.roles.map((r) => `"${r}"`).join(' or ')}; yours is "${found.key.role}"`)
    }
    c.set('tenant', found.tenant)
    c.set('apiKey', found.key)
    await next()
  }
}

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
