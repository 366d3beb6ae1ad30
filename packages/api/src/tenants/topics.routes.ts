import { Hono } from 'hono'
import { slugSchema, topicBodySchema, type LocalizedText } from '@heed/shared'
import { z } from 'zod'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { validate } from '../http/validate.ts'
import { topicView } from '../http/views.ts'

const keyParam = validate('param', z.object({ key: slugSchema }))

export const topics = new Hono<Env>()

topics.use('*', apiKeyAuth({ roles: ['admin'] }))

topics.get('/', async (c) => {
  const list = await c.get('deps').store.listTopics(c.get('tenant').id)
  return c.json({ data: list.map(topicView) })
})

topics.get('/:key', keyParam, async (c) => {
  const { key } = c.req.valid('param')
  const topic = await c.get('deps').store.getTopic(c.get('tenant').id, key)
  if (!topic) throw new ApiError('not_found', `no topic "${key}"`)
  return c.json(topicView(topic))
})

/** Creates or replaces a topic; fields left out take their defaults. */
topics.put('/:key', keyParam, validate('json', topicBodySchema), async (c) => {
  const { key } = c.req.valid('param')
  const body = c.req.valid('json')
  const { settings } = c.get('tenant')
  const unknown = body.channels?.filter((ch) => !settings.channels.includes(ch)) ?? []
  if (unknown.length > 0) {
    throw new ApiError('validation', `channels: "${unknown[0]}" is not one of this tenant's channels (${settings.channels.join(', ')})`, {
      errors: [{ pointer: `/channels/${body.channels!.indexOf(unknown[0]!)}`, detail: `not one of the tenant's channels: ${settings.channels.join(', ')}` }],
    })
  }
  const localized = (t: string | LocalizedText): LocalizedText => (typeof t === 'string' ? { [settings.defaultLocale]: t } : t)
  const at = c.get('deps').now()
  const required = body.required ?? false
  const { topic, created } = await c.get('deps').store.putTopic(c.get('tenant').id, {
    key,
    name: localized(body.name),
    description: body.description === undefined ? null : localized(body.description),
    category: body.category ?? 'general',
    channels: body.channels ?? settings.channels,
    defaultSubscribed: required || (body.defaultSubscribed ?? false),
    required,
    order: body.order ?? 0,
    createdAt: at,
    updatedAt: at,
  })
  return c.json(topicView(topic), created ? 201 : 200)
})

topics.delete('/:key', keyParam, async (c) => {
  const { key } = c.req.valid('param')
  const deleted = await c.get('deps').store.deleteTopic(c.get('tenant').id, key, c.get('deps').now())
  if (!deleted) throw new ApiError('not_found', `no topic "${key}"`)
  return c.body(null, 204)
})
