import * as s from '@heed/shared'
import { z } from '@hono/zod-openapi'

/**
 * The schemas of `@heed/shared` as the document shows them: named components, descriptions of
 * fields and realistic examples. `.openapi()` returns a copy with metadata and validates
 * exactly like the original (one zod instance; the metadata sits in a registry beside it).
 *
 * `@hono/zod-openapi` adds `.openapi()` to `ZodType.prototype`, and zod copies prototype
 * methods onto each schema when the schema is built: a schema of `@heed/shared` built before
 * `@hono/zod-openapi` was first imported has no `.openapi()` of its own. {@link openapi} calls
 * the method on any schema; schemas built here (e.g. by `.extend()`) have it anyway.
 */

/** What `.openapi()` takes: description, example, default, … */
export type Meta = NonNullable<Parameters<z.ZodType['openapi']>[1]>

/** `schema.openapi(...)`, also for a schema built before `.openapi()` existed. */
export function openapi<T extends z.ZodType>(schema: T, meta: Meta): T
export function openapi<T extends z.ZodType>(schema: T, refId: string, meta?: Meta): T
export function openapi(schema: z.ZodType, ...args: [Meta] | [string, Meta?]): z.ZodType {
  return (z.ZodType.prototype.openapi as (...a: unknown[]) => z.ZodType).apply(schema, args)
}

/** `schema` with metadata on some of its fields; validation is unchanged. */
export function fields<T extends z.ZodObject>(schema: T, meta: { [K in keyof T['shape']]?: Meta }): T {
  const shape = schema.shape as Record<string, z.ZodType>
  return schema.extend(Object.fromEntries(Object.entries(meta).map(([key, m]) => [key, openapi(shape[key]!, m!)]))) as unknown as T
}

const CREATED = '2026-04-01T09:00:00.000Z'
const FREQUENCY_OPTIONS = [
  { max: 1, per: 'day' },
  { max: 3, per: 'week' },
  { max: 1, per: 'week' },
  { max: 2, per: 'month' },
] as const

export const SUBSCRIBER_ID = { description: 'The merchant’s own id of the subscriber (1–128 characters).', example: 'cust_1001' }

export const decisionSchema = fields(s.decisionSchema, {
  allowed: { description: 'Whether the message may be sent now.' },
  reason: { description: 'The first rule that applies, in the order listed; `required` and `ok` are allowed.' },
  retryAt: {
    description:
      'For `paused`, `quiet_hours` and `frequency_cap`: the earliest instant at which the message would be allowed if nothing changed and nothing more were sent. Null otherwise.',
  },
}).openapi('Decision', {
  example: { allowed: false, reason: 'quiet_hours', retryAt: '2026-05-04T06:00:00.000Z', subscriberId: 'cust_1001', topic: 'sales', channel: 'email' },
})

export const tenantSchema = openapi(s.tenantSchema, 'Tenant', {
  example: {
    id: 'acme-outdoor',
    name: 'Acme Outdoor',
    allowedOrigins: ['https://shop.acme.example'],
    defaultLocale: 'en',
    defaultTimezone: 'Europe/Tallinn',
    channels: ['email', 'sms'],
    frequencyOptions: FREQUENCY_OPTIONS,
    branding: { accentColor: '#0b6e4f', logoUrl: 'https://shop.acme.example/logo.svg' },
    linkTtlSeconds: 7_776_000,
    createdAt: CREATED,
    updatedAt: CREATED,
  },
})

const apiKeyExample = { id: 'key_7gq2m4x9c1v8b6n3k5r0t2w4y6z8a1c3', role: 'sender', name: 'ESP nightly campaigns', prefix: 'heed_sk_Qz3f', createdAt: CREATED, revokedAt: null } as const

export const apiKeySchema = openapi(s.apiKeySchema, 'ApiKey', { example: apiKeyExample })

export const createdApiKeySchema = fields(s.createdApiKeySchema, {
  secret: { description: 'The key itself, shown this once: Heed keeps only its SHA-256 and `prefix`.' },
}).openapi('CreatedApiKey', { example: { ...apiKeyExample, secret: 'heed_sk_Qz3fV8nL2xW0pR7tY4uJ6kM9bC1dE5gH' } })

export const topicSchema = openapi(s.topicSchema, 'Topic', {
  example: {
    key: 'sales',
    name: { en: 'Sales and offers', et: 'Soodustused' },
    description: { en: 'Seasonal sales, at most a few a month.' },
    category: 'marketing',
    channels: ['email', 'sms'],
    defaultSubscribed: false,
    required: false,
    order: 10,
    createdAt: CREATED,
    updatedAt: CREATED,
  },
})

const subscriberExample = {
  id: 'cust_1001',
  email: 'maria@example.com',
  locale: 'et',
  timezone: 'Europe/Tallinn',
  status: 'subscribed',
  channels: { email: true, sms: false },
  topics: { sales: { subscribed: true, cap: { max: 1, per: 'week' } }, newsletter: { subscribed: false } },
  cap: { max: 3, per: 'week' },
  quietHours: { start: '22:00', end: '08:00' },
  pausedUntil: null,
  createdAt: CREATED,
  updatedAt: '2026-04-20T17:45:12.000Z',
} as const
const { createdAt: _created, updatedAt: _updated, ...subscriberState } = subscriberExample

export const subscriberSchema = openapi(s.subscriberSchema, 'Subscriber', { example: subscriberExample })

export const consentEventSchema = fields(s.consentEventSchema, {
  seq: { description: 'Position in the tenant’s hash chain, from 1.' },
  before: { description: 'The consent-relevant state before the change (null for a new subscriber).' },
  after: { description: 'The state after it.' },
  actor: { description: 'The API key id or link token id that made the change.' },
  hash: { description: 'SHA-256 over the previous event’s hash and this event.' },
  erased: { description: 'True once the subscriber was erased: the content is gone, the hash stays.' },
}).openapi('ConsentEvent', {
  example: {
    id: 'evt_2b8k4n6q8s0u2w4y6a8c0e2g4j6m8p0r',
    seq: 42,
    subscriberId: 'cust_1001',
    type: 'subscriber.updated',
    source: 'widget',
    actor: 'tok_5d7f9h1k3m5p7r9t1v3x5z7b9d1f3h5k',
    before: { status: 'subscribed', topics: { sales: { subscribed: true } } },
    after: { status: 'subscribed', topics: { sales: { subscribed: true, cap: { max: 1, per: 'week' } } } },
    reason: null,
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15',
    proof: null,
    at: '2026-04-20T17:45:12.000Z',
    hash: '9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a',
    erased: false,
  },
})

export const linkResponseSchema = openapi(s.linkResponseSchema, 'Links', {
  example: {
    token: 'eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIn0.eyJzdWIiOiJjdXN0XzEwMDEifQ.c2lnbmF0dXJl',
    preferencesUrl: 'https://heed.acme.example/p/eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIn0.eyJzdWIiOiJjdXN0XzEwMDEifQ.c2lnbmF0dXJl',
    unsubscribeUrl: 'https://heed.acme.example/u/eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIn0.eyJzdWIiOiJjdXN0XzEwMDEifQ.c2lnbmF0dXJl',
    expiresAt: '2026-08-02T21:30:00.000Z',
    headers: {
      'List-Unsubscribe': '<https://heed.acme.example/u/eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIn0.eyJzdWIiOiJjdXN0XzEwMDEifQ.c2lnbmF0dXJl>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  },
})

export const previewLinkResponseSchema = fields(s.previewLinkResponseSchema, {
  token: { description: 'A preview token for `<heed-preferences token=…>`: `/v1/me` answers it with the tenant’s settings and topics and a subscriber that does not exist; nothing it changes is stored. Refused by `/p`, `/u` and everywhere else a link works.' },
  expiresAt: { description: 'One hour after it was issued.' },
}).openapi('PreviewLink', {
  example: { token: 'eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIiwidHlwIjoiaGVlZC1wcmV2aWV3K2p3dCJ9.eyJzdWIiOiJoZWVkOnByZXZpZXcifQ.c2lnbmF0dXJl', expiresAt: '2026-05-04T11:00:00.000Z' },
})

export const meResponseSchema = openapi(s.meResponseSchema, 'Me', {
  example: {
    tenant: {
      id: 'acme-outdoor',
      name: 'Acme Outdoor',
      defaultLocale: 'en',
      defaultTimezone: 'Europe/Tallinn',
      channels: ['email', 'sms'],
      frequencyOptions: FREQUENCY_OPTIONS,
      branding: { accentColor: '#0b6e4f' },
    },
    topics: [
      {
        key: 'sales',
        name: { en: 'Sales and offers' },
        description: null,
        category: 'marketing',
        channels: ['email', 'sms'],
        defaultSubscribed: false,
        required: false,
        order: 10,
      },
    ],
    subscriber: { ...subscriberState, email: 'm***@example.com' },
    link: { expiresAt: '2026-08-02T21:30:00.000Z' },
  },
})
