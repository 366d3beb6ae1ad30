/**
 * F6: several API processes on one PostgreSQL. Runs in the PostgreSQL pass of the suite
 * (HEED_TEST_DATABASE_URL=postgres://…); on SQLite it is skipped, saying why.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'

/** A chain that verifies, with `count` events and the hash of its last one as `head`. */
function assertVerified(result: any, count: number) {
  assert.equal(result.ok, true, JSON.stringify(result))
  assert.equal(result.count, count)
  assert.match(result.head, /^[0-9a-f]{64}$/)
}

const DB = process.env.HEED_TEST_DATABASE_URL ?? ''
const onPostgres = /^postgres(ql)?:\/\//.test(DB)
const ROOT = 'scale-test-root-token-0123456789'
const API_DIR = fileURLToPath(new URL('..', import.meta.url))

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: API_DIR,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: DB, HEED_ADMIN_TOKEN: ROOT, HEED_DEMO: '0', HEED_DATABASE_POOL_SIZE: '8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout!.on('data', (d) => (log += d))
  child.stderr!.on('data', (d) => (log += d))
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server on ${port} exited: ${log}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      if (res.ok) return child
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`server on ${port} did not start: ${log}`)
}

describe('three API processes on one PostgreSQL', { skip: onPostgres ? false : 'runs in the PostgreSQL pass (HEED_TEST_DATABASE_URL=postgres://…)' }, () => {
  const children: ChildProcess[] = []
  let bases: string[] = []

  before(async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()])
    // All three start at once: migrations must take their lock, not race.
    children.push(...(await Promise.all(ports.map(startServer))))
    bases = ports.map((p) => `http://127.0.0.1:${p}`)
  })

  after(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve()
            c.once('exit', () => resolve())
            c.kill('SIGTERM')
          }),
      ),
    )
  })

  test('60 concurrent reserves spread across the processes record exactly the 5 a 5/day cap allows, and the ledger verifies', async () => {
    const call = async (base: string, method: string, path: string, key: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.status, body: (await res.json()) as any }
    }
    const created = await call(bases[0]!, 'POST', '/v1/admin/tenants', ROOT, { name: 'Scale Co', id: `scale-${Date.now().toString(36)}` })
    assert.equal(created.status, 201)
    const key: string = created.body.apiKey.secret
    assert.equal((await call(bases[1]!, 'PUT', '/v1/topics/news', key, { name: 'News' })).status, 201)
    assert.equal(
      (await call(bases[2]!, 'PUT', '/v1/subscribers/hot', key, { topics: { news: { subscribed: true } }, cap: { max: 5, per: 'day' } })).status,
      201,
    )
    // Consent changes through every process, concurrently, to stress the hash chain.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(bases[i % 3]!, 'PUT', `/v1/subscribers/s${i}`, key, { topics: { news: { subscribed: i % 2 === 0 } } })),
    )

    const at = '2026-06-01T12:00:00Z'
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(bases[i % 3]!, 'POST', '/v1/dispatches', key, { subscriberId: 'hot', topic: 'news', messageId: `m-${i}`, at }),
      ),
    )
    const recorded = results.filter((r) => r.status === 201 && r.body.recorded === true)
    const refused = results.filter((r) => r.status === 200 && r.body.recorded === false)
    assert.equal(recorded.length, 5, `recorded ${recorded.length}: ${JSON.stringify(results.map((r) => r.status))}`)
    assert.equal(refused.length, 55)
    for (const r of refused) assert.equal(r.body.decision.reason, 'frequency_cap')

    const next = await call(bases[1]!, 'POST', '/v1/check', key, { subscriberId: 'hot', topic: 'news', at })
    assert.equal(next.body.reason, 'frequency_cap')
    const exported = await call(bases[2]!, 'GET', '/v1/subscribers/hot/export', key)
    assert.equal(exported.body.dispatches.length, 5)

    const verify = await call(bases[0]!, 'GET', '/v1/events/verify', key)
    assertVerified(verify.body, 31)
  })
})
