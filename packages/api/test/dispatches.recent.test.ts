/**
 * A subscriber's recent dispatches kept on their row (db/recent.ts): decisions read them
 * instead of the dispatches table, and stay exactly what the table would give — after caps
 * come and go, for an instant before the row's list begins, past the list's bound, and after
 * an erasure.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { RECENT_MAX } from '../src/db/recent.ts'
import { DAY, HOUR, iso, MINUTE, putStandardTopics, putSubscriber, setup, uid, type Harness } from './harness.ts'
import { rawDb } from './links-helpers.ts'

const T = Date.parse('2026-05-04T12:00:00Z')

describe('recent dispatches on the subscriber row', () => {
  let h: Harness
  const dispatch = (id: string, at: number, extra: Record<string, unknown> = {}) =>
    h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: uid('m-'), at: iso(at), ...extra })
  const check = async (id: string, at: number) => {
    const res = await h.req('POST', '/v1/check', { subscriberId: id, topic: 'news', at: iso(at) })
    assert.equal(res.status, 200, res.text)
    return res.body as { allowed: boolean; reason: string; retryAt: string | null }
  }
  const row = async (id: string) => {
    const db = rawDb(h)
    const r = await db.get('SELECT recent, recent_from FROM subscribers WHERE id = ?', id)
    return { recent: db.parse(r.recent) as Array<[string, string, number]> | null, from: r.recent_from === null ? null : Number(r.recent_from) }
  }

  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('a recorded dispatch of a subscriber with caps is kept on their row, and the cap reads it', async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 2, per: 'day' } })
    assert.equal((await dispatch(id, T)).status, 201)
    assert.equal((await dispatch(id, T + HOUR)).status, 201)
    const kept = await row(id)
    assert.deepEqual(kept.recent, [
      ['news', 'email', T],
      ['news', 'email', T + HOUR],
    ])
    assert.equal(kept.from, T + HOUR - 30 * DAY)
    const third = await check(id, T + 2 * HOUR)
    assert.equal(third.reason, 'frequency_cap')
    assert.equal(third.retryAt, new Date(T + DAY).toISOString())
  })

  test('a subscriber created with caps starts with an empty list; one created without has none', async () => {
    const capped = uid('cust_')
    await putSubscriber(h, capped, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    assert.deepEqual(await row(capped), { recent: [], from: h.clock.now - 30 * DAY })
    const free = uid('cust_')
    await putSubscriber(h, free, { topics: { news: { subscribed: true } } })
    assert.deepEqual(await row(free), { recent: null, from: null })
  })

  test('the row is what decides: a dispatch only on the row counts, one only in the table does not', async () => {
    // Shows that the read uses the row when it covers the instant asked about.
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    assert.equal((await dispatch(id, T - 3 * DAY)).status, 201)
    // The table has a dispatch 3 days ago; the row is made to say "a minute ago".
    const db = rawDb(h)
    await db.run('UPDATE subscribers SET recent = ? WHERE id = ?', db.json([['news', 'email', T - MINUTE]]), id)
    assert.equal((await check(id, T)).reason, 'frequency_cap')
    // A row whose list begins after the 30 days a decision looks back is not used: the table decides.
    await db.run('UPDATE subscribers SET recent_from = ? WHERE id = ?', T - 30 * DAY + HOUR, id)
    assert.equal((await check(id, T)).reason, 'ok')
  })

  test('dispatches recorded while a subscriber had no cap count once a cap is set', async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
    assert.equal((await dispatch(id, T)).status, 201)
    assert.equal((await dispatch(id, T + MINUTE)).status, 201)
    assert.deepEqual(await row(id), { recent: null, from: null })
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 2, per: 'week' } })
    // Setting the cap built the list from the table, in the same transaction.
    assert.deepEqual(await row(id), {
      recent: [
        ['news', 'email', T],
        ['news', 'email', T + MINUTE],
      ],
      from: h.clock.now - 30 * DAY,
    })
    assert.equal((await check(id, T + HOUR)).reason, 'frequency_cap')
    // The next refused reserve changes nothing; an allowed one a week later keeps the row again.
    assert.equal((await dispatch(id, T + HOUR)).body.recorded, false)
    assert.equal((await dispatch(id, T + 7 * DAY + MINUTE)).status, 201)
    assert.equal((await row(id)).recent?.length, 3)
  })

  test('a cap dropped and set again: what was recorded meanwhile still counts', async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 3, per: 'day' } })
    assert.equal((await dispatch(id, T)).status, 201)
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: null })
    assert.equal((await dispatch(id, T + MINUTE)).status, 201)
    assert.equal((await dispatch(id, T + 2 * MINUTE)).status, 201)
    // Recorded without a cap: the row's list was dropped, not left short.
    assert.deepEqual(await row(id), { recent: null, from: null })
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 3, per: 'day' } })
    assert.equal((await check(id, T + HOUR)).reason, 'frequency_cap')
  })

  test(`past ${RECENT_MAX} dispatches the row lets go and the table decides, exactly`, async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: RECENT_MAX, per: 'month' } })
    for (let i = 0; i < RECENT_MAX; i++) assert.equal((await dispatch(id, T + i * MINUTE)).status, 201)
    assert.equal((await row(id)).recent?.length, RECENT_MAX)
    // The cap is full; one more goes out anyway (enforce: false) and the list would pass its bound.
    assert.equal((await dispatch(id, T + RECENT_MAX * MINUTE)).body.decision.reason, 'frequency_cap')
    assert.equal((await dispatch(id, T + RECENT_MAX * MINUTE, { enforce: false })).status, 201)
    assert.deepEqual(await row(id), { recent: null, from: null })
    const next = await check(id, T + (RECENT_MAX + 1) * MINUTE)
    assert.equal(next.reason, 'frequency_cap')
    assert.equal(next.retryAt, new Date(T + MINUTE + 30 * DAY).toISOString())
  })

  test('enforce: false records past a full cap, and the row counts it too', async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    assert.equal((await dispatch(id, T)).status, 201)
    assert.equal((await dispatch(id, T + MINUTE, { enforce: false })).status, 201)
    assert.equal((await row(id)).recent?.length, 2)
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 2, per: 'day' } })
    assert.equal((await check(id, T + HOUR)).reason, 'frequency_cap')
  })

  test('an erased subscriber leaves no list behind: the next one of that id starts with an empty one', async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    assert.equal((await dispatch(id, T)).status, 201)
    assert.equal((await h.req('DELETE', `/v1/subscribers/${id}`)).status, 204)
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    assert.deepEqual(await row(id), { recent: [], from: h.clock.now - 30 * DAY })
  })

  test(`a cap set on someone with more than ${RECENT_MAX} recent dispatches leaves the row to the table`, async () => {
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
    const db = rawDb(h)
    const decision = db.json({ allowed: true, reason: 'ok', retryAt: null, subscriberId: id, topic: 'news', channel: 'email' })
    for (let i = 0; i <= RECENT_MAX; i++) {
      await db.run(
        'INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        h.id, id, 'news', 'email', uid('m-'), T + i, db.dialect === 'sqlite' ? 1 : true, decision, T + i,
      )
    }
    await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: RECENT_MAX, per: 'day' } })
    assert.deepEqual(await row(id), { recent: null, from: null })
    // The table decides: the cap is full until a day after the first of them.
    const full = await check(id, T + HOUR)
    assert.equal(full.reason, 'frequency_cap')
    assert.equal(full.retryAt, new Date(T + 1 + DAY).toISOString())
  })

  test('an import that gives subscribers caps builds their lists too', async () => {
    // An import's writes are dated by the wall clock, not the harness's: the dispatch is too.
    const sent = Date.now() - DAY
    const id = uid('cust_')
    await putSubscriber(h, id, { topics: { news: { subscribed: true } } })
    assert.equal((await dispatch(id, sent)).status, 201)
    const fresh = uid('cust_')
    const file = `id,cap\n${id},1/day\n${fresh},1/day\n`
    const started = Date.now()
    const posted = await h.req('POST', '/v1/imports', file, { headers: { 'content-type': 'text/csv', 'content-length': String(file.length) } })
    assert.equal(posted.status, 202, posted.text)
    let job: any
    for (let i = 0; i < 500 && !['completed', 'failed', 'cancelled'].includes(job?.state); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 10))
      job = (await h.req('GET', `/v1/imports/${posted.body.id}`)).body
    }
    assert.equal(job.state, 'completed')
    assert.equal(job.updated + job.created, 2)
    const kept = await row(id)
    assert.deepEqual(kept.recent, [['news', 'email', sent]])
    assert.ok(kept.from !== null && kept.from >= started - 30 * DAY && kept.from <= Date.now() - 30 * DAY, `recent_from ${kept.from}`)
    assert.deepEqual((await row(fresh)).recent, [])
    assert.equal((await check(id, sent + HOUR)).reason, 'frequency_cap')
  })
})
