import { z, type OpenAPIHono } from '@hono/zod-openapi'
import { SUBSCRIBER_EVENT_TYPES, TOPIC_EVENT_TYPES, type WebhookEventType } from '../db/outgoing.ts'

/**
 * The messages Heed sends, in the OpenAPI document's `webhooks` section (OpenAPI 3.1): one entry
 * per event type, with its body and an example. The shapes are db/outgoing.ts's.
 */

const state = z
  .object({
    email: z.string().nullable(),
    locale: z.string(),
    timezone: z.string(),
    status: z.enum(['subscribed', 'unsubscribed']),
    channels: z.record(z.string(), z.boolean()),
    topics: z.record(z.string(), z.object({ subscribed: z.boolean() }).passthrough()),
    cap: z.object({ max: z.number().int(), per: z.string() }).nullable(),
    quietHours: z.object({ start: z.string(), end: z.string() }).passthrough().nullable(),
    pausedUntil: z.string().nullable(),
  })
  .openapi('SubscriberState')

const consentMessage = z
  .object({
    type: z.enum(SUBSCRIBER_EVENT_TYPES),
    timestamp: z.string().datetime(),
    data: z.object({
      eventId: z.string().openapi({ description: 'The ledger event’s id; also the message’s `webhook-id`.' }),
      seq: z.number().int().openapi({ description: 'The event’s place in the tenant’s ledger: order and deduplicate by it.' }),
      tenantId: z.string(),
      subscriberId: z.string().nullable().openapi({ description: 'Null in `subscriber.erased`.' }),
      at: z.string().datetime(),
      source: z.string().openapi({ description: '`api`, `widget`, `link`, `one_click`, `import`, …' }),
      reason: z.string().nullable(),
      before: state.nullable(),
      after: state.nullable(),
      suppression: z.array(z.object({ kind: z.enum(['id', 'email']), hash: z.string() })).optional().openapi({ description: '`subscriber.erased` only: the hashed suppression entries, the only trace of the person.' }),
    }),
  })
  .openapi('SubscriberWebhook')

const topicMessage = z
  .object({
    type: z.enum(TOPIC_EVENT_TYPES),
    timestamp: z.string().datetime(),
    data: z.object({
      tenantId: z.string(),
      at: z.string().datetime(),
      topic: z.object({ key: z.string(), name: z.record(z.string(), z.string()), description: z.record(z.string(), z.string()).nullable(), category: z.string(), channels: z.array(z.string()), defaultSubscribed: z.boolean(), required: z.boolean(), order: z.number() }),
    }),
  })
  .openapi('TopicWebhook')

const AT = '2026-06-01T12:00:00.000Z'
const before = { email: 'ann@example.com', locale: 'en', timezone: 'Europe/Tallinn', status: 'subscribed', channels: {}, topics: { news: { subscribed: true } }, cap: null, quietHours: null, pausedUntil: null }
const consent = (type: WebhookEventType, change: Record<string, unknown>) => ({
  type,
  timestamp: AT,
  data: { eventId: 'evt_3k9xq2m4x9c1v8b6n3k5r0t2w4y6z8a1', seq: 42, tenantId: 'demo-outfitters', subscriberId: 'cust_1001', at: AT, source: 'widget', reason: null, before, after: before, ...change },
})
const topic = { key: 'news', name: { en: 'News', et: 'Uudised' }, description: null, category: 'content', channels: ['email'], defaultSubscribed: false, required: false, order: 10 }

const EXAMPLES: Record<WebhookEventType, { summary: string; example: unknown }> = {
  'subscriber.created': { summary: 'A subscriber was created', example: consent('subscriber.created', { source: 'api', before: null }) },
  'subscriber.updated': { summary: 'A subscriber’s preferences changed (topics, channels, cap, quiet hours, pause, language, time zone, e-mail)', example: consent('subscriber.updated', { after: { ...before, topics: { news: { subscribed: false } }, cap: { max: 1, per: 'week' } } }) },
  'subscriber.unsubscribed': { summary: 'A subscriber unsubscribed (or was unsubscribed)', example: consent('subscriber.unsubscribed', { source: 'one_click', reason: 'too_many', after: { ...before, status: 'unsubscribed' } }) },
  'subscriber.resubscribed': { summary: 'An unsubscribed subscriber subscribed again', example: consent('subscriber.resubscribed', { before: { ...before, status: 'unsubscribed' } }) },
  'subscriber.reason_given': { summary: 'A reason was given after an unsubscribe', example: consent('subscriber.reason_given', { reason: 'not_relevant', before: null, after: { ...before, status: 'unsubscribed' } }) },
  'subscriber.erased': { summary: 'A subscriber was erased (GDPR art. 17): no personal data', example: consent('subscriber.erased', { subscriberId: null, source: 'api', before: null, after: null, suppression: [{ kind: 'id', hash: '9f86d081884c7d65…' }, { kind: 'email', hash: '2c26b46b68ffc68f…' }] }) },
  'topic.created': { summary: 'A topic was created or restored', example: { type: 'topic.created', timestamp: AT, data: { tenantId: 'demo-outfitters', at: AT, topic } } },
  'topic.updated': { summary: 'A topic was changed', example: { type: 'topic.updated', timestamp: AT, data: { tenantId: 'demo-outfitters', at: AT, topic: { ...topic, order: 20 } } } },
  'topic.deleted': { summary: 'A topic was deleted', example: { type: 'topic.deleted', timestamp: AT, data: { tenantId: 'demo-outfitters', at: AT, topic } } },
}

const HEADERS = z.object({
  'webhook-id': z.string().openapi({ description: 'The message’s id: the same on every retry.', example: 'evt_3k9xq2m4x9c1v8b6n3k5r0t2w4y6z8a1' }),
  'webhook-timestamp': z.string().openapi({ description: 'Unix seconds of this attempt; refuse messages far from your clock.', example: '1780315200' }),
  'webhook-signature': z.string().openapi({ description: '`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the endpoint’s secret; during a rotation, two, space-separated.', example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }),
})

export function describeWebhooks(app: OpenAPIHono<never> | OpenAPIHono<any>): void {
  for (const [type, { summary, example }] of Object.entries(EXAMPLES) as Array<[WebhookEventType, { summary: string; example: unknown }]>) {
    const schema = type.startsWith('topic.') ? topicMessage : consentMessage
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      tags: ['Webhooks'],
      summary,
      description: `Sent to each endpoint that wants \`${type}\` (see \`POST /v1/webhooks\`), in the Standard Webhooks format; verify the signature on the raw body before trusting it. Answer 2xx within 15 s; anything else is retried, and \`410\` turns the endpoint off.`,
      request: { headers: HEADERS, body: { content: { 'application/json': { schema, example } } } },
      responses: { 200: { description: 'Received (any 2xx).' }, 410: { description: 'Gone: Heed turns the endpoint off.' } },
    })
  }
}
