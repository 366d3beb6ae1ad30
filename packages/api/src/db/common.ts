import type { ConsentEventType, Decision, EngineSubscriber, EngineTopic, PastDispatch } from '@heed/shared'
import { newTimeOrderedId } from './ids.ts'
import { chainHash, contentHash } from './ledger.ts'
import type { ApiKeyRecord, ChangeContext, DecisionData, DispatchRequest, NewApiKey, ReserveResult, SubscriberRecord, TopicRecord } from './store.ts'

/** Row mapping, record building and request grouping shared by the repository and both dialects. */

export interface SubscriberRow extends SubscriberRecord {
  tenantId: string
  hasCaps: boolean
  unsubscribedAt: number | null
}

export const toSubscriber = (r: SubscriberRow): SubscriberRecord => ({
  id: r.id,
  email: r.email,
  locale: r.locale,
  timezone: r.timezone,
  status: r.status,
  channels: r.channels,
  topics: r.topics,
  cap: r.cap,
  quietHours: r.quietHours,
  pausedUntil: r.pausedUntil,
  linkVersion: r.linkVersion,
  linkFloor: r.linkFloor,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export const toTopic = (r: TopicRecord & { tenantId: string; deletedAt: number | null }): TopicRecord => ({
  key: r.key,
  name: r.name,
  description: r.description,
  category: r.category,
  channels: r.channels,
  defaultSubscribed: r.defaultSubscribed,
  required: r.required,
  order: r.order,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export const toKey = ({ hash: _hash, ...k }: NewApiKey): ApiKeyRecord => k

/** Whether any cap applies to the subscriber: only then is its history read for a decision. */
export const hasCaps = (s: Pick<EngineSubscriber, 'cap' | 'topics'>) => s.cap !== null || Object.values(s.topics).some((t) => t.cap !== undefined)

/** The row to write for a subscriber's next state. */
export function subscriberRow(tenantId: string, before: SubscriberRow | null, next: SubscriberRecord, at: number): SubscriberRow {
  const stillOut = before?.status === 'unsubscribed' && next.status === 'unsubscribed'
  return {
    ...next,
    tenantId,
    hasCaps: hasCaps(next),
    createdAt: before?.createdAt ?? at,
    updatedAt: at,
    unsubscribedAt: next.status === 'unsubscribed' ? (stillOut ? (before.unsubscribedAt ?? at) : at) : null,
  }
}

/** A new consent event chained onto `prevHash`. */
export function eventRow(
  tenantId: string,
  last: { seq: number; hash: string } | undefined,
  genesis: string,
  e: { subscriberId: string | null; type: ConsentEventType; before: unknown; after: unknown; ctx: ChangeContext },
) {
  const prevHash = last?.hash ?? genesis
  const content = {
    id: newTimeOrderedId('evt', e.ctx.at),
    subscriberId: e.subscriberId,
    source: e.ctx.source,
    actor: e.ctx.actor,
    before: e.before,
    after: e.after,
    reason: e.ctx.reason ?? null,
    userAgent: e.ctx.userAgent,
    proof: e.ctx.proof ?? null,
  }
  const position = { tenantId, seq: (last?.seq ?? 0) + 1, at: e.ctx.at, type: e.type }
  const digest = contentHash(content)
  return { ...content, ...position, contentHash: digest, prevHash, hash: chainHash(prevHash, position, digest) }
}

/** One subscriber of the decision read, either database's (JSON arrays, smaller than objects): its columns, then its recent dispatches when it has caps. */
export type SubscriberTuple = [
  id: string,
  status: EngineSubscriber['status'],
  timezone: string | null,
  channels: EngineSubscriber['channels'],
  topics: EngineSubscriber['topics'],
  cap: EngineSubscriber['cap'],
  quietHours: EngineSubscriber['quietHours'],
  pausedUntil: number | null,
  history: Array<[topic: string, channel: string, at: number]> | null,
]
export type TopicTuple = [key: string, channels: string[], defaultSubscribed: 0 | 1, required: 0 | 1]

/** What the decision read gives beside the subscribers: the topics and the required keys. */
export interface DecisionRest {
  tops: TopicTuple[] | null
  required: string[] | null
}

/**
 * A row of either database's decision read: a subscriber's JSON text (a SubscriberTuple), or
 * the one row whose subscriber is null, with the rest (JSON text, or parsed by the driver).
 * Many small texts, not one large one: see the dialects' reads.
 */
export type DecisionReadRow = [subscriber: string | null, rest: string | DecisionRest | null]

/** The engine's maps from the rows of the decision read of either database (as arrays: cheaper to make than objects). */
export function decisionDataFromRows(rows: readonly DecisionReadRow[]): DecisionData {
  const subs: SubscriberTuple[] = []
  let rest: DecisionRest | null = null
  for (const [subscriber, other] of rows) {
    if (subscriber !== null) subs.push(JSON.parse(subscriber))
    else rest = typeof other === 'string' ? (JSON.parse(other) as DecisionRest) : other
  }
  return decisionDataFromTuples(subs, rest?.tops ?? [], rest?.required ?? [])
}

function decisionDataFromTuples(subs: readonly SubscriberTuple[], tops: readonly TopicTuple[], required: readonly string[]): DecisionData {
  const subscribers = new Map<string, EngineSubscriber>()
  const history = new Map<string, PastDispatch[]>()
  for (const [id, status, timezone, channels, topics, cap, quietHours, pausedUntil, recent] of subs) {
    subscribers.set(id, { id, status, timezone, channels, topics, cap, quietHours, pausedUntil })
    if (recent) history.set(id, recent.map(([topic, channel, at]) => ({ topic, channel, at })))
  }
  const topics = new Map<string, EngineTopic>()
  for (const [key, channels, defaultSubscribed, req] of tops) topics.set(key, { key, channels, defaultSubscribed: defaultSubscribed === 1, required: req === 1 })
  return { subscribers, topics, history, requiredTopics: new Set(required) }
}

type ReadDecisionData = (tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) => DecisionData | Promise<DecisionData>

/**
 * Single checks of a tenant that arrive in the same turn of the event loop share one read of
 * the database instead of one each. The read starts after every check in it has arrived, so
 * each sees everything committed before it; nothing is kept between turns. The earliest
 * `since` of the group is used: more history never changes a decision (the engine counts
 * each cap's window from the check's own instant).
 */
export class SharedReads {
  readonly #read: ReadDecisionData
  readonly #pending = new Map<string, { subscriberIds: Set<string>; topicKeys: Set<string>; since: number; waiting: Array<{ resolve: (data: DecisionData) => void; reject: (error: unknown) => void }> }>()

  constructor(read: ReadDecisionData) {
    this.#read = read
  }

  read(tenantId: string, subscriberId: string, topicKey: string, since: number): Promise<DecisionData> {
    return new Promise((resolve, reject) => {
      let group = this.#pending.get(tenantId)
      if (!group) {
        this.#pending.set(tenantId, (group = { subscriberIds: new Set(), topicKeys: new Set(), since, waiting: [] }))
        setImmediate(() => this.#flush(tenantId))
      }
      group.subscriberIds.add(subscriberId)
      group.topicKeys.add(topicKey)
      group.since = Math.min(group.since, since)
      group.waiting.push({ resolve, reject })
    })
  }

  #flush(tenantId: string) {
    const group = this.#pending.get(tenantId)!
    this.#pending.delete(tenantId)
    new Promise<DecisionData>((resolve) => resolve(this.#read(tenantId, [...group.subscriberIds], [...group.topicKeys], group.since))).then(
      (data) => group.waiting.forEach((w) => w.resolve(data)),
      (error: unknown) => group.waiting.forEach((w) => w.reject(error)),
    )
  }
}

/** A reserve waiting for its group's transaction (group commit, on both databases). */
export interface PendingReserve {
  req: DispatchRequest
  decide: (data: DecisionData) => Decision
  resolve: (result: ReserveResult) => void
  reject: (error: unknown) => void
  /** performance.now() after which its caller no longer waits (PostgreSQL). */
  until?: number
}

export type ReserveOutcome = { ok: true; value: ReserveResult } | { ok: false; error: unknown }

/** Answers each reserve of a group with its outcome. */
export function settle(group: readonly PendingReserve[], outcomes: readonly ReserveOutcome[]) {
  group.forEach((p, i) => {
    const o = outcomes[i]!
    if (o.ok) p.resolve(o.value)
    else p.reject(o.error)
  })
}

/** The dispatch already recorded under a reserve's messageId. */
export interface PriorDispatch {
  subscriber_id: string
  topic: string
  channel: string
  decision: Decision
}

/** A messageId already recorded: the same dispatch again replays, another one conflicts. */
export function replayOrConflict(prior: PriorDispatch, req: DispatchRequest): ReserveResult {
  const same = prior.subscriber_id === req.subscriberId && prior.topic === req.topic && prior.channel === req.channel
  return same ? { kind: 'replayed', decision: prior.decision } : { kind: 'conflict' }
}
