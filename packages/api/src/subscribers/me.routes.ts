import { Hono } from 'hono'
import { mePatchSchema, unsubscribeBodySchema } from '@heed/shared'
import { requireTenantOrigin, tenantCors } from '../http/cors.ts'
import { bearerToken } from '../http/auth.ts'
import { linkAuth, type LinkEnv } from '../links/link-auth.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { changeOwnPreferences, meView, selfChanger } from './self-service.ts'
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
    const link = c.get('link')
    const by = selfChanger(c.get('deps'), link, c.req.header('User-Agent'))
    const next = await changeOwnPreferences(by, 'widget', c.req.valid('json'))
    return c.json(await meView(by.store, link.tenant, next, link.expiresAt))
  })

  me.post('/unsubscribe', validate('json', unsubscribeBodySchema), async (c) => {
    const link = c.get('link')
    const by = selfChanger(c.get('deps'), link, c.req.header('User-Agent'))
    const next = await changeOwnPreferences(by, 'widget', { status: 'unsubscribed' }, c.req.valid('json').reason)
    return c.json(await meView(by.store, link.tenant, next, link.expiresAt))
  })

  return me
}
