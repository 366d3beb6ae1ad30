import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { assertFieldError, assertInstant, assertProblem, putSubscriber, setup, T0, type Harness } from './harness.ts'

describe('PUT|GET|DELETE /v1/topics/:key, GET /v1/topics', () => {
  let h: Harness
  beforeEach(async () => {
    h = await setup()
  })
  afterEach(() => h.close())

  test('PUT creates a topic: 201, a plain name becomes text in the default locale, defaults filled in', async () => {
    const res = await h.req('PUT', '/v1/topics/new-arrivals', { name: 'New arrivals' })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.key, 'new-arrivals')
    assert.deepEqual(res.body.name, { en: 'New arrivals' })
    assert.equal(res.body.description, null)
    assert.deepEqual(res.body.channels, ['email', 'sms'], "the tenant's channels")
    assert.equal(res.body.defaultSubscribed, false, 'no pre-ticked boxes')
    assert.equal(res.body.required, false)
    assert.equal(typeof res.body.category, 'string')
    assert.equal(res.body.order, 0)
    assertInstant(res.body.createdAt, T0)
  })

  test('PUT keeps localized text, category, channels and order as given', async () => {
    const body = {
      name: { en: 'Sales', 'zh-Hant': '促銷', et: 'Allahindlused' },
      description: { en: 'Discounts', et: 'Soodustused' },
      category: 'shopping',
      channels: ['sms'],
      defaultSubscribed: true,
      order: 7,
    }
    const res = await h.req('PUT', '/v1/topics/sales', body)
    assert.equal(res.status, 201, res.text)
    const got = await h.req('GET', '/v1/topics/sales')
    assert.equal(got.status, 200)
    assert.deepEqual(got.body, res.body, 'GET shows what PUT answered')
    assert.deepEqual(got.body.name, body.name)
    assert.deepEqual(got.body.description, body.description)
    assert.equal(got.body.category, 'shopping')
    assert.deepEqual(got.body.channels, ['sms'])
    assert.equal(got.body.defaultSubscribed, true)
    assert.equal(got.body.order, 7)
  })

  test('PUT on an existing topic replaces it: 200, fields left out go back to defaults, createdAt stays', async () => {
    await h.req('PUT', '/v1/topics/news', { name: 'News', category: 'content', channels: ['email'], order: 3, defaultSubscribed: true })
    h.clock.now = T0 + 60_000
    const res = await h.req('PUT', '/v1/topics/news', { name: 'Newsletter' })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body.name, { en: 'Newsletter' })
    assert.equal(res.body.order, 0)
    assert.equal(res.body.defaultSubscribed, false)
    assert.deepEqual(res.body.channels, ['email', 'sms'])
    assertInstant(res.body.createdAt, T0)
    assertInstant(res.body.updatedAt, T0 + 60_000)
  })

  test('a required topic is subscribed by default', async () => {
    const res = await h.req('PUT', '/v1/topics/receipts', { name: 'Receipts', required: true })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.required, true)
    assert.equal(res.body.defaultSubscribed, true)
  })

  test('GET /v1/topics lists topics by order, then key', async () => {
    await h.req('PUT', '/v1/topics/zeta', { name: 'Z', order: 1 })
    await h.req('PUT', '/v1/topics/alpha', { name: 'A', order: 2 })
    await h.req('PUT', '/v1/topics/beta', { name: 'B', order: 1 })
    await h.req('PUT', '/v1/topics/first', { name: 'F', order: -5 })
    const res = await h.req('GET', '/v1/topics')
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(
      res.body.data.map((t: any) => t.key),
      ['first', 'beta', 'zeta', 'alpha'],
    )
  })

  test('DELETE answers 204; the topic is gone from GET, the list and checks', async () => {
    await h.req('PUT', '/v1/topics/news', { name: 'News' })
    await h.req('PUT', '/v1/topics/other', { name: 'Other' })
    await putSubscriber(h, 'ann', { topics: { news: { subscribed: true } } })
    const del = await h.req('DELETE', '/v1/topics/news')
    assert.equal(del.status, 204, del.text)
    assert.equal(del.text, '')
    assertProblem(await h.req('GET', '/v1/topics/news'), 404)
    assert.deepEqual((await h.req('GET', '/v1/topics')).body.data.map((t: any) => t.key), ['other'])
    const check = await h.req('POST', '/v1/check', { subscriberId: 'ann', topic: 'news', at: '2026-05-04T12:00:00Z' })
    assert.equal(check.body.reason, 'unknown_topic')
    assert.equal(check.body.allowed, false)
  })

  test('DELETE of an unknown or already deleted topic gets 404', async () => {
    assertProblem(await h.req('DELETE', '/v1/topics/never'), 404)
    await h.req('PUT', '/v1/topics/once', { name: 'Once' })
    assert.equal((await h.req('DELETE', '/v1/topics/once')).status, 204)
    assertProblem(await h.req('DELETE', '/v1/topics/once'), 404)
  })

  test('a deleted topic can be created again: 201', async () => {
    await h.req('PUT', '/v1/topics/news', { name: 'News' })
    await h.req('DELETE', '/v1/topics/news')
    h.clock.now = T0 + 1000
    const res = await h.req('PUT', '/v1/topics/news', { name: 'News again' })
    assert.equal(res.status, 201, res.text)
    assertInstant(res.body.createdAt, T0 + 1000)
  })

  test('a deleted topic is listed with deleted=true and restored as it was, subscribers’ choices included', async () => {
    const body = { name: { en: 'News', et: 'Uudised' }, category: 'content', channels: ['email'], order: 5 }
    const created = (await h.req('PUT', '/v1/topics/news', body)).body
    await putSubscriber(h, 'ann', { topics: { news: { subscribed: true } } })
    const at = '2026-05-04T12:00:00Z'
    assert.equal((await h.req('POST', '/v1/check', { subscriberId: 'ann', topic: 'news', at })).body.allowed, true)
    h.clock.now = T0 + 60_000
    assert.equal((await h.req('DELETE', '/v1/topics/news')).status, 204)
    // Ann's choice is kept while the topic is away: another change of hers does not drop it.
    await putSubscriber(h, 'ann', { locale: 'et' })

    const deleted = await h.req('GET', '/v1/topics?deleted=true')
    assert.equal(deleted.status, 200, deleted.text)
    assert.deepEqual(deleted.body.data.map((t: any) => t.key), ['news'])
    assertInstant(deleted.body.data[0].deletedAt, T0 + 60_000)
    assert.deepEqual(deleted.body.data[0].name, body.name)
    assert.deepEqual((await h.req('GET', '/v1/topics?deleted=false')).body.data, [], 'the live list')

    h.clock.now = T0 + 120_000
    const restored = await h.req('POST', '/v1/topics/news/restore')
    assert.equal(restored.status, 200, restored.text)
    assert.deepEqual({ ...restored.body, updatedAt: null }, { ...created, updatedAt: null }, 'as it was')
    assertInstant(restored.body.updatedAt, T0 + 120_000)
    assert.deepEqual((await h.req('GET', '/v1/topics')).body.data.map((t: any) => t.key), ['news'])
    assert.deepEqual((await h.req('GET', '/v1/topics?deleted=true')).body.data, [])
    const check = await h.req('POST', '/v1/check', { subscriberId: 'ann', topic: 'news', at })
    assert.equal(check.body.allowed, true, JSON.stringify(check.body))
  })

  test('restore gets 404 for a live, unknown or re-created topic, and another tenant’s deleted topics stay theirs', async () => {
    await h.req('PUT', '/v1/topics/news', { name: 'News' })
    assertProblem(await h.req('POST', '/v1/topics/news/restore'), 404)
    assertProblem(await h.req('POST', '/v1/topics/never/restore'), 404)
    await h.req('DELETE', '/v1/topics/news')
    await h.req('PUT', '/v1/topics/news', { name: 'A new news' })
    assertProblem(await h.req('POST', '/v1/topics/news/restore'), 404)
    assert.deepEqual((await h.req('GET', '/v1/topics?deleted=true')).body.data, [], 'taken again, no longer restorable')

    const other = await h.createTenant()
    await other.req('PUT', '/v1/topics/plans', { name: 'Plans' })
    await other.req('DELETE', '/v1/topics/plans')
    assert.deepEqual((await h.req('GET', '/v1/topics?deleted=true')).body.data, [])
    assertProblem(await h.req('POST', '/v1/topics/plans/restore'), 404)
    assert.equal((await other.req('POST', '/v1/topics/plans/restore')).status, 200)
    assertFieldError(await h.req('GET', '/v1/topics?deleted=yes'), '/deleted')
  })

  test('GET of an unknown topic gets 404 problem', async () => {
    assertProblem(await h.req('GET', '/v1/topics/nope'), 404)
  })

  test("another tenant's topic is invisible: 404 on GET and DELETE, absent from the list, and it survives", async () => {
    const other = await h.createTenant()
    await other.req('PUT', '/v1/topics/secret-plans', { name: 'Secret plans' })
    const get = await h.req('GET', '/v1/topics/secret-plans')
    assertProblem(get, 404)
    assert.ok(!get.text.includes('Secret plans'))
    assertProblem(await h.req('DELETE', '/v1/topics/secret-plans'), 404)
    assert.ok(!(await h.req('GET', '/v1/topics')).text.includes('secret-plans'))
    assert.equal((await other.req('GET', '/v1/topics/secret-plans')).status, 200)
  })

  test('two tenants may each have a topic of the same key', async () => {
    const other = await h.createTenant()
    await h.req('PUT', '/v1/topics/news', { name: 'Ours' })
    const theirs = await other.req('PUT', '/v1/topics/news', { name: 'Theirs' })
    assert.equal(theirs.status, 201, theirs.text)
    assert.deepEqual((await h.req('GET', '/v1/topics/news')).body.name, { en: 'Ours' })
  })

  test('PUT with a key that is not a slug gets 400', async () => {
    assertProblem(await h.req('PUT', '/v1/topics/Bad%20Key', { name: 'X' }), 400)
    assertProblem(await h.req('PUT', '/v1/topics/-x', { name: 'X' }), 400)
  })

  test('PUT with a channel the tenant does not have gets 400 naming /channels/1 and creates nothing', async () => {
    const res = await h.req('PUT', '/v1/topics/news', { name: 'News', channels: ['email', 'fax'] })
    assertFieldError(res, '/channels/1')
    assertProblem(await h.req('GET', '/v1/topics/news'), 404)
  })

  test('PUT without a name gets 400 naming /name', async () => {
    assertFieldError(await h.req('PUT', '/v1/topics/news', { category: 'x' }), '/name')
  })

  test('PUT with a bad locale in a localized name gets 400', async () => {
    assertProblem(await h.req('PUT', '/v1/topics/news', { name: { 'not a locale!': 'x' } }), 400)
  })

  test('PUT with an unknown field gets 400', async () => {
    assertProblem(await h.req('PUT', '/v1/topics/news', { name: 'News', colour: 'red' }), 400)
  })

  test('PUT with a repeated channel gets 400 naming /channels', async () => {
    assertFieldError(await h.req('PUT', '/v1/topics/news', { name: 'News', channels: ['email', 'email'] }), '/channels')
  })
})
