/**
 * Webhooks from the real server process: a change whose delivery a kill -9 interrupted is
 * delivered by the restarted server; 10,000 changes all arrive (distinct webhook-ids, the time
 * reported); two processes on one PostgreSQL send each message once.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Webhook } from 'standardwebhooks'
import { WEBHOOK_LEASE_MS } from '../src/webhooks/deliverer.ts'
import { ROOT_TOKEN, uid } from './harness.ts'
import { freePort, serversOnOwnDatabase, type ServerProcess } from './server-process.ts'

const ALLOW = { HEED_WEBHOOK_ALLOW_PRIVATE: '1' }
const onPostgres = /^postgres(ql)?:\/\//.test(process.env.HEED_TEST_DATABASE_URL ?? '')

/** A receiver on `port`: every request's webhook-id and body, answered 200. */
async function receiver(port: number) {
  const ids: string[] = []
  const bodies = new Map<string, { body: string; headers: Record<string, string> }>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const id = String(req.headers['webhook-id'])
      ids.push(id)
      bodies.set(id, {
        body: Buffer.concat(chunks).toString('utf8'),
        headers: { 'webhook-id': id, 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) },
      })
      res.end()
    })
  })
  server.keepAliveTimeout = 1
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { ids, bodies, distinct: () => new Set(ids).size, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

async function until(what: string, done: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await sleep(50)
  }
}

describe('webhooks from the server process', () => {
  const { start, running } = serversOnOwnDatabase(ALLOW)

  /** A tenant with an endpoint at the receiver's port: its admin key and the endpoint's secret. */
  async function tenantWithEndpoint(server: ServerProcess, port: number) {
    const created = await server.call('POST', '/v1/admin/tenants', { id: uid('wh-'), name: 'Hooked' }, ROOT_TOKEN)
    assert.equal(created.status, 201)
    const key: string = created.body.apiKey.secret
    const endpoint = await server.call('POST', '/v1/webhooks', { url: `http://127.0.0.1:${port}/heed` }, key)
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body))
    return { key, secret: endpoint.body.secret as string }
  }

  test('kill -9 right after a change, with its receiver down: the restarted server delivers it', async () => {
    const port = await freePort()
    const first = await start()
    const { key, secret } = await tenantWithEndpoint(first, port)
    const put = await first.call('PUT', '/v1/subscribers/kim', { email: 'kim@example.com' }, key)
    assert.equal(put.status, 201)
    await first.kill9()
    const hook = await receiver(port)
    try {
      await start()
      // An attempt recorded before the kill found nobody, and the next is 5 s later. A kill
      // between claiming the delivery and recording the attempt leaves it claimed until the
      // claim lapses (a minute), and the restarted server sends it then.
      await until('the delivery after the restart', () => hook.distinct() === 1, WEBHOOK_LEASE_MS + 30_000)
      const [only] = hook.bodies.values()
      const message = new Webhook(secret).verify(only!.body, only!.headers) as { type: string; data: { subscriberId: string } }
      assert.equal(message.type, 'subscriber.created')
      assert.equal(message.data.subscriberId, 'kim')
    } finally {
      await hook.close()
    }
  })

  test('10,000 changes reach a receiver, none missing', async (t) => {
    const port = await freePort()
    const hook = await receiver(port)
    const server = running.find((s) => s.child.exitCode === null && s.child.signalCode === null) ?? (await start())
    try {
      const { key } = await tenantWithEndpoint(server, port)
      const N = 10_000
      const started = performance.now()
      let next = 0
      // A write that waited past HEED_DATABASE_TIMEOUT_MS (a loaded machine, on PostgreSQL) is
      // a 503 with Retry-After, and repeating the PUT is safe: a sender does so, and so does this.
      let retried = 0
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          for (let i = next++; i < N; i = next++) {
            const put = () => server.call('PUT', `/v1/subscribers/s${i}`, { email: `s${i}@example.com` }, key)
            let res = await put()
            let attempt = 1
            for (; res.status === 503 && attempt < 5; attempt++) {
              retried++
              await sleep(1000)
              res = await put()
            }
            // A repeat finds the subscriber already written when the first attempt landed after all.
            assert.ok(res.status === 201 || (attempt > 1 && res.status === 200), `PUT s${i}: ${res.status}`)
          }
        }),
      )
      const written = performance.now()
      await until('10,000 deliveries', () => hook.distinct() >= N, 180_000)
      const delivered = performance.now()
      assert.equal(hook.distinct(), N)
      t.diagnostic(
        `${N} changes written in ${((written - started) / 1000).toFixed(1)} s (${retried} writes repeated after a 503); all delivered ${((delivered - started) / 1000).toFixed(1)} s after the first (${Math.round(N / ((delivered - started) / 1000))}/s), the last ${((delivered - written) / 1000).toFixed(1)} s after the last change; ${hook.ids.length - N} sent twice`,
      )
    } finally {
      await hook.close()
    }
  })

  test('two processes on one PostgreSQL send each message once', { skip: onPostgres ? false : 'runs in the PostgreSQL pass' }, async () => {
    const port = await freePort()
    const hook = await receiver(port)
    const [a, b] = [await start(), await start()]
    try {
      const { key } = await tenantWithEndpoint(a!, port)
      const N = 600
      await Promise.all(
        Array.from({ length: 12 }, async (_, w) => {
          for (let i = w; i < N; i += 12) assert.equal((await (i % 2 ? a! : b!).call('PUT', `/v1/subscribers/p${i}`, {}, key)).status, 201)
        }),
      )
      await until('every message', () => hook.distinct() >= N, 60_000)
      // Time for a second copy to arrive, had both claimed one.
      await sleep(2000)
      assert.equal(hook.distinct(), N)
      assert.equal(hook.ids.length, N, 'no message was sent twice')
    } finally {
      await hook.close()
    }
  })
})
