import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { Webhook } from 'standardwebhooks'
import { consent, EMAIL, GROUP, type Harness, nextId, signed, start, state } from './harness.ts'

let h: Harness
beforeEach(async () => {
  h = await start()
})
afterEach(async () => {
  await h.close()
})

const unsubscribe = () => JSON.stringify(consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed' })))
const otherSecret = `whsec_${Buffer.from('not the endpoint secret, 32 bytes').toString('base64')}`

describe('signatures', () => {
  test('a signature made with another secret gets 401 and no ESP is called', async () => {
    const body = unsubscribe()
    const res = await h.post(body, signed(nextId(), body, otherSecret))
    assert.equal(res.status, 401)
    assert.deepEqual(h.fakes.calls, [])
  })

  test('a message without signature headers gets 401 and no ESP is called', async () => {
    const res = await h.post(unsubscribe(), {})
    assert.equal(res.status, 401)
    assert.deepEqual(h.fakes.calls, [])
  })

  test('a body changed after signing gets 401 (the raw body is what is verified)', async () => {
    const body = unsubscribe()
    const headers = signed(nextId(), body)
    // Same JSON once parsed, different bytes: a receiver that re-serialized would accept it.
    const res = await h.post(`${body} `, headers)
    assert.equal(res.status, 401)
    assert.deepEqual(h.fakes.calls, [])
  })

  test('a signature older than the five-minute tolerance gets 401', async () => {
    const body = unsubscribe()
    const res = await h.post(body, signed(nextId(), body, undefined, new Date(Date.now() - 10 * 60_000)))
    assert.equal(res.status, 401)
    assert.deepEqual(h.fakes.calls, [])
  })

  test('during a secret rotation one valid signature among several is enough', async () => {
    const body = unsubscribe()
    const id = nextId()
    const headers = signed(id, body)
    const old = new Webhook(otherSecret).sign(id, new Date(Number(headers['webhook-timestamp']) * 1000), body)
    const res = await h.post(body, { ...headers, 'webhook-signature': `${old} ${headers['webhook-signature']}` })
    assert.equal(res.status, 200)
    assert.deepEqual(h.fakes.suppressedIn(GROUP.news), [EMAIL])
  })
})

describe('replays', () => {
  test('a replayed webhook-id answers 2xx and calls no ESP a second time', async () => {
    const event = consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed' }))
    const id = nextId()
    assert.equal((await h.deliver(event, id)).status, 200)
    const calls = h.fakes.calls.length
    assert.ok(calls > 0)

    const replay = await h.deliver(event, id)
    assert.equal(replay.status, 200)
    assert.deepEqual(replay.body, { duplicate: true })
    assert.equal(h.fakes.calls.length, calls)
  })

  test('a second delivery of a message still being applied waits for it and is applied once', async () => {
    h.fakes.delayMs = 150
    const event = consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed' }))
    const id = nextId()
    const [first, second] = await Promise.all([h.deliver(event, id), h.deliver(event, id)])
    assert.deepEqual([first.status, second.status], [200, 200])
    assert.equal(h.fakes.callsTo('postmark').length, 1)
    assert.equal(h.fakes.callsTo('sendgrid').length, 2)
  })
})
