/** POST /v1/dispatches: check-and-reserve, idempotency by messageId, enforce: false. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertInstant, assertProblem, DAY, HOUR, iso, MINUTE, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'

const T = Date.parse('2026-05-04T12:00:00Z')

describe('POST /v1/dispatches', () => {
  let h: Harness
  const dispatch = (body: Record<string, unknown>, key?: string) => h.req('POST', '/v1/dispatches', body, key === undefined ? {} : { key })
  const check = async (subscriberId: string, at: number, topic = 'news') => {
    const res = await h.req('POST', '/v1/check', { subscriberId, topic, at: iso(at) })
    assert.equal(res.status, 200, res.text)
    return res.body
  }
  const subscriber = async (patch: Record<string, unknown>) => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, ...patch })
    return id
  }

  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('an allowed dispatch is recorded: 201 {recorded: true, decision}', async () => {
    const id = await subscriber({})
    const res = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) })
    assert.equal(res.status, 201, res.text)
    assert.deepEqual(res.body, {
      recorded: true,
      decision: { allowed: true, reason: 'ok', retryAt: null, subscriberId: id, topic: 'news', channel: 'email' },
    })
  })

  test('a refused dispatch: 200 {recorded: false, decision} with the reason and retryAt', async () => {
    const id = await subscriber({ pausedUntil: iso(T + DAY) })
    const res = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.recorded, false)
    assert.equal(res.body.decision.allowed, false)
    assert.equal(res.body.decision.reason, 'paused')
    assertInstant(res.body.decision.retryAt, T + DAY)
  })

  test('a dispatch records toward the cap: the next one is refused with frequency_cap', async () => {
    const id = await subscriber({ cap: { max: 1, per: 'day' } })
    assert.equal((await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) })).status, 201)
    const second = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T + MINUTE) })
    assert.equal(second.status, 200)
    assert.equal(second.body.recorded, false)
    assert.equal(second.body.decision.reason, 'frequency_cap')
    assertInstant(second.body.decision.retryAt, T + DAY)
  })

  test('without `at`, the dispatch is dated at the server clock', async () => {
    const id = await subscriber({ cap: { max: 1, per: 'day' } })
    assert.equal((await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-') })).status, 201)
    const d = await check(id, T0 + HOUR)
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T0 + DAY)
  })

  test('a repeated messageId returns the first outcome, same body, and is not counted twice', async () => {
    const id = await subscriber({ cap: { max: 2, per: 'day' } })
    const body = { subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) }
    const first = await dispatch(body)
    assert.equal(first.status, 201, first.text)
    const again = await dispatch(body)
    assert.equal(again.status, first.status)
    assert.deepEqual(again.body, first.body)
    // A cap of 2 still has room after one message sent twice.
    assert.equal((await check(id, T + MINUTE)).reason, 'ok')
    const other = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T + MINUTE) })
    assert.equal(other.status, 201, 'the second distinct message fits')
    assert.equal((await check(id, T + 2 * MINUTE)).reason, 'frequency_cap', 'and now the cap is full')
  })

  test('a repeated messageId returns the first outcome even when things changed since', async () => {
    const id = await subscriber({})
    const body = { subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) }
    const first = await dispatch(body)
    assert.equal(first.status, 201)
    await putSubscriber(h, id, { status: 'unsubscribed' })
    const again = await dispatch(body)
    assert.equal(again.status, 201)
    assert.deepEqual(again.body, first.body, 'the replay says what happened then')
  })

  test('a repeated messageId with a later `at` is still the first dispatch', async () => {
    const id = await subscriber({ cap: { max: 1, per: 'day' } })
    const messageId = uid('m-')
    assert.equal((await dispatch({ subscriberId: id, topic: 'news', messageId, at: iso(T) })).status, 201)
    const again = await dispatch({ subscriberId: id, topic: 'news', messageId, at: iso(T + HOUR) })
    assert.equal(again.status, 201)
    assert.equal(again.body.recorded, true)
    const d = await check(id, T + 2 * HOUR)
    assertInstant(d.retryAt, T + DAY, 'the cap still counts the first instant only')
  })

  test('the same messageId for another subscriber gets 409 and records nothing', async () => {
    const a = await subscriber({})
    const b = await subscriber({ cap: { max: 1, per: 'day' } })
    const messageId = uid('m-')
    assert.equal((await dispatch({ subscriberId: a, topic: 'news', messageId, at: iso(T) })).status, 201)
    const res = await dispatch({ subscriberId: b, topic: 'news', messageId, at: iso(T) })
    assertProblem(res, 409)
    assert.equal((await check(b, T + MINUTE)).reason, 'ok', "b's cap has room")
  })

  test('the same messageId for another topic or channel gets 409', async () => {
    const a = await subscriber({ topics: { news: { subscribed: true }, promo: { subscribed: true } } })
    const messageId = uid('m-')
    assert.equal((await dispatch({ subscriberId: a, topic: 'news', messageId, at: iso(T) })).status, 201)
    assertProblem(await dispatch({ subscriberId: a, topic: 'promo', messageId, at: iso(T) }), 409)
    assertProblem(await dispatch({ subscriberId: a, topic: 'news', channel: 'sms', messageId, at: iso(T) }), 409)
  })

  test('a refused attempt records nothing; the same messageId succeeds later once allowed', async () => {
    const id = await subscriber({ pausedUntil: iso(T + HOUR), cap: { max: 1, per: 'day' } })
    const messageId = uid('m-')
    const refused = await dispatch({ subscriberId: id, topic: 'news', messageId, at: iso(T) })
    assert.equal(refused.status, 200)
    assert.equal(refused.body.recorded, false)
    assert.equal(refused.body.decision.reason, 'paused')
    assert.equal((await check(id, T + HOUR)).reason, 'ok', 'the refused attempt does not count toward the cap')

    const later = await dispatch({ subscriberId: id, topic: 'news', messageId, at: iso(T + HOUR) })
    assert.equal(later.status, 201, later.text)
    assert.equal(later.body.recorded, true)
    assert.equal(later.body.decision.reason, 'ok')
    assert.equal((await check(id, T + 2 * HOUR)).reason, 'frequency_cap', 'now it counts')
  })

  test('a refused attempt does not reserve its messageId for another subscriber', async () => {
    const paused = await subscriber({ pausedUntil: iso(T + DAY) })
    const other = await subscriber({})
    const messageId = uid('m-')
    assert.equal((await dispatch({ subscriberId: paused, topic: 'news', messageId, at: iso(T) })).body.recorded, false)
    assert.equal((await dispatch({ subscriberId: other, topic: 'news', messageId, at: iso(T) })).status, 201)
  })

  test('enforce: false records even when refused, and then counts toward the cap', async () => {
    const id = await subscriber({ pausedUntil: iso(T + HOUR), cap: { max: 1, per: 'day' } })
    const res = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T), enforce: false })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.recorded, true)
    const d = await check(id, T + HOUR)
    assert.equal(d.reason, 'frequency_cap')
    assertInstant(d.retryAt, T + DAY)
  })

  test('enforce: false records for a topic the subscriber opted out of, and counts toward the global cap', async () => {
    const id = await subscriber({ topics: { news: { subscribed: true }, promo: { subscribed: false } }, cap: { max: 1, per: 'day' } })
    const res = await dispatch({ subscriberId: id, topic: 'promo', messageId: uid('m-'), at: iso(T), enforce: false })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.recorded, true)
    assert.equal((await check(id, T + MINUTE)).reason, 'frequency_cap')
  })

  test('enforce: false for a subscriber Heed does not know records nothing: 200 {recorded: false} with unknown_subscriber', async () => {
    const id = uid('ghost_')
    const messageId = uid('m-')
    const res = await dispatch({ subscriberId: id, topic: 'news', messageId, at: iso(T), enforce: false })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, {
      recorded: false,
      decision: { allowed: false, reason: 'unknown_subscriber', retryAt: null, subscriberId: id, topic: 'news', channel: 'email' },
    })
    // Nothing was kept under that messageId: once the subscriber exists, it records afresh.
    await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
    const again = await dispatch({ subscriberId: id, topic: 'news', messageId, at: iso(T), enforce: false })
    assert.equal(again.status, 201, again.text)
    assert.equal(again.body.decision.reason, 'ok')
  })

  test('enforce: false for an erased subscriber records nothing that could outlive the erasure', async () => {
    const id = await subscriber({ email: `${uid('gone')}@example.com` })
    assert.equal((await h.req('DELETE', `/v1/subscribers/${id}`)).status, 204)
    const res = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T), enforce: false })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.recorded, false)
    assert.equal(res.body.decision.reason, 'unknown_subscriber')
  })

  test('enforce: true is the default', async () => {
    // No enforce field at all: a refused dispatch must be refused, not recorded as enforce: false would.
    const id = await subscriber({ status: 'unsubscribed' })
    const body = { subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) }
    assert.ok(!('enforce' in body))
    const res = await dispatch(body)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.recorded, false)
    assert.equal(res.body.decision.reason, 'unsubscribed')
    const exported = await h.req('GET', `/v1/subscribers/${id}/export`)
    assert.deepEqual(exported.body.dispatches, [], 'nothing recorded')
  })

  test('a required topic is always recorded and never fills a cap', async () => {
    const id = await subscriber({ status: 'unsubscribed', cap: { max: 1, per: 'day' } })
    for (let i = 0; i < 3; i++) {
      const res = await dispatch({ subscriberId: id, topic: 'receipts', messageId: uid('m-'), at: iso(T + i * MINUTE) })
      assert.equal(res.status, 201, res.text)
      assert.equal(res.body.decision.reason, 'required')
    }
    await putSubscriber(h, id, { status: 'subscribed' })
    assert.equal((await check(id, T + HOUR)).reason, 'ok')
  })

  test('an unknown subscriber or topic is refused and records nothing', async () => {
    const a = await dispatch({ subscriberId: uid('nobody-'), topic: 'news', messageId: uid('m-'), at: iso(T) })
    assert.equal(a.status, 200)
    assert.deepEqual([a.body.recorded, a.body.decision.reason], [false, 'unknown_subscriber'])
    const id = await subscriber({})
    const b = await dispatch({ subscriberId: id, topic: 'no-such-topic', messageId: uid('m-'), at: iso(T) })
    assert.equal(b.status, 200)
    assert.deepEqual([b.body.recorded, b.body.decision.reason], [false, 'unknown_topic'])
  })

  test('a reserve dated a moment before an already recorded dispatch cannot overfill the cap', async () => {
    // What happens between API processes whose clocks (or request start times) differ by a few
    // ms: the later-dated dispatch is recorded first. Admitting the earlier one as well would
    // put two dispatches in the window ending at T+10 ms, over a cap of 1.
    const id = await subscriber({ cap: { max: 1, per: 'day' } })
    const later = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T + 10) })
    assert.equal(later.status, 201, later.text)
    const earlier = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) })
    assert.equal(earlier.status, 200, `the earlier-dated reserve must be refused: ${earlier.text}`)
    assert.equal(earlier.body.recorded, false)
    assert.equal(earlier.body.decision.reason, 'frequency_cap')
  })

  test('a sender key may record dispatches', async () => {
    const sender = await h.mintKey('sender')
    const id = await subscriber({})
    const res = await dispatch({ subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T) }, sender.secret)
    assert.equal(res.status, 201, res.text)
  })

  test('no messageId gets 400 naming /messageId', async () => {
    assertFieldError(await dispatch({ subscriberId: 'a', topic: 'news', at: iso(T) }), '/messageId')
  })

  test('an empty messageId or one over 255 characters gets 400 naming /messageId', async () => {
    assertFieldError(await dispatch({ subscriberId: 'a', topic: 'news', messageId: '' }), '/messageId')
    assertFieldError(await dispatch({ subscriberId: 'a', topic: 'news', messageId: 'm'.repeat(256) }), '/messageId')
  })

  test('enforce that is not a boolean gets 400 naming /enforce', async () => {
    assertFieldError(await dispatch({ subscriberId: 'a', topic: 'news', messageId: 'x', enforce: 'false' }), '/enforce')
  })

  test('a bad `at` gets 400 naming /at', async () => {
    assertFieldError(await dispatch({ subscriberId: 'a', topic: 'news', messageId: 'x', at: 'now' }), '/at')
  })
})

describe('POST /v1/dispatches under concurrency', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('50 concurrent reserves against a cap of 3 record exactly 3', async () => {
    await putSubscriber(h, 'race', { topics: { news: { subscribed: true } }, cap: { max: 3, per: 'day' } })
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.req('POST', '/v1/dispatches', { subscriberId: 'race', topic: 'news', messageId: `race-${i}`, at: iso(T) }),
      ),
    )
    const statuses = results.map((r) => r.status)
    assert.equal(statuses.filter((s) => s === 201).length, 3, `201s: ${statuses.join(',')}`)
    assert.equal(statuses.filter((s) => s === 200).length, 47)
    for (const r of results.filter((r) => r.status === 200)) {
      assert.equal(r.body.recorded, false)
      assert.equal(r.body.decision.reason, 'frequency_cap')
    }
    const after = await h.req('POST', '/v1/check', { subscriberId: 'race', topic: 'news', at: iso(T + 1) })
    assert.equal(after.body.reason, 'frequency_cap')
  })

  test('concurrent reserves count each other as recorded in order: required topics never, enforce: false always', async () => {
    await putSubscriber(h, 'mix-race', { topics: { news: { subscribed: true } }, cap: { max: 2, per: 'day' } })
    const send = (i: number, topic: string, extra: Record<string, unknown> = {}) =>
      h.req('POST', '/v1/dispatches', { subscriberId: 'mix-race', topic, messageId: `mix-race-${i}`, at: iso(T), ...extra })
    // One unenforced news dispatch, then 5 receipts (required) interleaved with 10 news.
    const results = await Promise.all([
      send(0, 'news', { enforce: false }),
      ...Array.from({ length: 15 }, (_, i) => send(i + 1, i % 3 === 0 ? 'receipts' : 'news')),
    ])
    const receipts = results.filter((_, i) => i > 0 && (i - 1) % 3 === 0)
    const news = results.filter((_, i) => i > 0 && (i - 1) % 3 !== 0)
    assert.equal(results[0]!.status, 201, results[0]!.text)
    assert.deepEqual(receipts.map((r) => r.status), [201, 201, 201, 201, 201], 'required topics bypass the cap')
    assert.equal(news.filter((r) => r.status === 201).length, 1, `the unenforced dispatch took one of 2: ${news.map((r) => r.status).join(',')}`)
    const exported = await h.req('GET', '/v1/subscribers/mix-race/export')
    assert.equal(exported.body.dispatches.length, 7)
  })

  test('concurrent reserves settle one by one: a messageId reused for another subscriber is 409 while the others record', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `mixed-${i}`)
    for (const id of ids) await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
    const results = await Promise.all(
      ids.map((id, i) => h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: i % 5 === 4 ? 'mixed-shared' : `mixed-own-${i}`, at: iso(T) })),
    )
    const statuses = results.map((r) => r.status)
    assert.equal(statuses.filter((s) => s === 201).length, 17, statuses.join(','))
    assert.equal(statuses.filter((s) => s === 409).length, 3, statuses.join(','))
    for (const r of results.filter((r) => r.status === 409)) assertProblem(r, 409)
    for (const [i, id] of ids.entries()) {
      const exported = await h.req('GET', `/v1/subscribers/${id}/export`)
      assert.equal(exported.body.dispatches.length, results[i]!.status === 201 ? 1 : 0, `${id}: ${exported.text}`)
    }
  })

  test('50 concurrent repeats of one messageId record it once', async () => {
    await putSubscriber(h, 'repeat', { topics: { news: { subscribed: true } }, cap: { max: 2, per: 'day' } })
    const body = { subscriberId: 'repeat', topic: 'news', messageId: 'same-message', at: iso(T) }
    const results = await Promise.all(Array.from({ length: 50 }, () => h.req('POST', '/v1/dispatches', body)))
    for (const r of results) {
      assert.equal(r.status, 201, r.text)
      assert.deepEqual(r.body, results[0]!.body)
    }
    const d = await h.req('POST', '/v1/check', { subscriberId: 'repeat', topic: 'news', at: iso(T + MINUTE) })
    assert.equal(d.body.reason, 'ok', 'a cap of 2 has room: the message counted once')
  })
})
