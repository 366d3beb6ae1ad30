import { mePatchSchema, unsubscribeBodySchema } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { fields, meResponseSchema, openapi } from '../http/schemas.ts'
import { requireTenantOrigin, tenantCors } from '../http/cors.ts'
import { bearerToken } from '../http/auth.ts'
import { linkAuth, type LinkEnv } from './link-auth.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { changeOwnPreferences, meView, previewChange, PreviewMemory, selfChanger } from './self-service.ts'
import type { VerifiedPreview } from './tokens.ts'
import type { MePatch } from '@heed/shared/schemas'
import { declare, json, jsonBody, PROBLEMS, routes, SECURITY } from '../http/route.ts'

const ME_PROBLEMS = { 401: PROBLEMS[401], 403: PROBLEMS[403], 429: PROBLEMS[429] }
const LINK =
  ' With the subscriber’s live link token; CORS only for the tenant’s `allowedOrigins`; rate-limited per token (429 with `Retry-After`). With a preview token (`POST /v1/tenant/preview-link`) the same answers for a subscriber that does not exist, as a new one would be, and nothing is ever written.'

const readMe = createRoute({
  method: 'get',
  path: '/',
  tags: ['Subscriber (link token)'],
  summary: 'The subscriber’s own preferences',
  description: `What the widget shows: the tenant’s display settings, its topics localized, its channels and frequency options, and the subscriber’s state (email masked). A GET never changes anything.${LINK}`,
  security: SECURITY.link,
  responses: { 200: json('The preference center.', meResponseSchema), ...ME_PROBLEMS },
})

const patchMe = createRoute({
  method: 'patch',
  path: '/',
  tags: ['Subscriber (link token)'],
  summary: 'Change one’s own preferences',
  description: `Status, topics, channels, cap, quiet hours, pause, locale and time zone, as in \`PUT /v1/subscribers/{id}\` (not the email): fields given change, \`null\` clears. Written to the consent ledger with source \`widget\`.${LINK}`,
  security: SECURITY.link,
  request: {
    body: jsonBody(openapi(mePatchSchema, { example: { topics: { sales: { subscribed: true, cap: { max: 1, per: 'week' } } }, quietHours: { start: '22:00', end: '08:00' } } })),
  },
  responses: { 200: json('The preference center as changed.', meResponseSchema), 400: PROBLEMS[400], ...ME_PROBLEMS },
})

const unsubscribeMe = createRoute({
  method: 'post',
  path: '/unsubscribe',
  tags: ['Subscriber (link token)'],
  summary: 'Unsubscribe from everything',
  description: `Sets the status to \`unsubscribed\` (required topics still arrive), with an optional reason in the consent ledger. Idempotent.${LINK}`,
  security: SECURITY.link,
  request: {
    body: jsonBody(
      fields(unsubscribeBodySchema, { reason: { description: 'Why, in the subscriber’s words (at most 500 characters).' } }).openapi({ example: { reason: 'Too many emails' } }),
    ),
  },
  responses: { 200: json('The preference center, unsubscribed.', meResponseSchema), 400: PROBLEMS[400], ...ME_PROBLEMS },
})

/** The subscriber API: what the widget calls with a link token (or, in the console's preview, a preview token). */
export function meRoutes(limiter: RateLimiter) {
  const me = routes<LinkEnv>()
  const previews = new PreviewMemory()
  /** A change made with a preview token, answered on top of the preview's earlier ones. */
  const changePreview = async (c: Context<LinkEnv>, preview: VerifiedPreview, patch: MePatch) => {
    const { store, now } = c.get('deps')
    const next = await previewChange(store, preview.tenant, previews.shown(preview, now()), patch)
    previews.remember(preview, next)
    return c.json(await meView(store, preview.tenant, next, preview.expiresAt))
  }

  me.use('*', tenantCors())
  me.use('*', rateLimit({ limiter, token: (c) => bearerToken(c.req.header('Authorization')) }))
  me.use('*', linkAuth())
  me.use('*', requireTenantOrigin())

  declare(me, readMe, async (c) => {
    const caller = c.get('caller')
    const { store, now } = c.get('deps')
    if (caller.kind === 'preview') {
      const { tenant, expiresAt } = caller.preview
      return c.json(await meView(store, tenant, previews.shown(caller.preview, now()), expiresAt))
    }
    const { tenant, subscriber, expiresAt } = caller.link
    return c.json(await meView(store, tenant, subscriber, expiresAt))
  })

  declare(me, patchMe, async (c) => {
    const caller = c.get('caller')
    if (caller.kind === 'preview') return changePreview(c, caller.preview, c.req.valid('json'))
    const { link } = caller
    const by = selfChanger(c.get('deps'), link, c.req.header('User-Agent'))
    const next = await changeOwnPreferences(by, 'widget', c.req.valid('json'))
    return c.json(await meView(by.store, link.tenant, next, link.expiresAt))
  })

  declare(me, unsubscribeMe, async (c) => {
    const caller = c.get('caller')
    if (caller.kind === 'preview') return changePreview(c, caller.preview, { status: 'unsubscribed' })
    const { link } = caller
    const by = selfChanger(c.get('deps'), link, c.req.header('User-Agent'))
    const next = await changeOwnPreferences(by, 'widget', { status: 'unsubscribed' }, c.req.valid('json').reason)
    return c.json(await meView(by.store, link.tenant, next, link.expiresAt))
  })

  return me
}
