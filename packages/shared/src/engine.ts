import type { Cap, CapPeriod, Decision, DecisionReason, QuietHours } from './schemas.ts'
import { DAY_MS, formatInstant, MINUTE_MS, MONTH_MS, nextOffsetChange, parseClockTime, WEEK_MS, weekdayFromDays, zoneOffset } from './time.ts'
import { channelOn, topicCap, topicChannelOn, topicOn } from './subscriber.ts'

/**
 * The consent decision (SPEC F1): a pure function of the subscriber's state, the topic, the
 * dispatch history and the instant asked about. No I/O, no clock: the single check, the batch
 * check and check-and-reserve all call it.
 */

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

/** Length of a cap's rolling window, ms. */
export const CAP_WINDOW_MS: Readonly<Record<CapPeriod, number>> = {
  day: DAY_MS,
  week: WEEK_MS,
  month: MONTH_MS,
}

/**
 * How far back a decision looks at the dispatch history: the longest cap window. Dispatches
 * before `at - HISTORY_LOOKBACK_MS` never change a decision, so storage may leave them out.
 */
export const HISTORY_LOOKBACK_MS = CAP_WINDOW_MS.month

/** The channel of a check or dispatch that names none. */
export const DEFAULT_CHANNEL = 'email'

/**
 * Whether check-and-reserve records a dispatch: when it is allowed, and without enforcement
 * whenever Heed knows the subscriber. A dispatch to someone Heed does not know (never added,
 * or erased) counts toward no cap and could be neither exported nor erased: it is refused as
 * `unknown_subscriber`, enforced or not.
 */
export const recordsDispatch = (decision: Pick<Decision, 'allowed' | 'reason'>, enforce: boolean): boolean =>
  decision.allowed || (!enforce && decision.reason !== 'unknown_subscriber')

/**
 * Bound on the rounds of every "move forward until nothing blocks" loop. Each round moves past
 * one pause, quiet window, offset change or cap leave instant; real inputs settle in a few.
 */
const MAX_ROUNDS = 64

const ALL_DAYS = 0x7f

/**
 * Decides whether `input.channel` may carry a message of `input.topicKey` to the subscriber
 * at `input.at`: the first reason of SPEC F1 that applies, and for `paused`, `quiet_hours`
 * and `frequency_cap` the earliest instant ≥ `at` at which every one of those constraints
 * lets it through, assuming nothing changes and nothing more is sent.
 */
export function decide(input: DecideInput): Decision {
  const { subscriber, topic, channel } = input
  if (subscriber === null) return verdict(input, 'unknown_subscriber', null)
  if (topic === null) return verdict(input, 'unknown_topic', null)
  if (topic.required) return verdict(input, 'required', null)
  if (subscriber.status === 'unsubscribed') return verdict(input, 'unsubscribed', null)

  // The same views of the state the widget shows its switches with.
  if (!channelOn(subscriber, channel) || !topicChannelOn(subscriber, topic, channel)) return verdict(input, 'channel_opted_out', null)
  if (!topicOn(subscriber, topic)) return verdict(input, 'topic_opted_out', null)

  const { at } = input
  const { pausedUntil } = subscriber
  const zone = subscriber.timezone ?? input.defaultTimezone
  const quiet = subscriber.quietHours === null ? null : quietWindows(subscriber.quietHours)
  const caps = applicableCaps(input, subscriber.cap, topicCap(subscriber, topic))

  // The reason at `at`; history is only read when nothing before the caps decides.
  let reason: DecisionReason
  let t = at
  if (pausedUntil !== null && at < pausedUntil) {
    reason = 'paused'
  } else if (quiet !== null && leaveQuiet(quiet, zone, at) !== at) {
    reason = 'quiet_hours'
  } else if (caps.length > 0 && anyCapFull(caps, input)) {
    reason = 'frequency_cap'
  } else {
    return verdict(input, 'ok', null)
  }

  // retryAt: move forward past the pause, then the quiet window, then until every cap has
  // room; a cap's leave instant may fall in a later quiet window, so go round until the caps
  // no longer move it (after the first two steps t is neither paused nor quiet).
  const windows = caps.length > 0 ? capWindows(caps, input) : NO_WINDOWS
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (pausedUntil !== null && t < pausedUntil) t = pausedUntil
    if (quiet !== null) t = leaveQuiet(quiet, zone, t)
    const free = windows.length > 0 ? leaveCaps(windows, t) : t
    if (free === t) break
    t = free
  }
  return verdict(input, reason, t)
}

function verdict(input: DecideInput, reason: DecisionReason, retryAt: number | null): Decision {
  return {
    allowed: reason === 'ok' || reason === 'required',
    reason,
    retryAt: retryAt === null ? null : formatInstant(retryAt),
    subscriberId: input.subscriberId,
    topic: input.topicKey,
    channel: input.channel,
  }
}

// ---- quiet hours -------------------------------------------------------------------------

interface QuietWindows {
  /** Start of each window after local midnight, ms. */
  startMs: number
  /** 24 h when `end == start`; windows with `end < start` run into the next day. */
  lengthMs: number
  /** Bit d set when a window starts on weekday d (0 = Sunday). */
  dayMask: number
}

function quietWindows(quietHours: QuietHours): QuietWindows | null {
  const startMs = parseClockTime(quietHours.start) * MINUTE_MS
  const endMs = parseClockTime(quietHours.end) * MINUTE_MS
  let dayMask = ALL_DAYS
  if (quietHours.days !== undefined) {
    dayMask = 0
    for (const day of quietHours.days) dayMask |= 1 << day
  }
  if (dayMask === 0) return null
  return { startMs, lengthMs: endMs > startMs ? endMs - startMs : endMs - startMs + DAY_MS, dayMask }
}

/**
 * End (local ms) of the window holding the wall reading `local`, or null when it is in none.
 * A window spans at most 24 h, so only those starting today or yesterday can hold it.
 */
function quietWindowEnd(windows: QuietWindows, local: number): number | null {
  const today = Math.floor(local / DAY_MS)
  for (let day = today; day >= today - 1; day--) {
    if (((windows.dayMask >> weekdayFromDays(day)) & 1) === 0) continue
    const start = day * DAY_MS + windows.startMs
    if (start <= local && local < start + windows.lengthMs) return start + windows.lengthMs
  }
  return null
}

/**
 * The first instant ≥ t whose wall clock lies outside every window (t itself when it does).
 * Walks forward to the instant where the clock should read the window's end, stopping at any
 * offset change on the way: after a spring-forward the clock may already be past the end (the
 * answer is then the transition), after a fall-back it may read earlier than the window start.
 */
function leaveQuiet(windows: QuietWindows, zone: string, t: number): number {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const offset = zoneOffset(zone, t)
    const local = t + offset
    const end = quietWindowEnd(windows, local)
    if (end === null) return t
    const reach = Math.min(t + (end - local), t + DAY_MS)
    t = nextOffsetChange(zone, t, reach, offset) ?? reach
  }
  return t
}

// ---- caps --------------------------------------------------------------------------------

/** A cap that applies to this check: what it counts and how many it allows. */
interface ApplicableCap {
  max: number
  windowMs: number
  /** Counts only dispatches of this topic (a topic cap), or of every non-required topic. */
  topic: string | undefined
  /** Counts only dispatches on this channel. */
  channel: string | undefined
}

interface CapWindow extends ApplicableCap {
  /** Instants of the dispatches the cap counts, ascending. */
  times: readonly number[]
}

const NO_CAPS: readonly ApplicableCap[] = []
const NO_WINDOWS: readonly CapWindow[] = []

/** The global and the topic cap, those of them that apply to a check on `input.channel`. */
function applicableCaps(
  input: DecideInput,
  globalCap: Cap | null,
  ownTopicCap: Cap | null | undefined,
): readonly ApplicableCap[] {
  const global = applies(globalCap, input.channel, undefined)
  const perTopic = applies(ownTopicCap, input.channel, input.topicKey)
  if (global === null) return perTopic === null ? NO_CAPS : [perTopic]
  return perTopic === null ? [global] : [global, perTopic]
}

function applies(cap: Cap | null | undefined, channel: string, topic: string | undefined): ApplicableCap | null {
  if (cap == null || (cap.channel !== undefined && cap.channel !== channel)) return null
  return { max: cap.max, windowMs: CAP_WINDOW_MS[cap.per], topic, channel: cap.channel }
}

function counts(cap: ApplicableCap, dispatch: PastDispatch): boolean {
  return (
    (cap.topic === undefined || dispatch.topic === cap.topic) &&
    (cap.channel === undefined || dispatch.channel === cap.channel)
  )
}

/**
 * Whether a cap is full at `input.at`: one pass over the history, nothing allocated. A
 * dispatch already recorded later than `at` (clocks differ, backfills) counts too: a message
 * at `at` must not overfill any window it falls in, also the ones that end after it.
 */
function anyCapFull(caps: readonly ApplicableCap[], input: DecideInput): boolean {
  const { at, history, requiredTopics } = input
  let later = false
  for (const cap of caps) {
    const after = at - cap.windowMs
    let count = 0
    for (const dispatch of history) {
      if (dispatch.at > after && counts(cap, dispatch)) {
        if (requiredTopics !== undefined && requiredTopics.has(dispatch.topic)) continue
        if (dispatch.at > at) later = true
        else if (++count >= cap.max) return true
      }
    }
  }
  return later && capWindows(caps, input).some((w) => !hasRoom(w, at))
}

/** Each cap with the instants of the dispatches it counts, ascending. */
function capWindows(caps: readonly ApplicableCap[], input: DecideInput): CapWindow[] {
  const windows: CapWindow[] = []
  for (const cap of caps) windows.push(capWindow(cap, input))
  return windows
}

function capWindow(cap: ApplicableCap, input: DecideInput): CapWindow {
  const { history, requiredTopics } = input
  const times: number[] = []
  let last = -Infinity
  let sorted = true
  for (let i = 0; i < history.length; i++) {
    const dispatch = history[i]!
    if (!counts(cap, dispatch) || (requiredTopics !== undefined && requiredTopics.has(dispatch.topic))) continue
    if (dispatch.at < last) sorted = false
    last = dispatch.at
    times.push(last)
  }
  if (!sorted) times.sort((a, b) => a - b)
  return { max: cap.max, windowMs: cap.windowMs, topic: cap.topic, channel: cap.channel, times }
}

/** Number of entries ≤ value in an ascending array. */
function countAtMost(sorted: readonly number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Dispatches counted at t: those at s with t − window < s ≤ t. */
function countAt(cap: CapWindow, t: number): number {
  return countAtMost(cap.times, t) - countAtMost(cap.times, t - cap.windowMs)
}

/**
 * Whether one more dispatch at t keeps the cap: the window ending at t, and every window
 * ending at a later recorded dispatch that the new one would also fall in.
 */
function hasRoom(cap: CapWindow, t: number): boolean {
  if (countAt(cap, t) >= cap.max) return false
  const { times, windowMs } = cap
  for (let i = countAtMost(times, t); i < times.length && times[i]! < t + windowMs; i++) {
    if (countAt(cap, times[i]!) >= cap.max) return false
  }
  return true
}

/**
 * The earliest instant ≥ t at which the cap has room: t, or the instant one of the counted
 * dispatches leaves the window (s + window), taken in ascending order — room only ever
 * appears when a dispatch leaves. Dispatches dated after t are counted once their instant comes.
 */
function leaveCap(cap: CapWindow, t: number): number {
  if (hasRoom(cap, t)) return t
  const { times, windowMs } = cap
  for (let i = countAtMost(times, t - windowMs); i < times.length; i++) {
    if (i + 1 < times.length && times[i + 1] === times[i]) continue
    const leave = times[i]! + windowMs
    if (leave >= t && hasRoom(cap, leave)) return leave
  }
  return t // unreachable: once the last dispatch has left, nothing is counted
}

/** The earliest instant ≥ t at which every cap has room. */
function leaveCaps(caps: readonly CapWindow[], t: number): number {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const start = t
    for (const cap of caps) t = leaveCap(cap, t)
    if (t === start) break
  }
  return t
}
