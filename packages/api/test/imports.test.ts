/**
 * Imports and exports through the real app and database: the rules of an import (never
 * opting anyone back in, duplicates and bad rows reported by line, modes, dry run, a re-run
 * changing nothing), the consent proof in the ledger, a round trip through the export, a
 * malformed file failing rows and not the server, and cancelling.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ChainVerifier } from '../src/db/ledger.ts'
import { assertProblem, putStandardTopics, putSubscriber, setup, type Harness, type TenantHandle } from './harness.ts'

const CSV = { 'content-type': 'text/csv' }
const NDJSON = { 'content-type': 'application/x-ndjson' }

/** Uploads `file` and waits for the job to end; its last state. */
async function importFile(t: TenantHandle, file: string | Buffer, query = '', headers: Record<string, string> = CSV) {
  const posted = await t.req('POST', `/v1/imports${query}`, file, { headers: { ...headers, 'content-length': String(Buffer.byteLength(file)) } })
  assert.equal(posted.status, 202, posted.text)
  return waitFor(t, posted.body.id)
}

async function waitFor(t: TenantHandle, id: string) {
  for (let i = 0; i < 2000; i++) {
    const job = (await t.req('GET', `/v1/imports/${id}`)).body
    if (['completed', 'failed', 'cancelled'].includes(job.state)) return job
    await sleep(10)
  }
  throw new Error(`import ${id} did not end`)
}

const counts = (job: any) => ({ read: job.read, created: job.created, updated: job.updated, unchanged: job.unchanged, skipped: job.skipped, failed: job.failed, kept: job.kept })
const events = async (t: TenantHandle) => (await t.req('GET', '/v1/events?limit=1000')).body.data as any[]
const errorsOf = async (t: TenantHandle, id: string) => (await t.req('GET', `/v1/imports/${id}/errors`)).body.data as any[]

describe('imports', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  async function tenant() {
    const t = await h.createTenant()
    await putStandardTopics(t)
    return t
  }

  test('a CSV creates subscribers with their topics; each gets a ledger event with source import, the job and the consent proof; the same file again changes nothing', async () => {
    const t = await tenant()
    const file = '\uFEFFid;email;topic:news;topic:promo;consentedAt;consentSource;consentText;ip\r\nann;Ann@Example.com;yes;no;2025-01-02T03:04:05Z;shop checkout;Send me news;203.0.113.9\r\nbob;bob@example.com;yes;;;;;\r\n'
    const job = await importFile(t, file, '?fileName=list.csv')
    assert.equal(job.state, 'completed')
    assert.equal(job.fileName, 'list.csv')
    assert.deepEqual(counts(job), { read: 2, created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0, kept: 0 })
    const ann = (await t.req('GET', '/v1/subscribers/ann')).body
    assert.equal(ann.email, 'ann@example.com')
    assert.deepEqual(ann.topics, { news: { subscribed: true }, promo: { subscribed: false } })
    const [first, second] = await events(t)
    assert.equal(first.source, 'import')
    assert.deepEqual(first.proof, { importId: job.id, consentedAt: '2025-01-02T03:04:05.000Z', consentSource: 'shop checkout', consentText: 'Send me news', ip: '203.0.113.9' })
    assert.deepEqual(second.proof, { importId: job.id })
    const again = await importFile(t, file)
    assert.deepEqual(counts(again), { read: 2, created: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0, kept: 0 })
    assert.equal((await events(t)).length, 2)
  })

  test('an import never opts anyone back in: unsubscribed, a topic or channel turned off, and an erased person stay so, and are counted as kept', async () => {
    const t = await tenant()
    await putSubscriber(t, 'out', { status: 'unsubscribed' })
    await putSubscriber(t, 'picky', { topics: { news: { subscribed: false } }, channels: { sms: false } })
    await putSubscriber(t, 'gone', { email: 'gone@example.com' })
    assert.equal((await t.req('DELETE', '/v1/subscribers/gone')).status, 204)
    const job = await importFile(t, 'id,email,status,topic:news,channel:sms,locale\nout,,subscribed,,,et\npicky,,,yes,yes,\ngone,gone@example.com,subscribed,,,\nnew,,subscribed,yes,,\n')
    // picky's row asks only for what they turned off: nothing else changes.
    assert.deepEqual(counts(job), { read: 4, created: 2, updated: 1, unchanged: 1, skipped: 0, failed: 0, kept: 3 })
    const out = (await t.req('GET', '/v1/subscribers/out')).body
    assert.equal(out.status, 'unsubscribed')
    assert.equal(out.locale, 'et', 'the rest of the row still applies')
    const picky = (await t.req('GET', '/v1/subscribers/picky')).body
    assert.equal(picky.topics.news.subscribed, false)
    assert.equal(picky.channels.sms, false)
    assert.equal((await t.req('GET', '/v1/subscribers/gone')).body.status, 'unsubscribed')
    assert.equal((await t.req('GET', '/v1/subscribers/new')).body.status, 'subscribed')
  })

  test('bad rows fail alone, by line and column: a duplicate id, an unknown topic, a bad value, a ragged row; the errors page and the CSV download list them', async () => {
    const t = await tenant()
    const job = await importFile(t, 'id,email,topic:news\nann,ann@example.com,yes\nbob,not-an-email,yes\nann,ann2@example.com,no\ncid,c@example.com\ndee,d@example.com,maybe\neve,e@example.com,yes\n')
    assert.deepEqual(counts(job), { read: 6, created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 4, kept: 0 })
    const errors = await errorsOf(t, job.id)
    assert.deepEqual(
      errors.map((e) => [e.line, e.subscriberId, e.column]),
      [
        [3, 'bob', 'email'],
        [4, 'ann', 'id'],
        [5, 'cid', null],
        [6, 'dee', 'topic:news'],
      ],
    )
    assert.match(errors[1].reason, /line 2/)
    assert.equal((await t.req('GET', '/v1/subscribers/ann')).body.email, 'ann@example.com', 'the first of a duplicate stands')
    const unknown = await importFile(t, 'id,topic:nwes\nfay,yes\n')
    assert.equal(unknown.failed, 1)
    assert.match((await errorsOf(t, unknown.id))[0].reason, /no topic "nwes"/)
    const csv = await t.req('GET', `/v1/imports/${job.id}/errors?format=csv`)
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type')!, /text\/csv/)
    assert.equal(csv.text.trim().split('\r\n').length, 5)
  })

  test('modes: createOnly skips who exists, updateOnly who does not; both listed with why', async () => {
    const t = await tenant()
    await putSubscriber(t, 'old', {})
    const createOnly = await importFile(t, 'id,locale\nold,et\nfresh,et\n', '?mode=createOnly')
    assert.deepEqual(counts(createOnly), { read: 2, created: 1, updated: 0, unchanged: 0, skipped: 1, failed: 0, kept: 0 })
    assert.match((await errorsOf(t, createOnly.id))[0].reason, /exists already/)
    assert.equal((await t.req('GET', '/v1/subscribers/old')).body.locale, null)
    const updateOnly = await importFile(t, 'id,locale\nold,et\nnobody,et\n', '?mode=updateOnly')
    assert.deepEqual(counts(updateOnly), { read: 2, created: 0, updated: 1, unchanged: 0, skipped: 1, failed: 0, kept: 0 })
    assert.equal((await t.req('GET', '/v1/subscribers/nobody')).status, 404)
  })

  test('a dry run reports exactly what the run then does, and writes nothing', async () => {
    const t = await tenant()
    await putSubscriber(t, 'out', { status: 'unsubscribed' })
    await putSubscriber(t, 'same', { locale: 'et' })
    const file = 'id,status,locale,topic:news\nout,subscribed,,\nsame,,et,\nnew,,,yes\nbad,,xx-??,\n'
    const before = await events(t)
    const dry = await importFile(t, file, '?dryRun=true')
    assert.equal(dry.dryRun, true)
    assert.deepEqual(await events(t), before)
    assert.equal((await t.req('GET', '/v1/subscribers/new')).status, 404)
    const real = await importFile(t, file)
    assert.deepEqual(counts(dry), counts(real))
    assert.deepEqual(await errorsOf(t, dry.id), await errorsOf(t, real.id))
  })

  test('export → import gives the same state and no new ledger events, in CSV and NDJSON; the ledger export verifies offline', async () => {
    const t = await tenant()
    await putSubscriber(t, 'ann', { email: 'ann@example.com', locale: 'et', timezone: 'Europe/Tallinn', topics: { news: { subscribed: true, channels: { sms: false }, cap: { max: 2, per: 'week' } } }, quietHours: { start: '22:00', end: '07:00', days: [0, 6] } })
    await putSubscriber(t, 'bob', { status: 'unsubscribed', cap: { max: 1, per: 'day', channel: 'email' }, pausedUntil: '2030-01-01T00:00:00Z', channels: { sms: false } })
    await putSubscriber(t, 'cy', {})
    const state = async () => (await t.req('GET', '/v1/subscribers?limit=100')).body.data
    const before = await state()
    const eventsBefore = await events(t)
    for (const [format, headers] of [['csv', CSV], ['ndjson', NDJSON]] as const) {
      const exported = await t.req('GET', `/v1/subscribers/export?format=${format}`)
      assert.equal(exported.status, 200)
      const job = await importFile(t, exported.text, '', headers)
      assert.deepEqual(counts(job), { read: 3, created: 0, updated: 0, unchanged: 3, skipped: 0, failed: 0, kept: 0 }, format)
    }
    assert.deepEqual(await state(), before)
    assert.deepEqual(await events(t), eventsBefore)

    const ledger = await t.req('GET', '/v1/events/export')
    assert.equal(ledger.status, 200)
    const verifier = new ChainVerifier()
    for (const line of ledger.text.trim().split('\n')) verifier.step(JSON.parse(line))
    const result = verifier.result()
    assert.equal(result.ok, true)
    assert.equal(result.count, eventsBefore.length)
    const tampered = new ChainVerifier()
    for (const line of ledger.text.trim().split('\n')) tampered.step({ ...JSON.parse(line.replace('"locale":"et"', '"locale":"en"')) })
    assert.equal(tampered.result().ok, false)
  })

  test('a malformed file fails rows, not the server: bad UTF-8, a 10 MB line, then good rows; an unreadable header fails the job with why', async () => {
    const t = await tenant()
    const file = Buffer.concat([Buffer.from('id,email\nok1,a@example.com\nbad,\xff\xfe@example.com\n', 'latin1'), Buffer.from(`huge,${'x'.repeat(10 * 1024 * 1024)}\n`), Buffer.from('ok2,b@example.com\n')])
    const posted = await t.req('POST', '/v1/imports', file, { headers: { ...CSV, 'content-length': String(file.length) } })
    assert.equal(posted.status, 202, posted.text)
    const job = await waitFor(t, posted.body.id)
    assert.equal(job.state, 'completed')
    assert.equal(job.created, 2)
    assert.equal(job.failed, 2)
    assert.deepEqual(
      (await errorsOf(t, job.id)).map((e) => e.line),
      [3, 4],
    )
    const headerless = await importFile(t, 'email,locale\na@example.com,et\n')
    assert.equal(headerless.state, 'failed')
    assert.match(headerless.error, /id/)
    assertProblem(await t.req('POST', '/v1/imports', 'id\nx\n', { headers: { 'content-type': 'application/pdf' } }), 415)
    assert.equal((await t.req('GET', '/v1/subscribers/ok2')).status, 200)
  })

  test('the example files in examples/import import without an error', async () => {
    const t = await h.createTenant()
    for (const key of ['newsletter', 'sales']) assert.equal((await t.req('PUT', `/v1/topics/${key}`, { name: key })).status, 201)
    const csv = await importFile(t, readFileSync(new URL('../../../examples/import/subscribers.csv', import.meta.url)))
    assert.deepEqual(counts(csv), { read: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, failed: 0, kept: 0 })
    const maria = (await t.req('GET', '/v1/subscribers/cust_1001')).body
    assert.deepEqual(maria.topics.sales, { subscribed: true, cap: { max: 1, per: 'week' } })
    assert.deepEqual(maria.quietHours, { start: '22:00', end: '08:00' })
    const ndjson = await importFile(t, readFileSync(new URL('../../../examples/import/subscribers.ndjson', import.meta.url)), '', NDJSON)
    assert.deepEqual(counts(ndjson), { read: 2, created: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0, kept: 0 })
  })

  test('a cancelled import stops: what it wrote stays, the rest is not written', async () => {
    const t = await tenant()
    const rows = Array.from({ length: 20_000 }, (_, i) => `p${i},p${i}@example.com`).join('\n')
    const posted = await t.req('POST', '/v1/imports', `id,email\n${rows}\n`, { headers: CSV })
    assert.equal(posted.status, 202)
    const cancelled = await t.req('DELETE', `/v1/imports/${posted.body.id}`)
    assert.equal(cancelled.status, 200)
    assert.equal(cancelled.body.cancelRequested, true)
    const job = await waitFor(t, posted.body.id)
    assert.equal(job.state, 'cancelled')
    assert.ok(job.created < 20_000, `stopped early (${job.created} created)`)
    const exported = (await t.req('GET', '/v1/subscribers/export?format=ndjson')).text.split('\n').filter(Boolean)
    assert.equal(exported.length, job.created)
    assert.equal((await t.req('GET', '/v1/imports')).body.data[0].id, posted.body.id)
  })
})
