/** The batch worker thread behind POST /v1/check/batch. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BatchWorker } from '../src/checks/batch-worker.ts'
import { ApiError } from '../src/http/errors.ts'
import { putStandardTopics, putSubscriber, setup, type Harness } from './harness.ts'

const T = Date.parse('2026-05-04T12:00:00Z')
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer
const decoded = (answer: { json: Uint8Array }) => JSON.parse(new TextDecoder().decode(answer.json))

describe('batch worker thread', () => {
  let h: Harness
  let worker: BatchWorker
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    await putSubscriber(h, 'w-1', { topics: { news: { subscribed: true } } })
    const reader = h.store.readerSpec()
    assert.ok(reader)
    worker = new BatchWorker(reader)
  })
  after(async () => {
    await worker.close()
    await h.close()
  })

  const tenant = async () => (await h.store.getTenant(h.id))!
  const body = { checks: [{ subscriberId: 'w-1', topic: 'news' }, { subscriberId: 'nobody', topic: 'news' }] }

  test('decides on its own connection, answering the same as the request thread would', async () => {
    const answer = decoded(await worker.decide(await tenant(), bytes(body), T))
    assert.deepEqual(
      answer.results.map((r: { reason: string }) => r.reason),
      ['ok', 'unknown_subscriber'],
    )
  })

  test('refusals come back as the same problem the request thread would throw', async () => {
    await assert.rejects(worker.decide(await tenant(), bytes({ checks: [] }), T), (e: unknown) => {
      assert.ok(e instanceof ApiError)
      assert.equal(e.code, 'validation')
      assert.equal(e.errors?.[0]?.pointer, '/checks')
      return true
    })
    await assert.rejects(worker.decide(await tenant(), new TextEncoder().encode('{"checks":').buffer as ArrayBuffer, T), (e: unknown) => e instanceof ApiError && e.code === 'malformed_json')
  })

  test('a batch waiting when the thread stops is settled, not left hanging; the next batch starts a new thread', { timeout: 10_000 }, async () => {
    // A worker of its own, not started yet: its first batch starts the thread, which is stopped
    // in the same turn, long before it has loaded its code, so the batch is surely still waiting.
    const fresh = new BatchWorker(h.store.readerSpec()!)
    try {
      const t = await tenant()
      const waiting = fresh.decide(t, bytes(body), T)
      await fresh.close()
      const [outcome] = await Promise.allSettled([waiting])
      assert.equal(outcome.status, 'rejected', 'the waiting batch is refused, not answered by a stopped thread')
      assert.match(String((outcome as PromiseRejectedResult).reason), /batch worker exited/)
      const answer = decoded(await fresh.decide(t, bytes(body), T))
      assert.equal(answer.results[0].reason, 'ok')
    } finally {
      await fresh.close()
    }
  })

  test('a stopped thread failing late does not fail batches already on its successor', { timeout: 10_000 }, async () => {
    // Everything is at hand before the first batch goes: no await may let the stopping thread's
    // exit reject `first` before anything listens to it.
    const t = await tenant()
    const first = Promise.allSettled([worker.decide(t, bytes(body), T)])
    const stopping = worker.close()
    // The next batch starts a new thread while the old one is still stopping.
    const second = worker.decide(t, bytes(body), T)
    await stopping
    await first
    const answer = decoded(await second)
    assert.equal(answer.results[0].reason, 'ok')
  })
})
