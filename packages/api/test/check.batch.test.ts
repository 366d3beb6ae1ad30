import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertInstant, assertProblem, HOUR, iso, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'

const T = Date.parse('2026-05-04T12:00:00Z')

describe('POST /v1/check/batch', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    await putSubscriber(h, 'ok-1', { topics: { news: { subscribed: true } } })
    await putSubscriber(h, 'gone', { status: 'unsubscribed' })
    await putSubscriber(h, 'paused', { topics: { news: { subscribed: true } }, pausedUntil: iso(T + 5 * HOUR) })
    await putSubscriber(h, 'no-sms', { channels: { sms: false }, topics: { news: { subscribed: true } } })
    await putSubscriber(h, 'capped', { topics: { news: { subscribed: true } } })
    const d = await h.req('POST', '/v1/dispatches', { subscriberId: 'capped', topic: 'news', messageId: 'batch-cap', at: iso(T - HOUR) })
    assert.equal(d.status, 201, d.text)
    await putSubscriber(h, 'capped', { cap: { max: 1, per: 'day' } })
  })
  after(() => h.close())

  const CHECKS = [
    { subscriberId: 'ok-1', topic: 'news' },
    { subscriberId: 'nobody', topic: 'news' },
    { subscriberId: 'gone', topic: 'promo' },
    { subscriberId: 'ok-1', topic: 'no-such-topic' },
    { subscriberId: 'paused', topic: 'news' },
    { subscriberId: 'no-sms', topic: 'news', channel: 'sms' },
    { subscriberId: 'ok-1', topic: 'receipts', channel: 'sms' },
    { subscriberId: 'capped', topic: 'news' },
    { subscriberId: 'ok-1', topic: 'promo' },
    { subscriberId: 'nobody', topic: 'no-such-topic' },
    { subscriberId: 'ok-1', topic: 'news' },
  ]
  const REASONS = [
    'ok',
    'unknown_subscriber',
    'unsubscribed',
    'unknown_topic',
    'paused',
    'channel_opted_out',
    'required',
    'frequency_cap',
    'ok',
    'unknown_subscriber',
    'ok',
  ]

  test('results come in input order, unknown subscribers and topics mixed in', async () => {
    const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks: CHECKS })
    assert.equal(res.status, 200, res.text)
    const { results } = res.body
    assert.equal(results.length, CHECKS.length)
    assert.deepEqual(results.map((r: any) => r.reason), REASONS)
    results.forEach((r: any, i: number) => {
      assert.equal(r.subscriberId, CHECKS[i]!.subscriberId, `#${i} subscriberId`)
      assert.equal(r.topic, CHECKS[i]!.topic, `#${i} topic`)
      assert.equal(r.channel, CHECKS[i]!.channel ?? 'email', `#${i} channel`)
      assert.equal(r.allowed, r.reason === 'ok' || r.reason === 'required', `#${i} allowed`)
    })
    assertInstant(results[4].retryAt, T + 5 * HOUR)
    assertInstant(results[7].retryAt, T - HOUR + 86_400_000)
  })

  test('each result equals the single check of the same item at the same instant', async () => {
    const batch = await h.req('POST', '/v1/check/batch', { at: iso(T), checks: CHECKS })
    for (const [i, item] of CHECKS.entries()) {
      const single = await h.req('POST', '/v1/check', { ...item, at: iso(T) })
      assert.deepEqual(batch.body.results[i], single.body, `#${i} ${JSON.stringify(item)}`)
    }
  })

  test('without `at`, every check is decided at the server clock', async () => {
    const res = await h.req('POST', '/v1/check/batch', { checks: [{ subscriberId: 'paused', topic: 'news' }] })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.results[0].reason, 'paused', 'T0 (10:00) is before the pause ends (17:00)')
  })

  test('a sender key may batch-check', async () => {
    const sender = await h.mintKey('sender')
    const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks: CHECKS.slice(0, 2) }, { key: sender.secret })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.results.length, 2)
  })

  test('10,000 checks are answered, in order', async () => {
    const checks = Array.from({ length: 10_000 }, (_, i) => ({ subscriberId: i % 3 === 0 ? 'ok-1' : `nobody-${i}`, topic: i % 5 === 0 ? 'promo' : 'news' }))
    const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks })
    assert.equal(res.status, 200, res.text.slice(0, 300))
    assert.equal(res.body.results.length, 10_000)
    res.body.results.forEach((r: any, i: number) => {
      assert.equal(r.subscriberId, checks[i]!.subscriberId)
      assert.equal(r.topic, checks[i]!.topic)
      assert.equal(r.reason, i % 3 === 0 ? 'ok' : 'unknown_subscriber')
    })
  })

  test('the answer says where its time went (Server-Timing): body, database read, decisions, total', async () => {
    const checks = Array.from({ length: 2_000 }, (_, i) => ({ subscriberId: i % 2 ? 'ok-1' : `nobody-${i}`, topic: 'news' }))
    const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks })
    assert.equal(res.status, 200, res.text.slice(0, 300))
    const header = res.headers.get('server-timing')
    assert.ok(header, 'a Server-Timing header')
    const ms: Record<string, number> = Object.fromEntries(header.split(',').map((metric) => [metric.trim().split(';')[0], Number(metric.match(/;dur=([\d.]+)/)?.[1])]))
    assert.deepEqual(Object.keys(ms), ['body', 'read', 'decide', 'total'])
    for (const [name, value] of Object.entries(ms)) assert.ok(Number.isFinite(value) && value >= 0, `${name}: ${value}`)
    assert.ok(ms.read! > 0 && ms.decide! > 0, header)
    assert.ok(ms.body! + ms.read! + ms.decide! <= ms.total! + 0.3, `the parts fit in the total: ${header}`)
  })

  test('10,000 checks with the longest valid ids (128 non-ASCII characters) are answered, not refused as too large', async () => {
    // 128 CJK characters are 384 bytes of UTF-8: a valid batch of 10,000 is about 4.9 MB.
    const id = (i: number) => String(i).padStart(5, '0') + '李'.repeat(123)
    const checks = Array.from({ length: 10_000 }, (_, i) => ({ subscriberId: id(i), topic: 'promotions-and-offers-for-members-only-' + 'x'.repeat(25) }))
    assert.equal(checks[0]!.subscriberId.length, 128)
    assert.equal(checks[0]!.topic.length, 64)
    const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks })
    assert.equal(res.status, 200, res.text.slice(0, 300))
    assert.equal(res.body.results.length, 10_000)
    assert.equal(res.body.results[9_999].subscriberId, id(9_999))
  })

  test('10,001 checks get 400 naming /checks and no results at all', async () => {
    const checks = Array.from({ length: 10_001 }, () => ({ subscriberId: 'ok-1', topic: 'news' }))
    const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks })
    assertFieldError(res, '/checks')
    assert.equal(res.body.results, undefined)
  })

  test('one invalid item gets 400 naming it and no results for the others', async () => {
    const res = await h.req('POST', '/v1/check/batch', {
      at: iso(T),
      checks: [{ subscriberId: 'ok-1', topic: 'news' }, { subscriberId: 'ok-1', topic: 'Not A Slug' }, { subscriberId: '', topic: 'news' }],
    })
    const body = assertFieldError(res, '/checks/1/topic')
    assert.ok(body.errors.some((e: any) => e.pointer === '/checks/2/subscriberId'), JSON.stringify(body.errors))
    assert.equal(body.results, undefined)
  })

  test('an empty batch gets 400 naming /checks', async () => {
    assertFieldError(await h.req('POST', '/v1/check/batch', { checks: [] }), '/checks')
  })

  test('a batch without checks gets 400 naming /checks', async () => {
    assertFieldError(await h.req('POST', '/v1/check/batch', { at: iso(T) }), '/checks')
  })

  test('a per-item `at` is refused (one instant per batch): 400', async () => {
    assertProblem(await h.req('POST', '/v1/check/batch', { checks: [{ subscriberId: 'ok-1', topic: 'news', at: iso(T) }] }), 400)
  })

  test('a batch body far over any valid size (32 MiB) gets 413', async () => {
    const body = `{"checks":[{"subscriberId":"a","topic":"news"}],"pad":"${'x'.repeat(32 * 1024 * 1024)}"}`
    assertProblem(await h.req('POST', '/v1/check/batch', body), 413)
  })

  test('each batch sees every change committed before it: preferences and dispatches', async () => {
    await putSubscriber(h, 'flip', { topics: { news: { subscribed: true } }, cap: { max: 2, per: 'day' } })
    const batch = async () => {
      const res = await h.req('POST', '/v1/check/batch', { at: iso(T), checks: [{ subscriberId: 'flip', topic: 'news' }] })
      assert.equal(res.status, 200, res.text)
      return res.body.results[0].reason
    }
    for (let round = 0; round < 3; round++) {
      await putSubscriber(h, 'flip', { topics: { news: { subscribed: false } } })
      assert.equal(await batch(), 'topic_opted_out', `round ${round}`)
      await putSubscriber(h, 'flip', { topics: { news: { subscribed: true } } })
      assert.equal(await batch(), 'ok', `round ${round}`)
    }
    for (const m of ['flip-1', 'flip-2']) {
      const d = await h.req('POST', '/v1/dispatches', { subscriberId: 'flip', topic: 'news', messageId: m, at: iso(T - HOUR) })
      assert.equal(d.status, 201, d.text)
    }
    assert.equal(await batch(), 'frequency_cap')
  })

  test('a batch check records nothing', async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    const checks = Array.from({ length: 50 }, () => ({ subscriberId: id, topic: 'news' }))
    const batch = await h.req('POST', '/v1/check/batch', { at: iso(T), checks })
    assert.equal(batch.status, 200, batch.text)
    // Fifty allowed against a cap of one a day: the batch counted none of its own answers.
    assert.equal(batch.body.results.length, 50)
    for (const r of batch.body.results) assert.deepEqual([r.subscriberId, r.allowed, r.reason], [id, true, 'ok'])
    const d = await h.req('POST', '/v1/check', { subscriberId: id, topic: 'news', at: iso(T) })
    assert.equal(d.status, 200, d.text)
    assert.equal(d.body.reason, 'ok')
    assert.deepEqual((await h.req('GET', `/v1/subscribers/${id}/export`)).body.dispatches, [], 'no dispatch recorded')
  })
})
