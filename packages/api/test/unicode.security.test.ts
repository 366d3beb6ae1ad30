/**
 * Text that is not well-formed Unicode (a lone surrogate, sent as "\ud800" in JSON) is refused
 * with a 400 naming the field, wherever it is sent, before it reaches the database: no
 * database stores it as sent, so what was hashed or compared would not be what reads back.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, iso, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'
import { asSubscriber, subscriberWithLink } from './links-helpers.ts'

const LONE = 'too many \ud800 mails'

describe('text that is not well-formed Unicode', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('an unsubscribe reason with a lone surrogate is a 400 naming /reason; nothing changes and the ledger still verifies', async () => {
    const link = await subscriberWithLink(h, uid('cust_'), { topics: { news: { subscribed: true } } })
    assertFieldError(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: LONE }), '/reason')
    const me = await asSubscriber(h, 'GET', '/v1/me', link.token)
    assert.equal(me.body.subscriber.status, 'subscribed')
    const verified = await h.req('GET', '/v1/events/verify')
    assert.equal(verified.body.ok, true, verified.text)
  })

  test('ids, message ids, names, e-mails and keys: each a 400 naming the field', async () => {
    assertFieldError(await h.req('POST', '/v1/check', { subscriberId: `a${'\ud800'}`, topic: 'news' }), '/subscriberId')
    assertFieldError(await h.req('PUT', `/v1/subscribers/${uid('c')}`, { email: 'a\udc00@example.com' }), '/email')
    assertFieldError(await h.req('PUT', '/v1/topics/odd', { name: { en: 'News \ud83d' }, category: 'c', channels: ['email'] }), '/name/en')
    assertFieldError(await h.req('PUT', `/v1/subscribers/${uid('c')}`, { topics: { ['n\udfff']: { subscribed: true } } }), '/topics/n\udfff')
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
    assertFieldError(await h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: 'm\ud800', at: iso(T0) }), '/messageId')
    const batch = await h.req('POST', '/v1/check/batch', { checks: [{ subscriberId: id, topic: 'news' }, { subscriberId: id, topic: 'news' }, { subscriberId: '\ud800', topic: 'news' }] })
    assertFieldError(batch, '/checks/2/subscriberId')
  })

  test('emoji and other paired surrogates are fine', async () => {
    const res = await h.req('PUT', `/v1/subscribers/${uid('c')}`, { email: 'x@example.com', locale: 'en' })
    assert.equal(res.status, 201, res.text)
    const topic = await h.req('PUT', '/v1/topics/emoji', { name: { en: 'News 📰' }, category: 'c', channels: ['email'] })
    assert.ok(topic.status === 200 || topic.status === 201, topic.text)
  })

  test('one bad request among concurrent checks and reserves harms none of the others', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, async () => {
      const id = uid('cust_')
      await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
      return id
    }))
    const checks = ids.map((id) => h.req('POST', '/v1/check', { subscriberId: id, topic: 'news', at: iso(T0) }))
    const reserves = ids.map((id) => h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(T0) }))
    const badCheck = h.req('POST', '/v1/check', { subscriberId: 'x\ud800', topic: 'news', at: iso(T0) })
    const badReserve = h.req('POST', '/v1/dispatches', { subscriberId: ids[0], topic: 'news', messageId: 'x\ud800', at: iso(T0) })
    const [c, r, bc, br] = await Promise.all([Promise.all(checks), Promise.all(reserves), badCheck, badReserve])
    assert.deepEqual(c.map((x) => x.status), ids.map(() => 200))
    assert.deepEqual(r.map((x) => x.status), ids.map(() => 201))
    assertFieldError(bc, '/subscriberId')
    assertFieldError(br, '/messageId')
  })
})

describe('paths that are not valid percent-encoded UTF-8', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('an undecodable path segment is a 400, so no subscriber can be reached by two paths', async () => {
    for (const [method, path] of [['PUT', '/v1/subscribers/%ED%A0%80lone'], ['GET', '/v1/subscribers/%ED%A0%80lone'], ['GET', '/v1/subscribers/50%'], ['GET', '/u/%E0%A4A']] as const) {
      const res = await h.req(method, path, method === 'PUT' ? { email: 'x@example.com' } : undefined)
      assert.equal(res.status, 400, `${method} ${path}: ${res.text}`)
    }
    const fine = await h.req('PUT', `/v1/subscribers/${encodeURIComponent('ünï cødé 100%')}`, { email: 'y@example.com' })
    assert.equal(fine.status, 201, fine.text)
    assert.equal(fine.body.id, 'ünï cødé 100%')
  })
})
