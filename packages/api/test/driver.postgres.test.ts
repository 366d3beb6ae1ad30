/**
 * The PostgreSQL driver as Heed installs it: postgres.js 3.4 with the fixes in
 * patches/postgres+3.4.9.patch (applied by `npm install`). Runs in the PostgreSQL pass.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, test } from 'node:test'

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
})
