/**
 * The PostgreSQL driver as Heed installs it: postgres.js 3.4 with the fixes in
 * patches/postgres+3.4.9.patch (applied by `npm install`). Runs in the PostgreSQL pass.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, test } from 'node:test'
import postgres from 'postgres'
import { startProxy } from './tcp-proxy.ts'

const DB = process.env.HEED_TEST_DATABASE_URL ?? ''
const onPostgres = /^postgres(ql)?:\/\//.test(DB)
const API_DIR = fileURLToPath(new URL('..', import.meta.url))

describe('postgres.js when a connection drops', { skip: onPostgres ? false : 'runs in the PostgreSQL pass (HEED_TEST_DATABASE_URL=postgres://…)' }, () => {
  test('a query sent on a connection that has just closed fails with CONNECTION_CLOSED; the process does not crash', () => {
    // Unpatched, the query's write runs from setImmediate after the socket is gone and throws
    // "Cannot read properties of null (reading 'write')" where nothing can catch it.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/query-after-close.ts', DB], { cwd: API_DIR, encoding: 'utf8', timeout: 20_000 })
    assert.equal(run.status, 0, `the process exited with ${run.status}:\n${run.stderr}`)
    assert.match(run.stdout, /outcome: CONNECTION_CLOSED/)
  })

  // It kept a query asked between a connection's failure and its close as sent, and the
  // connection, reopened, matched the next answers to the wrong queries: the first
  // transaction after an outage waited forever.
  test('a query asked right after a connection failed fails, and the reopened connection serves the next transaction', async () => {
    const target = new URL(DB)
    const proxy = await startProxy(target.hostname, Number(target.port || 5432))
    const sql = postgres(proxy.through(DB), { max: 1, onnotice: () => {}, backoff: () => 0.05 })
    try {
      await sql`SELECT 1`
      let late: Promise<string> | undefined
      const first = sql`SELECT pg_sleep(0.3)`.catch((error: { code?: string }) => {
        late = sql`SELECT ${'late'}::text AS v`.then(
          (rows) => rows[0]!.v as string,
          (e: { code?: string }) => e.code ?? 'error',
        )
        return error.code
      })
      setTimeout(() => proxy.cut('reset'), 100)
      assert.equal(await first, 'ECONNRESET')
      proxy.restore()
      const within = <T,>(work: Promise<T>) => Promise.race([work, new Promise<string>((r) => setTimeout(() => r('no answer in 2 s'), 2000))])
      assert.equal(await within(late!), 'CONNECTION_CLOSED')
      assert.equal(await within(sql.begin(async (tx) => (await tx`SELECT ${'after'}::text AS v`)[0]!.v as string)), 'after')
    } finally {
      await sql.end({ timeout: 1 })
      await proxy.close()
    }
  })
})
