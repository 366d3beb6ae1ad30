import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, DAY, putSubscriber, setup, T0, type Harness } from './harness.ts'
import { allEvents, asSubscriber, check, getMe, lastEvent, mintLink, parts, subscriberWithLink } from './links-helpers.ts'

const TENANT = {
  name: 'Acme Outdoor',
  channels: ['email', 'sms'],
  defaultLocale: 'en',
  defaultTimezone: 'Europe/Tallinn',
  branding: { accentColor: '#aa3300', logoUrl: 'https://cdn.acme.example/logo.png' },
  frequencyOptions: [{ max: 1, per: 'week' }, { max: 2, per: 'month' }],
  allowedOrigins: ['https://shop.acme.example'],
}

describe('GET /v1/me', () => {
  let h: Harness
  before(async () => {
    h = await setup({ tenant: TENANT })
    await h.req('PUT', '/v1/topics/receipts', { name: { en: 'Receipts', et: 'Kviitungid' }, required: true, category: 'account', order: 0 })
    await h.req('PUT', '/v1/topics/news', {
      name: { en: 'News', 'zh-Hant': '新聞', et: 'Uudised' },
      description: { en: 'What is new', 'zh-Hant': '最新消息' },
      category: 'marketing',
      channels: ['email', 'sms'],
      order: 10,
    })
  })
  after(() => h.close())

  test('returns tenant display settings, localized topics, the masked email, the state and the link expiry', async () => {
    const link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com', locale: 'zh-Hant', timezone: 'Asia/Taipei', topics: { news: { subscribed: true } } })
    const res = await getMe(h, link.token)
    assert.equal(res.status, 200, res.text)
    const me = res.body
    assert.deepEqual(me.tenant, {
      id: h.id,
      name: 'Acme Outdoor',
      defaultLocale: 'en',
      defaultTimezone: 'Europe/Tallinn',
      channels: ['email', 'sms'],
      frequencyOptions: [{ max: 1, per: 'week' }, { max: 2, per: 'month' }],
      branding: { accentColor: '#aa3300', logoUrl: 'https://cdn.acme.example/logo.png' },
    })
    assert.deepEqual(me.topics.map((t: any) => t.key), ['receipts', 'news'])
    const news = me.topics[1]
    assert.deepEqual(news.name, { en: 'News', 'zh-Hant': '新聞', et: 'Uudised' })
    assert.deepEqual(news.description, { en: 'What is new', 'zh-Hant': '最新消息' })
    assert.equal(news.category, 'marketing')
    assert.deepEqual(news.channels, ['email', 'sms'])
    assert.equal(me.topics[0].required, true)
    assert.equal(me.subscriber.id, 'mia')
    assert.equal(me.subscriber.email, 'm***@example.com')
    assert.equal(me.subscriber.status, 'subscribed')
    assert.equal(me.subscriber.locale, 'zh-Hant')
    assert.equal(me.subscriber.timezone, 'Asia/Taipei')
    assert.deepEqual(me.subscriber.topics, { news: { subscribed: true } })
    assertInstant(me.link.expiresAt, T0 + 90 * DAY)
  })

  test('never shows the full email, the allowed origins, link versions or key material', async () => {
    const link = await subscriberWithLink(h, 'leak', { email: 'secret.person@example.com' })
    const res = await getMe(h, link.token)
    assert.equal(res.status, 200)
    assert.equal(res.body.subscriber.email, 's***@example.com')
    assert.doesNotMatch(res.text, /secret\.person/)
    assert.doesNotMatch(res.text, /allowedOrigins|linkVersion|linkTtl|"ver"|secret"/)
  })

  test('a subscriber without an email gets email null', async () => {
    const res = await getMe(h, (await subscriberWithLink(h, 'noemail', {})).token)
    assert.equal(res.body.subscriber.email, null)
  })

  test('a subscriber opens only their own state: two links, two people', async () => {
    const a = await subscriberWithLink(h, 'pa', { email: 'pa@example.com' })
    const b = await subscriberWithLink(h, 'pb', { email: 'pb@example.com' })
    assert.equal((await getMe(h, a.token)).body.subscriber.id, 'pa')
    assert.equal((await getMe(h, b.token)).body.subscriber.id, 'pb')
  })

  test('reading /v1/me writes no consent event', async () => {
    const link = await subscriberWithLink(h, 'reader', {})
    const before = (await allEvents(h)).length
    for (let i = 0; i < 5; i++) await getMe(h, link.token)
    assert.equal((await allEvents(h)).length, before)
  })

  test("a link of another tenant shows that tenant's settings, not this one's", async () => {
    const t = await h.createTenant({ name: 'Beta' })
    await putSubscriber(t, 'mia', {})
    const res = await getMe(h, (await mintLink(t, 'mia')).token)
    assert.equal(res.body.tenant.id, t.id)
    assert.equal(res.body.tenant.name, 'Beta')
    assert.deepEqual(res.body.topics, [])
  })
})

describe('PATCH /v1/me', () => {
  let h: Harness
  before(async () => {
    h = await setup({ tenant: TENANT })
    await h.req('PUT', '/v1/topics/receipts', { name: 'Receipts', required: true, channels: ['email', 'sms'], order: 0 })
    await h.req('PUT', '/v1/topics/news', { name: { en: 'News' }, channels: ['email', 'sms'], order: 10 })
    await h.req('PUT', '/v1/topics/promo', { name: 'Promotions', channels: ['email'], defaultSubscribed: true, order: 20 })
  })
  after(() => h.close())

  test('changes topics, channels, cap, quiet hours and pause, and answers with the new view', async () => {
    const link = await subscriberWithLink(h, 'p1', { email: 'p1@example.com' })
    const patch = {
      topics: { news: { subscribed: true, channels: { sms: false } }, promo: { subscribed: false } },
      channels: { sms: false },
      cap: { max: 3, per: 'week' },
      quietHours: { start: '22:00', end: '08:00', days: [0, 6] },
      pausedUntil: '2026-06-01T00:00:00Z',
      timezone: 'Europe/Tallinn',
      locale: 'et',
    }
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, patch)
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body.subscriber.topics, { news: { subscribed: true, channels: { sms: false } }, promo: { subscribed: false } })
    assert.deepEqual(res.body.subscriber.channels, { sms: false })
    assert.equal(res.body.subscriber.email, 'p***@example.com')
    const stored = (await h.req('GET', '/v1/subscribers/p1')).body
    assert.deepEqual(stored.topics, patch.topics)
    assert.deepEqual(stored.channels, { sms: false })
    assert.deepEqual(stored.cap, { max: 3, per: 'week' })
    assert.deepEqual(stored.quietHours, { start: '22:00', end: '08:00', days: [0, 6] })
    assertInstant(stored.pausedUntil, '2026-06-01T00:00:00Z')
    assert.equal(stored.timezone, 'Europe/Tallinn')
    assert.equal(stored.locale, 'et')
    assert.equal(stored.email, 'p1@example.com', 'the email is untouched')
    assert.equal((await check(h, 'p1', 'promo')).reason, 'topic_opted_out')
    assert.equal((await check(h, 'p1', 'news')).reason, 'paused')
  })

  test('writes a consent event with source "widget", actor = the token id (jti), before/after and the user agent', async () => {
    const link = await subscriberWithLink(h, 'p2', {})
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { news: { subscribed: true } } }, { 'user-agent': 'HeedWidget/1.0 test' })
    assert.equal(res.status, 200, res.text)
    const event = await lastEvent(h, 'p2')
    assert.equal(event.source, 'widget')
    assert.equal(event.actor, parts(link.token).payload.jti)
    assert.equal(event.subscriberId, 'p2')
    assert.equal(event.userAgent, 'HeedWidget/1.0 test')
    assert.deepEqual(event.before.topics, {})
    assert.deepEqual(event.after.topics, { news: { subscribed: true } })
    assertInstant(event.at, T0)
  })

  test('a PATCH that changes nothing writes no event', async () => {
    const link = await subscriberWithLink(h, 'p3', { topics: { news: { subscribed: true } } })
    const before = (await allEvents(h, 'p3')).length
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { news: { subscribed: true } } })
    assert.equal(res.status, 200, res.text)
    assert.equal((await allEvents(h, 'p3')).length, before)
  })

  test('clearing with null: cap, quiet hours and pause can be removed', async () => {
    const link = await subscriberWithLink(h, 'p4', { cap: { max: 1, per: 'day' }, quietHours: { start: '22:00', end: '07:00' }, pausedUntil: '2026-07-01T00:00:00Z' })
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { cap: null, quietHours: null, pausedUntil: null })
    assert.equal(res.status, 200, res.text)
    const stored = (await h.req('GET', '/v1/subscribers/p4')).body
    assert.equal(stored.cap, null)
    assert.equal(stored.quietHours, null)
    assert.equal(stored.pausedUntil, null)
  })

  test('status "subscribed" resubscribes someone who had unsubscribed', async () => {
    const link = await subscriberWithLink(h, 'p5', { status: 'unsubscribed' })
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed' })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.status, 'subscribed')
    assert.equal((await check(h, 'p5', 'promo')).allowed, true)
  })
})

describe('POST /v1/me/unsubscribe', () => {
  let h: Harness
  before(async () => {
    h = await setup({ tenant: TENANT })
    await h.req('PUT', '/v1/topics/promo', { name: 'Promotions', channels: ['email'], defaultSubscribed: true })
    await h.req('PUT', '/v1/topics/receipts', { name: 'Receipts', required: true })
  })
  after(() => h.close())

  test('{reason} sets status unsubscribed and the consent event carries the reason', async () => {
    const link = await subscriberWithLink(h, 'u1', { email: 'u1@example.com' })
    const res = await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'too many emails' }, { 'user-agent': 'Mozilla/5.0 test' })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.status, 'unsubscribed')
    assert.equal((await h.req('GET', '/v1/subscribers/u1')).body.status, 'unsubscribed')
    const event = await lastEvent(h, 'u1')
    assert.equal(event.reason, 'too many emails')
    assert.equal(event.source, 'widget')
    assert.equal(event.actor, parts(link.token).payload.jti)
    assert.equal(event.before.status, 'subscribed')
    assert.equal(event.after.status, 'unsubscribed')
    assert.equal(event.userAgent, 'Mozilla/5.0 test')
  })

  test('without a reason ({}) works too and the event reason is null', async () => {
    const link = await subscriberWithLink(h, 'u2', {})
    const res = await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {})
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.status, 'unsubscribed')
    assert.equal((await lastEvent(h, 'u2')).reason, null)
  })

  test('the next check says unsubscribed, while a required topic stays allowed', async () => {
    const link = await subscriberWithLink(h, 'u3', {})
    assert.equal((await check(h, 'u3', 'promo')).allowed, true)
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {})
    const decision = await check(h, 'u3', 'promo')
    assert.equal(decision.allowed, false)
    assert.equal(decision.reason, 'unsubscribed')
    assert.equal((await check(h, 'u3', 'receipts')).allowed, true)
  })

  test('unsubscribing twice changes nothing more; a reason given the second time is kept as its own event', async () => {
    const link = await subscriberWithLink(h, 'u4', {})
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'first' })
    const count = (await allEvents(h, 'u4')).length
    const plain = await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {})
    assert.equal(plain.status, 200, plain.text)
    assert.equal((await allEvents(h, 'u4')).length, count, 'a repeat without a reason writes nothing')
    const again = await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'second' })
    assert.equal(again.status, 200, again.text)
    assert.equal(again.body.subscriber.status, 'unsubscribed')
    const events = await allEvents(h, 'u4')
    assert.equal(events.length, count + 1)
    const last = events.at(-1)
    assert.equal(last.type, 'subscriber.reason_given')
    assert.equal(last.reason, 'second')
    assert.equal(events.filter((e: any) => e.type === 'subscriber.updated' && e.after?.status === 'unsubscribed').length, 1)
  })

  test('the same link keeps working after unsubscribing, so Undo is possible', async () => {
    const link = await subscriberWithLink(h, 'u5', {})
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {})
    const undo = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed' })
    assert.equal(undo.status, 200, undo.text)
    assert.equal(undo.body.subscriber.status, 'subscribed')
  })
})
