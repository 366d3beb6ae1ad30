/**
 * Webhooks through the real app and database: endpoints, the message a change writes with it,
 * its delivery by the real deliverer to a real local HTTP receiver, verified by the Standard
 * Webhooks library, retries, 410, rotation, erasure, and private targets refused.
 */
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { Webhook } from 'standardwebhooks'
import { WebhookDeliverer, WEBHOOK_RETRY_DELAYS_MS } from '../src/webhooks/deliverer.ts'
import { assertFieldError, assertProblem, DAY, HOUR, putStandardTopics, putSubscriber, setup, T0, type Harness } from './harness.ts'

interface Received {
  url: string
  headers: IncomingHttpHeaders
  body: string
}

/** A receiver on a free port: records every request and answers with the next status of `answers` (200 once they run out). */
async function receiver(): Promise<{ url: string; got: Received[]; answers: number[]; close(): Promise<void> }> {
  const got: Received[] = []
  const answers: number[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      got.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = answers.shift() ?? 200
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/heed`, got, answers, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** Waits, a few ms at a time, until `done` holds; fails after 10 s. */
async function until(what: string, done: () => boolean) {
  const end = Date.now() + 10_000
  while (!done()) {
    if (Date.now() > end) throw new Error(`${what}: not within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as { type: string; data: any }

describe('webhooks', () => {
  let h: Harness
  let deliverer: WebhookDeliverer
  let hook: Awaited<ReturnType<typeof receiver>>

  before(async () => {
    h = await setup({ env: { HEED_WEBHOOK_ALLOW_PRIVATE: '1' } })
    await putStandardTopics(h)
  })
  after(() => h.close())
  beforeEach(async () => {
    hook = await receiver()
    // The real deliverer on the harness's store and clock, with the schedule's waits exact.
    deliverer = new WebhookDeliverer(h.store, { allowPrivate: true, now: () => h.clock.now, jitter: (ms) => ms, log: () => {} })
  })
  afterEach(async () => {
    await deliverer.close()
    await hook.close()
  })

  async function endpoint(t: Pick<Harness, 'req'>, body: Record<string, unknown> = {}) {
    const res = await t.req('POST', '/v1/webhooks', { url: hook.url, ...body })
    assert.equal(res.status, 201, res.text)
    assert.match(res.body.secret, /^whsec_[A-Za-z0-9+/]+=*$/)
    return res.body as { id: string; secret: string }
  }

  test('a change makes exactly one signed delivery, which standardwebhooks verifies; its id is the ledger event’s', async () => {
    const t = await h.createTenant()
    await t.req('PUT', '/v1/topics/news', { name: 'News' })
    const { secret } = await endpoint(t)
    await putSubscriber(t, 'ann', { email: 'ann@example.com', topics: { news: { subscribed: true } } })
    await deliverer.drain()
    await deliverer.drain()
    assert.equal(hook.got.length, 1)
    const message = verify(secret, hook.got[0]!)
    assert.equal(message.type, 'subscriber.created')
    assert.equal(message.data.subscriberId, 'ann')
    assert.equal(message.data.after.email, 'ann@example.com')
    assert.deepEqual(message.data.after.topics, { news: { subscribed: true } })
    assert.equal(message.data.before, null)
    const [event] = (await t.req('GET', '/v1/events?subscriberId=ann')).body.data
    assert.equal(hook.got[0]!.headers['webhook-id'], event.id)
    assert.equal(message.data.eventId, event.id)
    assert.equal(message.data.seq, event.seq)
    assert.equal(hook.got[0]!.headers['content-type'], 'application/json')
    assert.throws(() => verify(secret, { ...hook.got[0]!, body: hook.got[0]!.body.replace('ann@', 'eve@') }), 'a changed body fails')
  })

  test('a started deliverer sends a change as soon as it commits, not at its next poll', async () => {
    const t = await h.createTenant()
    await endpoint(t)
    // Polling once an hour: only the signal of the committed change can bring it out in time.
    deliverer.start(3_600_000)
    await putSubscriber(t, 'quick', {})
    await until('the delivery', () => hook.got.length === 1)
    assert.equal(JSON.parse(hook.got[0]!.body).data.subscriberId, 'quick')
    await putSubscriber(t, 'quick', { email: 'q@example.com' })
    await until('the second delivery', () => hook.got.length === 2)
  })

  test('an unsubscribe and a subscribe again are named as such, with source and reason; a topic change is an update with before and after', async () => {
    const t = await h.createTenant()
    await t.req('PUT', '/v1/topics/news', { name: 'News' })
    await putSubscriber(t, 'bo', { email: 'bo@example.com' })
    const { secret } = await endpoint(t)
    await putSubscriber(t, 'bo', { topics: { news: { subscribed: true } } })
    await putSubscriber(t, 'bo', { status: 'unsubscribed' })
    await putSubscriber(t, 'bo', { status: 'subscribed' })
    await deliverer.drain()
    const messages = hook.got.map((r) => verify(secret, r))
    assert.deepEqual(
      messages.map((m) => m.type).sort(),
      ['subscriber.resubscribed', 'subscriber.unsubscribed', 'subscriber.updated'],
    )
    const updated = messages.find((m) => m.type === 'subscriber.updated')!
    assert.deepEqual(updated.data.before.topics, {})
    assert.deepEqual(updated.data.after.topics, { news: { subscribed: true } })
    const unsubscribed = messages.find((m) => m.type === 'subscriber.unsubscribed')!
    assert.equal(unsubscribed.data.source, 'api')
    assert.equal(unsubscribed.data.after.status, 'unsubscribed')
    const seqs = messages.map((m) => m.data.seq)
    assert.equal(new Set(seqs).size, 3, 'each carries its own ledger seq')
  })

  test('a receiver answering 500 twice, then 200, gets the message three times with one webhook-id, on the schedule', async () => {
    const t = await h.createTenant()
    const { id, secret } = await endpoint(t)
    hook.answers.push(500, 500)
    await putSubscriber(t, 'cy', { email: 'cy@example.com' })
    await deliverer.drain()
    assert.equal(hook.got.length, 1)
    h.clock.now += WEBHOOK_RETRY_DELAYS_MS[0] - 1
    await deliverer.drain()
    assert.equal(hook.got.length, 1, 'not before its time')
    h.clock.now += 1
    await deliverer.drain()
    assert.equal(hook.got.length, 2)
    h.clock.now += WEBHOOK_RETRY_DELAYS_MS[1]
    await deliverer.drain()
    assert.equal(hook.got.length, 3)
    h.clock.now += WEBHOOK_RETRY_DELAYS_MS[2]
    await deliverer.drain()
    assert.equal(hook.got.length, 3, 'delivered: no more attempts')
    assert.equal(new Set(hook.got.map((r) => r.headers['webhook-id'])).size, 1)
    for (const r of hook.got) verify(secret, r)
    const attempts = (await t.req('GET', `/v1/webhooks/${id}/deliveries`)).body.data
    assert.deepEqual(attempts.map((a: { status: number }) => a.status), [200, 500, 500], 'newest first')
    assert.equal(attempts[1].error, 'answered 500')
    assert.equal((await t.req('GET', `/v1/webhooks/${id}`)).body.failingSince, null, 'a success ends the failing run')
  })

  test('410 Gone turns the endpoint off: nothing more is sent to it', async () => {
    const t = await h.createTenant()
    const { id } = await endpoint(t)
    hook.answers.push(410)
    await putSubscriber(t, 'di', {})
    await deliverer.drain()
    const off = (await t.req('GET', `/v1/webhooks/${id}`)).body
    assert.equal(off.enabled, false)
    assert.equal(off.disabledReason, 'gone')
    await putSubscriber(t, 'di', { status: 'unsubscribed' })
    h.clock.now += WEBHOOK_RETRY_DELAYS_MS[0]
    await deliverer.drain()
    assert.equal(hook.got.length, 1)
    // Turned on again by its owner, it gets what comes next.
    const on = await t.req('PATCH', `/v1/webhooks/${id}`, { enabled: true })
    assert.equal(on.body.enabled, true)
    assert.equal(on.body.disabledReason, null)
    await putSubscriber(t, 'di', { status: 'subscribed' })
    await deliverer.drain()
    assert.equal(hook.got.length, 2)
  })

  test('replay: what failed while an endpoint was gone goes out again with its webhook-id, and one message on request', async () => {
    const t = await h.createTenant()
    const { id, secret } = await endpoint(t)
    hook.answers.push(410)
    await putSubscriber(t, 'ivy', { email: 'ivy@example.com' })
    await deliverer.drain()
    assert.equal((await t.req('GET', `/v1/webhooks/${id}`)).body.enabled, false)
    await t.req('PATCH', `/v1/webhooks/${id}`, { enabled: true })
    const since = new Date(T0 - 60_000).toISOString()
    const replayed = await t.req('POST', `/v1/webhooks/${id}/replay`, { since })
    assert.equal(replayed.status, 202, replayed.text)
    assert.deepEqual(replayed.body, { queued: 1 })
    await deliverer.drain()
    assert.equal(hook.got.length, 2)
    assert.equal(hook.got[1]!.headers['webhook-id'], hook.got[0]!.headers['webhook-id'])
    assert.equal(verify(secret, hook.got[1]!).data.subscriberId, 'ivy')
    // Delivered now: a replay since then owes nothing; asked by id, it goes again.
    assert.deepEqual((await t.req('POST', `/v1/webhooks/${id}/replay`, { since })).body, { queued: 0 })
    const messageId = String(hook.got[0]!.headers['webhook-id'])
    assert.deepEqual((await t.req('POST', `/v1/webhooks/${id}/replay`, { messageId })).body, { queued: 1 })
    await deliverer.drain()
    assert.equal(hook.got.length, 3)
    assertProblem(await t.req('POST', `/v1/webhooks/${id}/replay`, { messageId: 'evt_nope' }), 404)
    assertProblem(await t.req('POST', '/v1/webhooks/whe_nope/replay', { since }), 404)
    assertProblem(await t.req('POST', `/v1/webhooks/${id}/replay`, {}), 400)
  })

  test('replay since an instant sends only what the endpoint wants, written while it existed', async () => {
    const t = await h.createTenant()
    await endpoint(t)
    await putSubscriber(t, 'early', {})
    h.clock.now += 1000
    const picky = await endpoint(t, { url: `${hook.url}?picky`, eventTypes: ['subscriber.created', 'subscriber.unsubscribed'] })
    await t.req('PATCH', `/v1/webhooks/${picky.id}`, { enabled: false })
    await putSubscriber(t, 'kai', {})
    await t.req('PUT', '/v1/topics/news', { name: 'News' })
    await putSubscriber(t, 'kai', { email: 'kai@example.com' })
    await putSubscriber(t, 'kai', { status: 'unsubscribed' })
    await t.req('PATCH', `/v1/webhooks/${picky.id}`, { enabled: true })
    await deliverer.drain()
    assert.equal(hook.got.filter((r) => r.url.endsWith('?picky')).length, 0)
    const replayed = await t.req('POST', `/v1/webhooks/${picky.id}/replay`, { since: new Date(T0 - DAY).toISOString() })
    assert.deepEqual(replayed.body, { queued: 2 })
    await deliverer.drain()
    const got = hook.got.filter((r) => r.url.endsWith('?picky')).map((r) => verify(picky.secret, r))
    assert.deepEqual(
      // Sent side by side: in either order.
      got.map((m) => [m.type, m.data.subscriberId]).sort(),
      [
        ['subscriber.created', 'kai'],
        ['subscriber.unsubscribed', 'kai'],
      ],
    )
  })

  test('an endpoint that fails every attempt for 5 days is turned off', async () => {
    const t = await h.createTenant()
    const { id } = await endpoint(t)
    hook.answers.push(...Array(20).fill(503))
    for (let day = 0; day <= 5; day++) {
      await putSubscriber(t, `fail-${day}`, {})
      await deliverer.drain()
      h.clock.now += 24 * 3600_000
    }
    const off = (await t.req('GET', `/v1/webhooks/${id}`)).body
    assert.equal(off.enabled, false)
    assert.equal(off.disabledReason, 'failing')
  })

  test('after 30 days a message goes, with its deliveries and attempts: no longer listed nor sent again; newer ones stay', async () => {
    const t = await h.createTenant()
    const { id } = await endpoint(t)
    await putSubscriber(t, 'old', {})
    await deliverer.drain()
    const oldId = String(hook.got[0]!.headers['webhook-id'])
    h.clock.now += 30 * DAY + HOUR
    await putSubscriber(t, 'new', {})
    await deliverer.drain()
    assert.equal(hook.got.length, 2)
    const attempts = (await t.req('GET', `/v1/webhooks/${id}/deliveries`)).body.data
    assert.deepEqual(
      attempts.map((a: { messageId: string }) => a.messageId),
      [String(hook.got[1]!.headers['webhook-id'])],
    )
    assertProblem(await t.req('POST', `/v1/webhooks/${id}/replay`, { messageId: oldId }), 404, 'no message')
    assert.equal((await t.req('POST', `/v1/webhooks/${id}/replay`, { messageId: String(hook.got[1]!.headers['webhook-id']) })).status, 202)
  })

  test('event types: an endpoint gets only those it asked for; topic changes have their own', async () => {
    const t = await h.createTenant()
    const { secret } = await endpoint(t, { eventTypes: ['subscriber.unsubscribed', 'topic.created', 'topic.deleted'] })
    await t.req('PUT', '/v1/topics/news', { name: 'News' })
    await t.req('PUT', '/v1/topics/news', { name: 'News and more' })
    await putSubscriber(t, 'ed', { topics: { news: { subscribed: true } } })
    await putSubscriber(t, 'ed', { status: 'unsubscribed' })
    await t.req('DELETE', '/v1/topics/news')
    await deliverer.drain()
    const types = hook.got.map((r) => verify(secret, r).type)
    assert.deepEqual(types.sort(), ['subscriber.unsubscribed', 'topic.created', 'topic.deleted'])
    const created = hook.got.map((r) => verify(secret, r)).find((m) => m.type === 'topic.created')!
    assert.equal(created.data.topic.key, 'news')
    assert.deepEqual(created.data.topic.name, { en: 'News' })
  })

  test('rotating the secret signs with both for the overlap, then with the new one only', async () => {
    const t = await h.createTenant()
    const { id, secret: old } = await endpoint(t)
    const rotated = await t.req('POST', `/v1/webhooks/${id}/rotate-secret`, { overlapSeconds: 3600 })
    assert.equal(rotated.status, 200, rotated.text)
    const fresh = rotated.body.secret as string
    assert.notEqual(fresh, old)
    await putSubscriber(t, 'fi', {})
    await deliverer.drain()
    verify(old, hook.got[0]!)
    verify(fresh, hook.got[0]!)
    h.clock.now += 3600_000
    await putSubscriber(t, 'fi', { status: 'unsubscribed' })
    await deliverer.drain()
    verify(fresh, hook.got[1]!)
    assert.throws(() => verify(old, hook.got[1]!), 'the old secret no longer signs')
  })

  test('an erasure takes the messages about the person; its own carries only the hashed suppression entries', async () => {
    const t = await h.createTenant()
    const { secret } = await endpoint(t)
    hook.answers.push(500)
    await putSubscriber(t, 'gus', { email: 'gus@example.com' })
    await deliverer.drain()
    assert.equal((await t.req('DELETE', '/v1/subscribers/gus')).status, 204)
    h.clock.now += WEBHOOK_RETRY_DELAYS_MS[0]
    await deliverer.drain()
    assert.equal(hook.got.length, 2, 'the failed created message is not retried after the erasure')
    const erased = verify(secret, hook.got[1]!)
    assert.equal(erased.type, 'subscriber.erased')
    assert.equal(erased.data.subscriberId, null)
    assert.ok(Array.isArray(erased.data.suppression) && erased.data.suppression.length > 0)
    assert.doesNotMatch(hook.got[1]!.body, /gus/)
  })

  test('endpoints: list, read, change, delete; another tenant’s are invisible; bad input is a 400', async () => {
    const t = await h.createTenant()
    const { id } = await endpoint(t, { description: 'CRM' })
    const list = (await t.req('GET', '/v1/webhooks')).body.data
    assert.deepEqual(list.map((e: { id: string }) => e.id), [id])
    assert.equal(list[0].secret, undefined, 'no secret after creation')
    assert.equal((await t.req('PATCH', `/v1/webhooks/${id}`, { description: 'CRM sync', eventTypes: ['subscriber.created'] })).body.description, 'CRM sync')
    const other = await h.createTenant()
    assertProblem(await other.req('GET', `/v1/webhooks/${id}`), 404)
    assertProblem(await other.req('DELETE', `/v1/webhooks/${id}`), 404)
    assertFieldError(await t.req('POST', '/v1/webhooks', { url: 'ftp://example.com/x' }), '/url')
    assertFieldError(await t.req('POST', '/v1/webhooks', { url: hook.url, eventTypes: ['subscriber.nope'] }), '/eventTypes/0')
    assert.equal((await t.req('DELETE', `/v1/webhooks/${id}`)).status, 204)
    assertProblem(await t.req('GET', `/v1/webhooks/${id}`), 404)
  })
})

describe('webhooks to private addresses, by default', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('an http or internal URL is refused when saved (400 naming /url)', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'https://10.1.2.3/x', 'https://169.254.169.254/latest', 'https://[::1]/x', 'http://hooks.example.com/x']) {
      assertFieldError(await h.req('POST', '/v1/webhooks', { url }), '/url', url)
    }
  })

  test('a name that resolves to an internal address is refused when sent, on the address connected to', async () => {
    const hook = await receiver()
    const port = new URL(hook.url).port
    const saved = await h.req('POST', '/v1/webhooks', { url: `https://localhost:${port}/heed` })
    assert.equal(saved.status, 201, saved.text)
    const deliverer = new WebhookDeliverer(h.store, { allowPrivate: false, now: () => h.clock.now, jitter: (ms) => ms, log: () => {} })
    try {
      await putSubscriber(h, 'hal', {})
      await deliverer.drain()
      assert.equal(hook.got.length, 0, 'no connection was made')
      const [attempt] = (await h.req('GET', `/v1/webhooks/${saved.body.id}/deliveries`)).body.data
      assert.equal(attempt.status, null)
      assert.match(attempt.error, /refused/)
    } finally {
      await deliverer.close()
      await hook.close()
    }
  })
})
