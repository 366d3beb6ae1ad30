/**
 * The bench's floor: `POST /v1/floor`, a single check without its database read and its
 * decision. It takes the single check's way through the server: a lane beside the app with the
 * same body rules, API-key authentication and validation, and, for what the lane hands on, a
 * route in the app behind the same `/v1` middleware; both answer a decision of a check's size
 * at once. `floor-server.ts` serves it with the real server, `http-cost.ts` in its own process.
 *
 * Beside it, `POST /v1/floor/asking`: the floor that asks the database, once a turn of the
 * event loop for all the requests of that turn (as single checks share their read), whether
 * anything changed, and nothing else. That is the least a check can do that may never answer
 * from stale data while other connections or processes write: SQLite's `PRAGMA data_version`
 * (it starts and ends a read of the file), PostgreSQL's `SELECT 1` (a round trip on the pool).
 * A cache of decision data would cost at least this.
 *
 * And `POST /v1/floor/remembering`: the single check itself (`checkOne`: its decision, its
 * answer) on decision data it read once and keeps for good, never asking whether anything
 * changed. It is no design Heed could ship (it answers from stale data), but it bounds every
 * cache from above: a cache that is never stale asks as well and is emptied by writes. Not
 * part of Heed.
 */
import type { Hono } from 'hono'
import type postgres from 'postgres'
import type Database from 'better-sqlite3'
import { checkBodySchema, type CheckBody, type Decision } from '@heed/shared'
import { checkOne } from '../src/checks/decisions.ts'
import type { DecisionData, Store } from '../src/db/store.ts'
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

export const FLOOR_ASKING_LANE: Lane<typeof checkBodySchema> = {
  path: '/v1/floor/asking',
  permission: 'send',
  schema: checkBodySchema,
  answer: async (store, _tenant, body) => {
    await askedThisTurn(store)
    return { status: 200, json: floorDecision(body) }
  },
}

/**
 * Each tenant's decision data as the store read it, one set of maps growing with every
 * subscriber and topic read (never emptied): the leanest a cache can keep it, two map entries
 * a subscriber, so its memory weighs on the figure as little as any cache's could.
 */
const remembered = new Map<string, DecisionData>()

/** The data kept for a single check's subscriber and topic, read and kept first if it is not. */
async function rememberedData(store: Pick<Store, 'decisionData'>, tenantId: string, subscriberId: string, topicKey: string, since: number): Promise<DecisionData> {
  const kept = remembered.get(tenantId)
  if (kept?.subscribers.has(subscriberId) && kept.topics.has(topicKey)) return kept
  const read = await store.decisionData(tenantId, [subscriberId], [topicKey], since)
  if (kept === undefined) {
    remembered.set(tenantId, read)
    return read
  }
  // More history than a later check's `since` asks for never changes a decision.
  for (const [id, subscriber] of read.subscribers) kept.subscribers.set(id, subscriber)
  for (const [id, history] of read.history) kept.history.set(id, history)
  for (const [key, topic] of read.topics) kept.topics.set(key, topic)
  kept.requiredTopics = read.requiredTopics
  return kept
}

export const FLOOR_REMEMBERING_LANE: Lane<typeof checkBodySchema> = {
  path: '/v1/floor/remembering',
  permission: 'send',
  schema: checkBodySchema,
  answer: async (store, tenant, body, now) => {
    const fromMemory: Pick<Store, 'decisionData'> = {
      // A single check asks for one subscriber and one topic.
      decisionData: (tenantId, subscriberIds, topicKeys, since) => rememberedData(store, tenantId, subscriberIds[0]!, topicKeys[0]!, since),
    }
    return { status: 200, json: await checkOne(fromMemory, tenant, body, now) }
  },
}

export const FLOOR_LANES = [FLOOR_LANE, FLOOR_ASKING_LANE, FLOOR_REMEMBERING_LANE]

/** The floors' routes in the app, for what their lanes hand on: each lane's own answer, behind its permission and schema. */
export function addFloorRoute(app: Hono<Env>): void {
  for (const lane of FLOOR_LANES) {
    app.post(lane.path, authorize(lane.permission), validate('json', lane.schema), async (c) => {
      const { json } = await lane.answer(c.var.deps.store, c.var.tenant, c.req.valid('json'), c.var.deps.now())
      return c.json(json)
    })
  }
}

/** The question of this turn, shared by the requests that arrive in it. */
let asking: Promise<void> | null = null
let dataVersion: Database.Statement | null = null

/** Resolves once the database has said, in the next turn, whether anything changed. */
function askedThisTurn(store: Store): Promise<void> {
  asking ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
    asking = null
    // The connection the store reads with (Repository's `raw`, not part of the Store interface).
    const raw = (store as unknown as { raw: unknown }).raw
    if (store.dialect === 'sqlite') {
      dataVersion ??= (raw as Database.Database).prepare('PRAGMA data_version').pluck()
      dataVersion.get()
    } else await (raw as postgres.Sql)`SELECT 1`
  })
  return asking
}
