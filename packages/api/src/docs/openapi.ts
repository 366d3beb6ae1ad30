import * as s from '@heed/shared'
import { z } from 'zod'

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with.
 * Nothing here restates a field: add a route, list it below with its schemas.
 */

type Auth = 'root' | 'admin' | 'key' | 'link' | 'none'

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  summary: string
  description?: string
  auth: Auth
  tag: string
  body?: z.ZodType
  query?: z.ZodObject
  /** Status → schema name in components (or null for no body). */
  responses: Record<number, string | null>
}

const components = {
  Tenant: s.tenantSchema,
  ApiKey: s.apiKeySchema,
  CreatedApiKey: s.createdApiKeySchema,
  Topic: s.topicSchema,
  Subscriber: s.subscriberSchema,
  Decision: s.decisionSchema,
  BatchCheckResponse: s.batchCheckResponseSchema,
  DispatchResponse: s.dispatchResponseSchema,
  LinkResponse: s.linkResponseSchema,
  MeResponse: s.meResponseSchema,
  ConsentEvent: s.consentEventSchema,
  CreatedTenant: z.object({ tenant: s.tenantSchema, apiKey: s.createdApiKeySchema }),
  TopicList: z.object({ data: z.array(s.topicSchema) }),
  ApiKeyList: z.object({ data: z.array(s.apiKeySchema) }),
  EventPage: z.object({ data: z.array(s.consentEventSchema), next: z.string().nullable() }),
  VerifyResult: z.object({
    ok: z.boolean(),
    count: z.number().int(),
    head: z.string(),
    firstBad: z.object({ seq: z.number().int(), id: z.string(), problem: z.string() }).optional(),
  }),
  SubscriberExport: z.object({
    exportedAt: s.instantSchema,
    tenant: z.object({ id: z.string(), name: z.string() }),
    subscriber: s.subscriberSchema,
    events: z.array(s.consentEventSchema),
    dispatches: z.array(z.object({ messageId: z.string(), topic: z.string(), channel: z.string(), at: s.instantSchema, enforced: z.boolean(), decision: s.decisionSchema })),
  }),
  RotatedKey: z.object({ kid: z.string(), createdAt: s.instantSchema, previousKeysRetireAt: s.instantSchema }),
  RevokedLinks: z.object({ subscriberId: z.string(), revokedAt: s.instantSchema }),
  Health: z.object({ status: z.enum(['ok', 'draining']) }),
  Problem: z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  }),
} satisfies Record<string, z.ZodType>

const idPath = { subscriber: '{id}', topic: '{key}', apiKey: '{id}' }

const operations: Operation[] = [
  { method: 'post', path: '/v1/admin/tenants', tag: 'Tenants', auth: 'root', summary: 'Create a tenant and its first admin key', body: s.createTenantBodySchema, responses: { 201: 'CreatedTenant' } },
  { method: 'get', path: '/v1/tenant', tag: 'Tenants', auth: 'admin', summary: 'Read the tenant of this key', responses: { 200: 'Tenant' } },
  { method: 'patch', path: '/v1/tenant', tag: 'Tenants', auth: 'admin', summary: 'Change tenant settings', body: s.patchTenantBodySchema, responses: { 200: 'Tenant' } },
  { method: 'post', path: '/v1/api-keys', tag: 'API keys', auth: 'admin', summary: 'Create an API key (its secret is shown this once)', body: s.createApiKeyBodySchema, responses: { 201: 'CreatedApiKey' } },
  { method: 'get', path: '/v1/api-keys', tag: 'API keys', auth: 'admin', summary: 'List API keys', responses: { 200: 'ApiKeyList' } },
  { method: 'delete', path: `/v1/api-keys/${idPath.apiKey}`, tag: 'API keys', auth: 'admin', summary: 'Revoke an API key', responses: { 200: 'ApiKey', 409: 'Problem' } },
  { method: 'post', path: '/v1/signing-keys/rotate', tag: 'Links', auth: 'admin', summary: 'Sign new links with a new key', body: s.rotateSigningKeyBodySchema, responses: { 201: 'RotatedKey' } },
  { method: 'put', path: `/v1/topics/${idPath.topic}`, tag: 'Topics', auth: 'admin', summary: 'Create or replace a topic', body: s.topicBodySchema, responses: { 200: 'Topic', 201: 'Topic' } },
  { method: 'get', path: `/v1/topics/${idPath.topic}`, tag: 'Topics', auth: 'admin', summary: 'Read a topic', responses: { 200: 'Topic', 404: 'Problem' } },
  { method: 'delete', path: `/v1/topics/${idPath.topic}`, tag: 'Topics', auth: 'admin', summary: 'Delete a topic', responses: { 204: null, 404: 'Problem' } },
  { method: 'get', path: '/v1/topics', tag: 'Topics', auth: 'admin', summary: 'List topics in display order', responses: { 200: 'TopicList' } },
  { method: 'put', path: `/v1/subscribers/${idPath.subscriber}`, tag: 'Subscribers', auth: 'key', summary: 'Create or partly update a subscriber', description: 'Fields given change, fields left out stay, `null` clears; `channels` and `topics` merge per key.', body: s.subscriberPatchSchema, responses: { 200: 'Subscriber', 201: 'Subscriber' } },
  { method: 'get', path: `/v1/subscribers/${idPath.subscriber}`, tag: 'Subscribers', auth: 'key', summary: 'Read a subscriber', responses: { 200: 'Subscriber', 404: 'Problem' } },
  { method: 'delete', path: `/v1/subscribers/${idPath.subscriber}`, tag: 'Subscribers', auth: 'key', summary: 'Erase a subscriber (GDPR); a hashed suppression entry stays', responses: { 204: null, 404: 'Problem' } },
  { method: 'get', path: `/v1/subscribers/${idPath.subscriber}/export`, tag: 'Subscribers', auth: 'key', summary: 'Export everything held about a subscriber', responses: { 200: 'SubscriberExport' } },
  { method: 'post', path: `/v1/subscribers/${idPath.subscriber}/revoke-links`, tag: 'Links', auth: 'key', summary: 'Invalidate every earlier link of a subscriber', responses: { 200: 'RevokedLinks' } },
  { method: 'post', path: '/v1/check', tag: 'Sending', auth: 'key', summary: 'May I send this now?', body: s.checkBodySchema, responses: { 200: 'Decision' } },
  { method: 'post', path: '/v1/check/batch', tag: 'Sending', auth: 'key', summary: 'Up to 10,000 checks at one instant, in input order', body: s.batchCheckBodySchema, responses: { 200: 'BatchCheckResponse' } },
  { method: 'post', path: '/v1/dispatches', tag: 'Sending', auth: 'key', summary: 'Check and record a dispatch atomically', description: '201 when allowed and recorded; 200 with `recorded: false` when refused (nothing recorded); a repeated `messageId` returns the first outcome.', body: s.dispatchBodySchema, responses: { 200: 'DispatchResponse', 201: 'DispatchResponse', 409: 'Problem' } },
  { method: 'post', path: '/v1/links', tag: 'Links', auth: 'key', summary: 'Signed preference and one-click unsubscribe links, with the email headers', body: s.linkBodySchema, responses: { 201: 'LinkResponse' } },
  { method: 'get', path: '/v1/events', tag: 'Consent ledger', auth: 'admin', summary: 'Consent events, oldest first, in cursor pages', query: s.eventsQuerySchema, responses: { 200: 'EventPage' } },
  { method: 'get', path: '/v1/events/verify', tag: 'Consent ledger', auth: 'admin', summary: "Recompute the tenant's hash chain", responses: { 200: 'VerifyResult' } },
  { method: 'get', path: '/v1/me', tag: 'Subscriber (link token)', auth: 'link', summary: 'Tenant display settings, topics and the subscriber’s own state', responses: { 200: 'MeResponse' } },
  { method: 'patch', path: '/v1/me', tag: 'Subscriber (link token)', auth: 'link', summary: 'Change one’s own preferences', body: s.mePatchSchema, responses: { 200: 'MeResponse' } },
  { method: 'post', path: '/v1/me/unsubscribe', tag: 'Subscriber (link token)', auth: 'link', summary: 'Unsubscribe from everything', body: s.unsubscribeBodySchema, responses: { 200: 'MeResponse' } },
  { method: 'get', path: '/healthz', tag: 'Operations', auth: 'none', summary: 'Liveness; 503 while draining on shutdown', responses: { 200: 'Health', 503: 'Health' } },
]

const SECURITY: Record<Auth, Array<Record<string, string[]>>> = {
  root: [{ rootToken: [] }],
  admin: [{ adminKey: [] }],
  key: [{ adminKey: [] }, { senderKey: [] }],
  link: [{ linkToken: [] }],
  none: [],
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>
  return json
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } })

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    const query = op.query
      ? Object.entries(toSchema(op.query, 'input').properties as Record<string, unknown>).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : []
    const responses: Record<string, unknown> = {}
    for (const [status, name] of Object.entries(op.responses)) {
      const content = name === null ? undefined : { [name === 'Problem' ? 'application/problem+json' : 'application/json']: { schema: ref(name) } }
      responses[status] = { description: name ?? 'No content', ...(content ? { content } : {}) }
    }
    responses['400'] ??= problemResponse('Invalid request: `errors[].pointer` names each field')
    if (op.auth !== 'none') responses['401'] ??= problemResponse('Missing or invalid credentials')
    if (op.auth === 'admin' || op.auth === 'key') responses['403'] ??= problemResponse('The key’s role may not do this')
    paths[op.path] ??= {}
    paths[op.path]![op.method] = {
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^a-zA-Z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      security: SECURITY[op.auth],
      parameters: [...params, ...query],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(op.body, 'input') } } } } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Heed API',
      version: '1',
      description:
        'A subscriber preference center that senders actually obey. Ask `POST /v1/check` (or record with `POST /v1/dispatches`) before every message. Errors are RFC 9457 problem+json.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    components: {
      schemas: Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, toSchema(schema, 'output')])),
      securitySchemes: {
        rootToken: { type: 'http', scheme: 'bearer', description: 'HEED_ADMIN_TOKEN' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'An API key with the role admin (heed_ak_…)' },
        senderKey: { type: 'http', scheme: 'bearer', description: 'An API key with the role sender (heed_sk_…)' },
        linkToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A subscriber’s link token from POST /v1/links' },
      },
    },
    paths,
  }
}
