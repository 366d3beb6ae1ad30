import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { chainHash, contentHash } from '../src/db/ledger.ts'
import { assertFieldError, assertInstant, assertProblem, putStandardTopics, putSubscriber, setup, T0, type Harness, type TenantHandle } from './harness.ts'
import { allEvents, asSubscriber, oneClick, parts, postForm, rawDb, subscriberWithLink } from './links-helpers.ts'

/** A chain that verifies, with `count` events and the hash of its last one as `head`. */
function assertVerified(result: any, count: number) {
  assert.equal(result.ok, true, JSON.stringify(result))
  assert.equal(result.count, count)
  assert.match(result.head, /^[0-9a-f]{64}$/)
}

describe('GET /v1/events', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    // Seven events: a1 created, b1 created, a1 updated, c1 created, b1 updated, a1 updated, c1 updated.
    await putSubscriber(h, 'a1', { email: 'a1@example.com' })
    h.clock.now = T0 + 1000
    await putSubscriber(h, 'b1', {})
    h.clock.now = T0 + 2000
    await putSubscriber(h, 'a1', { topics: { news: { subscribed: true } } })
    await putSubscriber(h, 'c1', {})
    await putSubscriber(h, 'b1', { status: 'unsubscribed' })
    await putSubscriber(h, 'a1', { cap: { max: 2, per: 'week' } })
    await putSubscriber(h, 'c1', { locale: 'et' })
    h.clock.now = T0
  })
  after(() => h.close())

  test('lists the tenant events oldest first with seq 1..n and the event fields', async () => {
    const res = await h.req('GET', '/v1/events')
    assert.equal(res.status, 200, res.text)
    const data = res.body.data
    assert.deepEqual(data.map((e: any) => e.seq), [1, 2, 3, 4, 5, 6, 7])
    assert.deepEqual(data.map((e: any) => e.subscriberId), ['a1', 'b1', 'a1', 'c1', 'b1', 'a1', 'c1'])
    assert.equal(res.body.next, null)
    const first = data[0]
    assert.equal(first.type, 'subscriber.created')
    assert.equal(first.source, 'api')
    assert.equal(first.actor, h.adminKeyId)
    assert.equal(first.before, null)
    assert.equal(first.after.email, 'a1@example.com')
    assert.equal(first.after.status, 'subscribed')
    assert.equal(first.reason, null)
    assert.equal(first.erased, false)
    assert.match(first.hash, /^[0-9a-f]{64}$/)
    assert.equal(typeof first.id, 'string')
    assertInstant(first.at, T0)
    assertInstant(data[1].at, T0 + 1000)
    assert.equal(data[2].type, 'subscriber.updated')
    assert.equal(data[2].before.topics.news, undefined)
    assert.deepEqual(data[2].after.topics, { news: { subscribed: true } })
  })

  test('pages with limit and the next cursor, which goes back in as after', async () => {
    const seen: number[] = []
    let after: string | null = null
    let pages = 0
    do {
      const res: any = await h.req('GET', `/v1/events?limit=3${after === null ? '' : `&after=${after}`}`)
      assert.equal(res.status, 200, res.text)
      assert.ok(res.body.data.length <= 3)
      seen.push(...res.body.data.map((e: any) => e.seq))
      after = res.body.next
      pages += 1
      assert.ok(pages < 10, 'the cursor ends')
    } while (after !== null)
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7])
    assert.equal(pages, 3)
  })

  test('next is null on the last page', async () => {
    const res = await h.req('GET', '/v1/events?after=5&limit=10')
    assert.deepEqual(res.body.data.map((e: any) => e.seq), [6, 7])
    assert.equal(res.body.next, null)
  })

  test('filters by subscriberId, still oldest first and with cursor pages', async () => {
    const res = await h.req('GET', '/v1/events?subscriberId=a1')
    assert.deepEqual(res.body.data.map((e: any) => e.seq), [1, 3, 6])
    const page1 = await h.req('GET', '/v1/events?subscriberId=a1&limit=2')
    assert.deepEqual(page1.body.data.map((e: any) => e.seq), [1, 3])
    assert.ok(page1.body.next !== null)
    const page2 = await h.req('GET', `/v1/events?subscriberId=a1&limit=2&after=${page1.body.next}`)
    assert.deepEqual(page2.body.data.map((e: any) => e.seq), [6])
    assert.equal(page2.body.next, null)
  })

  test('an unknown subscriberId gives an empty list', async () => {
    const res = await h.req('GET', '/v1/events?subscriberId=nobody')
    assert.deepEqual(res.body, { data: [], next: null })
  })

  test("another tenant sees none of these events and its own chain starts at 1", async () => {
    const t = await h.createTenant()
    assert.deepEqual((await t.req('GET', '/v1/events')).body.data, [])
    await putSubscriber(t, 'x', {})
    assert.deepEqual((await t.req('GET', '/v1/events')).body.data.map((e: any) => e.seq), [1])
    assertVerified((await t.req('GET', '/v1/events/verify')).body, 1)
  })

  for (const [q, pointer] of [['limit=0', '/limit'], ['limit=1001', '/limit'], ['limit=abc', '/limit'], ['after=-1', '/after'], ['after=1.5', '/after']] as const) {
    test(`?${q} is a 400 naming ${pointer}`, async () => {
      assertFieldError(await h.req('GET', `/v1/events?${q}`), pointer)
    })
  }

  test('a sender key gets 403 on /v1/events and /v1/events/verify; no key 401', async () => {
    const sender = await h.mintKey('sender')
    assertProblem(await h.req('GET', '/v1/events', undefined, { key: sender.secret }), 403)
    assertProblem(await h.req('GET', '/v1/events/verify', undefined, { key: sender.secret }), 403)
    assertProblem(await h.raw('GET', '/v1/events'), 401)
  })

  test('GET /v1/events/verify answers {ok: true, count}', async () => {
    const res = await h.req('GET', '/v1/events/verify')
    assert.equal(res.status, 200, res.text)
    assertVerified(res.body, 7)
  })
})

describe('every source of change lands in the ledger', () => {
  test('api, widget, link and one_click events, each with its actor, for one subscriber', async () => {
    const h = await setup()
    try {
      await putStandardTopics(h)
      const link = await subscriberWithLink(h, 'all', {})
      const jti = parts(link.token).payload.jti
      await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { news: { subscribed: true } } })
      await postForm(h, `/u/${link.token}/less`, { choice: 'weekly' })
      await oneClick(h, link.token)
      const events = await allEvents(h, 'all')
      assert.deepEqual(events.map((e) => e.source), ['api', 'widget', 'link', 'one_click'])
      assert.deepEqual(events.map((e) => e.actor), [h.adminKeyId, jti, jti, jti])
      for (let i = 1; i < events.length; i++) assert.deepEqual(events[i].before, events[i - 1].after, `event ${i} chains its before onto the previous after`)
      assertVerified((await h.req('GET', '/v1/events/verify')).body, 4)
    } finally {
      await h.close()
    }
  })
})

describe('tampering with the ledger', () => {
  // One database; each test gets its own tenant, so its own chain (seq 1..6).
  let h: Harness
  let t: TenantHandle
  before(async () => {
    h = await setup()
  })
  after(() => h.close())
  beforeEach(async () => {
    t = await h.createTenant()
    for (let i = 1; i <= 5; i++) await putSubscriber(t, `s${i}`, { email: `s${i}@example.com` })
    await putSubscriber(t, 's2', { status: 'unsubscribed' })
  })

  const db = () => rawDb(h)
  const verify = async () => {
    const res = await t.req('GET', '/v1/events/verify')
    assert.equal(res.status, 200, res.text)
    return res.body
  }
  const eventAt = async (seq: number) => (await allEvents(t)).find((e) => e.seq === seq)

  test('an untouched chain verifies', async () => {
    assertVerified(await verify(), 6)
  })

  test("a row whose 'after' was edited directly in the database fails verify at exactly that event", async () => {
    const raw = db()
    const target = await eventAt(3)
    const forged = { ...target.after, status: 'unsubscribed' }
    const changed = await raw.run('UPDATE consent_events SET after = ? WHERE tenant_id = ? AND seq = ?', raw.json(forged), t.id, 3)
    assert.equal(changed, 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 3)
    assert.equal(result.firstBad.id, target.id)
    assert.equal(typeof result.firstBad.problem, 'string')
  })

  test('an event rewritten and marked erased fails verify at that event: an erased event holds no content', async () => {
    const raw = db()
    const target = await eventAt(3)
    const forged = { ...target.after, status: 'unsubscribed' }
    assert.equal(await raw.run('UPDATE consent_events SET erased_at = ?, after = ? WHERE tenant_id = ? AND seq = ?', 1, raw.json(forged), t.id, 3), 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 3)
    assert.match(result.firstBad.problem, /erased/)
  })

  test('verify goes on past a broken event: tampering further on is listed too, in order', async () => {
    const raw = db()
    assert.equal(await raw.run('UPDATE consent_events SET reason = ? WHERE tenant_id = ? AND seq = ?', 'made up', t.id, 2), 1)
    assert.equal(await raw.run('UPDATE consent_events SET user_agent = ? WHERE tenant_id = ? AND seq = ?', 'curl/8', t.id, 5), 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 2)
    assert.deepEqual(result.bad.map((b: { seq: number }) => b.seq), [2, 5])
    assert.equal(result.count, 6)
  })

  test('editing the last event is caught too', async () => {
    const raw = db()
    assert.equal(await raw.run('UPDATE consent_events SET reason = ? WHERE tenant_id = ? AND seq = ?', 'made up', t.id, 6), 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 6)
  })

  for (const [column, value] of [['source', 'import'], ['actor', 'key_someoneelse'], ['subscriber_id', 's5'], ['user_agent', 'curl/8'], ['at', T0 - 1], ['type', 'subscriber.erased']] as const) {
    test(`editing ${column} of a middle event fails verify at that event`, async () => {
      const raw = db()
      assert.equal(await raw.run(`UPDATE consent_events SET ${column} = ? WHERE tenant_id = ? AND seq = ?`, value, t.id, 4), 1)
      const result = await verify()
      assert.equal(result.ok, false, `${column} edit must be caught`)
      assert.equal(result.firstBad.seq, 4)
    })
  }

  test('deleting a middle row is caught at the event after the gap', async () => {
    const raw = db()
    const next = await eventAt(4)
    assert.equal(await raw.run('DELETE FROM consent_events WHERE tenant_id = ? AND seq = ?', t.id, 3), 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 4)
    assert.equal(result.firstBad.id, next.id)
  })

  test('events cut off the end leave a shorter chain whose head no longer matches the one noted before', async () => {
    const before = await verify()
    assertVerified(before, 6)
    assert.equal(before.head, (await eventAt(6)).hash)
    assert.equal(await rawDb(h).run('DELETE FROM consent_events WHERE tenant_id = ? AND seq = ?', t.id, 6), 1)
    const afterCut = await verify()
    assertVerified(afterCut, 5)
    assert.notEqual(afterCut.head, before.head)
  })

  test('deleting the first row is caught', async () => {
    const raw = db()
    assert.equal(await raw.run('DELETE FROM consent_events WHERE tenant_id = ? AND seq = ?', t.id, 1), 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 2)
  })

  test('deleting a row and renumbering the rest is caught', async () => {
    const raw = db()
    assert.equal(await raw.run('DELETE FROM consent_events WHERE tenant_id = ? AND seq = ?', t.id, 3), 1)
    for (const seq of [4, 5, 6]) assert.equal(await raw.run('UPDATE consent_events SET seq = ? WHERE tenant_id = ? AND seq = ?', seq - 1, t.id, seq), 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 3)
  })

  test('rewriting an event with its own hashes recomputed is caught at the next event', async () => {
    const raw = db()
    const row = await raw.get('SELECT * FROM consent_events WHERE tenant_id = ? AND seq = ?', t.id, 3)
    assert.ok(row)
    const content = {
      id: row.id,
      subscriberId: row.subscriber_id,
      source: row.source,
      actor: row.actor,
      before: raw.parse(row.before),
      after: { ...(raw.parse(row.after) as object), status: 'unsubscribed' },
      reason: row.reason,
      userAgent: row.user_agent,
    }
    const digest = contentHash(content)
    const hash = chainHash(row.prev_hash, { tenantId: t.id, seq: 3, at: Number(row.at), type: row.type }, digest)
    const changed = await raw.run(
      'UPDATE consent_events SET after = ?, content_hash = ?, hash = ? WHERE tenant_id = ? AND seq = ?',
      raw.json(content.after),
      digest,
      hash,
      t.id,
      3,
    )
    assert.equal(changed, 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 4, 'the next event no longer links to it')
  })

  test('an inserted event is caught', async () => {
    const raw = db()
    const row = await raw.get('SELECT * FROM consent_events WHERE tenant_id = ? AND seq = ?', t.id, 6)
    assert.ok(row)
    const changed = await raw.run(
      `INSERT INTO consent_events (tenant_id, seq, id, subscriber_id, type, source, actor, before, after, reason, user_agent, at, content_hash, prev_hash, hash, erased_at)
       VALUES (?, 7, 'evt_forged', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      t.id,
      row.subscriber_id,
      row.type,
      row.source,
      row.actor,
      raw.json(raw.parse(row.before)),
      raw.json(raw.parse(row.after)),
      row.reason,
      row.user_agent,
      Number(row.at),
      row.content_hash,
      row.prev_hash,
      row.hash,
    )
    assert.equal(changed, 1)
    const result = await verify()
    assert.equal(result.ok, false)
    assert.equal(result.firstBad.seq, 7)
  })

  test("tampering in one tenant leaves another tenant's chain verifying", async () => {
    const raw = db()
    const other = await h.createTenant()
    await putSubscriber(other, 'o1', {})
    await putSubscriber(other, 'o1', { status: 'unsubscribed' })
    assert.equal(await raw.run('UPDATE consent_events SET reason = ? WHERE tenant_id = ? AND seq = ?', 'x', t.id, 2), 1)
    assert.equal((await verify()).ok, false)
    assertVerified((await other.req('GET', '/v1/events/verify')).body, 2)
  })

  test('the chain keeps verifying as new events are appended after many changes', async () => {
    for (let i = 0; i < 30; i++) await putSubscriber(t, `bulk${i % 4}`, { locale: i % 2 ? 'en' : 'et' })
    const result = await verify()
    assert.equal(result.ok, true)
    assert.equal(result.count, (await allEvents(t)).length)
  })
})
