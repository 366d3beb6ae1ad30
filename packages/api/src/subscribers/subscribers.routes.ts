import { slugSchema, subscriberIdSchema, subscriberPatchSchema, subscriberStatusSchema } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { consentEventSchema, decisionSchema, fields, openapi, SUBSCRIBER_ID, subscriberSchema } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { authorize } from '../http/auth.ts'
import { applyPatch, blankSubscriber, refuseInvalidPatch } from './patch.ts'
import { suppressionEntries, suppressionHashes } from './suppression.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { dispatchView, eventView, iso, subscriberView } from '../http/views.ts'
import type { Store, SubscriberRecord } from '../db/store.ts'

const idParam = z.object({ id: openapi(subscriberIdSchema, SUBSCRIBER_ID) })

export const subscribers = routes<Env>()

async function existing(store: Store, tenantId: string, id: string) {
  const subscriber = await store.getSubscriber(tenantId, id)
  if (!subscriber) throw new ApiError('not_found', `no subscriber "${id}"`)
  return subscriber
}

subscribers.use('*', authorize('subscribers'))

/** Creates the subscriber or changes the fields given; every consent change is logged. */
declare(
  subscribers,
  createRoute({
    method: 'put',
    path: '/{id}',
    tags: ['Subscribers'],
    summary: 'Create or partly update a subscriber',
    description:
      'Creates the subscriber (201) or changes it (200): fields given change, fields left out stay, `null` clears; `channels` and `topics` merge per key. Every change of consent is written to the consent ledger with the key as actor. An erased subscriber stays unsubscribed whatever the body says, until they opt back in through a link. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: {
      params: idParam,
      body: jsonBody(
        openapi(subscriberPatchSchema, {
          example: {
            email: 'maria@example.com',
            locale: 'et',
            timezone: 'Europe/Tallinn',
            topics: { sales: { subscribed: true, cap: { max: 1, per: 'week' } } },
            quietHours: { start: '22:00', end: '08:00' },
          },
        }),
      ),
    },
    responses: { 200: json('The subscriber, changed.', subscriberSchema), 201: json('The subscriber, created.', subscriberSchema), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const patch = c.req.valid('json')
    const { store, now } = c.get('deps')
    const tenant = c.get('tenant')
    await refuseInvalidPatch(store, tenant, patch)
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
      actor: c.get('principal').id,
      userAgent: c.req.header('User-Agent') ?? null,
      at,
    })
    return c.json(subscriberView(result.subscriber), result.created ? 201 : 200)
  },
)

declare(
  subscribers,
  createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['Subscribers'],
    summary: 'Read a subscriber',
    description: 'The subscriber’s stored state. Topics they never chose are left out (they take the topic’s `defaultSubscribed`). A GET never changes anything. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: { params: idParam },
    responses: { 200: json('The subscriber.', subscriberSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    return c.json(subscriberView(await existing(c.get('deps').store, c.get('tenant').id, id)))
  },
)

/** Erasure (GDPR art. 17): state, dispatches and event content go; a hashed suppression stays. */
declare(
  subscribers,
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['Subscribers'],
    summary: 'Erase a subscriber (GDPR art. 17)',
    description:
      'Their state, dispatches and the content of their consent events go (the hash chain stays verifiable). A hashed suppression entry of their id and email stays, so a later import cannot subscribe them again. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: { params: idParam },
    responses: { 204: { description: 'Erased.' }, ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const { store, now } = c.get('deps')
    const tenant = c.get('tenant')
    const subscriber = await existing(store, tenant.id, id)
    const erased = await store.eraseSubscriber(tenant.id, id, suppressionEntries(tenant.id, id, subscriber.email), {
      source: 'api',
      actor: c.get('principal').id,
      userAgent: null,
      at: now(),
    })
    if (!erased) throw new ApiError('not_found', `no subscriber "${id}"`)
    return c.body(null, 204)
  },
)

/** Everything held about one subscriber (GDPR art. 15/20): state, consent events, dispatches. */
declare(
  subscribers,
  createRoute({
    method: 'get',
    path: '/{id}/export',
    tags: ['Subscribers'],
    summary: 'Export everything held about a subscriber (GDPR art. 15/20)',
    description: 'Their state, every consent event and every recorded dispatch, as one JSON attachment. A GET never changes anything. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: { params: idParam },
    responses: {
      200: json(
        'Everything held about the subscriber.',
        z.object({
          exportedAt: z.iso.datetime(),
          tenant: z.object({ id: z.string(), name: z.string() }),
          subscriber: subscriberSchema,
          events: z.array(consentEventSchema),
          dispatches: z.array(
            z.object({ messageId: z.string(), topic: z.string(), channel: z.string(), at: z.iso.datetime(), enforced: z.boolean(), decision: decisionSchema }),
          ),
        }),
      ),
      ...KEY_PROBLEMS,
      404: PROBLEMS[404],
    },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const { store, now } = c.get('deps')
    const tenant = c.get('tenant')
    const subscriber = await existing(store, tenant.id, id)
    const [events, sent] = await Promise.all([store.listEvents(tenant.id, { subscriberId: id, limit: 100_000 }), store.listDispatches(tenant.id, id)])
    c.header('Content-Disposition', `attachment; filename="subscriber-export.json"`)
    return c.json({
      exportedAt: iso(now()),
      tenant: { id: tenant.id, name: tenant.settings.name },
      subscriber: subscriberView(subscriber),
      events: events.map(eventView),
      dispatches: sent.map(dispatchView),
    })
  },
)

/** Every link issued to this subscriber so far stops working; new links work. */
declare(
  subscribers,
  createRoute({
    method: 'post',
    path: '/{id}/revoke-links',
    tags: ['Links'],
    summary: 'Revoke every earlier link of a subscriber',
    description:
      'Every link issued to the subscriber so far stops reading or changing preferences; links issued afterwards work. A revoked link can still unsubscribe (it can always make Heed send less). No body. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: { params: idParam },
    responses: {
      200: json(
        'When the links were revoked.',
        z.object({ subscriberId: z.string(), revokedAt: z.iso.datetime() }).openapi({ example: { subscriberId: 'cust_1001', revokedAt: '2026-05-03T21:30:00.000Z' } }),
      ),
      ...KEY_PROBLEMS,
      404: PROBLEMS[404],
    },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const revoked = await c.get('deps').store.revokeLinks(c.get('tenant').id, id, c.get('deps').now())
    if (!revoked) throw new ApiError('not_found', `no subscriber "${id}"`)
    return c.json({ subscriberId: id, revokedAt: iso(revoked.updatedAt) })
  },
)

// ---- The list: GET /v1/subscribers ------------------------------------------------------

/** The cursor of a page: the last id shown, base64url. Opaque to callers. */
const toCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url')

/** A cursor this API gave, back to its id; anything else is a field error of `cursor`. */
const cursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,700}$/, 'not a cursor this API gave (use `nextCursor` of a page)')
  .transform((cursor, ctx) => {
    const id = Buffer.from(cursor, 'base64url').toString('utf8')
    if (toCursor(id) === cursor && subscriberIdSchema.safeParse(id).success) return id
    ctx.issues.push({ code: 'custom', message: 'not a cursor this API gave (use `nextCursor` of a page)', input: cursor })
    return z.NEVER
  })

/** `true` or `false`, as a query string spells them. */
const flagSchema = z.enum(['true', 'false']).transform((v) => v === 'true')

const listQuerySchema = fields(
  z.object({
    status: subscriberStatusSchema.optional(),
    topic: slugSchema.optional(),
    q: z.string().trim().min(1).max(320).optional(),
    paused: flagSchema.optional(),
    hasCaps: flagSchema.optional(),
    cursor: cursorSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
  {
    status: { description: 'Only subscribers with this status.' },
    topic: {
      description:
        'Only subscribers who get this topic: their own choice says subscribed, or they made none and the topic is `defaultSubscribed`. A required topic reaches everyone. An unknown topic is a 400. Whether they are unsubscribed from everything is the `status` filter.',
      example: 'sales',
    },
    q: {
      description:
        'An id prefix (in its exact case: ids are the merchant’s own) or a whole e-mail address (in any case of letters): subscribers whose id starts with `q`, and the subscriber(s) with that address. `%` and `_` are plain characters.',
      example: 'maria@example.com',
    },
    paused: { description: '`true`: only subscribers paused now (`pausedUntil` in the future); `false`: only those not paused.' },
    hasCaps: { description: '`true`: only subscribers with a cap of their own (global or on a topic); `false`: only those without.' },
    cursor: { description: 'Where the page starts: `nextCursor` of the previous page. Leave out for the first page.', example: 'Y3VzdF8xMDAx' },
    limit: { description: 'Subscribers per page, 1–200.', example: 50 },
  },
)

const subscriberPageSchema = z
  .object({
    items: z.array(subscriberSchema).openapi({ description: 'The page’s subscribers, in id order, each as `GET /v1/subscribers/{id}` shows it.' }),
    nextCursor: z.string().nullable().openapi({ description: 'The `cursor` of the following page; null on the last page.', example: 'Y3VzdF8xMDAx' }),
  })
  .openapi('SubscriberPage')

/**
 * The tenant's subscribers, filtered, in keyset pages ordered by id: a page costs the same
 * however deep in the list it starts (docs/performance.md, "Listing subscribers").
 */
declare(
  subscribers,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Subscribers'],
    summary: 'List subscribers',
    description:
      'The tenant’s subscribers in id order, a page at a time; every filter given must hold. Pass `nextCursor` of a page as `cursor` to get the following one; it is null on the last page. Subscribers added or changed while you page appear or not according to where they fall. A GET never changes anything. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: { query: listQuerySchema },
    responses: { 200: json('A page of subscribers.', subscriberPageSchema), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const { status, topic: topicKey, q, paused, hasCaps, cursor, limit } = c.req.valid('query')
    const { store, now } = c.get('deps')
    const tenantId = c.get('tenant').id
    let topic: { key: string; defaultSubscribed: boolean } | undefined
    if (topicKey !== undefined) {
      const found = await store.getTopic(tenantId, topicKey)
      if (!found) throw new ApiError('validation', `topic: no topic "${topicKey}"`, { errors: [{ pointer: '/topic', detail: `no topic "${topicKey}"` }] })
      // Nobody can turn a required topic off: everyone gets it.
      if (!found.required) topic = { key: found.key, defaultSubscribed: found.defaultSubscribed }
    }
    const page = await store.listSubscribers(tenantId, { status, topic, q, paused, hasCaps, now: now(), after: cursor, limit })
    return c.json({ items: page.subscribers.map(subscriberView), nextCursor: page.next === null ? null : toCursor(page.next) })
  },
)
