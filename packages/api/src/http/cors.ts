import type { MiddlewareHandler } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'

export interface TenantCorsOptions {
  allowMethods: readonly string[]
  allowHeaders: readonly string[]
  maxAge: number
}

const defaults: TenantCorsOptions = {
  allowMethods: ['GET', 'PATCH', 'POST'],
  allowHeaders: ['Authorization', 'Content-Type'],
  maxAge: 600,
}

/**
 * CORS for the subscriber API. A preflight carries no token, so it is answered for any
 * origin some tenant lists (or this server's own); the request itself must then come from
 * an origin its own tenant lists (checked by `requireTenantOrigin` once the token is read).
 * Never credentials: the token travels in Authorization, not a cookie.
 */
export function tenantCors(options: Partial<TenantCorsOptions> = {}): MiddlewareHandler<Env> {
  const opts = { ...defaults, ...options }
  return async function tenantCors(c, next) {
    c.header('Vary', 'Origin', { append: true })
    const origin = c.req.header('Origin')
    const own = new URL(c.get('deps').config.publicUrl).origin
    const known = origin !== undefined && (origin === own || (await c.get('deps').store.isKnownOrigin(origin)))
    if (c.req.method === 'OPTIONS') {
      if (!known) return c.body(null, 204)
      c.header('Access-Control-Allow-Origin', origin)
      c.header('Access-Control-Allow-Methods', opts.allowMethods.join(', '))
      c.header('Access-Control-Allow-Headers', opts.allowHeaders.join(', '))
      c.header('Access-Control-Max-Age', String(opts.maxAge))
      return c.body(null, 204)
    }
    if (origin !== undefined && !known) throw new ApiError('forbidden', `the origin ${origin} may not call this API`)
    if (known) c.header('Access-Control-Allow-Origin', origin)
    await next()
  }
}

/** After the token is read: the request's origin must be one its tenant lists. */
export function requireTenantOrigin(): MiddlewareHandler<Env> {
  return async function requireTenantOrigin(c, next) {
    const origin = c.req.header('Origin')
    const own = new URL(c.get('deps').config.publicUrl).origin
    if (origin !== undefined && origin !== own && !c.get('tenant').settings.allowedOrigins.includes(origin)) {
      c.header('Access-Control-Allow-Origin', undefined)
      throw new ApiError('forbidden', `the origin ${origin} is not in this tenant's allowedOrigins`)
    }
    await next()
  }
}
