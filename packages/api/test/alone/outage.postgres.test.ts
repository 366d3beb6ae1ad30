/**
 * The database going away under load: the real server process on PostgreSQL through a TCP
 * proxy, senders reserving, checking and batch-checking, and every connection between Heed and
 * PostgreSQL cut for three seconds. Runs in the PostgreSQL pass of the suite; on SQLite it is
 * skipped, saying why (../outage.sqlite.test.ts covers a full disk). It runs after the other test
 * files and alone (see `test:files` in package.json): beside another file's load, a fresh
 * machine once took 4.4 s to answer a reserve sent just after the restore, its test process,
 * which sends the load and runs the proxy, starved of CPU.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import postgres from 'postgres'
import { ownTestDatabase, ROOT_TOKEN } from '../harness.ts'
import { startServer, type ServerProcess } from '../server-process.ts'
import { startProxy, type CutMode, type TcpProxy } from '../tcp-proxy.ts'

const DB = process.env.HEED_TEST_DATABASE_URL ?? ''
const onPostgres = /^postgres(ql)?:\/\//.test(DB)

/** The documented bound: a request waits at most this long for the database (HEED_DATABASE_TIMEOUT_MS). */
const BOUND_MS = 2000
/** What a request may take beyond the bound on a loaded two-core machine. */
const SLACK_MS = 1000
/**
 * Each kind of request succeeds again within this long after the database comes back: 0.25–0.8 s
 * when the machine is otherwise idle, and as much beside the heaviest of the other test files.
 */
const RECOVERY_MS = 2000
/**
 * What recovery may take beyond RECOVERY_MS on a loaded two-core machine. In fresh-clone runs of
 * the whole suite it took up to 2.3 s, and once 3.2 s for reserves with every kind late together
 * (checks 3.0 s, batches 2.7 s and even /healthz, which asks only the probe connection, 1.1 s):
 * the machine, not the recovery, was slow. A recovery that waits for a restart or for the
 * driver's own reconnect backoff (up to 20 s) still fails. An answer to a request sent after
 * the restore may take as much beyond the bound.
 */
const RECOVERY_SLACK_MS = 2000
const CAP = 150
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Calls in the order they were sent, consecutive ones with the same answer on one line: when
 * they were sent and how long they took, in ms from `zero`.
 */
function timeline(calls: Answer[], zero: number): string {
  const lines: string[] = []
  let run: Answer[] = []
  const say = (a: Answer) => `${a.status}${a.status < 300 ? '' : ` ${a.body?.detail ?? a.body?.database ?? ''}`}`
  const flush = () => {
    const [first, last] = [run[0], run[run.length - 1]]
    if (!first || !last) return
    const took = run.map((a) => a.ended - a.started)
    const sent = `${Math.round(first.started - zero)}${run.length > 1 ? `…${Math.round(last.started - zero)}` : ''}`
    lines.push(`sent ${sent} ms, ${run.length} × ${say(first)}, took ${Math.round(Math.min(...took))}–${Math.round(Math.max(...took))} ms`)
    run = []
  }
  for (const a of [...calls].sort((x, y) => x.started - y.started)) {
    if (run[0] && say(run[0]) !== say(a)) flush()
    run.push(a)
  }
  flush()
  return lines.join('\n')
}

interface Answer {
  kind: 'reserve' | 'check' | 'batch' | 'healthz'
  messageId?: string
  subscriberId?: string
  started: number
  ended: number
  status: number
  retryAfter: string | null
  contentType: string
  body: any
}

describe('the database going away', { skip: onPostgres ? false : 'runs in the PostgreSQL pass (HEED_TEST_DATABASE_URL=postgres://…)' }, () => {
  let proxy: TcpProxy
  let server: ServerProcess
  let direct: postgres.Sql

  let own: Awaited<ReturnType<typeof ownTestDatabase>>
  let url = ''

  before(async () => {
    own = await ownTestDatabase()
    url = own.url
    const target = new URL(url)
    proxy = await startProxy(target.hostname, Number(target.port || 5432))
    server = await startServer({ databaseUrl: proxy.through(url), env: { HEED_DATABASE_POOL_SIZE: '4' }, timeoutMs: 30_000 })
    direct = postgres(url, { max: 1, onnotice: () => {} })
  })

  after(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM')
    await server.exited
    await proxy.close()
    await direct.end()
    await own.dispose()
  })

  for (const mode of ['reset', 'silent'] as CutMode[]) {
    test(`connections cut (${mode}) for 3 s under load: no exit, every answer within the bound, 503 while cut, success within 2 s after (4 s on a loaded machine), nothing acknowledged lost, the cap exact`, async (t) => {
      const call = async (kind: Answer['kind'], method: string, path: string, key: string | undefined, body?: unknown): Promise<Answer> => {
        const started = performance.now()
        const headers: Record<string, string> = {}
        if (key) headers.authorization = `Bearer ${key}`
        if (body !== undefined) headers['content-type'] = 'application/json'
        const res = await fetch(server.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
        const text = await res.text()
        return {
          kind,
          started,
          ended: performance.now(),
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          contentType: res.headers.get('content-type') ?? '',
          body: text ? JSON.parse(text) : null,
        }
      }

      const tenantId = `outage-${mode}-${Date.now().toString(36)}`
      const created = await call('reserve', 'POST', '/v1/admin/tenants', ROOT_TOKEN, { name: 'Outage Co', id: tenantId })
      assert.equal(created.status, 201)
      const key: string = created.body.apiKey.secret
      assert.equal((await call('reserve', 'PUT', '/v1/topics/news', key, { name: 'News' })).status, 201)
      assert.equal((await call('reserve', 'PUT', '/v1/subscribers/capped', key, { topics: { news: { subscribed: true } }, cap: { max: CAP, per: 'day' } })).status, 201)
      for (let i = 0; i < 10; i++) assert.equal((await call('reserve', 'PUT', `/v1/subscribers/s${i}`, key, { topics: { news: { subscribed: true } } })).status, 201)

      const at = '2026-06-01T12:00:00Z'
      const checks = Array.from({ length: 20 }, (_, i) => ({ subscriberId: `s${i % 10}`, topic: 'news' }))
      // A server in service: its batch thread has answered before.
      assert.equal((await call('batch', 'POST', '/v1/check/batch', key, { checks, at })).status, 200)
      const answers: Answer[] = []
      const reserve = async (subscriberId: string, messageId: string) => {
        const a = await call('reserve', 'POST', '/v1/dispatches', key, { subscriberId, topic: 'news', messageId, at })
        a.messageId = messageId
        a.subscriberId = subscriberId
        return a
      }
      // Open-loop load, as senders send: each kind at its own pace, never waiting for the
      // answers before, so requests keep arriving throughout the cut and right after it.
      const inflight: Promise<void>[] = []
      const every = (ms: number, send: (i: number) => Promise<Answer>) => {
        let i = 0
        return setInterval(() => inflight.push(send(i++).then((a) => void answers.push(a))), ms)
      }
      const timers = [
        // Reserves, every other one for the capped subscriber.
        every(10, (i) => reserve(i % 2 === 0 ? 'capped' : `s${i % 10}`, `m-${i}`)),
        every(20, () => call('check', 'POST', '/v1/check', key, { subscriberId: 's1', topic: 'news', at })),
        every(50, () => call('batch', 'POST', '/v1/check/batch', key, { checks, at })),
        every(100, () => call('healthz', 'GET', '/healthz', undefined)),
      ]

      await sleep(1000)
      const logFrom = server.stderr().length
      const cutAt = performance.now()
      proxy.cut(mode)
      await sleep(3000)
      const restoredAt = performance.now()
      proxy.restore()
      await sleep(3000)
      for (const timer of timers) clearInterval(timer)
      await Promise.all(inflight)

      assert.equal(server.child.exitCode, null, `the server exited:\n${server.stderr()}`)
      assert.equal(server.child.signalCode, null)
      assert.doesNotMatch(server.stderr(), /TypeError|uncaught/i)
      // The log says when the outage began and when it ended.
      assert.match(server.stderr(), /database unavailable: /)
      assert.match(server.stderr().slice(logFrom), /database answers again, after \d+(\.\d)? s unreachable/)

      // Every request was answered within the bound, and with a clear answer. One sent after
      // the database came back is part of the recovery, and is allowed its slack: in a fresh-clone
      // run a reserve sent 0.8 s after the restore was answered 201 after 3,035 ms, in the same
      // second after a silent cut in which two other such runs recovered late (see RECOVERY_SLACK_MS).
      const took = (a: Answer) => a.ended - a.started
      const slowestOf = (some: Answer[]) => some.reduce<Answer | null>((max, a) => (max && took(max) >= took(a) ? max : a), null)
      const beforeRestore = slowestOf(answers.filter((a) => a.started < restoredAt))
      const afterRestore = slowestOf(answers.filter((a) => a.started >= restoredAt))
      for (const [a, allowed] of [
        [beforeRestore, BOUND_MS + SLACK_MS],
        [afterRestore, BOUND_MS + RECOVERY_SLACK_MS],
      ] as const) {
        if (a) assert.ok(took(a) <= allowed, `the slowest answer took ${Math.round(took(a))} ms: ${a.kind} ${a.status}, sent ${Math.round(a.started - cutAt)} ms after the cut (${Math.round(a.started - restoredAt)} ms after the restore)`)
      }
      const slowest = Math.max(beforeRestore ? took(beforeRestore) : 0, afterRestore ? took(afterRestore) : 0)
      for (const a of answers) {
        if (a.status < 300) continue
        assert.equal(a.status, 503, `${a.kind}: ${a.status} ${JSON.stringify(a.body)}`)
        assert.ok(a.retryAfter && Number(a.retryAfter) >= 1, `${a.kind}: 503 without Retry-After`)
        if (a.kind === 'healthz') assert.equal(a.body.database, 'unreachable')
        else {
          assert.match(a.contentType, /^application\/problem\+json/)
          assert.equal(a.body.status, 503)
          // Only an answer that waited out the bound may say a change could still be made
          // (one refused sooner was refused before anything was asked of the database).
          if (/may still be made/.test(a.body.detail)) assert.ok(a.ended - a.started >= BOUND_MS, `${a.kind} after ${Math.round(a.ended - a.started)} ms: ${a.body.detail}`)
        }
      }

      // Asked while cut, what needs the database was refused; each kind succeeded again soon after.
      const recovered: string[] = []
      const slow: string[] = []
      const late: string[] = []
      const during = answers.filter((a) => a.started > cutAt && a.started < restoredAt)
      for (const kind of ['reserve', 'check', 'batch', 'healthz'] as const) {
        assert.ok(during.some((a) => a.kind === kind && a.status === 503), `no ${kind} was refused during the cut`)
        const back = answers.filter((a) => a.kind === kind && a.started >= restoredAt && a.status < 300).sort((x, y) => x.ended - y.ended)[0]
        assert.ok(back, `no ${kind} succeeded after the database came back`)
        recovered.push(`${kind} ${Math.round(back.ended - restoredAt)} ms`)
        if (back.ended - restoredAt <= RECOVERY_MS) continue
        const calls = `${kind}, its calls from 0.5 s before the restore to its first success:\n${timeline(answers.filter((a) => a.kind === kind && a.started >= restoredAt - 500 && a.started <= back.started), restoredAt)}`
        // Within the slack the test passes, and says what took longer.
        if (back.ended - restoredAt <= RECOVERY_MS + RECOVERY_SLACK_MS) slow.push(calls)
        else late.push(calls)
      }
      assert.equal(late.length, 0, `first success after the database came back: ${recovered.join(', ')}\n${late.join('\n')}`)
      assert.ok(answers.some((a) => a.kind === 'reserve' && a.status === 201 && a.ended < cutAt), 'no reserve succeeded before the cut')
      // A partition leaves the calls under way when it starts unanswered: they are told their
      // change may still be made, which is why the senders below retry rather than give up.
      if (mode === 'silent') assert.ok(answers.some((a) => a.status === 503 && /may still be made/.test(a.body?.detail)), 'no answer past the bound said a change may still be made')
      t.diagnostic(`${answers.length} requests, ${during.filter((a) => a.status === 503).length} refused while cut; slowest answer ${Math.round(slowest)} ms (of those sent after the restore ${afterRestore ? Math.round(took(afterRestore)) : '-'} ms); first success after the database came back: ${recovered.join(', ')}`)
      // (A diagnostic is one line.)
      for (const calls of slow) t.diagnostic(`later than ${RECOVERY_MS} ms (within the slack): ${calls.replaceAll('\n', ' | ')}`)

      // Senders retry what was not answered with a decision, as they are told to.
      const acked = new Map<string, string>()
      const reserves = answers.filter((a) => a.kind === 'reserve')
      for (const a of reserves) if (a.status === 201) acked.set(a.messageId!, a.subscriberId!)
      for (const a of reserves.filter((r) => r.status === 503)) {
        const again = await reserve(a.subscriberId!, a.messageId!)
        assert.ok(again.status === 201 || again.status === 200, `retry of ${a.messageId}: ${again.status}`)
        if (again.status === 201) acked.set(a.messageId!, a.subscriberId!)
      }
      // Then the capped subscriber's reserves go on until the cap refuses one.
      for (let i = 0; ; i++) {
        assert.ok(i <= CAP, 'the cap never refused')
        const a = await reserve('capped', `after-${i}`)
        if (a.status === 201) acked.set(a.messageId!, 'capped')
        else {
          assert.equal(a.body.decision.reason, 'frequency_cap')
          break
        }
      }

      const rows = await direct<{ message_id: string; subscriber_id: string }[]>`
        SELECT message_id, subscriber_id FROM dispatches WHERE tenant_id = ${tenantId}`
      const stored = new Map(rows.map((r) => [r.message_id, r.subscriber_id]))
      // Nothing acknowledged was lost, and nothing was recorded that no sender was told of.
      for (const [messageId, subscriberId] of acked) assert.equal(stored.get(messageId), subscriberId, `acknowledged ${messageId} is not stored`)
      assert.equal(stored.size, acked.size, 'dispatches were recorded that no answer acknowledged')
      assert.equal(rows.filter((r) => r.subscriber_id === 'capped').length, CAP)
    })
  }
})
