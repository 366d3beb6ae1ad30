import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertProblem, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'

/** Bodies that must be refused, with the pointer the problem must name. */
const REFUSED: [string, Record<string, unknown>, string][] = [
  ['a bad IANA zone', { timezone: 'Europe/Springfield' }, '/timezone'],
  ['a zone offset instead of a zone', { timezone: '+02:00' }, '/timezone'],
  ['quiet hours start "24:00"', { quietHours: { start: '24:00', end: '08:00' } }, '/quietHours/start'],
  ['quiet hours end "8:00"', { quietHours: { start: '22:00', end: '8:00' } }, '/quietHours/end'],
  ['quiet hours start "22:60"', { quietHours: { start: '22:60', end: '08:00' } }, '/quietHours/start'],
  ['quiet hours from a time to the same time every day', { quietHours: { start: '22:00', end: '22:00' } }, '/quietHours/end'],
  ['a quiet-hours day 7', { quietHours: { start: '22:00', end: '08:00', days: [7] } }, '/quietHours/days/0'],
  ['cap max 0', { cap: { max: 0, per: 'day' } }, '/cap/max'],
  ['cap max 1001', { cap: { max: 1001, per: 'day' } }, '/cap/max'],
  ['cap max 1.5', { cap: { max: 1.5, per: 'day' } }, '/cap/max'],
  ['cap per "year"', { cap: { max: 1, per: 'year' } }, '/cap/per'],
  ['a topic cap max 0', { topics: { news: { cap: { max: 0, per: 'week' } } } }, '/topics/news/cap/max'],
  ['an unknown topic key', { topics: { 'no-such-topic': { subscribed: true } } }, '/topics/no-such-topic'],
  ['an unknown channel', { channels: { fax: true } }, '/channels/fax'],
  ['an unknown channel under a topic', { topics: { news: { channels: { pigeon: true } } } }, '/topics/news/channels/pigeon'],
  ['a cap on an unknown channel', { cap: { max: 1, per: 'day', channel: 'fax' } }, '/cap/channel'],
  ['turning off a required topic', { topics: { receipts: { subscribed: false } } }, '/topics/receipts'],
  ['turning off a channel of a required topic', { topics: { receipts: { channels: { email: false } } } }, '/topics/receipts'],
  ['an invalid email', { email: 'not-an-email' }, '/email'],
  ['an unknown status', { status: 'pending' }, '/status'],
  ['pausedUntil without a zone', { pausedUntil: '2026-06-01T00:00:00' }, '/pausedUntil'],
  ['a bad locale', { locale: 'not a locale' }, '/locale'],
]

describe('PUT /v1/subscribers/:id: refused input', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  for (const [what, body, pointer] of REFUSED) {
    test(`${what} gets 400 naming ${pointer}`, async () => {
      assertFieldError(await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, body), pointer)
    })
  }

  test('a refused PUT creates no subscriber', async () => {
    const id = uid('cust_')
    assertProblem(await h.req('PUT', `/v1/subscribers/${id}`, { email: 'a@example.com', timezone: 'Nowhere/Land' }), 400)
    assertProblem(await h.req('GET', `/v1/subscribers/${id}`), 404)
    const check = await h.req('POST', '/v1/check', { subscriberId: id, topic: 'promo' })
    assert.equal(check.body.reason, 'unknown_subscriber')
  })

  for (const [what, body] of REFUSED) {
    test(`a PUT refused for ${what} leaves the subscriber exactly as before`, async () => {
      const id = uid('cust_')
      await putSubscriber(h, id, {
        email: 'keep@example.com',
        timezone: 'Europe/Tallinn',
        topics: { news: { subscribed: true } },
        cap: { max: 3, per: 'week' },
        quietHours: { start: '21:00', end: '08:00' },
      })
      const before = await h.req('GET', `/v1/subscribers/${id}`)
      h.clock.now = T0 + 60_000
      try {
        // Valid changes alongside the invalid one must not be written either.
        const res = await h.req('PUT', `/v1/subscribers/${id}`, { email: 'changed@example.com', status: 'unsubscribed', locale: 'et', ...body })
        assertProblem(res, 400)
      } finally {
        h.clock.now = T0
      }
      const after = await h.req('GET', `/v1/subscribers/${id}`)
      assert.deepEqual(after.body, before.body)
    })
  }

  test('every field error is named in one answer', async () => {
    const res = await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, { timezone: 'X/Y', cap: { max: 0, per: 'year' } })
    const body = assertFieldError(res, '/timezone')
    const pointers = body.errors.map((e: any) => e.pointer)
    assert.ok(pointers.includes('/cap/max') && pointers.includes('/cap/per'), JSON.stringify(pointers))
  })

  test('an id of 129 characters gets 400 naming the id', async () => {
    const res = await h.req('PUT', `/v1/subscribers/${'x'.repeat(129)}`, { email: 'a@example.com' })
    const body = assertProblem(res, 400)
    assert.match(JSON.stringify(body), /\bid\b/)
    assertProblem(await h.req('GET', `/v1/subscribers/${'x'.repeat(129)}`), 400)
  })

  test('an unknown field gets 400', async () => {
    assertProblem(await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, { nickname: 'Mari' }), 400)
  })

  test('a body that is not an object gets 400', async () => {
    for (const body of ['[]', '"hello"', '42', 'null']) {
      assertProblem(await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, body), 400, `body ${body}:`)
    }
  })

  test('an "email" that is a topic key or other type confusion gets 400, never 500', async () => {
    for (const body of [{ email: 42 }, { topics: [] }, { topics: { news: true } }, { channels: { email: 'yes' } }, { cap: 'daily' }, { quietHours: {} }]) {
      assertProblem(await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, body), 400, JSON.stringify(body))
    }
  })

  test('topic keys that are Object.prototype names are refused as unknown topics, not crashes', async () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      const res = await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, `{"topics":{"${key}":{"subscribed":true}}}`)
      assertFieldError(res, `/topics/${key}`, `${key}:`)
    }
  })

  test('a "__proto__" topic key neither crashes nor pollutes: refused, or dropped', async () => {
    const id = uid('cust_')
    const res = await h.req('PUT', `/v1/subscribers/${id}`, '{"topics":{"__proto__":{"subscribed":true}}}')
    assert.ok(res.status === 400 || res.status === 201, `${res.status} ${res.text}`)
    if (res.status === 201) assert.deepEqual(res.body.topics, {})
    assert.equal(({} as any).subscribed, undefined, 'Object.prototype is untouched')
  })

  test('NUL characters in ids, names and message ids get a 4xx or round-trip exactly, never a 500', async () => {
    // PostgreSQL cannot store U+0000 in text or jsonb; SQLite can. Either answer is fine, a 500 is not.
    const nulId = encodeURIComponent('nul\u0000id')
    const attempts: [string, string, unknown][] = [
      ['PUT', `/v1/subscribers/${nulId}`, { topics: { news: { subscribed: true } } }],
      ['GET', `/v1/subscribers/${nulId}`, undefined],
      ['POST', '/v1/check', { subscriberId: 'a\u0000b', topic: 'news' }],
      ['POST', '/v1/check/batch', { checks: [{ subscriberId: 'a\u0000b', topic: 'news' }] }],
      ['POST', '/v1/dispatches', { subscriberId: 'a', topic: 'news', messageId: 'm\u00001' }],
      ['PUT', '/v1/topics/nul-name', { name: 'News\u0000letter' }],
      ['POST', '/v1/api-keys', { role: 'sender', name: 'cron\u0000job' }],
      ['PATCH', '/v1/tenant', { name: 'Acme\u0000' }],
    ]
    const failures: string[] = []
    for (const [method, path, body] of attempts) {
      const res = await h.req(method, path, body)
      if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(body) ?? ''} → ${res.status}`)
    }
    await h.req('PATCH', '/v1/tenant', { name: 'Acme' })
    assert.deepEqual(failures, [])
    const put = await h.req('PUT', `/v1/subscribers/${nulId}`, {})
    if (put.status < 300) assert.equal(put.body.id, 'nul\u0000id', 'a stored id round-trips exactly')
  })
})
