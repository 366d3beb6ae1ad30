/**
 * SQLite when it cannot write: a full disk (the file may not grow: `PRAGMA max_page_count`)
 * or a read-only database (`PRAGMA query_only`, as a read-only file or mount answers).
 * Writes answer 503 with Retry-After and change nothing; reads keep working; writes resume
 * when space returns. Runs in the SQLite pass; alone/outage.postgres.test.ts cuts PostgreSQL.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type Database from 'better-sqlite3'
import { assertProblem, putStandardTopics, putSubscriber, setup, type Harness, type Res } from './harness.ts'

const onSqlite = !/^postgres(ql)?:\/\//.test(process.env.HEED_TEST_DATABASE_URL ?? '')
const at = '2026-05-04T12:00:00Z'
/** An address of about 200 bytes: a subscriber row and its ledger event fill a page in a few writes. */
const longEmail = (id: string) => `${id}.${'x'.repeat(180)}@example.com`

function assertUnavailable(res: Res) {
  assertProblem(res, 503, 'database is unavailable')
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/)
  assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After')
}

describe('SQLite that cannot write', { skip: onSqlite ? false : 'runs in the SQLite pass' }, () => {
  let h: Harness
  let sqlite: Database.Database
  let n = 0

  before(async () => {
    h = await setup()
    sqlite = (h.store as unknown as { raw: Database.Database }).raw
    await putStandardTopics(h)
    await putSubscriber(h, 'ann', { email: 'ann@example.com', topics: { news: { subscribed: true } }, cap: { max: 3, per: 'day' } })
  })
  after(() => h.close())
  beforeEach(() => {
    sqlite.pragma('max_page_count = 1073741823')
    sqlite.pragma('query_only = OFF')
  })

  const reserve = (messageId: string, subscriberId = 'ann') => h.req('POST', '/v1/dispatches', { subscriberId, topic: 'news', messageId, at })

  test('a full disk: writes answer 503 and change nothing, reads keep working, writes resume when space returns', async () => {
    // The file may not grow by a page: new subscribers go until one does not fit.
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`)
    let refused: Res | null = null
    let id = ''
    for (let i = 0; i < 5000 && !refused; i++) {
      id = `filler-${n++}`
      const res = await h.req('PUT', `/v1/subscribers/${id}`, { email: longEmail(id), topics: { news: { subscribed: true } } })
      if (res.status !== 201) refused = res
    }
    assert.ok(refused, 'the file never filled up')
    assertUnavailable(refused)

    // Nothing of the refused write is there: neither the subscriber nor its ledger event.
    assert.equal((await h.req('GET', `/v1/subscribers/${id}`)).status, 404)
    const events = await h.req('GET', `/v1/events?subscriberId=${id}`)
    assert.equal(events.status, 200)
    assert.deepEqual(events.body.data, [])

    // Reads keep working: a check, a batch check, a subscriber, the ledger's verification.
    const check = await h.req('POST', '/v1/check', { subscriberId: 'ann', topic: 'news', at })
    assert.equal(check.status, 200)
    assert.equal(check.body.allowed, true)
    const batch = await h.req('POST', '/v1/check/batch', { checks: [{ subscriberId: 'ann', topic: 'news' }], at })
    assert.equal(batch.status, 200)
    assert.equal((await h.req('GET', '/v1/subscribers/ann')).status, 200)
    assert.equal((await h.req('GET', '/v1/events/verify')).body.ok, true)

    // The same write, asked again, is refused again; other writes that need room likewise
    // (the next test: reserves).
    assertUnavailable(await h.req('PUT', `/v1/subscribers/${id}`, { email: longEmail(id), topics: { news: { subscribed: true } } }))
    const ready = await h.raw('GET', '/healthz')
    assert.equal(ready.status, 200, 'reads work: the process stays in the load balancer')

    // Space returns: writes go through again.
    sqlite.pragma('max_page_count = 1073741823')
    const again = await reserve('full-1')
    assert.equal(again.status, 201)
    assert.equal((await h.req('PUT', `/v1/subscribers/${id}`, { email: `${id}@example.com` })).status, 201)
    const exported = await h.req('GET', '/v1/subscribers/ann/export')
    assert.deepEqual(
      exported.body.dispatches.map((d: { messageId: string }) => d.messageId),
      ['full-1'],
    )
    assert.equal((await h.req('GET', '/v1/events/verify')).body.ok, true)
  })

  test('reserves while full answer 201 or 503, and once space returns the cap counts exactly what was recorded', async () => {
    await putSubscriber(h, 'zed', { topics: { news: { subscribed: true } } })
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`)
    // Another subscriber's dispatches take what room the file has left.
    let full = false
    for (let i = 0; i < 5000 && !full; i++) full = (await reserve(`zed-${i}`, 'zed')).status === 503
    assert.ok(full, 'the file never filled up')

    // ann's cap is 3 a day and full-1 is recorded: of ten reserves at once, some may still
    // fit in a page with room, the rest are refused as unavailable.
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => reserve(`burst-${i}`)))
    for (const res of burst) if (res.status !== 201 && res.status !== 200) assertUnavailable(res)
    assert.ok(burst.some((res) => res.status === 503), 'no reserve was refused while full')

    // Space returns and the senders retry every messageId: exactly two more are recorded.
    sqlite.pragma('max_page_count = 1073741823')
    const retried: Res[] = []
    for (let i = 0; i < 10; i++) retried.push(await reserve(`burst-${i}`))
    const recorded = retried.filter((r) => r.status === 201).length
    assert.equal(recorded, 2, retried.map((r) => r.status).join(' '))
    burst.forEach((res, i) => {
      if (res.status === 201) assert.equal(retried[i]!.headers.get('idempotent-replayed'), 'true', 'an acknowledged reserve replays')
    })
    for (const r of retried) if (r.status === 200) assert.equal(r.body.decision.reason, 'frequency_cap')
    const exported = await h.req('GET', '/v1/subscribers/ann/export')
    assert.equal(exported.body.dispatches.length, 3)
  })

  test('a read-only database: writes answer 503, reads keep working, writes resume once it is writable', async () => {
    sqlite.pragma('query_only = ON')
    assertUnavailable(await h.req('PUT', '/v1/subscribers/bob', { email: 'bob@example.com' }))
    assertUnavailable(await reserve('ro-1', 'ann'))
    assertUnavailable(await h.req('PUT', '/v1/topics/extra', { name: 'Extra' }))
    assert.equal((await h.req('GET', '/v1/subscribers/bob')).status, 404)
    assert.equal((await h.req('POST', '/v1/check', { subscriberId: 'ann', topic: 'news', at })).status, 200)
    assert.equal((await h.req('GET', '/v1/topics')).status, 200)

    sqlite.pragma('query_only = OFF')
    assert.equal((await h.req('PUT', '/v1/subscribers/bob', { email: 'bob@example.com' })).status, 201)
  })
})
