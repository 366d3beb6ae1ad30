/**
 * The real server as a process: a 2xx write survives kill -9, SIGTERM drains and exits 0,
 * several processes on one database never over-admit a cap.
 */
import assert from 'node:assert/strict'
import { Agent, Server } from 'node:http'
import { describe, test } from 'node:test'
import { ROOT_TOKEN, uid } from './harness.ts'
import { openRequest, serversOnOwnDatabase, untilOutput, type ServerProcess } from './server-process.ts'

/** How long Node's HTTP server (the server's) keeps an idle keep-alive connection open: 5 s. */
const KEEP_ALIVE_TIMEOUT_MS = new Server().keepAliveTimeout

describe('the server process', () => {
  const { start } = serversOnOwnDatabase()
  /** A server left running by an earlier test, which the next one may reuse to save a start. */
  let idle: ServerProcess | null = null

  test('a write answered 2xx survives kill -9 of the server', async () => {
    const first = await start()
    const tenantId = uid('t-')
    const created = await first.call('POST', '/v1/admin/tenants', { id: tenantId, name: 'Durable', channels: ['email', 'sms'] }, ROOT_TOKEN)
    assert.equal(created.status, 201)
    const key: string = created.body.apiKey.secret
    assert.equal((await first.call('PUT', '/v1/topics/news', { name: 'News' }, key)).status, 201)
    assert.equal((await first.call('PATCH', '/v1/tenant', { name: 'Durable Goods' }, key)).status, 200)
    const sender = await first.call('POST', '/v1/api-keys', { role: 'sender' }, key)
    assert.equal(sender.status, 201)
    const put = await first.call(
      'PUT',
      '/v1/subscribers/cust-1',
      { email: 'Keep@Example.com', topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' }, quietHours: { start: '22:00', end: '07:00' } },
      key,
    )
    assert.equal(put.status, 201)
    const sent = await first.call('POST', '/v1/dispatches', { subscriberId: 'cust-1', topic: 'news', messageId: 'durable-1', at: '2026-05-04T12:00:00Z' }, key)
    assert.equal(sent.status, 201)
    // The last write got its 2xx: pull the plug right now.
    await first.kill9()
    assert.equal((await first.exited).signal, 'SIGKILL')

    const second = await start()
    const tenant = await second.call('GET', '/v1/tenant', undefined, key)
    assert.equal(tenant.status, 200, 'the admin key survived')
    assert.equal(tenant.body.name, 'Durable Goods', 'the tenant change survived')
    assert.equal((await second.call('GET', '/v1/topics/news', undefined, key)).status, 200, 'the topic survived')
    assert.equal((await second.call('POST', '/v1/check', { subscriberId: 'x', topic: 'news' }, sender.body.secret)).status, 200, 'the sender key survived')
    const sub = await second.call('GET', '/v1/subscribers/cust-1', undefined, key)
    assert.equal(sub.status, 200, 'the subscriber survived')
    assert.deepEqual({ ...sub.body, createdAt: 0, updatedAt: 0 }, { ...put.body, createdAt: 0, updatedAt: 0 })
    const check = await second.call('POST', '/v1/check', { subscriberId: 'cust-1', topic: 'news', at: '2026-05-04T12:01:00Z' }, key)
    assert.equal(check.body.reason, 'frequency_cap', 'the dispatch survived and still counts')
    const replay = await second.call('POST', '/v1/dispatches', { subscriberId: 'cust-1', topic: 'news', messageId: 'durable-1', at: '2026-05-04T12:00:00Z' }, key)
    assert.deepEqual(replay.body, sent.body, 'its messageId still replays the first outcome')
    idle = second
  })

  test('SIGTERM lets an in-flight request finish, then exits with code 0 without waiting out keep-alive', async () => {
    const server = idle ?? (await start())
    idle = null
    const created = await server.call('POST', '/v1/admin/tenants', { id: uid('t-'), name: 'Drain' }, ROOT_TOKEN)
    const key: string = created.body.apiKey.secret
    await server.call('PUT', '/v1/topics/news', { name: 'News' }, key)

    // A request in flight when SIGTERM arrives: the server has its head (it answered
    // 100 Continue) and half its body. The client keeps its connection alive, as HTTP clients
    // of senders do.
    const agent = new Agent({ keepAlive: true })
    const body = JSON.stringify({ email: 'late@example.com' })
    const late = openRequest(`${server.base}/v1/subscribers/in-flight`, {
      method: 'PUT',
      agent,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      contentLength: Buffer.byteLength(body),
    })
    await late.inFlight
    late.write(body.slice(0, 10))
    server.child.kill('SIGTERM')
    // The rest of the body only once the server has stopped accepting: the request is still served.
    await untilOutput(server, /stopped accepting connections/)
    late.end(body.slice(10))
    const res = await late.response
    const answered = performance.now()
    assert.equal(res.status, 201, `the in-flight request completed: ${res.text}`)
    assert.equal(JSON.parse(res.text).email, 'late@example.com')

    // Once the last in-flight request is answered nothing is left to drain: the keep-alive
    // connection must not hold the process up until the server's keep-alive timeout closes it.
    // The only bound that says so is that timeout; a correct server exits long before it.
    const exit = await server.exited
    const after = performance.now() - answered
    agent.destroy()
    assert.ok(after < KEEP_ALIVE_TIMEOUT_MS, `the server exited ${Math.round(after)} ms after its last answer: it waited out the keep-alive timeout (${KEEP_ALIVE_TIMEOUT_MS} ms)`)
    assert.equal(exit.signal, null)
    assert.equal(exit.code, 0, `exit code; stderr:\n${server.stderr()}`)
    assert.match(server.stdout(), /SIGTERM/)
    assert.match(server.stdout(), /closed/)
    assert.doesNotMatch(server.stderr(), /Error/)
  })

  test('two server processes on one database record exactly 3 of 50 concurrent reserves against a cap of 3, then exit 0 on SIGTERM', async () => {
    const [a, b] = await Promise.all([start(), start()])
    const created = await a.call('POST', '/v1/admin/tenants', { id: uid('t-'), name: 'Race' }, ROOT_TOKEN)
    const key: string = created.body.apiKey.secret
    await a.call('PUT', '/v1/topics/news', { name: 'News' }, key)
    await a.call('PUT', '/v1/subscribers/race', { topics: { news: { subscribed: true } }, cap: { max: 3, per: 'day' } }, key)
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? a : b).call('POST', '/v1/dispatches', { subscriberId: 'race', topic: 'news', messageId: `race-${i}`, at: '2026-05-04T12:00:00Z' }, key),
      ),
    )
    const statuses = results.map((r) => r.status)
    assert.equal(statuses.filter((s) => s === 201).length, 3, statuses.join(','))
    assert.equal(statuses.filter((s) => s === 200).length, 47, statuses.join(','))
    const check = await b.call('POST', '/v1/check', { subscriberId: 'race', topic: 'news', at: '2026-05-04T12:00:01Z' }, key)
    assert.equal(check.body.reason, 'frequency_cap')

    // Both are idle now, with connections fetch keeps alive: SIGTERM exits 0 without waiting
    // for the server's keep-alive timeout to close them (the one bound that tells).
    const t0 = performance.now()
    a.child.kill('SIGTERM')
    b.child.kill('SIGTERM')
    const [ea, eb] = await Promise.all([a.exited, b.exited])
    const took = performance.now() - t0
    assert.deepEqual([ea.code, eb.code], [0, 0], a.stderr() + b.stderr())
    assert.ok(took < KEEP_ALIVE_TIMEOUT_MS, `idle servers took ${Math.round(took)} ms to exit: they waited out the keep-alive timeout (${KEEP_ALIVE_TIMEOUT_MS} ms)`)
    await assert.rejects(fetch(`${a.base}/healthz`), 'a stopped server accepts no connection')
  })
})
