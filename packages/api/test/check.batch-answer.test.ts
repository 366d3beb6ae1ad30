/**
 * The batch answer is written in slices (checks/batch.ts answerBytes): its bytes must be
 * exactly those of `JSON.stringify({ results })` encoded as UTF-8, at every length around the
 * slice boundaries, whatever characters the ids hold.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Decision } from '@heed/shared'
import { answerBytes } from '../src/checks/batch.ts'

const IDS = ['cust_1', '王方', 'ü"\\\n\t', '\ud83d\ude00 emoji', 'lone \ud800 surrogate', 'x'.repeat(128), '台'.repeat(128)]

const decisions = (n: number): Decision[] =>
  Array.from({ length: n }, (_, i) => ({
    allowed: i % 3 === 0,
    reason: i % 3 === 0 ? 'ok' : 'quiet_hours',
    retryAt: i % 3 === 0 ? null : '2026-05-04T05:00:00.000Z',
    subscriberId: `${IDS[i % IDS.length]}-${i}`,
    topic: 'sales',
    channel: i % 2 ? 'sms' : 'email',
  }))

describe('the batch answer’s bytes', () => {
  for (const n of [0, 1, 499, 500, 501, 1000, 1001, 10_000]) {
    test(`${n} decisions: the same bytes as JSON.stringify, UTF-8`, () => {
      const results = decisions(n)
      const bytes = answerBytes(results)
      assert.deepEqual(Buffer.from(bytes), Buffer.from(new TextEncoder().encode(JSON.stringify({ results }))))
      assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), { results })
    })
  }

  test('the buffer is the answer’s own, so it can move to another thread', () => {
    const bytes = answerBytes(decisions(3))
    assert.equal(bytes.byteOffset, 0)
    assert.equal(bytes.buffer.byteLength, bytes.byteLength)
  })
})
