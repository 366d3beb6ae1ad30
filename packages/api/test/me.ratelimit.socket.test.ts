/**
 * The per-IP limit of /u, /p and /v1/me is keyed by the address the connection really comes
 * from (without HEED_TRUST_PROXY). In-process requests (`app.request`) have no socket, so
 * this runs the app behind the same Node adapter serve.ts uses, on a real port, and connects
 * from two loopback addresses: Linux routes all of 127.0.0.0/8 to `lo`.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { serve } from '@hono/node-server'
import { setup, type Harness } from './harness.ts'

const LIMIT = 3

describe('per-IP rate limit over a real socket', () => {
  let h: Harness
  let server: Server
  let port: number
  before(async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: String(LIMIT) } })
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
    if (!server.listening) await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await h.close()
  })

  let guess = 0
  /** GET /v1/me with a token never seen before (so only the IP limit can apply), on a new connection from `from`. */
  const fromAddress = (from: string) =>
    new Promise<{ status: number; remote: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/me', localAddress: from, agent: false, headers: { authorization: `Bearer guess-${guess++}` } }, (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode!, remote: req.socket!.localAddress! }))
      })
      req.on('error', reject)
      req.end()
    })

  test('two client addresses get a bucket each; one address shares its bucket across connections and tokens', async () => {
    for (let i = 1; i <= LIMIT; i++) {
      const res = await fromAddress('127.0.0.1')
      assert.equal(res.remote, '127.0.0.1')
      assert.equal(res.status, 401, `127.0.0.1, request ${i}: a forged token, counted`)
    }
    assert.equal((await fromAddress('127.0.0.1')).status, 429, `127.0.0.1, request ${LIMIT + 1}: its bucket is full`)

    // Another address is not held back by the full bucket of the first...
    for (let i = 1; i <= LIMIT; i++) {
      const res = await fromAddress('127.0.0.2')
      assert.equal(res.remote, '127.0.0.2', 'the client really connected from 127.0.0.2')
      assert.equal(res.status, 401, `127.0.0.2, request ${i}: a bucket of its own`)
    }
    // ...and has a limit of its own.
    assert.equal((await fromAddress('127.0.0.2')).status, 429, `127.0.0.2, request ${LIMIT + 1}`)
    assert.equal((await fromAddress('127.0.0.1')).status, 429, '127.0.0.1 is still limited')
  })
})
