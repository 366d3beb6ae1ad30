import { decide, DEFAULT_CHANNEL, HISTORY_LOOKBACK_MS, type CheckBody, type Decision, type DispatchBody, type PastDispatch } from '@heed/shared'
import type { DecisionData, Store, TenantRecord } from '../db/store.ts'
import { ApiError } from '../http/errors.ts'
import type { LaneAnswer } from '../http/lane.ts'

export interface CheckItem {
  subscriberId: string
  topic: string
  channel?: string | undefined
}

const NO_HISTORY: readonly PastDispatch[] = []

/** Runs the pure engine on data loaded for it. */
export function decideFrom(data: DecisionData, tenant: TenantRecord, item: CheckItem, at: number): Decision {
  return decide({
    subscriberId: item.subscriberId,
    topicKey: item.topic,
    channel: item.channel ?? DEFAULT_CHANNEL,
    at,
    subscriber: data.subscribers.get(item.subscriberId) ?? null,
    topic: data.topics.get(item.topic) ?? null,
    defaultTimezone: tenant.settings.defaultTimezone,
    history: data.history.get(item.subscriberId) ?? NO_HISTORY,
    // Dispatches of required topics never count toward caps: the engine skips them.
    requiredTopics: data.requiredTopics,
  })
}

/** Decides any number of checks at one instant, with the data loaded set-based. */
export async function checkMany(store: Pick<Store, 'decisionData'>, tenant: TenantRecord, items: readonly CheckItem[], at: number): Promise<Decision[]> {
  // Ids are read as they come, repeats and all (the database's IN drops them): putting
  // 10,000 fresh strings in a Set costs a batch 2 ms. Topics are few, usually one.
  const subscriberIds = items.map((i) => i.subscriberId)
  const topicKeys = items.length === 1 ? [items[0]!.topic] : [...new Set(items.map((i) => i.topic))]
  const data = await store.decisionData(tenant.id, subscriberIds, topicKeys, at - HISTORY_LOOKBACK_MS)
  if (items.length <= DECIDE_SLICE) return items.map((item) => decideFrom(data, tenant, item, at))
  // A big batch decides in slices and lets other requests in between, so single checks
  // arriving meanwhile wait for one slice, not for the whole batch.
  const out: Decision[] = new Array(items.length)
  for (let start = 0; start < items.length; start += DECIDE_SLICE) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve))
    const end = Math.min(items.length, start + DECIDE_SLICE)
    for (let i = start; i < end; i++) out[i] = decideFrom(data, tenant, items[i]!, at)
  }
  return out
}

/** `POST /v1/check`: the decision for a validated body, at its `at` or else at `now`. */
export async function checkOne(store: Pick<Store, 'decisionData'>, tenant: TenantRecord, body: CheckBody, now: number): Promise<Decision> {
  const { at, ...item } = body
  const [decision] = await checkMany(store, tenant, [item], at ? Date.parse(at) : now)
  return decision!
}

/**
 * `POST /v1/dispatches`: check-and-reserve for a validated body, and its answer. 201 recorded
 * (a replay of a recorded messageId says so in `Idempotent-Replayed`), 200 refused, 409 for a
 * messageId recorded for another subscriber, topic or channel.
 */
export async function reserveOne(store: Pick<Store, 'reserve'>, tenant: TenantRecord, body: DispatchBody, now: number): Promise<LaneAnswer> {
  const at = body.at ? Date.parse(body.at) : now
  const item = { subscriberId: body.subscriberId, topic: body.topic, channel: body.channel ?? DEFAULT_CHANNEL }
  const result = await store.reserve(tenant.id, { ...item, messageId: body.messageId, at, enforce: body.enforce ?? true }, (data) => decideFrom(data, tenant, item, at))
  switch (result.kind) {
    case 'recorded':
      return { status: 201, json: { recorded: true, decision: result.decision } }
    case 'replayed':
      return { status: 201, headers: { 'Idempotent-Replayed': 'true' }, json: { recorded: true, decision: result.decision } }
    case 'refused':
      return { status: 200, json: { recorded: false, decision: result.decision } }
    case 'conflict':
      throw new ApiError('conflict', `messageId "${body.messageId}" was already recorded for another subscriber, topic or channel`)
  }
}

/** Decisions made between two turns of the event loop in a batch. */
const DECIDE_SLICE = 1000
