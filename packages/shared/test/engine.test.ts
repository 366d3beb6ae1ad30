import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decide, type DecideInput, type EngineSubscriber, type EngineTopic } from '../src/engine.ts'
import { decisionSchema, type DecisionReason } from '../src/schemas.ts'

/**
 * Every expected instant below is worked out by hand and written as a literal.
 * Calendar used: 2026-05-01 is a Friday (so 05-02 Sat, 05-03 Sun, 05-04 Mon).
 * DST: New York 2026-03-08 07:00Z (02:00 EST → 03:00 EDT), 2026-11-01 06:00Z (02:00 EDT →
 * 01:00 EST); Tallinn 2026-03-29 01:00Z (03:00 EET → 04:00 EEST), 2026-10-25 01:00Z (04:00
 * EEST → 03:00 EET); Asia/Kolkata is +05:30 all year.
 */

const ms = (iso: string): number => {
  const value = Date.parse(iso)
  assert.ok(!Number.isNaN(value), `bad instant in test table: ${iso}`)
  return value
}

interface Row {
  name: string
  at: string
  /** Changes to the default subscriber; `null` for an unknown one. */
  sub?: Partial<Omit<EngineSubscriber, 'pausedUntil'>> & { pausedUntil?: string } | null
  /** Changes to the default topic "news"; `null` for an unknown one. */
  topic?: Partial<EngineTopic> | null
  channel?: string
  defaultTimezone?: string
  /** [topic, channel, instant] */
  history?: Array<[string, string, string]>
  required?: string[]
  want: [DecisionReason, string | null]
}

function inputOf(row: Row): DecideInput {
  const { pausedUntil, ...sub } = row.sub ?? {}
  const subscriber: EngineSubscriber | null =
    row.sub === null
      ? null
      : {
          id: 'sub-1',
          status: 'subscribed',
          timezone: null,
          channels: {},
          topics: {},
          cap: null,
          quietHours: null,
          ...sub,
          pausedUntil: pausedUntil === undefined ? null : ms(pausedUntil),
        }
  const topic: EngineTopic | null =
    row.topic === null
      ? null
      : { key: 'news', channels: ['email', 'sms'], defaultSubscribed: true, required: false, ...row.topic }
  return {
    subscriberId: 'sub-1',
    topicKey: topic?.key ?? 'news',
    channel: row.channel ?? 'email',
    at: ms(row.at),
    subscriber,
    topic,
    defaultTimezone: row.defaultTimezone ?? 'UTC',
    history: (row.history ?? []).map(([t, channel, at]) => ({ topic: t, channel, at: ms(at) })),
    ...(row.required === undefined ? {} : { requiredTopics: new Set(row.required) }),
  }
}

function run(rows: Row[]): void {
  for (const row of rows) {
    test(row.name, () => {
      const [reason, retryAt] = row.want
      const decision = decide(inputOf(row))
      assert.deepEqual(
        { allowed: decision.allowed, reason: decision.reason, retryAt: decision.retryAt },
        { allowed: reason === 'ok' || reason === 'required', reason, retryAt },
      )
    })
  }
}

const AT = '2026-05-01T12:00:00Z' // Friday noon UTC
const LATER = '2026-05-03T12:00:00Z'
const ALWAYS_QUIET = { start: '00:00', end: '23:59' }
const DAY_CAP = { max: 1, per: 'day' } as const

describe('decide: reasons and their precedence', () => {
  run([
    { name: 'an unknown subscriber is refused first, even when the topic is unknown too', at: AT, sub: null, topic: null, want: ['unknown_subscriber', null] },
    { name: 'an unknown topic is refused', at: AT, topic: null, want: ['unknown_topic', null] },
    {
      name: 'a required topic is allowed although the subscriber unsubscribed, switched the channel off, paused, is in quiet hours and over the cap',
      at: AT,
      topic: { required: true, defaultSubscribed: false },
      sub: { status: 'unsubscribed', channels: { email: false }, topics: { news: { subscribed: false } }, pausedUntil: LATER, quietHours: ALWAYS_QUIET, cap: DAY_CAP },
      history: [['news', 'email', '2026-05-01T11:00:00Z']],
      want: ['required', null],
    },
    { name: 'a required topic is allowed even on a channel it does not list', at: AT, topic: { required: true, channels: ['email'] }, channel: 'sms', want: ['required', null] },
    { name: 'unsubscribed beats a channel switched off', at: AT, sub: { status: 'unsubscribed', channels: { email: false } }, want: ['unsubscribed', null] },
    { name: 'a channel switched off globally is refused', at: AT, sub: { channels: { email: false } }, want: ['channel_opted_out', null] },
    { name: 'a channel switched off for this topic is refused', at: AT, sub: { topics: { news: { channels: { email: false } } } }, want: ['channel_opted_out', null] },
    { name: 'a channel switched off for another topic does not matter', at: AT, sub: { topics: { offers: { channels: { email: false } } } }, want: ['ok', null] },
    { name: 'a channel the topic does not offer is refused', at: AT, topic: { channels: ['email'] }, channel: 'sms', want: ['channel_opted_out', null] },
    { name: 'channel opt-out beats topic opt-out', at: AT, sub: { channels: { email: false }, topics: { news: { subscribed: false } } }, want: ['channel_opted_out', null] },
    { name: 'a topic the subscriber left is refused', at: AT, sub: { topics: { news: { subscribed: false } } }, want: ['topic_opted_out', null] },
    { name: 'no preference falls back to defaultSubscribed false: refused', at: AT, topic: { defaultSubscribed: false }, want: ['topic_opted_out', null] },
    { name: 'no preference falls back to defaultSubscribed true: allowed', at: AT, topic: { defaultSubscribed: true }, want: ['ok', null] },
    { name: 'a preference without `subscribed` falls back to defaultSubscribed', at: AT, topic: { defaultSubscribed: false }, sub: { topics: { news: { channels: { sms: true } } } }, want: ['topic_opted_out', null] },
    { name: 'an explicit subscription overrides defaultSubscribed false', at: AT, topic: { defaultSubscribed: false }, sub: { topics: { news: { subscribed: true } } }, want: ['ok', null] },
    { name: 'topic opt-out beats a pause', at: AT, sub: { topics: { news: { subscribed: false } }, pausedUntil: LATER }, want: ['topic_opted_out', null] },
    { name: 'a topic keyed "constructor" inherits no preference from Object.prototype', at: AT, topic: { key: 'constructor', defaultSubscribed: false }, want: ['topic_opted_out', null] },
    { name: 'paused beats quiet hours (and retries when both are over)', at: AT, sub: { pausedUntil: '2026-05-01T13:00:00Z', quietHours: { start: '11:00', end: '14:00' } }, want: ['paused', '2026-05-01T14:00:00.000Z'] },
    { name: 'paused beats a full cap', at: AT, sub: { pausedUntil: '2026-05-01T13:00:00Z', cap: DAY_CAP }, history: [['news', 'email', '2026-05-01T09:00:00Z']], want: ['paused', '2026-05-02T09:00:00.000Z'] },
    { name: 'quiet hours beat a full cap', at: AT, sub: { quietHours: { start: '11:00', end: '14:00' }, cap: DAY_CAP }, history: [['news', 'email', '2026-05-01T09:00:00Z']], want: ['quiet_hours', '2026-05-02T09:00:00.000Z'] },
    { name: 'a pause ending exactly at `at` no longer applies', at: AT, sub: { pausedUntil: AT }, want: ['ok', null] },
    { name: 'a pause in the past does not apply', at: AT, sub: { pausedUntil: '2026-04-01T00:00:00Z' }, want: ['ok', null] },
    { name: 'channels switched on explicitly are allowed', at: AT, sub: { channels: { email: true }, topics: { news: { subscribed: true, channels: { email: true } } } }, want: ['ok', null] },
  ])
})

describe('decide: retryAt for a pause and quiet hours', () => {
  const night = { start: '22:00', end: '08:00' }
  const weekdays = { start: '22:00', end: '08:00', days: [1, 2, 3, 4, 5] }
  run([
    { name: 'a pause retries when it ends', at: '2026-05-01T09:00:00Z', sub: { pausedUntil: '2026-05-03T12:00:00Z' }, want: ['paused', '2026-05-03T12:00:00.000Z'] },
    { name: 'a pause ending inside quiet hours retries when those end (Tallinn, EEST)', at: AT, sub: { timezone: 'Europe/Tallinn', quietHours: night, pausedUntil: '2026-05-03T20:00:00Z' }, want: ['paused', '2026-05-04T05:00:00.000Z'] },
    { name: 'midnight-crossing window: before midnight retries at the end the next morning', at: '2026-05-01T23:30:00Z', sub: { quietHours: night }, want: ['quiet_hours', '2026-05-02T08:00:00.000Z'] },
    { name: 'midnight-crossing window: after midnight retries at the end that morning', at: '2026-05-02T03:00:00Z', sub: { quietHours: night }, want: ['quiet_hours', '2026-05-02T08:00:00.000Z'] },
    { name: 'the start instant is quiet', at: '2026-05-01T22:00:00Z', sub: { quietHours: night }, want: ['quiet_hours', '2026-05-02T08:00:00.000Z'] },
    { name: '1 ms before the start is not quiet', at: '2026-05-01T21:59:59.999Z', sub: { quietHours: night }, want: ['ok', null] },
    { name: '1 ms before the end is quiet', at: '2026-05-02T07:59:59.999Z', sub: { quietHours: night }, want: ['quiet_hours', '2026-05-02T08:00:00.000Z'] },
    { name: 'the end instant is not quiet', at: '2026-05-02T08:00:00Z', sub: { quietHours: night }, want: ['ok', null] },
    { name: 'a window inside one day retries at its end', at: '2026-05-01T12:15:00Z', sub: { quietHours: { start: '12:00', end: '13:30' } }, want: ['quiet_hours', '2026-05-01T13:30:00.000Z'] },
    { name: 'weekday windows: Friday night continues into Saturday morning', at: '2026-05-02T01:00:00Z', sub: { quietHours: weekdays }, want: ['quiet_hours', '2026-05-02T08:00:00.000Z'] },
    { name: 'weekday windows: Sunday night is not quiet when Sunday is not listed', at: '2026-05-03T23:00:00Z', sub: { quietHours: weekdays }, want: ['ok', null] },
    { name: 'weekday windows: Monday 01:00 belongs to Sunday\'s window, so not quiet', at: '2026-05-04T01:00:00Z', sub: { quietHours: weekdays }, want: ['ok', null] },
    { name: 'weekday windows: Monday night is quiet until Tuesday 08:00', at: '2026-05-04T22:30:00Z', sub: { quietHours: weekdays }, want: ['quiet_hours', '2026-05-05T08:00:00.000Z'] },
    { name: 'weekdays are local: Saturday 01:30 in Kolkata is in Friday\'s window (Friday in UTC)', at: '2026-05-01T20:00:00Z', sub: { timezone: 'Asia/Kolkata', quietHours: { start: '22:00', end: '08:00', days: [5] } }, want: ['quiet_hours', '2026-05-02T02:30:00.000Z'] },
    { name: 'weekdays are local: Saturday 22:30 in Kolkata is not quiet when only Friday is listed', at: '2026-05-02T17:00:00Z', sub: { timezone: 'Asia/Kolkata', quietHours: { start: '22:00', end: '08:00', days: [5] } }, want: ['ok', null] },
    { name: 'end == start is a 24-hour window; Saturday and Sunday ones chain until Monday', at: '2026-05-02T15:00:00Z', sub: { quietHours: { start: '09:00', end: '09:00', days: [6, 0] } }, want: ['quiet_hours', '2026-05-04T09:00:00.000Z'] },
    { name: '24-hour windows: Saturday 08:59 is before Saturday\'s window (Friday not listed)', at: '2026-05-02T08:59:00Z', sub: { quietHours: { start: '09:00', end: '09:00', days: [6, 0] } }, want: ['ok', null] },
    { name: '24-hour windows: Monday 08:59 is still in Sunday\'s window', at: '2026-05-04T08:59:00Z', sub: { quietHours: { start: '09:00', end: '09:00', days: [6, 0] } }, want: ['quiet_hours', '2026-05-04T09:00:00.000Z'] },
    { name: 'a 00:00–00:00 Saturday window ends at Sunday midnight', at: '2026-05-02T23:59:59.999Z', sub: { quietHours: { start: '00:00', end: '00:00', days: [6] } }, want: ['quiet_hours', '2026-05-03T00:00:00.000Z'] },
    { name: 'an empty days list means no quiet hours', at: '2026-05-01T23:00:00Z', sub: { quietHours: { start: '22:00', end: '08:00', days: [] } }, want: ['ok', null] },
    { name: 'half-hour zone: 22:30 IST is quiet until 07:00 IST (01:30Z)', at: '2026-05-01T17:00:00Z', sub: { timezone: 'Asia/Kolkata', quietHours: { start: '22:00', end: '07:00' } }, want: ['quiet_hours', '2026-05-02T01:30:00.000Z'] },
    { name: 'half-hour zone: 21:59:59.999 IST is not quiet', at: '2026-05-01T16:29:59.999Z', sub: { timezone: 'Asia/Kolkata', quietHours: { start: '22:00', end: '07:00' } }, want: ['ok', null] },
    { name: 'half-hour zone: 22:00 IST (16:30Z) is quiet', at: '2026-05-01T16:30:00Z', sub: { timezone: 'Asia/Kolkata', quietHours: { start: '22:00', end: '07:00' } }, want: ['quiet_hours', '2026-05-02T01:30:00.000Z'] },
    { name: 'a subscriber without a zone uses the tenant default zone', at: '2026-05-01T17:00:00Z', defaultTimezone: 'Asia/Kolkata', sub: { quietHours: { start: '22:00', end: '07:00' } }, want: ['quiet_hours', '2026-05-02T01:30:00.000Z'] },
    { name: 'the subscriber\'s own zone wins over the tenant default', at: '2026-05-01T17:00:00Z', defaultTimezone: 'Asia/Kolkata', sub: { timezone: 'UTC', quietHours: { start: '22:00', end: '07:00' } }, want: ['ok', null] },
  ])
})

describe('decide: quiet hours across DST', () => {
  const ny = 'America/New_York'
  const tallinn = 'Europe/Tallinn'
  run([
    { name: 'New York spring-forward: end 02:30 does not exist, retry at the jump (03:00 EDT = 07:00Z)', at: '2026-03-08T06:00:00Z', sub: { timezone: ny, quietHours: { start: '22:00', end: '02:30' } }, want: ['quiet_hours', '2026-03-08T07:00:00.000Z'] },
    { name: 'New York spring-forward: 08:00 the next morning is EDT (12:00Z, not 13:00Z)', at: '2026-03-08T04:00:00Z', sub: { timezone: ny, quietHours: { start: '22:00', end: '08:00' } }, want: ['quiet_hours', '2026-03-08T12:00:00.000Z'] },
    { name: 'New York spring-forward: 01:30–03:30 ends at 03:30 EDT (07:30Z)', at: '2026-03-08T06:45:00Z', sub: { timezone: ny, quietHours: { start: '01:30', end: '03:30' } }, want: ['quiet_hours', '2026-03-08T07:30:00.000Z'] },
    { name: 'New York spring-forward: a window inside the skipped hour is never quiet (01:59:59.999 EST)', at: '2026-03-08T06:59:59.999Z', sub: { timezone: ny, quietHours: { start: '02:05', end: '02:55' } }, want: ['ok', null] },
    { name: 'New York spring-forward: a window inside the skipped hour is never quiet (03:00 EDT)', at: '2026-03-08T07:00:00Z', sub: { timezone: ny, quietHours: { start: '02:05', end: '02:55' } }, want: ['ok', null] },
    { name: 'New York spring-forward: a window starting in the skipped hour holds from the jump to 06:00 EDT', at: '2026-03-08T07:00:00Z', sub: { timezone: ny, quietHours: { start: '02:30', end: '06:00' } }, want: ['quiet_hours', '2026-03-08T10:00:00.000Z'] },
    { name: 'New York fall-back: end 01:30 occurs twice, retry at the first (EDT, 05:30Z)', at: '2026-11-01T03:00:00Z', sub: { timezone: ny, quietHours: { start: '22:00', end: '01:30' } }, want: ['quiet_hours', '2026-11-01T05:30:00.000Z'] },
    { name: 'New York fall-back: 01:15 EST (second pass) is quiet again until 01:30 EST (06:30Z)', at: '2026-11-01T06:15:00Z', sub: { timezone: ny, quietHours: { start: '22:00', end: '01:30' } }, want: ['quiet_hours', '2026-11-01T06:30:00.000Z'] },
    { name: 'New York fall-back: 08:00 the next morning is EST (13:00Z)', at: '2026-11-01T03:00:00Z', sub: { timezone: ny, quietHours: { start: '22:00', end: '08:00' } }, want: ['quiet_hours', '2026-11-01T13:00:00.000Z'] },
    { name: 'New York fall-back: in 01:30–02:30 EDT the clock falls back to 01:00 EST, outside the window (06:00Z)', at: '2026-11-01T05:45:00Z', sub: { timezone: ny, quietHours: { start: '01:30', end: '02:30' } }, want: ['quiet_hours', '2026-11-01T06:00:00.000Z'] },
    { name: 'New York fall-back: 01:00 EST is before the 01:30 start', at: '2026-11-01T06:00:00Z', sub: { timezone: ny, quietHours: { start: '01:30', end: '02:30' } }, want: ['ok', null] },
    { name: 'New York fall-back: Saturday-only window runs to Sunday 08:00 EST', at: '2026-11-01T12:30:00Z', sub: { timezone: ny, quietHours: { start: '22:00', end: '08:00', days: [6] } }, want: ['quiet_hours', '2026-11-01T13:00:00.000Z'] },
    { name: 'Tallinn spring-forward: end 03:30 does not exist, retry at the jump (04:00 EEST = 01:00Z)', at: '2026-03-29T00:30:00Z', sub: { timezone: tallinn, quietHours: { start: '22:00', end: '03:30' } }, want: ['quiet_hours', '2026-03-29T01:00:00.000Z'] },
    { name: 'Tallinn spring-forward: 07:00 the next morning is EEST (04:00Z)', at: '2026-03-28T22:00:00Z', sub: { timezone: tallinn, quietHours: { start: '23:00', end: '07:00' } }, want: ['quiet_hours', '2026-03-29T04:00:00.000Z'] },
    { name: 'Tallinn fall-back: end 03:30 occurs twice, retry at the first (EEST, 00:30Z)', at: '2026-10-24T20:00:00Z', sub: { timezone: tallinn, quietHours: { start: '22:00', end: '03:30' } }, want: ['quiet_hours', '2026-10-25T00:30:00.000Z'] },
    { name: 'Tallinn fall-back: 03:15 EET (second pass) is quiet until 03:30 EET (01:30Z)', at: '2026-10-25T01:15:00Z', sub: { timezone: tallinn, quietHours: { start: '22:00', end: '03:30' } }, want: ['quiet_hours', '2026-10-25T01:30:00.000Z'] },
    { name: 'Tallinn fall-back: 08:00 the next morning is EET (06:00Z)', at: '2026-10-24T20:00:00Z', sub: { timezone: tallinn, quietHours: { start: '22:00', end: '08:00' } }, want: ['quiet_hours', '2026-10-25T06:00:00.000Z'] },
  ])
})

describe('decide: frequency caps', () => {
  const news = (at: string): [string, string, string] => ['news', 'email', at]
  run([
    { name: 'a dispatch one day minus 1 ms old still counts', at: '2026-05-02T08:59:59.999Z', sub: { cap: DAY_CAP }, history: [news('2026-05-01T09:00:00Z')], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'a dispatch exactly one day old no longer counts', at: '2026-05-02T09:00:00Z', sub: { cap: DAY_CAP }, history: [news('2026-05-01T09:00:00Z')], want: ['ok', null] },
    { name: 'a dispatch at the very instant asked counts', at: '2026-05-01T09:00:00Z', sub: { cap: DAY_CAP }, history: [news('2026-05-01T09:00:00Z')], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'a dispatch recorded later than the instant asked counts: one more now would overfill its window', at: AT, sub: { cap: DAY_CAP }, history: [news('2026-05-01T14:00:00Z')], want: ['frequency_cap', '2026-05-02T14:00:00.000Z'] },
    { name: 'a dispatch recorded a full window after the instant asked does not count', at: AT, sub: { cap: DAY_CAP }, history: [news('2026-05-02T12:00:00Z')], want: ['ok', null] },
    { name: 'below the max is allowed', at: AT, sub: { cap: { max: 3, per: 'day' } }, history: [news('2026-05-01T10:00:00Z'), news('2026-05-01T11:00:00Z')], want: ['ok', null] },
    { name: '2 a day: retries at the 2nd most recent dispatch + 1 day', at: '2026-05-01T15:00:00Z', sub: { cap: { max: 2, per: 'day' } }, history: [news('2026-05-01T10:00:00Z'), news('2026-05-01T12:00:00Z'), news('2026-05-01T14:00:00Z')], want: ['frequency_cap', '2026-05-02T12:00:00.000Z'] },
    { name: 'history in any order gives the same answer', at: '2026-05-01T15:00:00Z', sub: { cap: { max: 2, per: 'day' } }, history: [news('2026-05-01T14:00:00Z'), news('2026-05-01T10:00:00Z'), news('2026-05-01T12:00:00Z')], want: ['frequency_cap', '2026-05-02T12:00:00.000Z'] },
    { name: 'two dispatches at one instant leave together', at: AT, sub: { cap: DAY_CAP }, history: [news('2026-05-01T09:00:00Z'), news('2026-05-01T09:00:00Z')], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: '3 a week: retries at the 3rd most recent + 7 days', at: AT, sub: { cap: { max: 3, per: 'week' } }, history: [news('2026-04-27T10:00:00Z'), news('2026-04-29T10:00:00Z'), news('2026-05-01T10:00:00Z')], want: ['frequency_cap', '2026-05-04T10:00:00.000Z'] },
    { name: 'a week: one week minus 1 ms still counts', at: '2026-05-01T11:59:59.999Z', sub: { cap: { max: 1, per: 'week' } }, history: [news('2026-04-24T12:00:00Z')], want: ['frequency_cap', '2026-05-01T12:00:00.000Z'] },
    { name: 'a week: exactly one week old no longer counts', at: AT, sub: { cap: { max: 1, per: 'week' } }, history: [news('2026-04-24T12:00:00Z')], want: ['ok', null] },
    { name: '2 a month: a month is 30 days, retries at the 2nd most recent + 30 days', at: '2026-05-01T00:00:00Z', sub: { cap: { max: 2, per: 'month' } }, history: [news('2026-04-10T00:00:00Z'), news('2026-04-20T00:00:00Z')], want: ['frequency_cap', '2026-05-10T00:00:00.000Z'] },
    { name: 'a month: 30 days minus 1 ms still counts', at: '2026-04-30T23:59:59.999Z', sub: { cap: { max: 1, per: 'month' } }, history: [news('2026-04-01T00:00:00Z')], want: ['frequency_cap', '2026-05-01T00:00:00.000Z'] },
    { name: 'a month: exactly 30 days old no longer counts', at: '2026-05-01T00:00:00Z', sub: { cap: { max: 1, per: 'month' } }, history: [news('2026-04-01T00:00:00Z')], want: ['ok', null] },
    { name: 'the global cap counts dispatches of other topics', at: AT, sub: { cap: DAY_CAP }, history: [['offers', 'email', '2026-05-01T09:00:00Z']], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'a topic cap counts only its own topic', at: AT, sub: { topics: { news: { cap: DAY_CAP } } }, history: [['offers', 'email', '2026-05-01T09:00:00Z']], want: ['ok', null] },
    { name: 'a topic cap full refuses its topic', at: AT, sub: { topics: { news: { cap: DAY_CAP } } }, history: [news('2026-05-01T09:00:00Z')], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'another topic\'s cap does not apply', at: AT, sub: { topics: { offers: { cap: DAY_CAP } } }, history: [['offers', 'email', '2026-05-01T09:00:00Z']], want: ['ok', null] },
    {
      name: 'global and topic caps both full: retries when both have room (the later)',
      at: AT,
      sub: { cap: { max: 2, per: 'day' }, topics: { news: { cap: { max: 1, per: 'week' } } } },
      history: [['offers', 'email', '2026-05-01T08:00:00Z'], news('2026-05-01T10:00:00Z')],
      want: ['frequency_cap', '2026-05-08T10:00:00.000Z'],
    },
    {
      name: 'a future-dated dispatch keeps a cap full past its first leave instant',
      at: AT,
      sub: { cap: DAY_CAP, topics: { news: { cap: DAY_CAP } } },
      history: [['offers', 'email', '2026-04-30T13:00:00Z'], news('2026-04-30T15:00:00Z'), ['offers', 'email', '2026-05-01T14:00:00Z']],
      want: ['frequency_cap', '2026-05-02T14:00:00.000Z'],
    },
    { name: 'a channel cap does not apply to another channel', at: AT, sub: { cap: { ...DAY_CAP, channel: 'sms' } }, history: [['news', 'sms', '2026-05-01T09:00:00Z']], want: ['ok', null] },
    { name: 'a channel cap counts its channel', at: AT, channel: 'sms', sub: { cap: { ...DAY_CAP, channel: 'sms' } }, history: [['offers', 'sms', '2026-05-01T09:00:00Z']], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'a channel cap ignores dispatches on other channels', at: AT, channel: 'sms', sub: { cap: { ...DAY_CAP, channel: 'sms' } }, history: [['news', 'email', '2026-05-01T09:00:00Z']], want: ['ok', null] },
    { name: 'a topic channel cap ignores the topic\'s other channels', at: AT, sub: { topics: { news: { cap: { ...DAY_CAP, channel: 'email' } } } }, history: [['news', 'sms', '2026-05-01T09:00:00Z']], want: ['ok', null] },
    { name: 'dispatches of required topics never count', at: AT, sub: { cap: DAY_CAP }, history: [['receipts', 'email', '2026-05-01T09:00:00Z']], required: ['receipts'], want: ['ok', null] },
    { name: 'the same dispatch counts when its topic is not required', at: AT, sub: { cap: DAY_CAP }, history: [['receipts', 'email', '2026-05-01T09:00:00Z']], required: [], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'a required topic is allowed over a full cap', at: AT, topic: { required: true }, sub: { cap: DAY_CAP }, history: [news('2026-05-01T09:00:00Z')], want: ['required', null] },
    { name: 'a topic cap counts no dispatch of a topic listed as required', at: AT, sub: { topics: { news: { cap: DAY_CAP } } }, history: [news('2026-05-01T09:00:00Z')], required: ['news'], want: ['ok', null] },
    { name: 'a topic cap counts its topic when another topic is required', at: AT, sub: { topics: { news: { cap: DAY_CAP } } }, history: [news('2026-05-01T09:00:00Z')], required: ['receipts'], want: ['frequency_cap', '2026-05-02T09:00:00.000Z'] },
    { name: 'the global cap skips required topics beside a topic cap', at: AT, sub: { cap: { max: 2, per: 'day' }, topics: { news: { cap: { max: 2, per: 'day' } } } }, history: [['receipts', 'email', '2026-05-01T08:00:00Z'], news('2026-05-01T09:00:00Z')], required: ['receipts'], want: ['ok', null] },
  ])
})

describe('decide: retryAt with every time constraint together', () => {
  const night = { start: '22:00', end: '08:00' }
  run([
    { name: 'a cap freeing inside quiet hours retries when they end', at: '2026-05-02T09:00:00Z', sub: { quietHours: night, cap: DAY_CAP }, history: [['news', 'email', '2026-05-01T23:00:00Z']], want: ['frequency_cap', '2026-05-03T08:00:00.000Z'] },
    { name: 'quiet hours ending while a cap is still full retry when the cap frees', at: '2026-05-01T23:00:00Z', sub: { quietHours: night, cap: DAY_CAP }, history: [['news', 'email', '2026-05-01T10:00:00Z']], want: ['quiet_hours', '2026-05-02T10:00:00.000Z'] },
    { name: 'a pause ending while a cap is full retries when the cap frees', at: '2026-05-01T09:00:00Z', sub: { pausedUntil: '2026-05-01T12:00:00Z', cap: DAY_CAP }, history: [['news', 'email', '2026-04-30T20:00:00Z']], want: ['paused', '2026-05-01T20:00:00.000Z'] },
    {
      name: 'pause, then quiet hours, then a cap freeing in the next night: retries the morning after',
      at: '2026-05-01T06:00:00Z',
      sub: { pausedUntil: '2026-05-01T07:00:00Z', quietHours: night, cap: DAY_CAP },
      history: [['news', 'email', '2026-04-30T23:00:00Z']],
      want: ['paused', '2026-05-02T08:00:00.000Z'],
    },
    {
      name: 'New York fall-back: a cap freeing at 23:00 EST retries at 08:00 EST next morning',
      at: '2026-11-01T14:00:00Z',
      sub: { timezone: 'America/New_York', quietHours: night, cap: DAY_CAP },
      history: [['news', 'email', '2026-11-01T04:00:00Z']],
      want: ['frequency_cap', '2026-11-02T13:00:00.000Z'],
    },
  ])
})

describe('decide: output', () => {
  test('echoes subscriber, topic and channel and matches the decision schema', () => {
    const decision = decide(inputOf({ name: '', at: AT, channel: 'sms', sub: { pausedUntil: LATER }, want: ['paused', null] }))
    assert.deepEqual(decisionSchema.parse(decision), {
      allowed: false,
      reason: 'paused',
      retryAt: '2026-05-03T12:00:00.000Z',
      subscriberId: 'sub-1',
      topic: 'news',
      channel: 'sms',
    })
  })

  test('retryAt is the first allowed instant: allowed there, refused 1 ms before (randomised)', () => {
    let seed = 42
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648)
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    const clock = (): string => `${String(Math.floor(random() * 24)).padStart(2, '0')}:${pick(['00', '15', '30', '45'])}`
    const zones = ['America/New_York', 'Europe/Tallinn', 'Asia/Kolkata', 'UTC', 'Australia/Lord_Howe']
    const base = ms('2026-03-06T00:00:00Z')
    let refused = 0
    for (let i = 0; i < 2000; i++) {
      const at = base + Math.floor(random() * 240) * 3_600_000 + (random() < 0.5 ? 0 : Math.floor(random() * 3_600_000))
      const history = Array.from({ length: Math.floor(random() * 6) }, () => ({
        topic: pick(['news', 'offers', 'receipts']),
        channel: pick(['email', 'sms']),
        at: at - Math.floor(random() * 10 * 86_400_000) + 86_400_000,
      }))
      let start = clock()
      const end = clock()
      const days = random() < 0.5 ? undefined : [0, 1, 2, 3, 4, 5, 6].filter(() => random() < 0.5)
      if (start === end && (days === undefined || days.length === 7)) start = '00:00'
      const input: DecideInput = {
        subscriberId: 's',
        topicKey: 'news',
        channel: pick(['email', 'sms']),
        at,
        subscriber: {
          id: 's',
          status: 'subscribed',
          timezone: pick(zones),
          channels: {},
          topics: random() < 0.5 ? {} : { news: { cap: { max: 1 + Math.floor(random() * 2), per: pick(['day', 'week'] as const) } } },
          cap: random() < 0.5 ? null : { max: 1 + Math.floor(random() * 3), per: pick(['day', 'week', 'month'] as const), ...(random() < 0.3 ? { channel: 'email' } : {}) },
          quietHours: random() < 0.3 ? null : { start, end: start === end && days === undefined ? '23:00' : end, ...(days === undefined ? {} : { days }) },
          pausedUntil: random() < 0.7 ? null : at + Math.floor(random() * 3 * 86_400_000),
        },
        topic: { key: 'news', channels: ['email', 'sms'], defaultSubscribed: true, required: false },
        defaultTimezone: 'UTC',
        history,
        requiredTopics: new Set(['receipts']),
      }
      const decision = decide(input)
      if (decision.allowed) {
        assert.equal(decision.retryAt, null)
        continue
      }
      refused++
      const retry = ms(decision.retryAt!)
      assert.ok(retry > at, `retryAt after at: ${JSON.stringify(input)}`)
      assert.equal(decide({ ...input, at: retry }).reason, 'ok', `allowed at retryAt: ${JSON.stringify(input)}`)
      assert.notEqual(decide({ ...input, at: retry - 1 }).reason, 'ok', `refused 1 ms before: ${JSON.stringify(input)}`)
    }
    assert.ok(refused > 500, `enough refusals exercised (${refused})`)
  })
})
