/**
 * The body limits at their edges (README "Body limits"): 256 KiB for API calls, 16 MiB for
 * POST /v1/check/batch. A body of exactly the limit is read and answered; one byte more is a
 * 413 problem, whether its length is declared (Content-Length) or it streams in chunked.
 * The bodies are valid JSON padded with spaces, so only their size can refuse them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertProblem, iso, putStandardTopics, putSubscriber, setup, type Harness, type Res } from './harness.ts'

const KiB = 1024
const MiB = 1024 * KiB
const T = Date.parse('2026-05-04T12:00:00Z')

/** `json` followed by spaces up to exactly `size` bytes. */
function padded(json: string, size: number): Uint8Array {
  const head = Buffer.from(json)
  assert.ok(head.length <= size)
  const bytes = Buffer.alloc(size, 0x20)
  head.copy(bytes)
  return bytes
}

describe('body limits at their edges', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    await putSubscriber(h, 'edge', { topics: { news: { subscribed: true } } })
  })
  after(() => h.close())

  /** With Content-Length (the harness sets it). */
  const declared = (path: string, body: Uint8Array) => h.req('POST', path, body)
  /** Chunked: no Content-Length, counted as it streams in. */
  const chunked = async (path: string, body: Uint8Array): Promise<Res> => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < body.length; offset += 64 * KiB) controller.enqueue(body.subarray(offset, offset + 64 * KiB))
        controller.close()
      },
    })
    const res = await h.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    const text = await res.text()
    return { status: res.status, headers: res.headers, text, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text }
  }

  for (const [how, send] of [
    ['Content-Length', declared],
    ['chunked', chunked],
  ] as const) {
    test(`POST /v1/check: exactly 256 KiB is answered, 256 KiB + 1 byte is a 413 (${how})`, async () => {
      const json = JSON.stringify({ subscriberId: 'edge', topic: 'news', at: iso(T) })
      const at = await send('/v1/check', padded(json, 256 * KiB))
      assert.equal(at.status, 200, at.text)
      assert.equal(at.body.reason, 'ok')
      assertProblem(await send('/v1/check', padded(json, 256 * KiB + 1)), 413)
    })

    test(`POST /v1/check/batch: exactly 16 MiB is answered, 16 MiB + 1 byte is a 413 (${how})`, async () => {
      const json = JSON.stringify({ at: iso(T), checks: [{ subscriberId: 'edge', topic: 'news' }] })
      const at = await send('/v1/check/batch', padded(json, 16 * MiB))
      assert.equal(at.status, 200, at.text.slice(0, 500))
      assert.deepEqual(
        at.body.results.map((r: { reason: string }) => r.reason),
        ['ok'],
      )
      assertProblem(await send('/v1/check/batch', padded(json, 16 * MiB + 1)), 413)
    })
  }

  test('a write of 256 KiB + 1 byte is refused whole: 413, nothing written', async () => {
    const json = JSON.stringify({ email: 'big@example.com' })
    assertProblem(await h.req('PUT', '/v1/subscribers/too-big', padded(json, 256 * KiB + 1)), 413)
    assertProblem(await h.req('GET', '/v1/subscribers/too-big'), 404)
    const ok = await h.req('PUT', '/v1/subscribers/just-fits', padded(json, 256 * KiB))
    assert.equal(ok.status, 201, ok.text)
  })
})
