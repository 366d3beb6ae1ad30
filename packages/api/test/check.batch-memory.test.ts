/**
 * The memory concurrent batch checks may take is bounded: at most HEED_BATCH_CONCURRENCY
 * batches are read and decided at once; one more is refused at once with 503 and Retry-After,
 * before its body is read, while single checks and /healthz keep answering.
 *
 * The first batch is held inside the decider by a promise the test settles, so "while another
 * batch is in progress" is a fact of the test, not a matter of timing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createApp, type App } from '../src/app.ts'
import { inThreadBatches } from '../src/checks/batch.ts'
import { loadConfig } from '../src/config.ts'
import type { BatchDecider } from '../src/env.ts'
import { assertFieldError, assertProblem, putStandardTopics, putSubscriber, request, setup, type Harness, type Res } from './harness.ts'

/** A decider that holds the next batch until the test lets it go; the others pass straight through. */
class HeldBatches implements BatchDecider {
  readonly #inner: BatchDecider
  #hold: { entered: () => void; gate: Promise<void> } | null = null
  calls = 0

  constructor(inner: BatchDecider) {
    this.#inner = inner
  }

  /** Holds the next batch: `entered` resolves once it is inside the decider, `release` lets it go on. */
  holdNext(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void
    let release!: () => void
    const enteredP = new Promise<void>((resolve) => (entered = resolve))
    const gate = new Promise<void>((resolve) => (release = resolve))
    this.#hold = { entered, gate }
    return { entered: enteredP, release }
  }

  async decide(...args: Parameters<BatchDecider['decide']>) {
    this.calls++
    const hold = this.#hold
    this.#hold = null
    if (hold) {
      hold.entered()
      await hold.gate
    }
    return this.#inner.decide(...args)
  }

  close() {
    return this.#inner.close()
  }
}

const BATCH = { checks: [{ subscriberId: 'mem-1', topic: 'news' }, { subscriberId: 'nobody', topic: 'news' }] }

describe('batch checks under a concurrency bound of 1', () => {
  let h: Harness
  let app: App
  let batches: HeldBatches
  const req = (method: string, path: string, body?: unknown): Promise<Res> => request(app, h.adminKey, method, path, body)
  const batch = (body: unknown = BATCH) => req('POST', '/v1/check/batch', body)

  before(async () => {
    h = await setup({ env: { HEED_BATCH_CONCURRENCY: '1' } })
    await putStandardTopics(h)
    await putSubscriber(h, 'mem-1', { topics: { news: { subscribed: true } } })
    batches = new HeldBatches(inThreadBatches(h.store))
    app = createApp({ store: h.store, config: h.config, now: () => h.clock.now, batches })
  })
  after(() => h.close())

  const assertUnavailable = (res: Res) => {
    const problem = assertProblem(res, 503, 'a batch over the bound')
    assert.equal(problem.type, '/problems/unavailable')
    const retryAfter = res.headers.get('retry-after')
    assert.ok(retryAfter !== null && /^\d+$/.test(retryAfter) && Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`)
  }

  const assertDecided = (res: Res) => {
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(
      res.body.results.map((r: { reason: string }) => r.reason),
      ['ok', 'unknown_subscriber'],
    )
  }

  test('the setting is read from the environment, 2 by default, at least 1', () => {
    assert.equal(h.config.HEED_BATCH_CONCURRENCY, 1)
    assert.equal(loadConfig({}).HEED_BATCH_CONCURRENCY, 2)
    assert.throws(() => loadConfig({ HEED_BATCH_CONCURRENCY: '0' }), /HEED_BATCH_CONCURRENCY/)
    assert.throws(() => loadConfig({ HEED_BATCH_CONCURRENCY: 'many' }), /HEED_BATCH_CONCURRENCY/)
  })

  test('a batch sent while another is decided gets 503 with Retry-After without reaching the decider; single checks and /healthz answer meanwhile; the slot is free once it is done', async () => {
    const held = batches.holdNext()
    const first = batch()
    await held.entered
    const calls = batches.calls

    assertUnavailable(await batch())
    // Refused before its body is read: an invalid body is not even looked at.
    assertUnavailable(await req('POST', '/v1/check/batch', '{"checks":'))
    // Also a streamed (chunked) body: nothing of it is read, not even by the body limit.
    let pulled = false
    const streamed = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulled = true
          c.enqueue(new TextEncoder().encode(JSON.stringify(BATCH)))
          c.close()
        },
      },
      { highWaterMark: 0 },
    )
    const chunked = await app.request('/v1/check/batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: streamed,
      duplex: 'half',
    } as RequestInit)
    assert.equal(chunked.status, 503)
    assert.ok(chunked.headers.get('retry-after'))
    await chunked.body?.cancel()
    assert.equal(pulled, false, 'the refused body was not read')
    assert.equal(batches.calls, calls, 'a refused batch never reaches the decider')

    const single = await req('POST', '/v1/check', { subscriberId: 'mem-1', topic: 'news' })
    assert.equal(single.status, 200, single.text)
    assert.equal(single.body.reason, 'ok')
    const health = await request(app, null, 'GET', '/healthz')
    assert.equal(health.status, 200)
    assert.deepEqual(health.body, { status: 'ok', database: 'reachable' })

    held.release()
    assertDecided(await first)
    // The slot was given back on success.
    assertDecided(await batch())
  })

  test('a batch refused with 400 gives its slot back', async () => {
    const held = batches.holdNext()
    const invalid = batch({ checks: [] })
    await held.entered
    assertUnavailable(await batch())
    held.release()
    assertFieldError(await invalid, '/checks')
    assertDecided(await batch())

    assertProblem(await req('POST', '/v1/check/batch', '{"checks":'), 400)
    assertDecided(await batch())
  })

  test('a client that goes away while its body is read gives its slot back', async () => {
    let reading!: () => void
    const readingP = new Promise<void>((resolve) => (reading = resolve))
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c
        },
        pull(c) {
          // The server asked for the body: the batch holds its slot. Send part of it and stall.
          c.enqueue(new TextEncoder().encode('{"checks":['))
          reading()
          return new Promise(() => {})
        },
      },
      { highWaterMark: 0 },
    )
    const gone = app.request('/v1/check/batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json', 'content-length': '100000' },
      body,
      duplex: 'half',
    } as RequestInit)
    await readingP
    assertUnavailable(await batch())

    controller.error(new Error('the client went away'))
    const answer = await gone
    assert.equal(answer.status, 400, 'a body that breaks off is a 400, not a 500')
    await answer.body?.cancel()
    assertDecided(await batch())
  })
})

describe('batch checks under the default bound', () => {
  let h: Harness
  let app: App
  let batches: HeldBatches
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    await putSubscriber(h, 'mem-1', { topics: { news: { subscribed: true } } })
    batches = new HeldBatches(inThreadBatches(h.store))
    app = createApp({ store: h.store, config: h.config, now: () => h.clock.now, batches })
  })
  after(() => h.close())

  test('two batches are decided at once, a third is refused', async () => {
    const req = (body: unknown) => request(app, h.adminKey, 'POST', '/v1/check/batch', body)
    const one = batches.holdNext()
    const first = req(BATCH)
    await one.entered
    const two = batches.holdNext()
    const second = req(BATCH)
    await two.entered
    assertProblem(await req(BATCH), 503)
    one.release()
    two.release()
    assert.equal((await first).status, 200)
    assert.equal((await second).status, 200)
    assert.equal((await req(BATCH)).status, 200)
  })
})
