import { Hono } from 'hono'
import { linkBodySchema, type LinkResponse } from '@heed/shared'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { issueToken } from './tokens.ts'
import { validate } from '../http/validate.ts'
import { iso } from '../http/views.ts'

export const links = new Hono<Env>()

links.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/** Signed preference and one-click unsubscribe links, with the headers to put on the email. */
links.post('/', validate('json', linkBodySchema), async (c) => {
  const { subscriberId, ttlSeconds } = c.req.valid('json')
  const { store, config, now } = c.get('deps')
  const tenant = c.get('tenant')
  const max = tenant.settings.linkTtlSeconds
  if (ttlSeconds !== undefined && ttlSeconds > max) {
    throw new ApiError('validation', `ttlSeconds: at most the tenant's linkTtlSeconds (${max})`, {
      errors: [{ pointer: '/ttlSeconds', detail: `at most ${max}` }],
    })
  }
  const subscriber = await store.getSubscriber(tenant.id, subscriberId)
  if (!subscriber) throw new ApiError('not_found', `no subscriber "${subscriberId}"`)
  const issued = await issueToken(store, {
    issuer: config.publicUrl,
    tenantId: tenant.id,
    subscriber,
    kind: 'link',
    ttlSeconds: ttlSeconds ?? max,
    now: now(),
  })
  const unsubscribeUrl = `${config.publicUrl}/u/${issued.token}`
  const body: LinkResponse = {
    token: issued.token,
    preferencesUrl: `${config.publicUrl}/p/${issued.token}`,
    unsubscribeUrl,
    expiresAt: iso(issued.expiresAt),
    headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  }
  return c.json(body, 201)
})
