import { Hono } from 'hono'
import { mePatchSchema, unsubscribeBodySchema } from '@heed/shared'
import { requireTenantOrigin, tenantCors } from '../http/cors.ts'
import { bearerToken, linkAuth, type LinkEnv } from '../links/link-auth.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { changeOwnPreferences, meView } from './self-service.ts'
import { validate } from '../http/validate.ts'

/** The subscriber API: what the widget calls with a link token. */
export function meRoutes(limiter: RateLimiter) {
  const me = new Hono<LinkEnv>()

  me.use('*', tenantCors())
  me.use('*', rateLimit({ limiter, token: (c) => bearerToken(c.req.header('Authorization')) }))
  me.use('*', linkAuth())
  me.use('*', requireTenantOrigin())

  me.get('/', async (c) => {
    const { tenant, subscriber, expiresAt } = c.get('link')
    return c.json(await meView(c.get('deps').store, tenant, subscriber, expiresAt))
  })

  me.patch('/', validate('json', mePatchSchema), async (c) => {
    const { tenant, subscriber, jti, expiresAt } = c.get('link')
    const { store, now } = c.get('deps')
    const next = await changeOwnPreferences({
      store,
      tenant,
      subscriberId: subscriber.id,
      patch: c.req.valid('json'),
      source: 'widget',
      actor: jti,
      userAgent: c.req.header('User-Agent') ?? null,
      at: now(),
    })
    return c.json(await meView(store, tenant, next, expiresAt))
  })

  me.post('/unsubscribe', validate('json', unsubscribeBodySchema), async (c) => {
    const { tenant, subscriber, jti, expiresAt } = c.get('link')
    const { store, now } = c.get('deps')
    const { reason } = c.req.valid('json')
    const next = await changeOwnPreferences({
      store,
      tenant,
      subscriberId: subscriber.id,
      patch: { status: 'unsubscribed' },
      source: 'widget',
      actor: jti,
      userAgent: c.req.header('User-Agent') ?? null,
      reason: reason ?? null,
      at: now(),
    })
    return c.json(await meView(store, tenant, next, expiresAt))
  })

  return me
}
