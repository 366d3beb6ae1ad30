import { dispatchBodySchema, dispatchResponseSchema } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import { reserveOne } from './decisions.ts'
import { decisionSchema, fields, SUBSCRIBER_ID } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { authorize } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'

export const dispatches = routes<Env>()

dispatches.use('*', authorize('send'))

const outcome = (description: string, recorded: boolean) =>
  json(
    description,
    dispatchResponseSchema.extend({ decision: decisionSchema }).openapi({
      example: recorded
        ? { recorded: true, decision: { allowed: true, reason: 'ok', retryAt: null, subscriberId: 'cust_1001', topic: 'sales', channel: 'email' } }
        : { recorded: false, decision: { allowed: false, reason: 'frequency_cap', retryAt: '2026-05-06T08:12:00.000Z', subscriberId: 'cust_1001', topic: 'sales', channel: 'email' } },
    }),
  )

/**
 * Check-and-reserve: with `enforce` (the default) the dispatch is recorded only when allowed,
 * atomically with the check. A repeated messageId returns the recorded outcome unchanged.
 * A refused attempt records nothing, so the sender can retry the same messageId at retryAt.
 */
declare(
  dispatches,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Sending'],
    summary: 'Check and record a dispatch atomically',
    description:
      'With `enforce` (the default) the message is checked as by `POST /v1/check` and recorded only when allowed, in one step, so concurrent senders never exceed a cap. 201 `recorded: true` when allowed and recorded; 200 `recorded: false` when refused (nothing is recorded: retry the same `messageId` at `retryAt`). A repeated `messageId` returns the first outcome (201 with `Idempotent-Replayed: true`) and is never counted twice; the same `messageId` for another subscriber, topic or channel is a 409. `enforce: false` records a message sent anyway, whatever the decision, except to a subscriber Heed does not know (never added, or erased): that is refused as `unknown_subscriber` either way. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: {
      body: jsonBody(
        fields(dispatchBodySchema, {
          subscriberId: SUBSCRIBER_ID,
          topic: { description: 'The topic key.', example: 'sales' },
          channel: { description: 'The channel of the message.', default: 'email' },
          at: { description: 'When the message is sent. Default: now (the server’s clock).' },
          messageId: { description: 'Your id of the message: the idempotency key, unique per tenant.', example: 'msg_2026-05-03_spring-sale_cust_1001' },
          enforce: { description: 'Check before recording; `false` records a message sent anyway (never for an unknown subscriber).', default: true },
        }).openapi({ example: { subscriberId: 'cust_1001', topic: 'sales', channel: 'email', messageId: 'msg_2026-05-03_spring-sale_cust_1001' } }),
      ),
    },
    responses: {
      201: outcome('Allowed and recorded (or a replay of a recorded `messageId`).', true),
      200: outcome('Refused: nothing recorded.', false),
      ...KEY_PROBLEMS,
      409: PROBLEMS[409],
    },
  }),
  // In the server, a request this would accept is answered by its lane beside the app
  // (lanes.ts), with the same answer.
  async (c) => {
    const { status, headers, json } = await reserveOne(c.get('deps').store, c.get('tenant'), c.req.valid('json'), c.get('deps').now())
    for (const [name, value] of Object.entries(headers ?? {})) c.header(name, value)
    return c.json(json, status as 200 | 201)
  },
)
