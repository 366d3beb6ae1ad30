import { batchCheckBodySchema, batchCheckResponseSchema, checkBodySchema, MAX_BATCH_CHECKS } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { BatchSlots, paced } from './batch.ts'
import { checkOne } from './decisions.ts'
import { decisionSchema, fields, SUBSCRIBER_ID } from '../http/schemas.ts'
import type { BatchAnswer, Deps, Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { authorize } from '../http/auth.ts'
import { readRawBody } from '../http/body-limit.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'

const KiB = 1024
/** 10,000 checks with the longest ids (128 characters, even \uXXXX-escaped) fit in 16 MiB. */
const BATCH_MAX_BYTES = 16384 * KiB

export const check = routes<Env>()

check.use('*', authorize('send'))

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
  // In the server, a request this would accept is answered by its lane beside the app
  // (lanes.ts), with the same decision.
  async (c) => c.json(await checkOne(c.get('deps').store, c.get('tenant'), c.req.valid('json'), c.get('deps').now())),
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
    bodyRules: { maxSize: BATCH_MAX_BYTES, raw: true },
    tags: ['Sending'],
    summary: 'Many checks at one instant',
    description: `Up to ${MAX_BATCH_CHECKS.toLocaleString('en')} checks decided at the same instant \`at\`; \`results\` are in input order, one decision each, as \`POST /v1/check\` would give them. Records nothing. Bodies up to 16 MiB. The answer's \`Server-Timing\` header says where its time went, in ms: \`body\` (receiving it), \`read\` (the database read), \`decide\` (parsing, validating, deciding and serialising), \`total\`. A process decides at most \`HEED_BATCH_CONCURRENCY\` batches at once (default 2); beyond that it answers 503 with \`Retry-After\` at once, without reading the body. Callable with an admin or sender key.`,
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
      503: PROBLEMS[503],
    },
  }),
  async (c) => {
    const deps = c.get('deps')
    // Taken before the body is read: a batch over the bound costs neither its body's memory nor a wait.
    const release = slotsOf(deps).take()
    if (!release) {
      throw new ApiError('unavailable', `${deps.config.HEED_BATCH_CONCURRENCY} batch check(s) are already being decided; try again in ${RETRY_AFTER_S} s`, {
        headers: { 'Retry-After': String(RETRY_AFTER_S) },
      })
    }
    const started = performance.now()
    let answer: BatchAnswer
    let bodyMs: number
    try {
      const body = await readRawBody(c, BATCH_MAX_BYTES)
      bodyMs = performance.now() - started
      answer = await deps.batches.decide(c.get('tenant'), body, deps.now())
    } finally {
      release()
    }
    const { json, readMs, workMs } = answer
    return c.body(paced(json), 200, {
      'Content-Type': 'application/json',
      'Content-Length': String(json.byteLength),
      'Server-Timing': serverTiming({ body: bodyMs, read: readMs, decide: workMs, total: performance.now() - started }),
    })
  },
)

/**
 * `Server-Timing` (W3C) of a batch answer, for a sender's own monitoring, ms to 0.1: `body`
 * receiving the body, `read` the database read, `decide` parsing, validating, deciding and
 * serialising, `total` from reading the body to the answer.
 */
const serverTiming = (ms: { body: number; read: number; decide: number; total: number }) =>
  Object.entries(ms)
    .map(([name, value]) => `${name};dur=${value.toFixed(1)}`)
    .join(', ')

/** A batch of 10,000 checks is decided in tens of milliseconds: a second is ample. */
const RETRY_AFTER_S = 1

/** The batch slots of each app (`createApp` builds one `deps` object per app). */
const slots = new WeakMap<Required<Deps>, BatchSlots>()
function slotsOf(deps: Required<Deps>): BatchSlots {
  let found = slots.get(deps)
  if (!found) slots.set(deps, (found = new BatchSlots(deps.config.HEED_BATCH_CONCURRENCY)))
  return found
}
