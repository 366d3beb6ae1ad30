import { batchCheckBodySchema, batchCheckResponseSchema, checkBodySchema, MAX_BATCH_CHECKS } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { paced } from './batch.ts'
import { checkMany } from './decisions.ts'
import { decisionSchema, fields, SUBSCRIBER_ID } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'

const KiB = 1024

export const check = routes<Env>()

check.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

const CHECK_FIELDS = {
  subscriberId: SUBSCRIBER_ID,
  topic: { description: 'The topic key.', example: 'sales' },
  channel: { description: 'The channel of the message.', default: 'email', example: 'email' },
}

declare(
  check,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Sending'],
    summary: 'May I send this now?',
    description:
      'Decides whether a message of `topic` on `channel` may go to the subscriber at `at`, and if not, why and from when it would be. Records nothing (use `POST /v1/dispatches` to check and record at once). `unknown_subscriber` is refused: no record means no consent. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: {
      body: jsonBody(
        fields(checkBodySchema, {
          ...CHECK_FIELDS,
          at: { description: 'The instant to decide for. Default: now (the server’s clock).', example: '2026-05-03T21:30:00Z' },
        }).openapi({ example: { subscriberId: 'cust_1001', topic: 'sales', channel: 'email' } }),
      ),
    },
    responses: { 200: json('The decision.', decisionSchema), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const { at, ...item } = c.req.valid('json')
    const [decision] = await checkMany(c.get('deps').store, c.get('tenant'), [item], at ? Date.parse(at) : c.get('deps').now())
    return c.json(decision)
  },
)

/**
 * Up to 10,000 checks at one instant; results in input order. The body is parsed, validated
 * and decided where `deps.batches` says (a worker thread on SQLite files): the schema below is
 * for the document, the route reads the body as bytes.
 */
declare(
  check,
  createRoute({
    method: 'post',
    path: '/batch',
    // 10,000 checks with the longest ids (128 characters, even \uXXXX-escaped) fit in 16 MiB.
    bodyRules: { maxSize: 16384 * KiB, raw: true },
    tags: ['Sending'],
    summary: 'Many checks at one instant',
    description: `Up to ${MAX_BATCH_CHECKS.toLocaleString('en')} checks decided at the same instant \`at\`; \`results\` are in input order, one decision each, as \`POST /v1/check\` would give them. Records nothing. Bodies up to 16 MiB. Callable with an admin or sender key.`,
    security: SECURITY.key,
    request: {
      body: jsonBody(
        fields(batchCheckBodySchema, {
          at: { description: 'The instant to decide every check for. Default: now (the server’s clock).' },
          checks: { description: `1 to ${MAX_BATCH_CHECKS.toLocaleString('en')} checks.` },
        }).openapi({
          example: {
            at: '2026-05-03T21:30:00Z',
            checks: [
              { subscriberId: 'cust_1001', topic: 'sales', channel: 'email' },
              { subscriberId: 'cust_1002', topic: 'sales' },
              { subscriberId: 'cust_1003', topic: 'order-updates', channel: 'sms' },
            ],
          },
        }),
      ),
    },
    responses: {
      200: json(
        'One decision per check, in input order.',
        batchCheckResponseSchema.extend({ results: z.array(decisionSchema) }).openapi({
          example: {
            results: [
              { allowed: false, reason: 'quiet_hours', retryAt: '2026-05-04T05:00:00.000Z', subscriberId: 'cust_1001', topic: 'sales', channel: 'email' },
              { allowed: true, reason: 'ok', retryAt: null, subscriberId: 'cust_1002', topic: 'sales', channel: 'email' },
              { allowed: true, reason: 'required', retryAt: null, subscriberId: 'cust_1003', topic: 'order-updates', channel: 'sms' },
            ],
          },
        }),
      ),
      ...KEY_PROBLEMS,
      413: PROBLEMS[413],
    },
  }),
  async (c) => {
    const json = await c.get('deps').batches.decide(c.get('tenant'), await c.req.arrayBuffer(), c.get('deps').now())
    return c.body(paced(json), 200, { 'Content-Type': 'application/json', 'Content-Length': String(json.byteLength) })
  },
)
