import { Hono } from 'hono'
import { subscriberIdSchema, subscriberPatchSchema } from '@heed/shared'
import { z } from 'zod'
import type { Env } from '../env.ts'
import { ApiError } from '../errors.ts'
import { apiKeyAuth } from '../middleware/auth.ts'
import { applyPatch, blankSubscriber, patchErrors } from '../subscriber-patch.ts'
import { validate } from '../validate.ts'
import { subscriberView } from '../views.ts'

const idParam = validate('param', z.object({ id: subscriberIdSchema }))

export const subscribers = new Hono<Env>()

subscribers.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/** Creates the subscriber or changes the fields given; every consent change is logged. */
subscribers.put('/:id', idParam, validate('json', subscriberPatchSchema), async (c) => {
  const { id } = c.req.valid('param')
  const patch = c.req.valid('json')
  const { store, now } = c.var.deps
  const tenant = c.var.tenant
  const errors = patchErrors(patch, tenant.settings, patch.topics ? await store.listTopics(tenant.id) : [])
  if (errors.length > 0) {
    const first = errors[0]!
    throw new ApiError('validation', `${first.pointer.slice(1).replaceAll('/', '.')}: ${first.detail}`, { errors })
  }
  const at = now()
  const result = await store.changeSubscriber(tenant.id, id, (current) => applyPatch(current ?? blankSubscriber(id, at), patch), {
    source: 'api',
    actor: c.var.apiKey.id,
    userAgent: c.req.header('User-Agent') ?? null,
    at,
  })
  return c.json(subscriberView(result.subscriber), result.created ? 201 : 200)
})

subscribers.get('/:id', idParam, async (c) => {
  const { id } = c.req.valid('param')
  const subscriber = await c.var.deps.store.getSubscriber(c.var.tenant.id, id)
  if (!subscriber) throw new ApiError('not_found', `no subscriber "${id}"`)
  return c.json(subscriberView(subscriber))
})
