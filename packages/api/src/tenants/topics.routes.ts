import { LIMITS, slugSchema, topicBodySchema, type LocalizedText } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { fields, openapi, topicSchema } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import type { Store } from '../db/store.ts'
import { ApiError } from '../http/errors.ts'
import { authorize } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { topicView } from '../http/views.ts'

const keyParam = z.object({ key: openapi(slugSchema, { description: 'The topic key: lowercase letters, digits, `-` and `_`.', example: 'sales' }) })

export const topics = routes<Env>()

/** Refuses a topic that would take the tenant past its limit (replacing a live one takes no room). */
async function roomFor(store: Store, tenantId: string, key: string) {
  const live = await store.listTopics(tenantId)
  if (live.length >= LIMITS.topicsPerTenant && !live.some((t) => t.key === key)) {
    throw new ApiError('bad_request', `a tenant has at most ${LIMITS.topicsPerTenant} topics; delete one before adding "${key}"`)
  }
}

topics.use('*', authorize('topics'))

declare(
  topics,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Topics'],
    summary: 'List topics',
    description:
      'Every topic of the tenant in display order (`order` ascending). With `deleted=true`, the deleted topics instead, the latest deleted first, each with its `deletedAt`: what `POST /v1/topics/{key}/restore` can bring back. Admin key only.',
    security: SECURITY.admin,
    request: {
      query: z.object({
        deleted: openapi(z.enum(['true', 'false']).optional(), { description: '`true` lists the deleted topics.', example: 'true' }),
      }),
    },
    responses: {
      200: json('The topics.', z.object({ data: z.array(topicSchema.extend({ deletedAt: z.string().datetime().optional() })) })),
      ...KEY_PROBLEMS,
    },
  }),
  async (c) => {
    const { store } = c.get('deps')
    const tenantId = c.get('tenant').id
    if (c.req.valid('query').deleted === 'true') {
      const gone = await store.listDeletedTopics(tenantId)
      return c.json({ data: gone.map((t) => ({ ...topicView(t), deletedAt: new Date(t.deletedAt).toISOString() })) })
    }
    return c.json({ data: (await store.listTopics(tenantId)).map(topicView) })
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
    await roomFor(store, c.get('tenant').id, key)
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

declare(
  topics,
  createRoute({
    method: 'post',
    path: '/{key}/restore',
    tags: ['Topics'],
    summary: 'Restore a deleted topic',
    description:
      'Brings a deleted topic back as it was when deleted: names, channels, order, and every subscriber’s choice for it (choices are kept while a topic is deleted). 404 when no deleted topic has this key, including once a new topic took it. Admin key only.',
    security: SECURITY.admin,
    request: { params: keyParam },
    responses: { 200: json('The topic, restored.', topicSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { key } = c.req.valid('param')
    const { store, now } = c.get('deps')
    const tenantId = c.get('tenant').id
    await roomFor(store, tenantId, key)
    const topic = await store.restoreTopic(tenantId, key, now())
    if (!topic) throw new ApiError('not_found', `no deleted topic "${key}"`)
    return c.json(topicView(topic))
  },
)
