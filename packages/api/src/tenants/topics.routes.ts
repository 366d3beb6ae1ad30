import { LIMITS, slugSchema, topicBodySchema, type LocalizedText } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { fields, openapi, topicSchema } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { authorize } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { topicView } from '../http/views.ts'

const keyParam = z.object({ key: openapi(slugSchema, { description: 'The topic key: lowercase letters, digits, `-` and `_`.', example: 'sales' }) })

export const topics = routes<Env>()

topics.use('*', authorize('topics'))

declare(
  topics,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Topics'],
    summary: 'List topics',
    description: 'Every topic of the tenant in display order (`order` ascending). Admin key only.',
    security: SECURITY.admin,
    responses: { 200: json('The topics.', z.object({ data: z.array(topicSchema) })), 401: KEY_PROBLEMS[401], 403: KEY_PROBLEMS[403] },
  }),
  async (c) => {
    const list = await c.get('deps').store.listTopics(c.get('tenant').id)
    return c.json({ data: list.map(topicView) })
  },
)

declare(
  topics,
  createRoute({
    method: 'get',
    path: '/{key}',
    tags: ['Topics'],
    summary: 'Read a topic',
    description: 'One topic by its key. Admin key only.',
    security: SECURITY.admin,
    request: { params: keyParam },
    responses: { 200: json('The topic.', topicSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { key } = c.req.valid('param')
    const topic = await c.get('deps').store.getTopic(c.get('tenant').id, key)
    if (!topic) throw new ApiError('not_found', `no topic "${key}"`)
    return c.json(topicView(topic))
  },
)

/** Creates or replaces a topic; fields left out take their defaults. */
declare(
  topics,
  createRoute({
    method: 'put',
    path: '/{key}',
    tags: ['Topics'],
    summary: 'Create or replace a topic',
    description:
      'Creates the topic (201) or replaces it (200); fields left out take their defaults, not their earlier values. A `required` topic (transactional) is always allowed and cannot be turned off. `name` and `description` are a string (in the tenant’s default locale) or localized text.' +
      ` Limits: ${LIMITS.topicsPerTenant} topics a tenant, names of ${LIMITS.topicName} and descriptions of ${LIMITS.topicDescription} characters, ${LIMITS.localesPerText} locales a text (a 400 names the one passed). Admin key only.`,
    security: SECURITY.admin,
    request: {
      params: keyParam,
      body: jsonBody(
        fields(topicBodySchema, {
          category: { description: 'Groups topics in the widget.', default: 'general' },
          channels: { description: 'Channels the topic is sent on. Default: all of the tenant’s channels.' },
          defaultSubscribed: { description: 'Whether a subscriber who never chose is subscribed: only when you hold their consent.', default: false },
          required: { description: 'Transactional: always allowed, cannot be turned off, no List-Unsubscribe.', default: false },
          order: { description: 'Display order, ascending.', default: 0 },
        }).openapi({
          example: { name: { en: 'Sales and offers', et: 'Soodustused' }, description: 'Seasonal sales, at most a few a month.', category: 'marketing', channels: ['email', 'sms'], order: 10 },
        }),
      ),
    },
    responses: { 200: json('The topic, replaced.', topicSchema), 201: json('The topic, created.', topicSchema), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const { key } = c.req.valid('param')
    const body = c.req.valid('json')
    const { settings } = c.get('tenant')
    const unknown = body.channels?.filter((ch) => !settings.channels.includes(ch)) ?? []
    if (unknown.length > 0) {
      throw new ApiError('validation', `channels: "${unknown[0]}" is not one of this tenant's channels (${settings.channels.join(', ')})`, {
        errors: [{ pointer: `/channels/${body.channels!.indexOf(unknown[0]!)}`, detail: `not one of the tenant's channels: ${settings.channels.join(', ')}` }],
      })
    }
    const { store } = c.get('deps')
    const live = await store.listTopics(c.get('tenant').id)
    if (live.length >= LIMITS.topicsPerTenant && !live.some((t) => t.key === key)) {
      throw new ApiError('bad_request', `a tenant has at most ${LIMITS.topicsPerTenant} topics; delete one before adding "${key}"`)
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
  },
)

declare(
  topics,
  createRoute({
    method: 'delete',
    path: '/{key}',
    tags: ['Topics'],
    summary: 'Delete a topic',
    description: 'The topic goes; checks for it answer `unknown_topic` from now on. Admin key only.',
    security: SECURITY.admin,
    request: { params: keyParam },
    responses: { 204: { description: 'Deleted.' }, ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { key } = c.req.valid('param')
    const deleted = await c.get('deps').store.deleteTopic(c.get('tenant').id, key, c.get('deps').now())
    if (!deleted) throw new ApiError('not_found', `no topic "${key}"`)
    return c.body(null, 204)
  },
)
