import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Env } from '../env.ts'
import { newId } from '../db/ids.ts'
import { WEBHOOK_EVENT_TYPES } from '../db/outgoing.ts'
import type { WebhookAttemptRecord, WebhookEndpointRecord } from '../db/store.ts'
import { authorize } from '../http/auth.ts'
import { ApiError } from '../http/errors.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { iso } from '../http/views.ts'
import { checkUrl, newSecret } from './transport.ts'

/**
 * `/v1/webhooks`: where a tenant's consent and topic events are sent (webhooks/deliverer.ts
 * sends them). Owners and admin keys only: an endpoint receives subscribers' addresses.
 */
export const webhooks = routes<Env>()

webhooks.use('*', authorize('webhooks'))

const DAY_S = 86_400
const idParam = z.object({ id: z.string().min(1).max(64).openapi({ description: 'The endpoint’s id.', example: 'whe_3k9xq2m4x9c1v8b6n3k5r0t2w4' }) })
const eventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((types) => new Set(types).size === types.length, 'each type once')
  .openapi({ description: 'The event types the endpoint receives; left out or null, every type (later ones included).', example: ['subscriber.unsubscribed', 'subscriber.resubscribed'] })
const url = z.string().trim().min(1).max(2000).openapi({ description: 'Where the events are POSTed: `https://…` (`http://` and internal addresses only where the operator allows them).', example: 'https://hooks.shop.example/heed' })
const description = z.string().trim().max(500).openapi({ description: 'A label for people.', example: 'CRM sync' })

const endpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()).nullable().openapi({ description: 'null: every type.' }),
    enabled: z.boolean(),
    disabledReason: z.enum(['gone', 'failing']).nullable().openapi({ description: 'Why Heed turned it off: `gone` (it answered 410), `failing` (every attempt failed for 5 days). Null when on, or turned off by you.' }),
    failingSince: z.string().datetime().nullable().openapi({ description: 'When its current run of failed attempts began; null after a success.' }),
    previousSecretValidUntil: z.string().datetime().nullable().openapi({ description: 'Until then messages are signed with the previous secret too (after a rotation).' }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('WebhookEndpoint')
const withSecret = endpointSchema.extend({ secret: z.string().openapi({ description: 'The signing secret (`whsec_…`), shown in this answer only.', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) }).openapi('WebhookEndpointWithSecret')
const attemptSchema = z
  .object({
    messageId: z.string().openapi({ description: 'The message’s `webhook-id`.' }),
    at: z.string().datetime(),
    status: z.number().int().nullable().openapi({ description: 'The HTTP status answered; null when no answer came.' }),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
  })
  .openapi('WebhookAttempt')

function view(e: WebhookEndpointRecord, now: number) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledReason: e.disabledReason as 'gone' | 'failing' | null,
    failingSince: e.failingSince === null ? null : iso(e.failingSince),
    previousSecretValidUntil: e.previousSecret && e.previousSecretUntil !== null && e.previousSecretUntil > now ? iso(e.previousSecretUntil) : null,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  }
}

const attemptView = (a: WebhookAttemptRecord) => ({ messageId: a.messageId, at: iso(a.at), status: a.status, latencyMs: a.latencyMs, error: a.error })

/** A URL Heed may send to, by the operator's settings; a 400 naming `/url` otherwise. */
function targetUrl(c: Context<Env>, value: string): string {
  const { config } = c.get('deps')
  const allowPrivate = config.HEED_WEBHOOK_ALLOW_PRIVATE === '1'
  const problem = checkUrl(value, allowPrivate) ?? (!allowPrivate && config.HEED_WEBHOOK_ALLOW_HTTP !== '1' && !value.startsWith('https://') ? 'use an https:// URL' : null)
  if (problem) throw new ApiError('validation', `url: ${problem}`, { errors: [{ pointer: '/url', detail: problem }] })
  return value
}

async function endpointOr404(c: Context<Env>, id: string) {
  const endpoint = await c.get('deps').store.getWebhook(c.get('tenant').id, id)
  if (!endpoint) throw new ApiError('not_found', `no webhook endpoint "${id}"`)
  return endpoint
}

declare(
  webhooks,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Webhooks'],
    summary: 'Add a webhook endpoint',
    description:
      'From now on every consent event of the ledger and every topic change is POSTed to `url` in the Standard Webhooks format (`webhook-id`, `webhook-timestamp`, `webhook-signature`), signed with the secret in this answer, which is shown this once. Owners and admin keys only.',
    security: SECURITY.admin,
    request: {
      body: jsonBody(
        z.object({ url, eventTypes: eventTypes.nullable().optional(), description: description.optional(), enabled: z.boolean().optional().openapi({ description: 'Default true.' }) }).strict().openapi({ example: { url: 'https://hooks.shop.example/heed', eventTypes: ['subscriber.unsubscribed'], description: 'CRM sync' } }),
      ),
    },
    responses: { 201: json('The endpoint, with its secret shown this once.', withSecret), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const at = c.get('deps').now()
    const endpoint: WebhookEndpointRecord = {
      id: newId('whe'),
      tenantId: c.get('tenant').id,
      url: targetUrl(c, body.url),
      description: body.description || null,
      eventTypes: body.eventTypes ?? null,
      enabled: body.enabled ?? true,
      disabledReason: null,
      secret: newSecret(),
      previousSecret: null,
      previousSecretUntil: null,
      failingSince: null,
      createdAt: at,
      updatedAt: at,
    }
    await c.get('deps').store.createWebhook(endpoint)
    return c.json({ ...view(endpoint, at), secret: endpoint.secret }, 201)
  },
)

declare(
  webhooks,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Webhooks'],
    summary: 'List webhook endpoints',
    description: 'The tenant’s endpoints, oldest first, without secrets.',
    security: SECURITY.admin,
    responses: { 200: json('The endpoints.', z.object({ data: z.array(endpointSchema) })), 401: KEY_PROBLEMS[401], 403: KEY_PROBLEMS[403] },
  }),
  async (c) => {
    const now = c.get('deps').now()
    return c.json({ data: (await c.get('deps').store.listWebhooks(c.get('tenant').id)).map((e) => view(e, now)) })
  },
)

declare(
  webhooks,
  createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['Webhooks'],
    summary: 'Read a webhook endpoint',
    description: 'One endpoint, without its secret: whether it is on, why Heed turned it off, since when it has been failing.',
    security: SECURITY.admin,
    request: { params: idParam },
    responses: { 200: json('The endpoint.', endpointSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => c.json(view(await endpointOr404(c, c.req.valid('param').id), c.get('deps').now())),
)

declare(
  webhooks,
  createRoute({
    method: 'patch',
    path: '/{id}',
    tags: ['Webhooks'],
    summary: 'Change a webhook endpoint',
    description: 'Fields left out stay. Turning an endpoint on again (`enabled: true`) clears why Heed had turned it off; messages of the time it was off are not sent (replay them).',
    security: SECURITY.admin,
    request: {
      params: idParam,
      body: jsonBody(z.object({ url: url.optional(), eventTypes: eventTypes.nullable().optional(), description: description.nullable().optional(), enabled: z.boolean().optional() }).strict().openapi({ example: { enabled: true } })),
    },
    responses: { 200: json('The endpoint.', endpointSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    await endpointOr404(c, id)
    const at = c.get('deps').now()
    const changed = await c.get('deps').store.updateWebhook(
      c.get('tenant').id,
      id,
      {
        ...(body.url === undefined ? {} : { url: targetUrl(c, body.url) }),
        ...(body.eventTypes === undefined ? {} : { eventTypes: body.eventTypes }),
        ...(body.description === undefined ? {} : { description: body.description || null }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled, ...(body.enabled ? { disabledReason: null, failingSince: null } : {}) }),
      },
      at,
    )
    if (!changed) throw new ApiError('not_found', `no webhook endpoint "${id}"`)
    return c.json(view(changed, at))
  },
)

declare(
  webhooks,
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['Webhooks'],
    summary: 'Delete a webhook endpoint',
    description: 'Nothing more is sent to it, what it was still owed included.',
    security: SECURITY.admin,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted.' }, ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    if (!(await c.get('deps').store.deleteWebhook(c.get('tenant').id, id))) throw new ApiError('not_found', `no webhook endpoint "${id}"`)
    return c.body(null, 204)
  },
)

declare(
  webhooks,
  createRoute({
    method: 'post',
    path: '/{id}/rotate-secret',
    tags: ['Webhooks'],
    summary: 'Rotate an endpoint’s signing secret',
    description:
      'A new secret, shown in this answer only. For `overlapSeconds` (a day unless given, at most a week) every message carries two signatures, one with each secret, so the receiver can switch to the new one without losing a message.',
    security: SECURITY.admin,
    request: {
      params: idParam,
      body: jsonBody(z.object({ overlapSeconds: z.number().int().min(0).max(7 * DAY_S).optional().openapi({ description: 'Default 86400 (a day); 0 ends the old secret at once.' }) }).strict().openapi({ example: { overlapSeconds: 86400 } })),
    },
    responses: { 200: json('The endpoint, with its new secret shown this once.', withSecret), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const overlap = c.req.valid('json').overlapSeconds ?? DAY_S
    const endpoint = await endpointOr404(c, id)
    const at = c.get('deps').now()
    const secret = newSecret()
    const changed = await c.get('deps').store.updateWebhook(c.get('tenant').id, id, { secret, previousSecret: overlap > 0 ? endpoint.secret : null, previousSecretUntil: overlap > 0 ? at + overlap * 1000 : null }, at)
    if (!changed) throw new ApiError('not_found', `no webhook endpoint "${id}"`)
    return c.json({ ...view(changed, at), secret })
  },
)

/** Messages queued by one replay at most. */
const REPLAY_LIMIT = 10_000

declare(
  webhooks,
  createRoute({
    method: 'post',
    path: '/{id}/replay',
    tags: ['Webhooks'],
    summary: 'Send messages to an endpoint again',
    description: `With \`messageId\`, that message again, whatever became of it before (same \`webhook-id\`: a receiver that had it drops the repeat). With \`since\`, every message written since then that the endpoint wants and did not get: those that failed, and those written while it was off (if another endpoint of the tenant wanted them; Heed keeps a message only when some endpoint did). At most ${REPLAY_LIMIT.toLocaleString('en')} a call; call again from the last one’s time for more. They go out on the usual schedule, from now.`,
    security: SECURITY.admin,
    request: {
      params: idParam,
      body: jsonBody(
        z
          .union([z.object({ messageId: z.string().min(1).max(200) }).strict(), z.object({ since: z.string().datetime() }).strict()])
          .openapi({ example: { since: '2026-06-01T00:00:00Z' } }),
      ),
    },
    responses: { 202: json('How many messages were queued.', z.object({ queued: z.number().int() })), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const which = 'messageId' in body ? { messageId: body.messageId } : { since: Date.parse(body.since) }
    const queued = await c.get('deps').store.replayWebhook(c.get('tenant').id, id, which, c.get('deps').now(), REPLAY_LIMIT)
    if (queued === null) throw new ApiError('not_found', `no webhook endpoint "${id}"`)
    if (queued === 0 && 'messageId' in which) throw new ApiError('not_found', `no message "${which.messageId}"`)
    return c.json({ queued }, 202)
  },
)

declare(
  webhooks,
  createRoute({
    method: 'get',
    path: '/{id}/deliveries',
    tags: ['Webhooks'],
    summary: 'An endpoint’s delivery attempts',
    description: 'Every attempt to send a message to the endpoint, newest first: when, the status answered (null when none came), how long it took and what went wrong. Page with `before` (the `at` of the last attempt shown).',
    security: SECURITY.admin,
    request: {
      params: idParam,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: '1–200, default 50.' }),
        before: z.string().datetime().optional().openapi({ description: 'Only attempts made before this instant.' }),
      }),
    },
    responses: { 200: json('The attempts.', z.object({ data: z.array(attemptSchema) })), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const { limit, before } = c.req.valid('query')
    await endpointOr404(c, id)
    const attempts = await c.get('deps').store.listWebhookAttempts(c.get('tenant').id, id, limit, before === undefined ? undefined : Date.parse(before))
    return c.json({ data: attempts.map(attemptView) })
  },
)
