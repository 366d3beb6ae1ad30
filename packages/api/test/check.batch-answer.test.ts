/**
 * The batch answer is written in slices (checks/batch.ts answerBytes): its bytes must be
 * exactly those of `JSON.stringify({ results })` encoded as UTF-8, at every length around the
 * slice boundaries, whatever characters the ids, topics, channels and instants hold.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Decision } from '@heed/shared'
import { answerBytes } from '../src/checks/batch.ts'

const IDS = ['cust_1', 'say "hi"', 'back\\slash', '王方', 'ü"\\\n\t', '\ud83d\ude00 emoji', 'lone \ud800 surrogate', 'x'.repeat(128), '台'.repeat(128)]

const REASONS: Decision['reason'][] = ['ok', 'required', 'quiet_hours', 'frequency_cap', 'paused', 'unsubscribed', 'topic_opted_out', 'channel_opted_out', 'unknown_subscriber', 'unknown_topic']
/** Instants as the engine writes them, the last two outside years 0–9999 (as `toISOString` gives them). */
const RETRY = ['2026-05-04T05:00:00.000Z', '0000-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z', '-000001-12-31T23:59:59.999Z']
/** Runs of the same topic and channel, and others between them. */
const TOPICS = ['sales', 'sales', 'news', 'sales', 'quoted "topic"', 'ü']

const decisions = (n: number): Decision[] =>
  Array.from({ length: n }, (_, i) => {
    const reason = REASONS[i % REASONS.length]!
    return {
      allowed: reason === 'ok' || reason === 'required',
      reason,
      retryAt: reason === 'quiet_hours' || reason === 'frequency_cap' || reason === 'paused' ? RETRY[i % RETRY.length]! : null,
      subscriberId: `${IDS[i % IDS.length]}-${i}`,
      topic: TOPICS[Math.floor(i / 3) % TOPICS.length]!,
      channel: i % 7 < 4 ? 'email' : i % 7 < 6 ? 'sms' : 'push\u2028',
    }
  })

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
