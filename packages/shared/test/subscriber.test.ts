import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MePatch } from '../src/schemas.ts'
import {
  applyPatch,
  channelOn,
  defaultPreferences,
  lessInstead,
  ONE_A_WEEK,
  PAUSE_MONTH_MS,
  PAUSE_WEEK_MS,
  pauseFor,
  topicCap,
  topicChannelOn,
  topicOn,
  type Preferences,
} from '../src/subscriber.ts'
import { DAY_MS } from '../src/time.ts'

const blank: Preferences<number> = defaultPreferences()
const patch = (current: Preferences<number>, p: MePatch) => applyPatch(current, p, Date.parse)
const topic = (key: string, more: Partial<{ channels: string[]; defaultSubscribed: boolean; required: boolean }> = {}) => ({
  key,
  channels: ['email', 'sms'],
  defaultSubscribed: false,
  required: false,
  ...more,
})

describe('applyPatch', () => {
  test('a patch that leaves a topic\'s channels out keeps them', () => {
    const before = { ...blank, topics: { sales: { subscribed: true, channels: { sms: false } } } }
    const after = patch(before, { topics: { sales: { cap: { max: 2, per: 'week' } } } })
    assert.deepEqual(after.topics.sales, { subscribed: true, channels: { sms: false }, cap: { max: 2, per: 'week' } })
  })

  test('channel switches merge: one turned on leaves another turned off', () => {
    const before = { ...blank, channels: { email: false }, topics: { sales: { channels: { sms: false } } } }
    const after = patch(before, { channels: { sms: true }, topics: { sales: { channels: { email: true } } } })
    assert.deepEqual(after.channels, { email: false, sms: true })
    assert.deepEqual(after.topics.sales, { channels: { sms: false, email: true } })
  })

  test('fields left out stay; null clears', () => {
    const before = { ...blank, locale: 'et', cap: { max: 1, per: 'day' as const }, quietHours: { start: '22:00', end: '08:00' }, pausedUntil: 5 }
    const kept = patch(before, { status: 'unsubscribed' })
    assert.equal(kept.locale, 'et')
    assert.deepEqual(kept.cap, { max: 1, per: 'day' })
    assert.deepEqual(kept.quietHours, { start: '22:00', end: '08:00' })
    assert.equal(kept.pausedUntil, 5)
    assert.equal(kept.status, 'unsubscribed')
    const cleared = patch(before, { locale: null, cap: null, quietHours: null, pausedUntil: null })
    assert.deepEqual([cleared.locale, cleared.cap, cleared.quietHours, cleared.pausedUntil], [null, null, null, null])
  })

  test('a topic set to null, or left with nothing of its own, goes back to the topic default', () => {
    const before = { ...blank, topics: { sales: { subscribed: true }, news: { cap: { max: 1, per: 'week' as const } } } }
    const after = patch(before, { topics: { sales: null, news: { cap: null } } })
    assert.deepEqual(after.topics, {})
    assert.equal(topicOn(after, topic('sales', { defaultSubscribed: true })), true)
  })

  test('the pause instant is held the caller\'s way: epoch ms here, ISO in the widget', () => {
    assert.equal(patch(blank, { pausedUntil: '2030-01-01T00:00:00+02:00' }).pausedUntil, Date.parse('2029-12-31T22:00:00Z'))
    const view = applyPatch({ ...blank, pausedUntil: null as string | null }, { pausedUntil: '2030-01-01T00:00:00+02:00' }, (iso) => new Date(iso).toISOString())
    assert.equal(view.pausedUntil, '2029-12-31T22:00:00.000Z')
  })

  test('the state patched is left as it was', () => {
    const before = { ...blank, topics: { sales: { subscribed: true, channels: { sms: false } } } }
    patch(before, { channels: { email: false }, topics: { sales: { channels: { sms: true } } } })
    assert.deepEqual(before, { ...blank, topics: { sales: { subscribed: true, channels: { sms: false } } } })
  })

  test('a topic key such as "constructor" is data, not an inherited property', () => {
    const after = patch(blank, { topics: { constructor: { subscribed: true } } })
    assert.deepEqual(after.topics.constructor, { subscribed: true })
  })
})

describe('pause and "send me less" presets', () => {
  const at = Date.parse('2026-05-01T09:30:00Z')

  test('pause a month ends 30 days later, whatever the calendar month', () => {
    assert.deepEqual(pauseFor(PAUSE_MONTH_MS, at), { pausedUntil: '2026-05-31T09:30:00.000Z' })
    assert.equal(PAUSE_MONTH_MS, 30 * DAY_MS)
  })

  test('pause a week ends 7 days later', () => {
    assert.deepEqual(pauseFor(PAUSE_WEEK_MS, at), { pausedUntil: '2026-05-08T09:30:00.000Z' })
  })

  test('"send me less" instead of leaving resubscribes with the pause or at most one a week', () => {
    const left = { ...blank, status: 'unsubscribed' as const }
    const paused = patch(left, lessInstead(pauseFor(PAUSE_MONTH_MS, at)))
    assert.equal(paused.status, 'subscribed')
    assert.equal(paused.pausedUntil, at + 30 * DAY_MS)
    const weekly = patch(left, lessInstead(ONE_A_WEEK))
    assert.equal(weekly.status, 'subscribed')
    assert.deepEqual(weekly.cap, { max: 1, per: 'week' })
  })
})

describe('views of the state', () => {
  test('required topics are always on; others follow the choice, else the default', () => {
    assert.equal(topicOn(blank, topic('a')), false)
    assert.equal(topicOn(blank, topic('a', { defaultSubscribed: true })), true)
    assert.equal(topicOn({ ...blank, topics: { a: { subscribed: false } } }, topic('a', { required: true })), true)
  })

  test('channels are on unless switched off; a topic is off on a channel it does not use', () => {
    assert.equal(channelOn(blank, 'sms'), true)
    assert.equal(channelOn({ ...blank, channels: { sms: false } }, 'sms'), false)
    assert.equal(topicChannelOn(blank, topic('a', { channels: ['email'] }), 'sms'), false)
    assert.equal(topicChannelOn({ ...blank, topics: { a: { channels: { sms: false } } } }, topic('a'), 'sms'), false)
    assert.equal(topicChannelOn(blank, topic('a'), 'sms'), true)
  })

  test('a topic\'s own cap, or none', () => {
    assert.equal(topicCap(blank, topic('a')), null)
    assert.deepEqual(topicCap({ ...blank, topics: { a: { cap: { max: 3, per: 'month' } } } }, topic('a')), { max: 3, per: 'month' })
  })
})
