/**
 * The operators' command line (`npm run heed`), run as a child process on the test database
 * while the app reads the same database: an import is the API's job (its counts, its errors,
 * its ledger events), a dry run writes nothing, an unknown tenant exits 2, an export imports
 * back unchanged, and a ledger export verifies offline until one byte of it is changed.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { putStandardTopics, putSubscriber, setup, type Harness, type TenantHandle } from './harness.ts'

const API_DIR = fileURLToPath(new URL('..', import.meta.url))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

describe('npm run heed', () => {
  let h: Harness
  let dir: string
  before(async () => {
    h = await setup()
    dir = mkdtempSync(join(tmpdir(), 'heed-cli-'))
  })
  after(async () => {
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** The command line with `args`, on the harness's database. */
  function heed(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/heed.ts', ...args], {
        cwd: API_DIR,
        env: { ...process.env, DATABASE_URL: h.config.DATABASE_URL },
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d))
      child.stderr.on('data', (d: Buffer) => (stderr += d))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
  }

  const file = (name: string, content: string) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }

  async function tenant(): Promise<TenantHandle> {
    const t = await h.createTenant()
    await putStandardTopics(t)
    return t
  }

  const LIST = 'id,email,topic:news,consentSource\nann,ann@example.com,yes,shop checkout\nbob,bob@example.com,no,\nbad,not an address,,\n'

  test('import creates subscribers through the API’s own job: counts and first errors printed, exit 0, ledger events with source import and the job id', async () => {
    const t = await tenant()
    const list = file('list.csv', LIST)
    const run = await heed('import', list, '--tenant', t.id)
    assert.equal(run.code, 0, run.stderr)

    const [job] = (await t.req('GET', '/v1/imports')).body.data
    assert.equal(job.state, 'completed')
    assert.equal(job.fileName, 'list.csv')
    assert.deepEqual([job.read, job.created, job.failed], [3, 2, 1])
    assert.match(run.stdout, new RegExp(`import ${job.id} completed \\(upsert\\)`))
    assert.match(run.stdout, /read 3, created 2, updated 0, unchanged 0, skipped 0, failed 1, kept 0/)
    assert.match(run.stdout, /line 4, email \(bad\): /)
    assert.ok(run.stdout.includes(`GET /v1/imports/${job.id}/errors`), run.stdout)
    assert.ok(existsSync(list), 'the operator’s file is left where it was')

    assert.equal((await t.req('GET', '/v1/subscribers/ann')).body.email, 'ann@example.com')
    const events = (await t.req('GET', '/v1/events?limit=100')).body.data
    assert.equal(events.length, 2)
    for (const e of events) {
      assert.equal(e.source, 'import')
      assert.equal(e.proof.importId, job.id)
    }
  })

  test('--dry-run reports what the import would do and writes nothing', async () => {
    const t = await tenant()
    const run = await heed('import', file('dry.csv', LIST), '--tenant', t.id, '--dry-run')
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /completed \(upsert, dry run\)/)
    assert.match(run.stdout, /read 3, created 2, /)
    assert.equal((await t.req('GET', '/v1/subscribers/ann')).status, 404)
    assert.deepEqual((await t.req('GET', '/v1/events')).body.data, [])
  })

  test('an unknown tenant exits 2 and makes no job; bad arguments print the usage and exit 1', async () => {
    const unknown = await heed('import', file('none.csv', LIST), '--tenant', 'no-such-tenant')
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /no tenant "no-such-tenant"/)

    for (const args of [[], ['import', file('x.csv', LIST)], ['export', '--tenant', 'x', '--mode', 'upsert']]) {
      const run = await heed(...args)
      assert.equal(run.code, 1, args.join(' '))
      assert.match(run.stderr, /usage: npm run heed/, args.join(' '))
    }
    const help = await heed('--help')
    assert.equal(help.code, 0)
    assert.match(help.stdout, /verify-ledger FILE/)
  })

  test('an export to a file is the API’s export, and importing it again leaves every subscriber unchanged', async () => {
    const t = await tenant()
    await putSubscriber(t, 'ann', { email: 'ann@example.com', locale: 'et', topics: { news: { subscribed: true, channels: { sms: false } } }, quietHours: { start: '22:00', end: '07:00' } })
    await putSubscriber(t, 'bob', { status: 'unsubscribed', cap: { max: 1, per: 'day' } })
    await putSubscriber(t, 'cy', {})
    const out = join(dir, 'export.csv')
    const exported = await heed('export', '--tenant', t.id, '--out', out)
    assert.equal(exported.code, 0, exported.stderr)
    assert.equal(readFileSync(out, 'utf8'), (await t.req('GET', '/v1/subscribers/export?format=csv')).text)

    const ndjson = await heed('export', '--tenant', t.id, '--format', 'ndjson')
    assert.equal(ndjson.code, 0, ndjson.stderr)
    assert.equal(ndjson.stdout, (await t.req('GET', '/v1/subscribers/export?format=ndjson')).text)

    const again = await heed('import', out, '--tenant', t.id)
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /read 3, created 0, updated 0, unchanged 3, skipped 0, failed 0, kept 0/)
  })

  test('export-ledger writes the API’s ledger export; verify-ledger accepts it, then names the event one changed byte breaks', async () => {
    const t = await tenant()
    await putSubscriber(t, 'ann', { email: 'ann@example.com' })
    await putSubscriber(t, 'bob', { email: 'bob@example.com' })
    await putSubscriber(t, 'ann', { locale: 'et' })
    const ledger = join(dir, 'ledger.ndjson')
    const exported = await heed('export-ledger', '--tenant', t.id, '--out', ledger)
    assert.equal(exported.code, 0, exported.stderr)
    const text = readFileSync(ledger, 'utf8')
    assert.equal(text, (await t.req('GET', '/v1/events/export')).text)

    const verified = await heed('verify-ledger', ledger)
    assert.equal(verified.code, 0, verified.stdout + verified.stderr)
    const { head } = (await t.req('GET', '/v1/events/verify')).body
    assert.match(verified.stdout, new RegExp(`3 events, head ${head}`))

    const lines = text.trimEnd().split('\n')
    const second = JSON.parse(lines[1]!)
    lines[1] = lines[1]!.replace('bob@example.com', 'bob@example.org')
    const tampered = file('tampered.ndjson', lines.join('\n') + '\n')
    const broken = await heed('verify-ledger', tampered)
    assert.equal(broken.code, 1)
    assert.ok(broken.stdout.includes(`event #2 (${second.id}): its content was changed`), broken.stdout)
  })
})
