import { checkBodySchema, dispatchBodySchema } from '@heed/shared'
import type { Lane } from '../http/lane.ts'
import { checkOne, reserveOne } from './decisions.ts'

/**
 * The routes a sender calls with every message, given lanes beside the app (`http/lane.ts`):
 * `POST /v1/check` and `POST /v1/dispatches`, each with its route's permission, body schema
 * and answer (`check.routes.ts`, `dispatches.routes.ts` declare and document them).
 */
export const checkLane: Lane<typeof checkBodySchema> = {
  path: '/v1/check',
  permission: 'send',
  schema: checkBodySchema,
  answer: async (store, tenant, body, now) => ({ status: 200, json: await checkOne(store, tenant, body, now) }),
}

export const reserveLane: Lane<typeof dispatchBodySchema> = {
  path: '/v1/dispatches',
  permission: 'send',
  schema: dispatchBodySchema,
  answer: reserveOne,
}

export const SENDER_LANES: readonly Lane[] = [checkLane, reserveLane]
