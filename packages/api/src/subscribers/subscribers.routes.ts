import { Hono } from 'hono'
import { subscriberIdSchema, subscriberPatchSchema } from '@heed/shared'
import { z } from 'zod'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { applyPatch, blankSubscriber, patchErrors } from './patch.ts'
import { suppressionEntries, suppressionHashes } from './suppression.ts'
import { validate } from '../http/validate.ts'
import { dispatchView, eventView, iso, subscriberView } from '../http/views.ts'
import type { SubscriberRecord } from '../db/store.ts'

const idParam = validate('param', z.object({ id: subscriberIdSchema }))

export const subscribers = new Hono<Env>()

subscribers.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/** Creates the subscriber or changes the fields given; every consent change is logged. */
subscribers.put('/:id', idParam, validate('json', subscriberPatchSchema), async (c) => {
  const { id } = c.req.valid('param')
  const patch = c.req.valid('json')
  const { store, now } = c.get('deps')
  const tenant = c.get('tenant')
  const errors = patchErrors(patch, tenant.settings, patch.topics ? await store.listTopics(tenant.id) : [])
  if (errors.length > 0) {
    const first = errors[0]!
    throw new ApiError('validation', `${first.pointer.slice(1).replaceAll('/', '.')}: ${first.detail}`, { errors })
  }
  const at = now()
  // An erased person stays unsubscribed, whatever an import says, until they opt back in
  // themselves through a link.
  const suppressed = await store.isSuppressed(tenant.id, suppressionHashes(tenant.id, id, patch.email))
  const change = (current: SubscriberRecord | null) => {
    const next = applyPatch(current ?? blankSubscriber(id, at), patch)
    return suppressed ? { ...next, status: 'unsubscribed' as const } : next
  }
  const result = await store.changeSubscriber(tenant.id, id, change, {
    source: 'api',
    actor: c.get('apiKey').id,
    userAgent: c.req.header('User-Agent') ?? null,
    at,
  })
  return c.json(subscriberView(result.subscriber), result.created ? 201 : 200)
})

subscribers.get('/:id', idParam, async (c) => {
  const { id } = c.req.valid('param')
  const subscriber = await c.get('deps').store.getSubscriber(c.get('tenant').id, id)
  if (!subscriber) throw new ApiError('not_found', `no subscriber "${id}"`)
  return c.json(subscriberView(subscriber))
})

/** Erasure (GDPR art. 17): state, dispatches and event content go; a hashed suppression stays. */
subscribers.delete('/:id', idParam, async (c) => {
  const { id } = c.req.valid('param')
  const { store, now } = c.get('deps')
  const tenant = c.get('tenant')
  const subscriber = await store.getSubscriber(tenant.id, id)
  if (!subscriber) throw new ApiError('not_found', `no subscriber "${id}"`)
  const erased = await store.eraseSubscriber(tenant.id, id, suppressionEntries(tenant.id, id, subscriber.email), {
    source: 'api',
    actor: c.get('apiKey').id,
    userAgent: null,
    at: now(),
  })
  if (!erased) throw new ApiError('not_found', `no subscriber "${id}"`)
  return c.body(null, 204)
})

/** Everything held about one subscriber (GDPR art. 15/20): state, consent events, dispatches. */
subscribers.get('/:id/export', idParam, async (c) => {
  const { id } = c.req.valid('param')
  const { store, now } = c.get('deps')
  const tenant = c.get('tenant')
  const subscriber = await store.getSubscriber(tenant.id, id)
  if (!subscriber) throw new ApiError('not_found', `no subscriber "${id}"`)
  const [events, sent] = await Promise.all([store.listEvents(tenant.id, { subscriberId: id, limit: 100_000 }), store.listDispatches(tenant.id, id)])
  c.header('Content-Disposition', `attachment; filename="subscriber-export.json"`)
  return c.json({
    exportedAt: iso(now()),
    tenant: { id: tenant.id, name: tenant.settings.name },
    subscriber: subscriberView(subscriber),
    events: events.map(eventView),
    dispatches: sent.map(dispatchView),
  })
})

/** Every link issued to this subscriber so far stops working; new links work. */
subscribers.post('/:id/revoke-links', idParam, async (c) => {
  const { id } = c.req.valid('param')
  const revoked = await c.get('deps').store.revokeLinks(c.get('tenant').id, id, c.get('deps').now())
  if (!revoked) throw new ApiError('not_found', `no subscriber "${id}"`)
  return c.json({ subscriberId: id, revokedAt: iso(revoked.updatedAt) })
})
