/**
 * GET /v1/events beyond the first page: newest first (`order=desc`), paging backwards with
 * `before`, and the `type` and `source` filters, alone, together and with `subscriberId`.
 * Each setup has a tenant of its own (random id), so on a shared PostgreSQL its chain still
 * starts at 1 and nobody else's events can be counted in.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { applyPatch, blankSubscriber } from '../src/subscribers/patch.ts'
import { assertFieldError, putStandardTopics, putSubscriber, setup, T0, type Harness, type TenantHandle } from './harness.ts'
import { allEvents, asSubscriber, oneClick, postForm, subscriberWithLink } from './links-helpers.ts'

const TYPES = ['subscriber.created', 'subscriber.updated', 'subscriber.reason_given', 'subscriber.erased'] as const
const SOURCES = ['widget', 'link', 'one_click', 'api', 'import'] as const

const seqs = (events: any[]) => events.map((e) => e.seq as number)

/**
 * Every page of a query, following `next` as `after` (oldest first) or `before` (newest first),
 * asserting that no page is larger than `limit` and none after the first is empty.
 */
async function pageThrough(t: TenantHandle, params: Record<string, string>, limit: number): Promise<{ events: any[]; pages: number }> {
  const events: any[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const q = new URLSearchParams({ ...params, limit: String(limit) })
    if (cursor !== null) q.set(params.order === 'desc' ? 'before' : 'after', cursor)
    const res: any = await t.req('GET', `/v1/events?${q}`)
    assert.equal(res.status, 200, res.text)
    assert.ok(res.body.data.length <= limit, `a page of at most ${limit}`)
    assert.ok(pages === 0 || res.body.data.length > 0, `page ${pages + 1} of ${q} is empty`)
    events.push(...res.body.data)
    cursor = res.body.next
    pages += 1
    assert.ok(pages <= 200, 'the cursor ends')
  } while (cursor !== null)
  return { events, pages }
}

describe('GET /v1/events: newest first, filters and paging backwards', () => {
  let h: Harness
  /** Every event of the tenant, oldest first, as the unfiltered default lists them. */
  let all: any[]

  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    // From the API: ten subscribers created, three of them changed.
    for (let i = 1; i <= 10; i++) {
      h.clock.now = T0 + i * 1000
      await putSubscriber(h, `s${String(i).padStart(2, '0')}`, { email: `s${i}@example.com` })
    }
    await putSubscriber(h, 's02', { topics: { news: { subscribed: true } } })
    await putSubscriber(h, 's05', { locale: 'et' })
    await putSubscriber(h, 's02', { cap: { max: 2, per: 'week' } })
    // One subscriber through every page of a link: the widget, "send me less", one click,
    // and a reason given afterwards (consent unchanged).
    const link = await subscriberWithLink(h, 'w1', {})
    assert.equal((await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { news: { subscribed: true } } })).status, 200)
    await postForm(h, `/u/${link.token}/less`, { choice: 'weekly' })
    const unsubscribed = await oneClick(h, link.token)
    assert.ok(unsubscribed.status >= 200 && unsubscribed.status < 300, unsubscribed.text)
    assert.equal((await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'Too many e-mails' })).status, 200)
    // An import, and an erasure.
    await h.store.changeSubscriber(h.id, 'imp1', () => applyPatch(blankSubscriber('imp1', T0), { email: 'imp1@example.com' }), { source: 'import', actor: null, userAgent: null, at: T0 + 20_000 })
    await putSubscriber(h, 'gone', {})
    assert.equal((await h.req('DELETE', '/v1/subscribers/gone')).status, 204)
    h.clock.now = T0
    all = await allEvents(h)
  })
  after(() => h.close())

  test('the fixture holds every type and every source, in one chain numbered 1..n', () => {
    assert.deepEqual(seqs(all), all.map((_, i) => i + 1))
    for (const type of TYPES) assert.ok(all.some((e) => e.type === type), `an event of type ${type}`)
    for (const source of SOURCES) assert.ok(all.some((e) => e.source === source), `an event from ${source}`)
  })

  test('order=desc lists the newest event first; the default and order=asc stay oldest first', async () => {
    const newest = await h.req('GET', '/v1/events?order=desc&limit=1000')
    assert.equal(newest.status, 200, newest.text)
    assert.deepEqual(seqs(newest.body.data), seqs(all).reverse())
    assert.equal(newest.body.data[0].type, 'subscriber.erased')
    assert.equal(newest.body.next, null)
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?limit=1000')).body.data), seqs(all))
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?order=asc&limit=1000')).body.data), seqs(all))
  })

  test('the first page newest first holds the latest events, and next is its last seq', async () => {
    const res = await h.req('GET', '/v1/events?order=desc&limit=5')
    const n = all.length
    assert.deepEqual(seqs(res.body.data), [n, n - 1, n - 2, n - 3, n - 4])
    assert.equal(res.body.next, String(n - 4))
  })

  for (const limit of [1, 2, 7, 10]) {
    test(`paging backwards (limit ${limit}) with next as before covers every event exactly once, newest first`, async () => {
      const { events, pages } = await pageThrough(h, { order: 'desc' }, limit)
      assert.deepEqual(seqs(events), seqs(all).reverse())
      assert.deepEqual(events.map((e) => e.id), all.map((e) => e.id).reverse(), 'the same events, not only the same numbers')
      assert.equal(pages, Math.ceil(all.length / limit), 'no empty last page')
    })
  }

  test('a page exactly as long as the rest of the ledger is the last one, either way', async () => {
    const desc = await h.req('GET', `/v1/events?order=desc&limit=${all.length}`)
    assert.equal(desc.body.data.length, all.length)
    assert.equal(desc.body.next, null)
    const asc = await h.req('GET', `/v1/events?after=3&limit=${all.length - 3}`)
    assert.equal(asc.body.data.length, all.length - 3)
    assert.equal(asc.body.next, null)
  })

  test('paging forwards with after still covers every event exactly once', async () => {
    const { events, pages } = await pageThrough(h, {}, 4)
    assert.deepEqual(seqs(events), seqs(all))
    assert.equal(pages, Math.ceil(all.length / 4))
  })

  test('after and before bound the range of seq, in either order', async () => {
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?after=3&before=8')).body.data), [4, 5, 6, 7])
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?after=3&before=8&order=desc')).body.data), [7, 6, 5, 4])
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?before=4')).body.data), [1, 2, 3])
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?before=1&order=desc')).body.data), [])
    assert.deepEqual((await h.req('GET', '/v1/events?after=8&before=8')).body, { data: [], next: null })
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?before=2147483647&order=desc&limit=2')).body.data), [all.length, all.length - 1])
  })

  for (const type of TYPES) {
    test(`type=${type} lists only those events, newest first in pages and oldest first`, async () => {
      const want = all.filter((e) => e.type === type)
      assert.ok(want.length > 0)
      const paged = await pageThrough(h, { order: 'desc', type }, 2)
      assert.deepEqual(seqs(paged.events), seqs(want).reverse())
      assert.equal(paged.pages, Math.ceil(want.length / 2))
      assert.deepEqual(seqs((await h.req('GET', `/v1/events?type=${type}&limit=1000`)).body.data), seqs(want))
    })
  }

  for (const source of SOURCES) {
    test(`source=${source} lists only those events, newest first in pages and oldest first`, async () => {
      const want = all.filter((e) => e.source === source)
      assert.ok(want.length > 0)
      const paged = await pageThrough(h, { order: 'desc', source }, 3)
      assert.deepEqual(seqs(paged.events), seqs(want).reverse())
      assert.deepEqual(seqs((await pageThrough(h, { source }, 3)).events), seqs(want))
    })
  }

  test('type and source together: both must hold', async () => {
    const want = all.filter((e) => e.type === 'subscriber.updated' && e.source === 'widget')
    assert.equal(want.length, 1)
    const res = await h.req('GET', '/v1/events?type=subscriber.updated&source=widget&order=desc')
    assert.deepEqual(seqs(res.body.data), seqs(want))
    const reason = await h.req('GET', '/v1/events?type=subscriber.reason_given&source=widget')
    assert.equal(reason.body.data.length, 1)
    assert.equal(reason.body.data[0].subscriberId, 'w1')
    assert.equal(reason.body.data[0].reason, 'Too many e-mails')
    assert.deepEqual((await h.req('GET', '/v1/events?type=subscriber.erased&source=widget')).body, { data: [], next: null })
  })

  test('with subscriberId: only their events, filtered by type and source, paged backwards', async () => {
    const theirs = all.filter((e) => e.subscriberId === 'w1')
    assert.deepEqual(theirs.map((e) => e.source), ['api', 'widget', 'link', 'one_click', 'widget'])
    assert.deepEqual(seqs((await pageThrough(h, { order: 'desc', subscriberId: 'w1' }, 2)).events), seqs(theirs).reverse())
    const updated = theirs.filter((e) => e.type === 'subscriber.updated')
    assert.deepEqual(seqs((await pageThrough(h, { order: 'desc', subscriberId: 'w1', type: 'subscriber.updated' }, 1)).events), seqs(updated).reverse())
    const oneClicks = await h.req('GET', '/v1/events?subscriberId=w1&source=one_click')
    assert.deepEqual(seqs(oneClicks.body.data), seqs(theirs.filter((e) => e.source === 'one_click')))
    assert.equal(oneClicks.body.data[0].after.status, 'unsubscribed')
    const s02 = all.filter((e) => e.subscriberId === 's02' && e.type === 'subscriber.updated')
    assert.equal(s02.length, 2)
    assert.deepEqual(seqs((await h.req('GET', '/v1/events?subscriberId=s02&type=subscriber.updated&source=api&order=desc')).body.data), seqs(s02).reverse())
    assert.deepEqual((await h.req('GET', '/v1/events?subscriberId=s02&source=widget')).body, { data: [], next: null })
  })

  test('an erased subscriber is found by type, not by id: the erasure keeps type and source only', async () => {
    assert.deepEqual((await h.req('GET', '/v1/events?subscriberId=gone')).body, { data: [], next: null })
    const erased = await h.req('GET', '/v1/events?type=subscriber.erased')
    assert.equal(erased.body.data.length, 1)
    assert.equal(erased.body.data[0].subscriberId, null)
    assert.equal(erased.body.data[0].source, 'api')
    const creation = all.find((e) => e.erased && e.type === 'subscriber.created')
    assert.ok(creation, 'the erased subscriber’s creation is still in the chain')
    const created = await h.req('GET', `/v1/events?type=subscriber.created&source=api&after=${creation.seq - 1}&before=${creation.seq + 1}`)
    assert.deepEqual(created.body.data.map((e: any) => [e.id, e.subscriberId, e.erased]), [[creation.id, null, true]])
  })

  for (const [q, pointer] of [
    ['order=up', '/order'],
    ['order=DESC', '/order'],
    ['order=', '/order'],
    ['type=subscriber.deleted', '/type'],
    ['type=created', '/type'],
    ['type=', '/type'],
    ['source=console', '/source'],
    ['source=email', '/source'],
    ['source=', '/source'],
    ['before=0', '/before'],
    ['before=-3', '/before'],
    ['before=abc', '/before'],
    ['before=1.5', '/before'],
    ['before=2147483648', '/before'],
    ['after=2147483648', '/after'],
    ['order=desc&type=nope&source=widget', '/type'],
  ] as const) {
    test(`?${q} is a 400 problem naming ${pointer}`, async () => {
      const body = assertFieldError(await h.req('GET', `/v1/events?${q}`), pointer)
      assert.match(body.detail, new RegExp(`^${pointer.slice(1)}: `))
    })
  }

  test('two bad fields are both named', async () => {
    const body = assertFieldError(await h.req('GET', '/v1/events?order=sideways&source=fax'), '/order')
    assert.deepEqual(body.errors.map((e: { pointer: string }) => e.pointer).sort(), ['/order', '/source'])
  })

  test("another tenant's events never appear, whatever the order, filter or cursor", async () => {
    const other = await h.createTenant()
    await putStandardTopics(other)
    // The same subscriber ids, so a filter on the id alone would mix the two ledgers.
    await putSubscriber(other, 'w1', {})
    await putSubscriber(other, 's02', { topics: { news: { subscribed: true } } })
    await putSubscriber(other, 'w1', { status: 'unsubscribed' })
    const theirs = await allEvents(other)
    assert.deepEqual(seqs(theirs), [1, 2, 3])
    const theirIds = new Set(theirs.map((e) => e.id))
    const ours = new Set(all.map((e) => e.id))
    for (const query of [
      'order=desc&limit=1000',
      'order=desc&before=2147483647&limit=1000',
      'order=desc&subscriberId=w1',
      'subscriberId=s02&type=subscriber.updated&order=desc',
      'type=subscriber.updated&source=api&order=desc&limit=1000',
      'source=api&limit=1000',
      'after=0&limit=1000',
    ]) {
      const mine = (await h.req('GET', `/v1/events?${query}`)).body.data as any[]
      assert.ok(mine.length > 0, query)
      assert.ok(mine.every((e) => ours.has(e.id) && !theirIds.has(e.id)), `only this tenant's events for ?${query}`)
      const seen = (await other.req('GET', `/v1/events?${query}`)).body.data as any[]
      assert.ok(seen.every((e) => theirIds.has(e.id)), `only the other tenant's events for ?${query}`)
    }
    assert.deepEqual(seqs((await other.req('GET', '/v1/events?order=desc')).body.data), [3, 2, 1])
    assert.deepEqual((await other.req('GET', `/v1/events?order=desc&before=${all.length + 1}&type=subscriber.reason_given`)).body, { data: [], next: null })
    assert.deepEqual((await other.req('GET', '/v1/events?source=one_click')).body, { data: [], next: null })
  })

  test('/openapi.json documents order, before, type and source with their values', async () => {
    const doc = (await h.req('GET', '/openapi.json', undefined, { key: null })).body
    const params = doc.paths['/v1/events'].get.parameters as Array<{ name: string; in: string; schema: any; description?: string }>
    const byName = new Map(params.map((p) => [p.name, p]))
    assert.deepEqual([...byName.keys()].sort(), ['after', 'before', 'limit', 'order', 'source', 'subscriberId', 'type'])
    for (const p of params) {
      assert.equal(p.in, 'query')
      assert.ok(p.description, `${p.name} is described`)
    }
    assert.deepEqual(byName.get('order')!.schema.enum, ['asc', 'desc'])
    assert.equal(byName.get('order')!.schema.default, 'asc')
    assert.deepEqual([...byName.get('type')!.schema.enum].sort(), [...TYPES].sort())
    assert.deepEqual([...byName.get('source')!.schema.enum].sort(), [...SOURCES].sort())
    assert.equal(byName.get('before')!.schema.minimum, 1)
  })
})
