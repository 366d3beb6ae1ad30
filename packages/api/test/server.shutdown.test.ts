/**
 * Shutting the real server process down (README "Running in production"): on SIGTERM it drains
 * (`/healthz` 503 while it still accepts connections for HEED_SHUTDOWN_DRAIN_MS), then stops
 * accepting, lets in-flight requests finish for at most HEED_SHUTDOWN_TIMEOUT_MS and exits 0.
 * Every step waits for what the server says or does (a log line, a `100 Continue`, an answer),
 * never for a fixed time.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { ROOT_TOKEN, uid } from './harness.ts'
import { onNewConnection, openRequest, serversOnOwnDatabase, startServer, untilOutput, type ServerProcess } from './server-process.ts'

/** A tenant with the topic `news`; returns its admin key. */
async function tenantOn(server: ServerProcess): Promise<string> {
  const created = await server.call('POST', '/v1/admin/tenants', { id: uid('t-'), name: 'Drain' }, ROOT_TOKEN)
  assert.equal(created.status, 201)
  const key: string = created.body.apiKey.secret
  assert.equal((await server.call('PUT', '/v1/topics/news', { name: 'News' }, key)).status, 201)
  return key
}

/** Rejects with `message` unless `promise` settles within `ms`: only a safety net far above the expected time. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

const refused = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ECONNREFUSED'

describe('SIGTERM', () => {
  const { start } = serversOnOwnDatabase()

  test('during HEED_SHUTDOWN_DRAIN_MS the server still accepts connections: /healthz answers 503 draining, other requests are served; then it stops accepting, the in-flight request finishes and it exits 0', async () => {
    // A drain period far longer than the test: a second signal ends it when the test is done looking.
    const server = await start({ HEED_SHUTDOWN_DRAIN_MS: '600000' })
    const key = await tenantOn(server)
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }

    // A request in flight in the server (it has answered 100 Continue) when SIGTERM arrives.
    const body = JSON.stringify({ email: 'late@example.com' })
    const late = openRequest(`${server.base}/v1/subscribers/in-flight`, { method: 'PUT', headers: auth, contentLength: Buffer.byteLength(body) })
    await late.inFlight
    late.write(body.slice(0, 10))

    server.child.kill('SIGTERM')
    await untilOutput(server, /SIGTERM: draining/)

    // Each on a connection of its own: new connections are still accepted.
    const health = await onNewConnection('GET', `${server.base}/healthz`)
    assert.equal(health.status, 503, health.text)
    assert.equal(health.headers['retry-after'], '1')
    assert.match(String(health.headers['content-type']), /^application\/json/)
    assert.deepEqual(JSON.parse(health.text), { status: 'draining' })
    assert.equal((await onNewConnection('GET', `${server.base}/healthz/live`)).status, 200, 'liveness: the process still answers')
    const during = await onNewConnection('PUT', `${server.base}/v1/subscribers/during-drain`, auth, JSON.stringify({ email: 'during@example.com' }))
    assert.equal(during.status, 201, `a write during the drain period is served as usual: ${during.text}`)
    // Everything above was answered after the server said it was draining, and it still listens.
    assert.doesNotMatch(server.stdout(), /stopped accepting/)

    // A second signal ends the drain period: the listener closes, the in-flight request goes on.
    server.child.kill('SIGTERM')
    await untilOutput(server, /stopped accepting connections/)
    await assert.rejects(onNewConnection('GET', `${server.base}/healthz`), refused, 'no new connection once the drain period is over')
    late.end(body.slice(10))
    const answer = await late.response
    assert.equal(answer.status, 201, `the in-flight request completed: ${answer.text}`)
    assert.equal(JSON.parse(answer.text).email, 'late@example.com')

    const exit = await within(server.exited, 30_000, 'the server did not exit after its last request')
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr())
    assert.match(server.stdout(), /closed/)
    assert.doesNotMatch(server.stderr(), /Error/)

    // Both writes are there for the next process.
    const next = await start()
    for (const id of ['in-flight', 'during-drain']) assert.equal((await next.call('GET', `/v1/subscribers/${id}`, undefined, key)).status, 200, id)
  })

  test('the drain period ends by itself after HEED_SHUTDOWN_DRAIN_MS: then new connections are refused and the idle server exits 0', async () => {
    const drainMs = 400
    const server = await start({ HEED_SHUTDOWN_DRAIN_MS: String(drainMs) })
    const sent = performance.now()
    server.child.kill('SIGTERM')
    await untilOutput(server, /stopped accepting connections/)
    // A lower bound only (a loaded machine makes it later, never earlier); timers count whole
    // milliseconds on a clock read once per turn of the event loop, hence the small allowance.
    const waited = performance.now() - sent
    assert.ok(waited >= drainMs - 20, `the server stopped accepting ${Math.round(waited)} ms after SIGTERM, before its drain period of ${drainMs} ms`)
    await assert.rejects(onNewConnection('GET', `${server.base}/healthz`), refused)
    assert.deepEqual(await within(server.exited, 30_000, 'the idle server did not exit'), { code: 0, signal: null }, server.stderr())
  })

  test('HEED_SHUTDOWN_TIMEOUT_MS: a request that never finishes is cut off after the timeout, and the process exits 0 with nothing of it written', async () => {
    const timeoutMs = 1_000
    const server = await start({ HEED_SHUTDOWN_TIMEOUT_MS: String(timeoutMs) })
    const key = await tenantOn(server)
    const body = JSON.stringify({ email: 'never@example.com' })
    const stuck = openRequest(`${server.base}/v1/subscribers/never-finished`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      contentLength: Buffer.byteLength(body),
    })
    await stuck.inFlight
    stuck.write(body.slice(0, 10)) // and never the rest

    let cutAfter = Infinity
    const settled = stuck.response.then(
      (answer) => ({ answer, error: null }),
      (error: NodeJS.ErrnoException) => ({ answer: null, error }),
    )
    const sent = performance.now()
    void settled.then(() => (cutAfter = performance.now() - sent))
    server.child.kill('SIGTERM')
    await untilOutput(server, /stopped accepting connections/)
    const outcome = await within(settled, timeoutMs + 30_000, 'the request that never finishes was not cut off')
    assert.equal(outcome.answer, null, `no answer, the connection is cut: ${JSON.stringify(outcome.answer)}`)
    assert.match(String(outcome.error?.code ?? outcome.error), /ECONNRESET|socket hang up/)
    // It was given its time first: a lower bound, which load cannot break.
    assert.ok(cutAfter >= timeoutMs - 20, `cut off ${Math.round(cutAfter)} ms after SIGTERM, before HEED_SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms)`)
    const exit = await within(server.exited, 30_000, 'the server did not exit after cutting the request off')
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr())
    assert.match(server.stdout(), /closing the requests still open after HEED_SHUTDOWN_TIMEOUT_MS/)
    assert.match(server.stdout(), /closed/)

    const next = await start()
    assert.equal((await next.call('GET', '/v1/subscribers/never-finished', undefined, key)).status, 404, 'the cut-off request wrote nothing')
  })
})

describe('HEED_SQLITE_SYNCHRONOUS', () => {
  // About SQLite whatever the run's database: a file of its own.
  test('FULL: the server runs its SQLite connection with synchronous=FULL, and says so when it starts; by default NORMAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heed-sync-'))
    const running: ServerProcess[] = []
    try {
      const databaseUrl = `file:${join(dir, 'heed.db')}`
      // The line reads PRAGMA synchronous back from the server's own connection (2 is FULL, 1 NORMAL).
      const full = await startServer({ databaseUrl, env: { HEED_SQLITE_SYNCHRONOUS: 'FULL' } })
      running.push(full)
      assert.match(full.stdout(), /Heed listening on .*\(port \d+, sqlite, synchronous=FULL\)/, full.stdout())
      await full.kill9()
      const normal = await startServer({ databaseUrl })
      running.push(normal)
      assert.match(normal.stdout(), /Heed listening on .*\(port \d+, sqlite, synchronous=NORMAL\)/, normal.stdout())
    } finally {
      for (const s of running) await s.kill9()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
