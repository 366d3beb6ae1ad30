/**
 * The sender's lanes beside the app (http/lane.ts, checks/lanes.ts), as the server runs them:
 * the same requests over HTTP to the app alone and to the lanes in front of it get the same
 * status, headers and bytes, whether a lane answers (every request its route accepts) or hands
 * the request on (every refusal, and whatever it does not take). A count of the lanes' answers
 * shows which way each went. A reserve records, so each side reserves for a subscriber of its
 * own in the same state, and the answers are compared with the one id put for the other.
 */import assert from 'node:assert/strict'
import { createServer, request, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { getRequestListener } from '@hono/node-server'
import { checkLane, reserveLane } from '../src/checks/lanes.ts'
import { withLanes, type Lane } from '../src/http/lane.ts'
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

describe('the sender lanes answer as the app does', () => {
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
    const counted = <S extends Lane['schema']>(lane: Lane<S>): Lane<S> => ({
      ...lane,
      answer(...args) {
        decided++
        return lane.answer(...args)
      },
    })
    const server = { store: h.store, now: () => h.clock.now, deadlineMs: requestDeadline(h.store, h.config) }
    laned = await listen(withLanes(server, [counted(checkLane), counted(reserveLane)], app))
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

  /**
   * Sends `sent` both ways (`twin` for the lane's side: the same request for a subscriber of its
   * own); asserts the same answer, the lane's with `twin`'s ids put back, and whether a lane answered.
   */
  async function same(sent: Sent, byLane: boolean, twin: { sent: Sent; ids: Array<[string, string]> } = { sent, ids: [] }): Promise<Answer> {
    const alone = await send(appAlone.port, sent)
    const before = decided
    const lane = await send(laned.port, twin.sent)
    for (const [mine, theirs] of twin.ids) lane.body = lane.body.replaceAll(mine, theirs)
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

  describe('check-and-reserve', () => {
    /** Two subscribers in the same state (ids of the same length): the app's and the lane's. */
    async function twins(patch: Record<string, unknown>): Promise<[string, string]> {
      const pair: [string, string] = [uid('cust_'), uid('cust_')]
      for (const id of pair) await putSubscriber(h, id, patch)
      return pair
    }
    /** The same reserve both ways, each side for its own subscriber and messageId. */
    const reserve = (pair: [string, string], messages: [string, string], body: Record<string, unknown>, byLane = true) =>
      same({ ...json({ subscriberId: pair[0], messageId: messages[0], ...body }), path: '/v1/dispatches' }, byLane, {
        sent: { ...json({ subscriberId: pair[1], messageId: messages[1], ...body }), path: '/v1/dispatches' },
        ids: [
          [pair[1], pair[0]],
          [messages[1], messages[0]],
        ],
      })
    const messages = (): [string, string] => [uid('msg-'), uid('msg-')]

    test('recorded, replayed, refused and conflicting reserves are the lane’s, with the app’s bytes', async () => {
      const capped = await twins({ topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
      const first = messages()
      const recorded = await reserve(capped, first, { topic: 'news' })
      assert.equal(recorded.status, 201)
      assert.equal(recorded.headers['idempotent-replayed'], undefined)
      assert.deepEqual(JSON.parse(recorded.body).recorded, true)
      const replayed = await reserve(capped, first, { topic: 'news' })
      assert.equal(replayed.status, 201)
      assert.equal(replayed.headers['idempotent-replayed'], 'true')
      // The recorded dispatch counts: the cap of one a day is full for both.
      const refused = await reserve(capped, messages(), { topic: 'news', channel: 'email' })
      assert.equal(refused.status, 200)
      assert.equal(JSON.parse(refused.body).decision.reason, 'frequency_cap')
      const conflict = await reserve(capped, first, { topic: 'promo' })
      assert.equal(conflict.status, 409)
      assert.equal(conflict.headers['content-type'], 'application/problem+json')
      // Sent anyway in quiet hours, and to nobody Heed knows.
      const quiet = await twins({ topics: { news: { subscribed: true } }, quietHours: { start: '08:00', end: '20:00' }, timezone: 'Europe/Berlin' })
      assert.equal((await reserve(quiet, messages(), { topic: 'news', enforce: false })).status, 201)
      assert.equal(JSON.parse((await reserve(quiet, messages(), { topic: 'news', at: iso(T0 + 9 * HOUR) })).body).decision.reason, 'ok')
      const nobody: [string, string] = [uid('nobody-'), uid('nobody-')]
      assert.equal(JSON.parse((await reserve(nobody, messages(), { topic: 'news', enforce: false })).body).decision.reason, 'unknown_subscriber')
    })

    test('refusals are handed on and answered by the app', async () => {
      const pair = await twins({ topics: { news: { subscribed: true } } })
      const cases: Array<[string, Record<string, unknown>, number]> = [
        ['no messageId', { topic: 'news', messageId: undefined }, 400],
        ['enforce not a boolean', { topic: 'news', enforce: 'no' }, 400],
        ['an unknown field', { topic: 'news', extra: true }, 400],
      ]
      for (const [what, body, status] of cases) {
        const answer = await reserve(pair, messages(), body, false)
        assert.equal(answer.status, status, `${what}: ${answer.body}`)
      }
      const noKey = { body: JSON.stringify({ subscriberId: pair[0], topic: 'news', messageId: uid('msg-') }), headers: { 'content-type': 'application/json' }, path: '/v1/dispatches' }
      assert.equal((await same(noKey, false)).status, 401)
    })
  })
})
