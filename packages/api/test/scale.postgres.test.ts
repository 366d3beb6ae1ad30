/**
 * F6: several API processes on one PostgreSQL. Runs in the PostgreSQL pass of the suite
 * (HEED_TEST_DATABASE_URL=postgres://…); on SQLite it is skipped, saying why.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ownTestDatabase, ROOT_TOKEN } from './harness.ts'
import { startServer, type ServerProcess } from './server-process.ts'

/** A chain that verifies, with `count` events and the hash of its last one as `head`. */
function assertVerified(result: any, count: number) {
  assert.equal(result.ok, true, JSON.stringify(result))
  assert.equal(result.count, count)
  assert.match(result.head, /^[0-9a-f]{64}$/)
}

const DB = process.env.HEED_TEST_DATABASE_URL ?? ''
const onPostgres = /^postgres(ql)?:\/\//.test(DB)

describe('three API processes on one PostgreSQL', { skip: onPostgres ? false : 'runs in the PostgreSQL pass (HEED_TEST_DATABASE_URL=postgres://…)' }, () => {
  let servers: ServerProcess[] = []
  let own: Awaited<ReturnType<typeof ownTestDatabase>>

  before(async () => {
    own = await ownTestDatabase()
    // All three start at once on an empty database: migrations must take their lock, not race.
    servers = await Promise.all(
      Array.from({ length: 3 }, () => startServer({ databaseUrl: own.url, env: { HEED_DATABASE_POOL_SIZE: '8' }, timeoutMs: 30_000 })),
    )
  })

  after(async () => {
    await Promise.all(
      servers.map(async (server) => {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM')
        await server.exited
      }),
    )
    await own.dispose()
  })

  test('60 concurrent reserves spread across the processes record exactly the 5 a 5/day cap allows, and the ledger verifies', async () => {
    // A 503 with Retry-After is a server saying "not now": on a loaded machine the last of 30
    // consent changes of one tenant, queued for its ledger's lock, can wait past the 2 s bound
    // (and is told its change may still be made). A sender retries, and so does this test: it
    // checks what gets written, and repeating a PUT or a reserve with the same messageId is safe.
    const call = async (i: number, method: string, path: string, key: string, body?: unknown) => {
      for (let attempt = 0; ; attempt++) {
        const res = await servers[i % 3]!.call(method, path, body, key)
        if (res.status !== 503 || attempt === 20) return res
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    const created = await call(0, 'POST', '/v1/admin/tenants', ROOT_TOKEN, { name: 'Scale Co', id: `scale-${Date.now().toString(36)}` })
    assert.equal(created.status, 201)
    const key: string = created.body.apiKey.secret
    assert.equal((await call(1, 'PUT', '/v1/topics/news', key, { name: 'News' })).status, 201)
    assert.equal(
      (await call(2, 'PUT', '/v1/subscribers/hot', key, { topics: { news: { subscribed: true } }, cap: { max: 5, per: 'day' } })).status,
      201,
    )
    // Consent changes through every process, concurrently, to stress the hash chain.
    const puts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i, 'PUT', `/v1/subscribers/s${i}`, key, { topics: { news: { subscribed: i % 2 === 0 } } })),
    )
    // 201, or 200 when a retried PUT found its first attempt written after all (a 503 is not
    // a promise that nothing was written; the retry is what settles it).
    for (const r of puts) assert.ok(r.status === 201 || r.status === 200, `a concurrent consent change was not written: ${r.status}`)

    const at = '2026-06-01T12:00:00Z'
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(i, 'POST', '/v1/dispatches', key, { subscriberId: 'hot', topic: 'news', messageId: `m-${i}`, at }),
      ),
    )
    const recorded = results.filter((r) => r.status === 201 && r.body.recorded === true)
    const refused = results.filter((r) => r.status === 200 && r.body.recorded === false)
    assert.equal(recorded.length, 5, `recorded ${recorded.length}: ${JSON.stringify(results.map((r) => r.status))}`)
    assert.equal(refused.length, 55)
    for (const r of refused) assert.equal(r.body.decision.reason, 'frequency_cap')

    const next = await call(1, 'POST', '/v1/check', key, { subscriberId: 'hot', topic: 'news', at })
    assert.equal(next.body.reason, 'frequency_cap')
    const exported = await call(2, 'GET', '/v1/subscribers/hot/export', key)
    assert.equal(exported.body.dispatches.length, 5)

    const verify = await call(0, 'GET', '/v1/events/verify', key)
    assertVerified(verify.body, 31)
  })
})
