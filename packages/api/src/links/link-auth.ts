import type { MiddlewareHandler } from 'hono'
import type { Env } from '../env.ts'
import { bearerToken } from '../http/auth.ts'
import { ApiError } from '../http/errors.ts'
import { claimedKind, verifyPreviewToken, verifyToken, type VerifiedPreview, type VerifiedToken } from './tokens.ts'

/**
 * Whom a request with a token speaks for: a subscriber, by their live link, or, by a preview
 * token, nobody (what it changes is answered, not stored).
 */
export type Caller = { kind: 'link'; link: VerifiedToken } | { kind: 'preview'; preview: VerifiedPreview }

export type LinkEnv = Env & { Variables: { caller: Caller } }

/**
 * Authenticates a subscriber's link token, or a preview token; every kind of refusal gets the
 * same 401. Each token is verified as the kind its header claims, and only as that kind.
 */
export function linkAuth(): MiddlewareHandler<LinkEnv> {
  return async function linkAuth(c, next) {
    const token = bearerToken(c.req.header('Authorization'))
    const { store, config, now } = c.get('deps')
    const opts = { issuer: config.publicUrl, now: now() }
    let caller: Caller | null = null
    if (token && claimedKind(token) === 'preview') {
      const preview = await verifyPreviewToken(store, token, opts)
      if (preview) caller = { kind: 'preview', preview }
    } else if (token) {
      const link = await verifyToken(store, token, { ...opts, kind: 'link' })
      if (link) caller = { kind: 'link', link }
    }
    if (!caller) {
      throw new ApiError('unauthorized', 'this link is no longer valid; ask for a new one', {
        headers: { 'WWW-Authenticate': 'Bearer realm="heed-subscriber"' },
      })
    }
    c.set('caller', caller)
    c.set('tenant', caller.kind === 'link' ? caller.link.tenant : caller.preview.tenant)
    await next()
  }
}
