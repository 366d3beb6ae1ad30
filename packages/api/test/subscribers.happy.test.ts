import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, putStandardTopics, setup, T0, uid, type Harness } from './harness.ts'

describe('PUT|GET /v1/subscribers/:id', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('PUT creates a subscriber: 201, subscribed, email lower-cased, nothing else set', async () => {
    const id = uid('cust_')
    const res = await h.req('PUT', `/v1/subscribers/${id}`, { email: 'Mari.Maasikas@Example.COM' })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.id, id)
    assert.equal(res.body.email, 'mari.maasikas@example.com')
    assert.equal(res.body.status, 'subscribed')
    assert.deepEqual(res.body.channels, {})
    assert.deepEqual(res.body.topics, {})
    assert.equal(res.body.cap, null)
    assert.equal(res.body.quietHours, null)
    assert.equal(res.body.pausedUntil, null)
    assert.equal(res.body.timezone, null)
    assert.equal(res.body.locale, null)
    assertInstant(res.body.createdAt, T0)
    assertInstant(res.body.updatedAt, T0)
  })

  test('PUT with an empty body creates a subscriber with defaults', async () => {
    const res = await h.req('PUT', `/v1/subscribers/${uid('cust_')}`, {})
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.status, 'subscribed')
  })

  test('GET shows what PUT answered', async () => {
    const id = uid('cust_')
    const put = await h.req('PUT', `/v1/subscribers/${id}`, {
      email: 'a@example.com',
      locale: 'zh-Hant',
      timezone: 'Asia/Taipei',
      channels: { sms: false },
      topics: { news: { subscribed: true, channels: { sms: false }, cap: { max: 2, per: 'week' } } },
      cap: { max: 5, per: 'month', channel: 'email' },
      quietHours: { start: '22:00', end: '07:30', days: [0, 6] },
      pausedUntil: '2026-06-01T00:00:00Z',
    })
    assert.equal(put.status, 201, put.text)
    const get = await h.req('GET', `/v1/subscribers/${id}`)
    assert.equal(get.status, 200, get.text)
    assert.deepEqual(get.body, put.body)
    assert.equal(get.body.locale, 'zh-Hant')
    assert.equal(get.body.timezone, 'Asia/Taipei')
    assert.deepEqual(get.body.channels, { sms: false })
    assert.deepEqual(get.body.topics, { news: { subscribed: true, channels: { sms: false }, cap: { max: 2, per: 'week' } } })
    assert.deepEqual(get.body.cap, { max: 5, per: 'month', channel: 'email' })
    assert.deepEqual(get.body.quietHours, { start: '22:00', end: '07:30', days: [0, 6] })
    assertInstant(get.body.pausedUntil, '2026-06-01T00:00:00Z')
  })

  test('PUT on an existing subscriber answers 200; fields left out stay, createdAt stays, updatedAt moves', async () => {
    const id = uid('cust_')
    await h.req('PUT', `/v1/subscribers/${id}`, {
      email: 'b@example.com',
      timezone: 'Europe/Tallinn',
      topics: { news: { subscribed: true } },
      quietHours: { start: '21:00', end: '08:00' },
    })
    h.clock.now = T0 + 3_600_000
    try {
      const res = await h.req('PUT', `/v1/subscribers/${id}`, { locale: 'et' })
      assert.equal(res.status, 200, res.text)
      assert.equal(res.body.locale, 'et')
      assert.equal(res.body.email, 'b@example.com')
      assert.equal(res.body.timezone, 'Europe/Tallinn')
      assert.deepEqual(res.body.topics, { news: { subscribed: true } })
      assert.deepEqual(res.body.quietHours, { start: '21:00', end: '08:00' })
      assertInstant(res.body.createdAt, T0)
      assertInstant(res.body.updatedAt, T0 + 3_600_000)
    } finally {
      h.clock.now = T0
    }
  })

  test('null clears a field: email, timezone, cap, quiet hours, pause', async () => {
    const id = uid('cust_')
    await h.req('PUT', `/v1/subscribers/${id}`, {
      email: 'c@example.com',
      timezone: 'Europe/Tallinn',
      cap: { max: 1, per: 'day' },
      quietHours: { start: '21:00', end: '08:00' },
      pausedUntil: '2026-06-01T00:00:00Z',
    })
    const res = await h.req('PUT', `/v1/subscribers/${id}`, { email: null, timezone: null, cap: null, quietHours: null, pausedUntil: null })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.email, null)
    assert.equal(res.body.timezone, null)
    assert.equal(res.body.cap, null)
    assert.equal(res.body.quietHours, null)
    assert.equal(res.body.pausedUntil, null)
    assert.deepEqual((await h.req('GET', `/v1/subscribers/${id}`)).body, res.body)
  })

  test('topics merge per key: another topic given later leaves the first; null removes a preference', async () => {
    const id = uid('cust_')
    await h.req('PUT', `/v1/subscribers/${id}`, { topics: { news: { subscribed: true, cap: { max: 1, per: 'week' } } } })
    let res = await h.req('PUT', `/v1/subscribers/${id}`, { topics: { promo: { subscribed: false } } })
    assert.deepEqual(res.body.topics, { news: { subscribed: true, cap: { max: 1, per: 'week' } }, promo: { subscribed: false } })
    res = await h.req('PUT', `/v1/subscribers/${id}`, { topics: { news: { cap: null } } })
    assert.deepEqual(res.body.topics.news, { subscribed: true }, 'cap: null clears only the topic cap')
    res = await h.req('PUT', `/v1/subscribers/${id}`, { topics: { news: null } })
    assert.deepEqual(res.body.topics, { promo: { subscribed: false } })
  })

  test('channel switches merge per channel', async () => {
    const id = uid('cust_')
    await h.req('PUT', `/v1/subscribers/${id}`, { channels: { sms: false } })
    const res = await h.req('PUT', `/v1/subscribers/${id}`, { channels: { email: true } })
    assert.deepEqual(res.body.channels, { sms: false, email: true })
  })

  test('status can be set to unsubscribed and back', async () => {
    const id = uid('cust_')
    await h.req('PUT', `/v1/subscribers/${id}`, { email: 'd@example.com' })
    let res = await h.req('PUT', `/v1/subscribers/${id}`, { status: 'unsubscribed' })
    assert.equal(res.body.status, 'unsubscribed')
    res = await h.req('PUT', `/v1/subscribers/${id}`, { status: 'subscribed' })
    assert.equal(res.body.status, 'subscribed')
  })

  test('PUT that changes nothing answers 200 and keeps updatedAt', async () => {
    const id = uid('cust_')
    await h.req('PUT', `/v1/subscribers/${id}`, { email: 'e@example.com' })
    h.clock.now = T0 + 60_000
    try {
      const res = await h.req('PUT', `/v1/subscribers/${id}`, { email: 'E@example.com' })
      assert.equal(res.status, 200, res.text)
      assert.equal(res.body.email, 'e@example.com')
    } finally {
      h.clock.now = T0
    }
  })

  test('an id of 128 characters, and ids with spaces, slashes and unicode, work when URL-encoded', async () => {
    for (const id of ['x'.repeat(128), 'user 42', 'a/b', 'kasutaja-õun', '李小龍']) {
      const put = await h.req('PUT', `/v1/subscribers/${encodeURIComponent(id)}`, { email: 'f@example.com' })
      assert.equal(put.status, 201, `${id}: ${put.text}`)
      assert.equal(put.body.id, id)
      const get = await h.req('GET', `/v1/subscribers/${encodeURIComponent(id)}`)
      assert.equal(get.status, 200, `${id}: ${get.text}`)
      assert.equal(get.body.id, id)
    }
  })

  test('GET of an unknown subscriber gets 404 problem', async () => {
    const res = await h.req('GET', `/v1/subscribers/${uid('nobody_')}`)
    assert.equal(res.status, 404)
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/)
  })

  test('a sender key can create and read subscribers', async () => {
    const sender = await h.mintKey('sender')
    const id = uid('cust_')
    const put = await h.req('PUT', `/v1/subscribers/${id}`, { topics: { news: { subscribed: true } } }, { key: sender.secret })
    assert.equal(put.status, 201, put.text)
    const get = await h.req('GET', `/v1/subscribers/${id}`, undefined, { key: sender.secret })
    assert.equal(get.status, 200)
  })
})
