import type { MiddlewareHandler } from 'hono'
import type { Env } from '../env.ts'
import { bearerToken } from '../http/auth.ts'
import { ApiError } from '../http/errors.ts'
import { verifyToken, type VerifiedToken } from './tokens.ts'

export type LinkEnv = Env & { Variables: { link: VerifiedToken } }

/** Authenticates a subscriber's link token; every kind of refusal gets the same 401. */
export function linkAuth(): MiddlewareHandler<LinkEnv> {
  return async function linkAuth(c, next) {
    const token = bearerToken(c.req.header('Authorization'))
    const { store, config, now } = c.get('deps')
    const link = token ? await verifyToken(store, token, { issuer: config.publicUrl, kind: 'link', now: now() }) : null
    if (!link) {
      throw new ApiError('unauthorized', 'this link is no longer valid; ask for a new one', {
        headers: { 'WWW-Authenticate': 'Bearer realm="heed-subscriber"' },
      })
    }
    c.set('link', link)
    c.set('tenant', link.tenant)
    await next()
  }
}
