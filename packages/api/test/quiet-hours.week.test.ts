/**
 * Quiet hours on all seven days, given as an explicit list (README: "Quiet hours that cover the
 * whole week are refused"; `days` missing means every day). `start == end` with the seven
 * days listed is the whole week, refused like the same without `days`; with `start != end`
 * the list changes nothing: every decision is the one without `days`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, iso, putStandardTopics, putSubscriber, setup, type Harness } from './harness.ts'
import { asSubscriber, subscriberWithLink } from './links-helpers.ts'

const WEEK = [0, 1, 2, 3, 4, 5, 6]
const HALF_HOUR = 30 * 60_000

describe('quiet hours on an explicit list of all seven days', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('start == end with days [0..6] (in any order) is refused like start == end without days: 400 naming /quietHours/end, nothing written', async () => {
    const without = assertFieldError(await h.req('PUT', '/v1/subscribers/week-none', { quietHours: { start: '22:00', end: '22:00' } }), '/quietHours/end')
    const detail = without.errors.find((e: { pointer: string }) => e.pointer === '/quietHours/end').detail
    for (const days of [WEEK, [6, 5, 4, 3, 2, 1, 0], [3, 0, 6, 1, 5, 2, 4]]) {
      for (const time of ['22:00', '00:00']) {
        const res = await h.req('PUT', '/v1/subscribers/week-all', { quietHours: { start: time, end: time, days } })
        const body = assertFieldError(res, '/quietHours/end', `days ${days.join(',')} from ${time}:`)
        assert.equal(body.errors.find((e: { pointer: string }) => e.pointer === '/quietHours/end').detail, detail, 'the same reason as without days')
      }
    }
    assert.equal((await h.req('GET', '/v1/subscribers/week-all')).status, 404, 'nothing was created')
    // Six days of it are fine: a whole quiet day a week is left out.
    assert.equal((await h.req('PUT', '/v1/subscribers/week-six', { quietHours: { start: '00:00', end: '00:00', days: [1, 2, 3, 4, 5, 6] } })).status, 201)
  })

  test('the subscriber API refuses it the same way: PATCH /v1/me with the whole week is a 400 and changes nothing', async () => {
    const link = await subscriberWithLink(h, 'week-me', { quietHours: { start: '23:00', end: '06:00' } })
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { quietHours: { start: '00:00', end: '00:00', days: WEEK } })
    assertFieldError(res, '/quietHours/end')
    const after = await h.req('GET', '/v1/subscribers/week-me')
    assert.deepEqual(after.body.quietHours, { start: '23:00', end: '06:00' })
  })

  test('start != end with days [0..6] decides exactly as without days, at every half hour of a week and a day', async () => {
    // Across midnight, in a zone with an offset, so the day a window starts on matters.
    const base = { timezone: 'America/New_York', topics: { news: { subscribed: true } } }
    await putSubscriber(h, 'week-listed', { ...base, quietHours: { start: '22:00', end: '07:30', days: WEEK } })
    await putSubscriber(h, 'week-implied', { ...base, quietHours: { start: '22:00', end: '07:30' } })
    const from = Date.parse('2026-05-04T00:00:00Z')
    let quiet = 0
    for (let at = from; at < from + 8 * 86_400_000; at += HALF_HOUR) {
      const res = await h.req('POST', '/v1/check/batch', {
        at: iso(at),
        checks: [
          { subscriberId: 'week-listed', topic: 'news' },
          { subscriberId: 'week-implied', topic: 'news' },
        ],
      })
      assert.equal(res.status, 200, res.text)
      const [listed, implied] = res.body.results
      assert.deepEqual({ ...listed, subscriberId: null }, { ...implied, subscriberId: null }, `at ${iso(at)}`)
      if (listed.reason === 'quiet_hours') quiet++
    }
    // 9.5 quiet hours a night, 19 half hours: every night of the week was quiet, none missed.
    assert.equal(quiet, 8 * 19, 'quiet half hours')
  })
})
