/**
 * The single check's lane beside the app (checks/check.lane.ts), as the server runs it: the
 * same requests over HTTP to the app alone and to the lane in front of it get the same status,
 * headers and bytes, whether the lane decides (every answer 200 of the route) or hands the
 * request on (every refusal, and whatever it does not take). A count of the lane's decisions
 * shows which way each went.
 */
import assert from 'node:assert/strict'
import { createServer, request, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { getRequestListener } from '@hono/node-server'
import { withCheckLane } from '../src/checks/check.lane.ts'
import { checkOne } from '../src/checks/decisions.ts'
import { requestDeadline } from '../src/http/deadline.ts'
import { HOUR, iso, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'

interface Sent {
  method?: string
  path?: string
  headers?: Record<string, string>
  /** Sent as it is; without a Content-Length when `chunked`. */
  body?: string | Buffer
  chunked?: boolean
}

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

async function listen(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}

function send(port: number, sent: Sent): Promise<Answer> {
  const body = sent.body === undefined ? undefined : Buffer.from(sent.body)
  const headers: Record<string, string> = { host: 'heed.test', ...sent.headers }
  if (body && !sent.chunked) headers['content-length'] = String(body.length)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: sent.method ?? 'POST', path: sent.path ?? '/v1/check', headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const { date: _date, connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _te, ...rest } = res.headers as Record<string, string>
        resolve({ status: res.statusCode!, headers: rest, body: Buffer.concat(chunks).toString('utf8') })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (body && sent.chunked) {
      // Two chunks, so the body really streams in pieces.
      req.write(body.subarray(0, 5))
      req.end(body.subarray(5))
    } else req.end(body)
  })
}

describe('the single check lane answers as the app does', () => {
  let h: Harness
  let appAlone: { server: Server; port: number }
  let laned: { server: Server; port: number }
  let decided = 0
  let open: string
  let quiet: string
  let capped: string
  let sender: string

  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    const app = getRequestListener(h.app.fetch)
    appAlone = await listen(app)
    const lane = {
      store: h.store,
      now: () => h.clock.now,
      deadlineMs: requestDeadline(h.store, h.config),
      decide: (...args: Parameters<typeof checkOne>) => {
        decided++
        return checkOne(...args)
      },
    }
    laned = await listen(withCheckLane(lane, app))
    open = uid('cust_')
    await putSubscriber(h, open, { email: `${open}@example.com`, topics: { news: { subscribed: true } } })
    quiet = uid('cust_')
    await putSubscriber(h, quiet, { topics: { news: { subscribed: true } }, quietHours: { start: '08:00', end: '20:00' }, timezone: 'Europe/Berlin' })
    capped = uid('cust_')
    await putSubscriber(h, capped, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    const sent = await h.req('POST', '/v1/dispatches', { subscriberId: capped, topic: 'news', messageId: uid('m-'), at: iso(T0 - HOUR) })
    assert.equal(sent.status, 201, sent.text)
    sender = (await h.mintKey('sender')).secret
  })
  after(async () => {
    await new Promise((resolve) => appAlone.server.close(resolve))
    await new Promise((resolve) => laned.server.close(resolve))
    await h.close()
  })

  /** Sends `sent` both ways; asserts the same answer and whether the lane decided it. */
  async function same(sent: Sent, byLane: boolean): Promise<Answer> {
    const alone = await send(appAlone.port, sent)
    const before = decided
    const lane = await send(laned.port, sent)
    assert.deepEqual(lane, alone, `the lane's answer differs from the app's for ${JSON.stringify(sent)}`)
    assert.equal(decided - before, byLane ? 1 : 0, byLane ? 'the lane should have decided this' : 'the lane should have handed this on')
    return lane
  }
  const json = (body: unknown, key = h.adminKey, headers: Record<string, string> = {}): Sent => ({
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
  })

  test('every kind of decision is the lane’s, with the app’s bytes', async () => {
    const allowed = await same(json({ subscriberId: open, topic: 'news', channel: 'email' }), true)
    assert.equal(allowed.status, 200)
    assert.deepEqual(JSON.parse(allowed.body), { allowed: true, reason: 'ok', retryAt: null, subscriberId: open, topic: 'news', channel: 'email' })
    assert.equal(allowed.headers['content-type'], 'application/json')
    // T0 is 12:00 in Berlin: quiet until 20:00 local, 18:00 UTC.
    assert.equal(JSON.parse((await same(json({ subscriberId: quiet, topic: 'news' }), true)).body).retryAt, '2026-05-04T18:00:00.000Z')
    assert.equal(JSON.parse((await same(json({ subscriberId: capped, topic: 'news' }), true)).body).reason, 'frequency_cap')
    assert.equal(JSON.parse((await same(json({ subscriberId: open, topic: 'news', at: iso(T0 + 36 * HOUR) }), true)).body).reason, 'ok')
    assert.equal(JSON.parse((await same(json({ subscriberId: uid('nobody-'), topic: 'news' }), true)).body).reason, 'unknown_subscriber')
    assert.equal(JSON.parse((await same(json({ subscriberId: open, topic: 'nope' }), true)).body).reason, 'unknown_topic')
    assert.equal(JSON.parse((await same(json({ subscriberId: open, topic: 'receipts', channel: 'sms' }), true)).body).reason, 'required')
    assert.equal(JSON.parse((await same(json({ subscriberId: open, topic: 'news' }, sender), true)).body).allowed, true)
    // Content-Type with parameters, and the clock the app is given.
    await same(json({ subscriberId: open, topic: 'promo' }, h.adminKey, { 'content-type': 'application/json; charset=utf-8' }), true)
    h.clock.now = T0 + 10 * HOUR
    assert.equal(JSON.parse((await same(json({ subscriberId: quiet, topic: 'news' }), true)).body).reason, 'ok')
    h.clock.now = T0
  })

  test('every refusal is handed on and answered by the app', async () => {
    const cases: Array<[string, Sent, number]> = [
      ['no key', { body: JSON.stringify({ subscriberId: open, topic: 'news' }), headers: { 'content-type': 'application/json' } }, 401],
      ['an unknown key', json({ subscriberId: open, topic: 'news' }, 'heed_sk_nosuchkey0000000000000000000000'), 401],
      ['not a bearer', json({ subscriberId: open, topic: 'news' }, h.adminKey, { authorization: `Basic ${h.adminKey}` }), 401],
      ['not JSON', { ...json({}), body: 'subscriberId=x', headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'text/plain' } }, 415],
      ['malformed JSON', { ...json({}), body: '{"subscriberId": "x",' }, 400],
      ['NUL', json({ subscriberId: 'a\u0000b', topic: 'news' }), 400],
      ['a lone surrogate', { ...json({}), body: '{"subscriberId":"a\\ud800","topic":"news"}' }, 400],
      ['an unknown field', json({ subscriberId: open, topic: 'news', extra: 1 }), 400],
      ['no topic', json({ subscriberId: open }), 400],
      ['a bad instant', json({ subscriberId: open, topic: 'news', at: 'tomorrow' }), 400],
      ['JSON that is not an object', json([1, 2]), 400],
      ['a body over 256 KiB', json({ subscriberId: 'x'.repeat(300 * 1024), topic: 'news' }), 413],
      ['no body', { headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' } }, 400],
    ]
    for (const [what, sent, status] of cases) {
      const answer = await same(sent, false)
      assert.equal(answer.status, status, `${what}: ${answer.body}`)
      assert.equal(answer.headers['content-type'], 'application/problem+json', what)
    }
  })

  test('what the lane does not take goes to the app, which decides it the same', async () => {
    const body = { subscriberId: open, topic: 'news' }
    const cases: Array<[string, Sent, number]> = [
      ['a chunked body', { ...json(body), chunked: true }, 200],
      ['a query string', { ...json(body), path: '/v1/check?x=1' }, 200],
      ['a trailing slash', { ...json(body), path: '/v1/check/' }, 404],
      ['a Host the adapter checks', json(body, h.adminKey, { host: 'heed.test:80' }), 200],
      // An escaped astral character is well-formed; the lane leaves any \uD8xx escape to the app.
      ['an escaped astral character', { ...json({}), body: `{"subscriberId":"${open}\\ud83d\\ude00","topic":"news"}` }, 200],
      ['another method', { ...json(body), method: 'PUT' }, 404],
    ]
    for (const [what, sent, status] of cases) assert.equal((await same(sent, false)).status, status, what)
  })

  test('a key revoked through this process is refused at once by both', async () => {
    const key = await h.mintKey('sender')
    await same(json({ subscriberId: open, topic: 'news' }, key.secret), true)
    assert.equal((await h.req('DELETE', `/v1/api-keys/${key.id}`)).status, 200)
    assert.equal((await same(json({ subscriberId: open, topic: 'news' }, key.secret), false)).status, 401)
  })
})
