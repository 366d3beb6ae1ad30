import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { declare, json, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { refuseNul } from '../http/validate.ts'
import { verifyToken } from './tokens.ts'

const TOKEN_MAX = 4096

const answerSchema = z
  .object({
    origin: z.string().nullable().openapi({ description: 'The Origin the request came from (null when it sent none).' }),
    allowed: z.boolean().nullable().openapi({ description: 'Whether the token’s tenant lets that origin call `/v1/me`; null when the token is not valid.' }),
    detail: z.string().openapi({ description: 'For the developer: what is wrong and how to fix it.' }),
  })
  .openapi('OriginCheck')

/**
 * Why the widget got no answer: when a site is missing from a tenant's `allowedOrigins` the
 * browser hides the API's 403, and the widget would call it a network failure. This one route
 * answers every origin (CORS `*`, never credentials; a text/plain body, so no preflight) with
 * one fact — whether the link's tenant allows the asking origin — and says how to fix it. It
 * reads nothing else and changes nothing.
 */
export function originCheckRoutes(limiter: RateLimiter) {
  const check = routes<Env>()
  check.use('*', async (c, next) => {
    await next()
    c.header('Access-Control-Allow-Origin', '*')
  })
  check.use('*', rateLimit({ limiter, token: () => null }))
  declare(
    check,
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Subscriber (link token)'],
      summary: 'May this site embed the widget?',
      description:
        'The body is the link token as plain text (`Content-Type: text/plain`, so a browser sends it from any site without a preflight). Answers whether the token’s tenant lists the request’s `Origin` in `allowedOrigins`, with the fix when it does not. Any origin may ask (`Access-Control-Allow-Origin: *`); nothing about the subscriber is read or returned. The widget asks when `/v1/me` gave no answer, to tell a setup mistake from a network failure.',
      security: SECURITY.none,
      bodyRules: { maxSize: TOKEN_MAX, raw: true, types: ['text/plain'] },
      responses: { 200: json('The answer.', answerSchema), 413: PROBLEMS[413], 415: PROBLEMS[415], 429: PROBLEMS[429] },
    }),
    async (c) => {
      const token = (await c.req.text()).trim()
      refuseNul(token)
      const { store, config, now } = c.get('deps')
      const origin = c.req.header('Origin') ?? null
      const link = token ? await verifyToken(store, token, { issuer: config.publicUrl, now: now(), kind: 'link' }) : null
      if (!link) return c.json({ origin, allowed: null, detail: 'this link is no longer valid; ask for a new one' })
      const own = new URL(config.publicUrl).origin
      const allowed = origin === null || origin === own || link.tenant.settings.allowedOrigins.includes(origin)
      return c.json({
        origin,
        allowed,
        detail: allowed
          ? `the origin ${origin ?? '(none)'} may call /v1/me for ${link.tenant.settings.name} (tenant ${link.tenant.id})`
          : `this page's origin ${origin} is not in the allowed origins of ${link.tenant.settings.name} (tenant ${link.tenant.id}): add exactly "${origin}" in the console (${config.publicUrl.replace(/\/+$/, '')}/console/settings, "Allowed origins"), or with PATCH /v1/tenant {"allowedOrigins": [...]}`,
      })
    },
  )
  return check
}
