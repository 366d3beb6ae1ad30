/**
 * The bench's floor: `POST /v1/floor`, a single check without its database read and its
 * decision. It takes the single check's way through the server: a lane beside the app with the
 * same body rules, API-key authentication and validation, and, for what the lane hands on, a
 * route in the app behind the same `/v1` middleware; both answer a decision of a check's size
 * at once. `floor-server.ts` serves it with the real server, `http-cost.ts` in its own process.
 * Not part of Heed.
 */
import type { Hono } from 'hono'
import { checkBodySchema, type CheckBody, type Decision } from '@heed/shared'
import type { Env } from '../src/env.ts'
import { authorize } from '../src/http/auth.ts'
import type { Lane } from '../src/http/lane.ts'
import { validate } from '../src/http/validate.ts'

/** The answer: allowed, for the body's subscriber, topic and channel. */
export const floorDecision = ({ subscriberId, topic, channel }: CheckBody): Decision => ({ allowed: true, reason: 'ok', retryAt: null, subscriberId, topic, channel: channel ?? 'email' })

export const FLOOR_LANE: Lane<typeof checkBodySchema> = {
  path: '/v1/floor',
  permission: 'send',
  schema: checkBodySchema,
  answer: async (_store, _tenant, body) => ({ status: 200, json: floorDecision(body) }),
}

/** The floor's route in the app, for what its lane hands on. */
export function addFloorRoute(app: Hono<Env>): void {
  app.post(FLOOR_LANE.path, authorize('send'), validate('json', checkBodySchema), (c) => c.json(floorDecision(c.req.valid('json'))))
}
