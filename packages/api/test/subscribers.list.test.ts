import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, HOUR, putStandardTopics, putSubscriber, setup, T0, uid, type Harness, type Res, type TenantHandle } from './harness.ts'

/** Every page of `GET /v1/subscribers?…`, following `nextCursor`; the ids in the order served. */
async function listAll(t: TenantHandle, query: Record<string, string>, limit = 200): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 1000; pages++) {
    const params: URLSearchParams = new URLSearchParams({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) })
    const res: Res = await t.req('GET', `/v1/subscribers?${params}`)
    assert.equal(res.status, 200, res.text)
    assert.ok(res.body.items.length <= limit, 'a page holds at most `limit` subscribers')
    ids.push(...res.body.items.map((s: { id: string }) => s.id))
    cursor = res.body.nextCursor
    if (cursor === null) return ids
    assert.equal(res.body.items.length, limit, 'only the last page is short')
  }
  throw new Error('more than 1000 pages')
}

const sorted = (ids: string[]) => [...ids].sort()

describe('GET /v1/subscribers', () => {
  let h: Harness
  /** This file's ids start with it (lower-case hex), so they sort the same in JavaScript and in both databases. */
  const run = uid('ls')
  const id = (name: string) => `${run}_${name}`

  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('pages cover every subscriber exactly once, in id order, each as GET /v1/subscribers/:id shows it', async () => {
    const t = await h.createTenant()
    const ids = Array.from({ length: 23 }, () => uid(`${run}_p`))
    for (const s of ids) await putSubscriber(t, s, { email: `${s}@example.com` })

    const served = await listAll(t, {}, 5)
    assert.deepEqual(served, sorted(ids))

    const first = await t.req('GET', '/v1/subscribers?limit=5')
    assert.equal(first.status, 200, first.text)
    assert.equal(typeof first.body.nextCursor, 'string')
    const one = await t.req('GET', `/v1/subscribers/${first.body.items[0].id}`)
    assert.deepEqual(first.body.items[0], one.body)
  })

  test('pages and id searches follow code-point order whatever the database’s collation', async () => {
    // A linguistic collation (the PostgreSQL pass runs on one) puts "a-c" near "ac", "ab"
    // before "aB" and "Zed" after "alpha"; the list keeps code points, as its cursor does.
    const t = await h.createTenant()
    const ids = ['Zed', 'alpha', 'aB', 'ab', 'a-c', 'a_c', 'ac', 'A', 'b', 'a']
    for (const s of ids) await putSubscriber(t, s, {})
    const byCodePoint = [...ids].sort()
    for (const limit of [1, 2, 3, 200]) assert.deepEqual(await listAll(t, {}, limit), byCodePoint, `limit ${limit}`)
    const startingWithA = byCodePoint.filter((s) => s.startsWith('a'))
    for (const limit of [1, 2, 200]) assert.deepEqual(await listAll(t, { q: 'a' }, limit), startingWithA, `q=a, limit ${limit}`)
    assert.deepEqual(await listAll(t, { q: 'A' }), ['A'])
    assert.deepEqual(await listAll(t, { q: 'a-' }), ['a-c'])
  })

  test('without limit a page holds 50; a list that fits in one page has no nextCursor', async () => {
    const t = await h.createTenant()
    for (let i = 0; i < 51; i++) await putSubscriber(t, id(`d${String(i).padStart(2, '0')}`), {})
    const page = await t.req('GET', '/v1/subscribers')
    assert.equal(page.status, 200, page.text)
    assert.equal(page.body.items.length, 50)
    const rest = await t.req('GET', `/v1/subscribers?cursor=${page.body.nextCursor}`)
    assert.deepEqual(
      rest.body.items.map((s: { id: string }) => s.id),
      [id('d50')],
    )
    assert.equal(rest.body.nextCursor, null)
    const exact = await t.req('GET', '/v1/subscribers?limit=51')
    assert.equal(exact.body.items.length, 51)
    assert.equal(exact.body.nextCursor, null, 'no empty page after a full last one')
  })

  test('an empty list is one page with no items', async () => {
    const t = await h.createTenant()
    const res = await t.req('GET', '/v1/subscribers')
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { items: [], nextCursor: null })
  })

  test('status picks subscribed or unsubscribed subscribers', async () => {
    await putSubscriber(h, id('st_in'), {})
    await putSubscriber(h, id('st_out'), { status: 'unsubscribed' })
    assert.deepEqual(await listAll(h, { q: id('st_') }, 1), [id('st_in'), id('st_out')])
    assert.deepEqual(await listAll(h, { q: id('st_'), status: 'subscribed' }, 1), [id('st_in')])
    assert.deepEqual(await listAll(h, { q: id('st_'), status: 'unsubscribed' }, 1), [id('st_out')])
  })

  test('topic picks who gets it: their own choice, else the topic’s default; a required topic reaches everyone', async () => {
    // news is opt-in (defaultSubscribed false), promo opt-out (defaultSubscribed true), receipts required.
    await putSubscriber(h, id('tp_none'), {})
    await putSubscriber(h, id('tp_news'), { topics: { news: { subscribed: true } } })
    await putSubscriber(h, id('tp_nopromo'), { topics: { promo: { subscribed: false } } })
    await putSubscriber(h, id('tp_both'), { topics: { news: { subscribed: true }, promo: { subscribed: true } } })
    await putSubscriber(h, id('tp_nonews'), { topics: { news: { subscribed: false } } })
    const q = id('tp_')
    assert.deepEqual(await listAll(h, { q, topic: 'news' }, 2), sorted([id('tp_news'), id('tp_both')]))
    assert.deepEqual(await listAll(h, { q, topic: 'promo' }, 2), sorted([id('tp_none'), id('tp_news'), id('tp_both'), id('tp_nonews')]))
    assert.deepEqual(await listAll(h, { q, topic: 'receipts' }, 2), sorted([id('tp_none'), id('tp_news'), id('tp_nopromo'), id('tp_both'), id('tp_nonews')]))
  })

  test('a topic key with a hyphen is looked up as one key', async () => {
    const put = await h.req('PUT', '/v1/topics/back-in-stock', { name: 'Back in stock', channels: ['email'] })
    assert.equal(put.status, 201, put.text)
    await putSubscriber(h, id('hy_yes'), { topics: { 'back-in-stock': { subscribed: true } } })
    await putSubscriber(h, id('hy_no'), {})
    assert.deepEqual(await listAll(h, { q: id('hy_'), topic: 'back-in-stock' }), [id('hy_yes')])
  })

  test('an unknown or deleted topic is a 400 naming topic', async () => {
    assertFieldError(await h.req('GET', '/v1/subscribers?topic=no-such-topic'), '/topic')
    assert.equal((await h.req('PUT', '/v1/topics/gone', { name: 'Gone', channels: ['email'] })).status, 201)
    assert.equal((await h.req('DELETE', '/v1/topics/gone')).status, 204)
    assertFieldError(await h.req('GET', '/v1/subscribers?topic=gone'), '/topic')
    assertFieldError(await h.req('GET', '/v1/subscribers?topic=Not%20A%20Slug'), '/topic')
  })

  test('paused picks those paused now: a pause that has ended is no pause', async () => {
    await putSubscriber(h, id('pa_long'), { pausedUntil: new Date(T0 + 48 * HOUR).toISOString() })
    await putSubscriber(h, id('pa_short'), { pausedUntil: new Date(T0 + HOUR).toISOString() })
    await putSubscriber(h, id('pa_never'), {})
    const q = id('pa_')
    assert.deepEqual(await listAll(h, { q, paused: 'true' }), [id('pa_long'), id('pa_short')])
    assert.deepEqual(await listAll(h, { q, paused: 'false' }), [id('pa_never')])
    h.clock.now = T0 + 2 * HOUR
    try {
      assert.deepEqual(await listAll(h, { q, paused: 'true' }), [id('pa_long')])
      assert.deepEqual(await listAll(h, { q, paused: 'false' }), [id('pa_never'), id('pa_short')])
    } finally {
      h.clock.now = T0
    }
  })

  test('hasCaps picks subscribers with a cap of their own, global or on a topic', async () => {
    await putSubscriber(h, id('hc_global'), { cap: { max: 3, per: 'week' } })
    await putSubscriber(h, id('hc_topic'), { topics: { news: { subscribed: true, cap: { max: 1, per: 'day' } } } })
    await putSubscriber(h, id('hc_none'), { topics: { news: { subscribed: true } } })
    const q = id('hc_')
    assert.deepEqual(await listAll(h, { q, hasCaps: 'true' }), [id('hc_global'), id('hc_topic')])
    assert.deepEqual(await listAll(h, { q, hasCaps: 'false' }), [id('hc_none')])
  })

  test('filters combine: every one given must hold', async () => {
    await putSubscriber(h, id('cb_a'), { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    await putSubscriber(h, id('cb_b'), { topics: { news: { subscribed: true } } })
    await putSubscriber(h, id('cb_c'), { topics: { news: { subscribed: true } }, status: 'unsubscribed', cap: { max: 1, per: 'day' } })
    assert.deepEqual(await listAll(h, { q: id('cb_'), topic: 'news', status: 'subscribed', hasCaps: 'true', paused: 'false' }), [id('cb_a')])
  })

  test('q finds ids by prefix in their exact case, and an e-mail address in any case', async () => {
    await putSubscriber(h, id('qq_Alpha'), { email: `alpha.${run}@example.com` })
    await putSubscriber(h, id('qq_alpine'), {})
    await putSubscriber(h, id('qq_beta'), { email: `Beta.${run}@Example.com` })
    assert.deepEqual(await listAll(h, { q: id('qq_') }), [id('qq_Alpha'), id('qq_alpine'), id('qq_beta')])
    assert.deepEqual(await listAll(h, { q: id('qq_al') }), [id('qq_alpine')], 'an id prefix keeps its case')
    assert.deepEqual(await listAll(h, { q: id('qq_Al') }), [id('qq_Alpha')])
    assert.deepEqual(await listAll(h, { q: `ALPHA.${run.toUpperCase()}@EXAMPLE.COM` }), [id('qq_Alpha')])
    assert.deepEqual(await listAll(h, { q: `  beta.${run}@example.COM ` }), [id('qq_beta')], 'spaces around are trimmed')
    assert.deepEqual(await listAll(h, { q: `beta.${run}@example` }), [], 'an address is matched whole')
    assert.deepEqual(await listAll(h, { q: id('qq_alpine') }), [id('qq_alpine')], 'a whole id is its own prefix')
    assert.deepEqual(await listAll(h, { q: id('qq_alpinex') }), [])
  })

  test('q pages through an address shared by several subscribers and ids that start with it, each once', async () => {
    const address = `twin.${run}@example.com`
    await putSubscriber(h, id('tw_1'), { email: address })
    await putSubscriber(h, id('tw_2'), { email: address.toUpperCase() })
    await putSubscriber(h, `${address}-by-id`, {})
    await putSubscriber(h, id('tw_3'), { email: `other.${run}@example.com` })
    const expected = sorted([id('tw_1'), id('tw_2'), `${address}-by-id`])
    for (const limit of [1, 2, 3]) assert.deepEqual(await listAll(h, { q: address }, limit), expected, `limit ${limit}`)
    assert.deepEqual(await listAll(h, { q: address, status: 'unsubscribed' }), [])
  })

  test('% and _ in q are plain characters', async () => {
    await putSubscriber(h, id('lk_50%off'), {})
    await putSubscriber(h, id('lk_50xoff'), {})
    await putSubscriber(h, id('lk_a_b'), {})
    await putSubscriber(h, id('lk_axb'), {})
    await putSubscriber(h, `${run}%lk`, { email: `x_y.${run}@example.com` })
    await putSubscriber(h, `${run}-lk`, { email: `xzy.${run}@example.com` })
    assert.deepEqual(await listAll(h, { q: id('lk_50%') }), [id('lk_50%off')])
    assert.deepEqual(await listAll(h, { q: id('lk_a_') }), [id('lk_a_b')])
    assert.deepEqual(await listAll(h, { q: `${run}%` }), [`${run}%lk`])
    assert.deepEqual(await listAll(h, { q: `${run}_` }).then((ids) => ids.filter((s) => !s.startsWith(`${run}_`))), [])
    assert.deepEqual(await listAll(h, { q: `x_y.${run}@example.com` }), [`${run}%lk`])
    assert.deepEqual(await listAll(h, { q: '%' }), [])
    assert.deepEqual(await listAll(h, { q: '_' }), [])
  })

  test('q with characters beyond ASCII', async () => {
    await putSubscriber(h, id('uc_Ünïcødé😀'), {})
    await putSubscriber(h, id('uc_Ünïx'), {})
    assert.deepEqual(await listAll(h, { q: id('uc_Ünïc') }), [id('uc_Ünïcødé😀')])
    assert.deepEqual(await listAll(h, { q: id('uc_Ünï') }, 1), [id('uc_Ünïcødé😀'), id('uc_Ünïx')])
  })

  test('another tenant’s subscribers never appear', async () => {
    const other = await h.createTenant()
    await putStandardTopics(other)
    await putSubscriber(other, id('ot_theirs'), { email: `shared.${run}@example.com`, topics: { news: { subscribed: true } } })
    await putSubscriber(h, id('ot_mine'), { email: `shared.${run}@example.com`, topics: { news: { subscribed: true } } })
    assert.deepEqual(await listAll(h, { q: id('ot_') }), [id('ot_mine')])
    assert.deepEqual(await listAll(h, { q: `shared.${run}@example.com` }), [id('ot_mine')])
    assert.deepEqual(await listAll(other, {}), [id('ot_theirs')])
    const everything = await listAll(h, { topic: 'news' })
    assert.ok(everything.includes(id('ot_mine')) && !everything.includes(id('ot_theirs')))
    // A cursor made from their id only says where to start: it shows nothing of theirs.
    const cursor = Buffer.from(id('ot_')).toString('base64url')
    const page = await h.req('GET', `/v1/subscribers?cursor=${cursor}&limit=200`)
    assert.ok(!page.body.items.some((s: { id: string }) => s.id === id('ot_theirs')))
  })

  test('limit must be 1–200; bad cursors, statuses and flags are 400s naming the field', async () => {
    for (const limit of ['0', '201', '-1', '1.5', 'ten', '']) assertFieldError(await h.req('GET', `/v1/subscribers?limit=${limit}`), '/limit', `limit=${limit}`)
    assert.equal((await h.req('GET', '/v1/subscribers?limit=1')).status, 200)
    assert.equal((await h.req('GET', '/v1/subscribers?limit=200')).status, 200)
    const notCanonical = Buffer.from('cust_1').toString('base64url') + '='
    for (const cursor of ['!!!', 'a b', notCanonical, '_w', Buffer.from('').toString('base64url'), 'x'.repeat(701)]) {
      assertFieldError(await h.req('GET', `/v1/subscribers?cursor=${encodeURIComponent(cursor)}`), '/cursor', `cursor=${cursor}`)
    }
    assertFieldError(await h.req('GET', '/v1/subscribers?status=paused'), '/status')
    assertFieldError(await h.req('GET', '/v1/subscribers?paused=yes'), '/paused')
    assertFieldError(await h.req('GET', '/v1/subscribers?hasCaps=1'), '/hasCaps')
    assertFieldError(await h.req('GET', '/v1/subscribers?q='), '/q')
    assertFieldError(await h.req('GET', `/v1/subscribers?q=${'a'.repeat(321)}`), '/q')
  })

  test('without a key: 401', async () => {
    const res = await h.req('GET', '/v1/subscribers', undefined, { key: null })
    assert.equal(res.status, 401, res.text)
  })

  test('the operation is in /openapi.json with its query and its answer', async () => {
    const res = await h.req('GET', '/openapi.json', undefined, { key: null })
    assert.equal(res.status, 200)
    const op = res.body.paths['/v1/subscribers']?.get
    assert.ok(op, 'GET /v1/subscribers is documented')
    const names = op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()
    assert.deepEqual(names, ['query:cursor', 'query:hasCaps', 'query:limit', 'query:paused', 'query:q', 'query:status', 'query:topic'])
    const schema = op.responses['200'].content['application/json'].schema
    assert.equal(schema.$ref, '#/components/schemas/SubscriberPage')
    const page = res.body.components.schemas.SubscriberPage
    assert.deepEqual(Object.keys(page.properties).sort(), ['items', 'nextCursor'])
    assert.ok(op.responses['400'], 'bad parameters are documented')
  })
})
