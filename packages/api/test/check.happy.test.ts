/**
 * POST /v1/check: every reason of SPEC F1 through HTTP, with `at` given so that each answer
 * is deterministic.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, DAY, HOUR, iso, MINUTE, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'

/** Monday 2026-05-04 12:00 UTC. */
const T = Date.parse('2026-05-04T12:00:00Z')

describe('POST /v1/check: decisions', () => {
  let h: Harness

  const check = async (body: Record<string, unknown>) => {
    const res = await h.req('POST', '/v1/check', body)
    assert.equal(res.status, 200, res.text)
    return res.body
  }
  /** A dispatch recorded at `at` (enforced: asserts that it was allowed). */
  const sent = async (subscriberId: string, topic: string, at: number, channel = 'email') => {
    const res = await h.req('POST', '/v1/dispatches', { subscriberId, topic, channel, messageId: uid('msg-'), at: iso(at) })
    assert.equal(res.status, 201, `dispatch at ${iso(at)}: ${res.text}`)
  }
  const subscriber = async (patch: Record<string, unknown>) => {
    const id = uid('cust_')
    await putSubscriber(h, id, patch)
    return id
  }

  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('the answer names the subscriber, topic and channel; channel defaults to email', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.deepEqual(d, { allowed: true, reason: 'ok', retryAt: null, subscriberId: id, topic: 'news', channel: 'email' })
    const sms = await check({ subscriberId: id, topic: 'news', channel: 'sms', at: iso(T) })
    assert.equal(sms.channel, 'sms')
    assert.equal(sms.reason, 'ok')
  })

  test('unknown_subscriber: no record means no consent', async () => {
    const d = await check({ subscriberId: 'never-seen', topic: 'news', at: iso(T) })
    assert.deepEqual(d, { allowed: false, reason: 'unknown_subscriber', retryAt: null, subscriberId: 'never-seen', topic: 'news', channel: 'email' })
  })

  test('unknown_subscriber comes before unknown_topic', async () => {
    const d = await check({ subscriberId: 'never-seen', topic: 'no-such-topic', at: iso(T) })
    assert.equal(d.reason, 'unknown_subscriber')
  })

  test('unknown_topic', async () => {
    const id = await subscriber({})
    const d = await check({ subscriberId: id, topic: 'no-such-topic', at: iso(T) })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'unknown_topic')
    assert.equal(d.retryAt, null)
  })

  test('required: allowed even when unsubscribed, channel off, paused, in quiet hours and over the cap', async () => {
    const id = await subscriber({
      status: 'unsubscribed',
      channels: { email: false },
      pausedUntil: iso(T + 7 * DAY),
      quietHours: { start: '00:00', end: '23:59' },
      cap: { max: 1, per: 'day' },
    })
    const forced = await h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: uid('msg-'), at: iso(T - HOUR), enforce: false })
    assert.equal(forced.status, 201, forced.text)
    const d = await check({ subscriberId: id, topic: 'receipts', at: iso(T) })
    assert.deepEqual(d, { allowed: true, reason: 'required', retryAt: null, subscriberId: id, topic: 'receipts', channel: 'email' })
  })

  test('unsubscribed', async () => {
    const id = await subscriber({ status: 'unsubscribed', topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'unsubscribed')
    assert.equal(d.retryAt, null)
  })

  test('unsubscribed comes before channel_opted_out and topic_opted_out', async () => {
    const id = await subscriber({ status: 'unsubscribed', channels: { email: false } })
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'unsubscribed')
  })

  test('channel_opted_out: the channel is off globally', async () => {
    const id = await subscriber({ channels: { sms: false }, topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', channel: 'sms', at: iso(T) })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'channel_opted_out')
    assert.equal(d.retryAt, null)
    assert.equal((await check({ subscriberId: id, topic: 'news', channel: 'email', at: iso(T) })).reason, 'ok')
  })

  test('channel_opted_out: the channel is off for this topic only', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true, channels: { sms: false } }, promo: { subscribed: true } } })
    assert.equal((await check({ subscriberId: id, topic: 'news', channel: 'sms', at: iso(T) })).reason, 'channel_opted_out')
    assert.equal((await check({ subscriberId: id, topic: 'news', channel: 'email', at: iso(T) })).reason, 'ok')
  })

  test('channel_opted_out: the channel is not one of the topic', async () => {
    const id = await subscriber({ topics: { promo: { subscribed: true } } })
    assert.equal((await check({ subscriberId: id, topic: 'promo', channel: 'sms', at: iso(T) })).reason, 'channel_opted_out')
    assert.equal((await check({ subscriberId: id, topic: 'promo', channel: 'push', at: iso(T) })).reason, 'channel_opted_out')
  })

  test('channel_opted_out comes before topic_opted_out', async () => {
    const id = await subscriber({ channels: { email: false } })
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'channel_opted_out')
  })

  test('topic_opted_out: a topic not chosen and not subscribed by default', async () => {
    const id = await subscriber({})
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'topic_opted_out')
    assert.equal(d.retryAt, null)
  })

  test('topic_opted_out: a default-subscribed topic turned off; left alone it is ok', async () => {
    const off = await subscriber({ topics: { promo: { subscribed: false } } })
    assert.equal((await check({ subscriberId: off, topic: 'promo', at: iso(T) })).reason, 'topic_opted_out')
    const untouched = await subscriber({})
    assert.equal((await check({ subscriberId: untouched, topic: 'promo', at: iso(T) })).reason, 'ok')
  })

  test('paused: retryAt is the end of the pause', async () => {
    const until = T + 6 * DAY
    const id = await subscriber({ topics: { news: { subscribed: true } }, pausedUntil: iso(until) })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'paused')
    assertInstant(d.retryAt, until)
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(until) })).reason, 'ok', 'the pause ends at pausedUntil')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(until - 1) })).reason, 'paused')
  })

  test('topic_opted_out comes before paused', async () => {
    const id = await subscriber({ pausedUntil: iso(T + DAY) })
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'topic_opted_out')
  })

  test('quiet_hours: retryAt is the end of the quiet hours in the subscriber\'s zone', async () => {
    // 23:00 in New York (EDT, UTC−4) on Monday: quiet until 08:00 EDT = 12:00 UTC on Tuesday.
    const id = await subscriber({ timezone: 'America/New_York', quietHours: { start: '22:00', end: '08:00' }, topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', at: '2026-05-05T03:00:00Z' })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'quiet_hours')
    assertInstant(d.retryAt, '2026-05-05T12:00:00Z')
    // The same instant is 03:00 in the tenant's zone (UTC), also quiet there, but until 08:00 UTC:
    // getting 08:00Z would mean the tenant's zone was used.
  })

  test('quiet_hours: start is inside the window, end is outside', async () => {
    const id = await subscriber({ timezone: 'America/New_York', quietHours: { start: '22:00', end: '08:00' }, topics: { news: { subscribed: true } } })
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-05T02:00:00Z' })).reason, 'quiet_hours', '22:00 EDT')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-05T01:59:00Z' })).reason, 'ok', '21:59 EDT')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-05T12:00:00Z' })).reason, 'ok', '08:00 EDT')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-05T11:59:00Z' })).reason, 'quiet_hours', '07:59 EDT')
  })

  test("quiet_hours: a subscriber without a zone uses the tenant's default zone", async () => {
    const t = await h.createTenant({ defaultTimezone: 'Asia/Tokyo' })
    await putStandardTopics(t)
    await putSubscriber(t, 'tokyo', { quietHours: { start: '22:00', end: '08:00' }, topics: { news: { subscribed: true } } })
    // 14:00 UTC = 23:00 in Tokyo (UTC+9, no DST): quiet until 08:00 JST = 23:00 UTC.
    const res = await t.req('POST', '/v1/check', { subscriberId: 'tokyo', topic: 'news', at: '2026-05-04T14:00:00Z' })
    assert.equal(res.body.reason, 'quiet_hours')
    assertInstant(res.body.retryAt, '2026-05-04T23:00:00Z')
  })

  test('quiet_hours across a DST change end at the local time, not at a fixed offset', async () => {
    // New York springs forward on 2026-03-08 (EST −5 → EDT −4). 23:00 EST on the 7th is 04:00Z;
    // 08:00 EDT on the 8th is 12:00Z (not 13:00Z).
    const id = await subscriber({ timezone: 'America/New_York', quietHours: { start: '22:00', end: '08:00' }, topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', at: '2026-03-08T04:00:00Z' })
    assert.equal(d.reason, 'quiet_hours')
    assertInstant(d.retryAt, '2026-03-08T12:00:00Z')
  })

  test('quiet_hours across the autumn DST change end at the local time too', async () => {
    // New York falls back on 2026-11-01 (EDT −4 → EST −5). 23:00 EDT on Oct 31 is 03:00Z;
    // 08:00 EST on Nov 1 is 13:00Z (not 12:00Z).
    const id = await subscriber({ timezone: 'America/New_York', quietHours: { start: '22:00', end: '08:00' }, topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', at: '2026-11-01T03:00:00Z' })
    assert.equal(d.reason, 'quiet_hours')
    assertInstant(d.retryAt, '2026-11-01T13:00:00Z')
  })

  test('whole quiet days back to back retry after the last of them', async () => {
    // start == end with days: the whole day. Monday and Tuesday are quiet: retry Wednesday 00:00.
    const id = await subscriber({ timezone: 'UTC', quietHours: { start: '00:00', end: '00:00', days: [1, 2] }, topics: { news: { subscribed: true } } })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'quiet_hours')
    assertInstant(d.retryAt, '2026-05-06T00:00:00Z')
  })

  test('quiet_hours on chosen days count by the day the window starts', async () => {
    // Friday nights only (day 5), in UTC: Saturday 01:00 is still Friday's window; Saturday 23:00 is not.
    const id = await subscriber({ timezone: 'UTC', quietHours: { start: '22:00', end: '08:00', days: [5] }, topics: { news: { subscribed: true } } })
    const sat1 = await check({ subscriberId: id, topic: 'news', at: '2026-05-09T01:00:00Z' })
    assert.equal(sat1.reason, 'quiet_hours')
    assertInstant(sat1.retryAt, '2026-05-09T08:00:00Z')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-09T23:00:00Z' })).reason, 'ok')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-07T23:00:00Z' })).reason, 'ok', 'Thursday night')
  })

  test('a pause that ends inside quiet hours retries when the quiet hours end', async () => {
    const id = await subscriber({
      timezone: 'UTC',
      pausedUntil: '2026-05-10T23:00:00Z',
      quietHours: { start: '22:00', end: '08:00' },
      topics: { news: { subscribed: true } },
    })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'paused')
    assertInstant(d.retryAt, '2026-05-11T08:00:00Z')
  })

  test('frequency_cap: retryAt is the max-th most recent counting dispatch plus the window', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } } })
    await sent(id, 'news', T - 20 * HOUR)
    await sent(id, 'news', T - 10 * HOUR)
    await sent(id, 'promo', T - 2 * HOUR)
    await putSubscriber(h, id, { cap: { max: 2, per: 'day' } })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.allowed, false)
    assert.equal(d.reason, 'frequency_cap')
    // Three in the last day, max 2: room again when the 2nd most recent (T−10h) leaves the window.
    assertInstant(d.retryAt, T - 10 * HOUR + DAY)
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T + 14 * HOUR) })).reason, 'ok')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T + 14 * HOUR - 1) })).reason, 'frequency_cap')
  })

  test('frequency_cap: dispatches at the same instant leave the window together', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } } })
    for (let i = 0; i < 3; i++) await sent(id, 'news', T - 10 * HOUR)
    await putSubscriber(h, id, { cap: { max: 2, per: 'day' } })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T + 14 * HOUR)
  })

  test('frequency_cap per week and per month use windows of 7 and 30 days', async () => {
    const weekly = await subscriber({ topics: { news: { subscribed: true } } })
    await sent(weekly, 'news', T - 6 * DAY)
    await putSubscriber(h, weekly, { cap: { max: 1, per: 'week' } })
    const w = await check({ subscriberId: weekly, topic: 'news', at: iso(T) })
    assert.equal(w.reason, 'frequency_cap')
    assertInstant(w.retryAt, T + DAY)

    const monthly = await subscriber({ topics: { news: { subscribed: true } } })
    await sent(monthly, 'news', T - 29 * DAY)
    await sent(monthly, 'news', T - 1 * DAY)
    await putSubscriber(h, monthly, { cap: { max: 2, per: 'month' } })
    const m = await check({ subscriberId: monthly, topic: 'news', at: iso(T) })
    assert.equal(m.reason, 'frequency_cap')
    assertInstant(m.retryAt, T + DAY)
  })

  test('a dispatch exactly one window old no longer counts; one a millisecond younger does', async () => {
    const old = await subscriber({ topics: { news: { subscribed: true } } })
    await sent(old, 'news', T - DAY)
    await putSubscriber(h, old, { cap: { max: 1, per: 'day' } })
    assert.equal((await check({ subscriberId: old, topic: 'news', at: iso(T) })).reason, 'ok')

    const young = await subscriber({ topics: { news: { subscribed: true } } })
    await sent(young, 'news', T - DAY + 1)
    await putSubscriber(h, young, { cap: { max: 1, per: 'day' } })
    const d = await check({ subscriberId: young, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T + 1)
  })

  test('a topic cap counts that topic only', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true, cap: { max: 1, per: 'week' } } } })
    await sent(id, 'promo', T - HOUR)
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'ok', 'promo does not count for news')
    await sent(id, 'news', T - 3 * DAY)
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T + 4 * DAY)
    assert.equal((await check({ subscriberId: id, topic: 'promo', at: iso(T) })).reason, 'ok', 'the news cap does not hold promo back')
  })

  test('a cap with a channel counts that channel only', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day', channel: 'sms' } })
    await sent(id, 'news', T - 2 * HOUR, 'email')
    await sent(id, 'news', T - 90 * MINUTE, 'email')
    assert.equal((await check({ subscriberId: id, topic: 'news', channel: 'sms', at: iso(T) })).reason, 'ok')
    await sent(id, 'news', T - HOUR, 'sms')
    const d = await check({ subscriberId: id, topic: 'news', channel: 'sms', at: iso(T) })
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T - HOUR + DAY)
    assert.equal((await check({ subscriberId: id, topic: 'news', channel: 'email', at: iso(T) })).reason, 'ok')
  })

  test('dispatches of required topics never count toward a cap', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    await sent(id, 'receipts', T - 2 * HOUR)
    await sent(id, 'receipts', T - HOUR)
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'ok')
  })

  test('a dispatch recorded less than a window after `at` counts: one more at `at` would overfill its window', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    await sent(id, 'news', T + HOUR)
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T + HOUR + DAY)
  })

  test('a dispatch recorded a full window after `at` does not count at `at`', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    await sent(id, 'news', T + DAY)
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'ok')
  })

  test('paused with a full cap retries when both allow it', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } } })
    await sent(id, 'news', T - HOUR)
    await putSubscriber(h, id, { cap: { max: 1, per: 'day' }, pausedUntil: iso(T + 2 * HOUR) })
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'paused')
    assertInstant(d.retryAt, T - HOUR + DAY)
  })

  test('quiet hours with a full cap: a cap that frees up inside quiet hours retries when they end', async () => {
    const id = await subscriber({ timezone: 'UTC', topics: { news: { subscribed: true } } })
    await sent(id, 'news', Date.parse('2026-05-03T23:00:00Z'))
    await putSubscriber(h, id, { cap: { max: 1, per: 'day' }, quietHours: { start: '22:00', end: '08:00' } })
    // At 12:00 on the 4th the cap is full until 23:00, which is inside quiet hours until 08:00 on the 5th.
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, '2026-05-05T08:00:00Z')
  })

  test('ok', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 5, per: 'day' }, quietHours: { start: '22:00', end: '08:00' }, timezone: 'UTC' })
    await sent(id, 'news', T - HOUR)
    const d = await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.deepEqual(d, { allowed: true, reason: 'ok', retryAt: null, subscriberId: id, topic: 'news', channel: 'email' })
  })

  test('without `at`, the check is decided at the server clock', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, pausedUntil: iso(T0 + HOUR) })
    const d = await check({ subscriberId: id, topic: 'news' })
    assert.equal(d.reason, 'paused')
    assertInstant(d.retryAt, T0 + HOUR)
  })

  test('`at` with an offset is the same instant as in UTC', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, pausedUntil: '2026-05-04T12:00:00Z' })
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-04T14:59:59+03:00' })).reason, 'paused')
    assert.equal((await check({ subscriberId: id, topic: 'news', at: '2026-05-04T15:00:00+03:00' })).reason, 'ok')
  })

  test('a check changes nothing: a hundred checks do not fill a cap of one', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    for (let i = 0; i < 100; i++) await check({ subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal((await check({ subscriberId: id, topic: 'news', at: iso(T) })).reason, 'ok')
  })

  test('checks sent at once get the answers they get one by one, whatever their subscribers, topics and instants', async () => {
    const capped = await subscriber({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'week' } })
    await sent(capped, 'news', T - 2 * DAY)
    const paused = await subscriber({ topics: { news: { subscribed: true } }, pausedUntil: iso(T + DAY) })
    const out = await subscriber({ status: 'unsubscribed' })
    const open = await subscriber({ topics: { news: { subscribed: true }, promo: { subscribed: false } } })
    const bodies = [capped, paused, out, open, 'never-seen'].flatMap((subscriberId) =>
      ['news', 'promo', 'receipts', 'no-such-topic'].flatMap((topic) =>
        // Instants 29 days apart: the capped subscriber's dispatch counts at T only.
        [T, T + 29 * DAY].map((at) => ({ subscriberId, topic, at: iso(at) })),
      ),
    )
    const oneByOne = []
    for (const body of bodies) oneByOne.push(await check(body))
    const together = await Promise.all(bodies.map(check))
    assert.deepEqual(together, oneByOne)
    assert.equal(oneByOne[0].reason, 'frequency_cap')
    assert.equal(oneByOne[1].reason, 'ok')
  })
})
