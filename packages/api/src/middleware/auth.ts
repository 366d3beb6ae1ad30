import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { ApiKeyRole } from '@heed/shared'
import { sha256Hex } from '../db/ids.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../errors.ts'

function bearer(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return m?.[1] ?? null
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
    const secret = bearer(c.req.header('Authorization'))
    const found = secret ? await c.var.deps.store.authenticate(sha256Hex(secret)) : null
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
    const expected = c.var.deps.config.HEED_ADMIN_TOKEN
    if (!expected) throw new ApiError('unauthorized', 'the admin API is off: start the server with HEED_ADMIN_TOKEN set')
    const given = bearer(c.req.header('Authorization')) ?? ''
    const ok = timingSafeEqual(Buffer.from(sha256Hex(given), 'hex'), Buffer.from(sha256Hex(expected), 'hex'))
    if (!ok) {
      throw new ApiError('unauthorized', 'send the admin token as "Authorization: Bearer <HEED_ADMIN_TOKEN>"', {
        headers: { 'WWW-Authenticate': 'Bearer realm="heed-admin"' },
      })
    }
    await next()
  }
}
