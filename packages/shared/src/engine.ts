import type { Cap, Decision, QuietHours } from './schemas.ts'

/** What the engine needs to know of a topic. */
export interface EngineTopic {
  key: string
  channels: readonly string[]
  defaultSubscribed: boolean
  required: boolean
}

/** What the engine needs to know of a subscriber; instants are epoch milliseconds. */
export interface EngineSubscriber {
  id: string
  status: 'subscribed' | 'unsubscribed'
  /** IANA zone; null falls back to the tenant's default zone. */
  timezone: string | null
  channels: Readonly<Record<string, boolean>>
  topics: Readonly<Record<string, { subscribed?: boolean; channels?: Readonly<Record<string, boolean>>; cap?: Cap }>>
  cap: Cap | null
  quietHours: QuietHours | null
  pausedUntil: number | null
}

/** One recorded dispatch of this subscriber. */
export interface PastDispatch {
  topic: string
  channel: string
  at: number
}

export interface DecideInput {
  subscriberId: string
  topicKey: string
  channel: string
  /** The instant asked about, epoch ms. */
  at: number
  subscriber: EngineSubscriber | null
  topic: EngineTopic | null
  /** The tenant's default IANA zone, used when the subscriber has none. */
  defaultTimezone: string
  /** The subscriber's recorded dispatches; at least those after `at - 30 days`. */
  history: readonly PastDispatch[]
  /** Topics whose dispatches never count against a cap (required topics). */
  requiredTopics?: ReadonlySet<string>
}

export declare function decide(input: DecideInput): Decision
