/**
 * Demo seeding by the real server. Needs an empty database, so it always uses its own
 * temporary SQLite file (not HEED_TEST_DATABASE_URL, which may be a shared PostgreSQL).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { openStore } from '../src/db/open.ts'
import { startServer, type ServerProcess } from './server-process.ts'

/** The check the seeding prints: its URL, key and body. */
function printedCheck(stdout: string) {
  const key = stdout.match(/export HEED_KEY=(\S+)/)?.[1]
  const url = stdout.match(/curl -s (\S+)/)?.[1]
  const body = stdout.match(/-d '([^']+)'/)?.[1]
  assert.ok(key && url && body, `a key, a URL and a body are printed:\n${stdout}`)
  return { key, url, body: JSON.parse(body) as { subscriberId: string; topic: string; channel?: string } }
}

describe('demo seeding', { concurrency: true }, () => {
  const dirs: string[] = []
  const running: ServerProcess[] = []
  const freshDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'heed-demo-'))
    dirs.push(dir)
    return `file:${join(dir, 'heed.db')}`
  }
  after(async () => {
    for (const s of running) await s.kill9()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  test('on an empty database the server prints an API key that works for the printed check', async () => {
    const databaseUrl = freshDb()
    // The demo file goes next to this test's database, not to the default packages/api/data.
    const demoFile = join(dirs.at(-1)!, 'demo.json')
    const server = await startServer({ databaseUrl, env: { HEED_DEMO: '1', HEED_ADMIN_TOKEN: '', HEED_DEMO_FILE: demoFile } })
    running.push(server)
    const { key, url, body } = printedCheck(server.stdout())
    assert.match(url, /\/v1\/check$/)
    // The printed URL names the public URL (localhost:PORT); ask this server the same thing.
    const path = new URL(url).pathname
    const res = await fetch(server.base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    assert.equal(res.status, 200)
    const decision = (await res.json()) as any
    assert.equal(decision.subscriberId, body.subscriberId)
    assert.equal(decision.topic, body.topic)
    assert.ok(!['unknown_subscriber', 'unknown_topic'].includes(decision.reason), `the demo subscriber and topic exist: ${decision.reason}`)

    // The printed key is an admin key of the demo tenant, with topics and the subscriber in it.
    const topics = await server.call('GET', '/v1/topics', undefined, key)
    assert.equal(topics.status, 200)
    assert.ok(topics.body.data.some((t: any) => t.key === body.topic))
    assert.equal((await server.call('GET', `/v1/subscribers/${body.subscriberId}`, undefined, key)).status, 200)

    // The console's address and the demo owner's sign-in are printed with it, and work.
    const console = server.stdout().match(/Console: (\S+)\/console {2}sign in as (\S+) \/ (\S+)/)
    assert.ok(console, `the console sign-in is printed:\n${server.stdout()}`)
    assert.equal(console[2], 'owner@demo-outfitters.example')
    const signIn = await server.call('POST', '/v1/session', { email: console[2], password: console[3] })
    assert.equal(signIn.status, 200)
    assert.equal(signIn.body.tenant.id, 'demo')

    await server.kill9()

    // A restart on the same database prints neither again: they were shown once.
    const again = await startServer({ databaseUrl, env: { HEED_DEMO: '1', HEED_ADMIN_TOKEN: '', HEED_DEMO_FILE: demoFile } })
    running.push(again)
    assert.doesNotMatch(again.stdout(), /HEED_KEY=|sign in as/)
    await again.kill9()
  })

  test('HEED_DEMO=0 seeds nothing into an empty database', async () => {
    const databaseUrl = freshDb()
    const server = await startServer({ databaseUrl, env: { HEED_DEMO: '0' } })
    running.push(server)
    assert.doesNotMatch(server.stdout(), /HEED_KEY=|Seeded/)
    await server.kill9()
    const store = await openStore(databaseUrl)
    try {
      assert.equal(await store.getTenant('demo'), null)
    } finally {
      await store.close()
    }
    // Raw SQL, on purpose: nothing at all is in the database, not just no "demo" tenant.
    const sqlite = new Database(databaseUrl.slice('file:'.length), { readonly: true })
    try {
      for (const table of ['tenants', 'api_keys', 'topics', 'subscribers', 'dispatches']) {
        const { n } = sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }
        assert.equal(n, 0, `${table} is empty`)
      }
    } finally {
      sqlite.close()
    }
  })
})
