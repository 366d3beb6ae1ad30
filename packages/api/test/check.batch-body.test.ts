/**
 * A batch body written the way `JSON.stringify` writes one is read without `JSON.parse`
 * (checks/batch.ts plainBatchBody). Whatever the text, that reader gives either nothing (the
 * body then goes to `JSON.parse` and the schema) or exactly what they give: the same checks,
 * the same keys in the same order, the same `at`. Through HTTP, a body gets the same answer
 * whichever way it is read.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { batchCheckBodySchema } from '@heed/shared'
import { plainBatchBody } from '../src/checks/batch.ts'
import { assertFieldError, assertProblem, iso, putStandardTopics, putSubscriber, setup, type Harness } from './harness.ts'

/** What `JSON.parse` and the schema make of a text, or null where either refuses it. */
function parsed(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const result = batchCheckBodySchema.safeParse(value)
  return result.success ? value : null
}

/** The plain reader agrees with `JSON.parse` and the schema, key order included; says whether it read the text. */
function agrees(text: string): boolean {
  const plain = plainBatchBody(text)
  if (plain === null) return false
  const expected = parsed(text)
  assert.notEqual(expected, null, `read a body JSON.parse or the schema refuses: ${text.slice(0, 200)}`)
  assert.equal(JSON.stringify(plain), JSON.stringify(expected), text.slice(0, 200))
  assert.deepEqual(plain, expected)
  return true
}

const AT = '2026-05-04T12:00:00.000Z'
const CHECKS = [
  { subscriberId: 'cust_1', topic: 'sales' },
  { subscriberId: 'cust 2 (VIP) #x!', topic: 'sales', channel: 'sms' },
  { subscriberId: 'x'.repeat(128), topic: 'order-updates', channel: 'push' },
  { subscriberId: '~{[]}:,', topic: 'news' },
]

describe('a batch body read without JSON.parse', () => {
  test('JSON.stringify’s bodies are read: with and without channels and `at`, at before or after the checks', () => {
    for (const text of [
      JSON.stringify({ checks: CHECKS }),
      JSON.stringify({ at: AT, checks: CHECKS }),
      JSON.stringify({ checks: CHECKS, at: AT }),
      JSON.stringify({ checks: [CHECKS[0]] }),
      JSON.stringify({ checks: [CHECKS[1]] }),
      JSON.stringify({ checks: Array.from({ length: 10_000 }, (_, i) => ({ subscriberId: `cust_${i}`, topic: 'sales' })) }),
    ]) {
      assert.ok(agrees(text), `not read: ${text.slice(0, 200)}`)
    }
  })

  test('anything else is left to JSON.parse', () => {
    const valid = JSON.stringify({ at: AT, checks: CHECKS })
    for (const text of [
      // Valid bodies in other spellings: whitespace, escapes, other characters, other key orders.
      JSON.stringify({ at: AT, checks: CHECKS }, null, 2),
      valid.replace('"topic":"sales"', '"topic" : "sales"'),
      valid.replace('cust_1', 'cust\\u005f1'),
      valid.replace('cust_1', 'cust\\/1'),
      valid.replace('cust_1', 'cüst_1'),
      valid.replace('cust_1', 'cust_😀'),
      JSON.stringify({ checks: [{ topic: 'sales', subscriberId: 'cust_1' }] }),
      JSON.stringify({ checks: [{ subscriberId: 'cust_1', channel: 'sms', topic: 'sales' }] }),
      `${valid} `,
      ` ${valid}`,
      `\ufeff${valid}`,
      // Bodies the schema refuses.
      JSON.stringify({ checks: [] }),
      JSON.stringify({ at: AT }),
      JSON.stringify({ checks: [{ subscriberId: '', topic: 'sales' }] }),
      JSON.stringify({ checks: [{ subscriberId: 'cust_1', topic: 'Not A Slug' }] }),
      JSON.stringify({ checks: [{ subscriberId: 'cust_1', topic: 'sales', channel: 'SMS!' }] }),
      JSON.stringify({ checks: [{ subscriberId: 'x'.repeat(129), topic: 'sales' }] }),
      JSON.stringify({ checks: Array.from({ length: 10_001 }, () => CHECKS[0]) }),
      JSON.stringify({ at: 'tomorrow', checks: CHECKS }),
      JSON.stringify({ at: '', checks: CHECKS }),
      JSON.stringify({ checks: CHECKS, extra: 1 }),
      JSON.stringify({ checks: [{ ...CHECKS[0], at: AT }] }),
      JSON.stringify({ checks: [{ ...CHECKS[0], extra: 'x' }] }),
      // JSON.parse keeps the last of a repeated key; the plain reader reads none of them.
      `{"at":"${AT}","checks":[{"subscriberId":"a","topic":"sales"}],"at":"${AT}"}`,
      `{"checks":[{"subscriberId":"a","topic":"sales"}],"checks":[{"subscriberId":"b","topic":"sales"}]}`,
      // Not JSON, or not only one value.
      `${valid}}`,
      `${valid}x`,
      `{"checks":[{"subscriberId":"a","topic":"sales"},]}`,
      `{"checks":[{"subscriberId":"a","topic":"sales"}}`,
      `{"checks":[{"subscriberId":"a","topic":"sales"]}`,
      `{"checks":[{"subscriberId":"a","topic":"sales"}]`,
      `{"checks":[{"subscriberId":"a","topic":"sales"}]}{"checks":[]}`,
      `{"checks":[{"subscriberId":a,"topic":"sales"}]}`,
      `{"checks":[{"subscriberId":1,"topic":"sales"}]}`,
      `{"checks":[{"subscriberId":"a\u0000","topic":"sales"}]}`,
      `{"checks":[{"subscriberId":"a\nb","topic":"sales"}]}`,
      `{"checks":[{"subscriberId":"a\u007f","topic":"sales"}]}`,
      '',
      '{',
      '{}',
    ]) {
      assert.equal(plainBatchBody(text), null, text.slice(0, 200))
    }
  })

  test('every prefix of a body is left to JSON.parse', () => {
    const text = JSON.stringify({ at: AT, checks: CHECKS })
    for (let n = 0; n < text.length; n++) assert.equal(plainBatchBody(text.slice(0, n)), null, text.slice(0, n))
    assert.ok(agrees(text))
  })

  test('every body with one character changed, added or removed: read the same as JSON.parse reads it, or left to it', () => {
    const sources = [JSON.stringify({ checks: CHECKS }), JSON.stringify({ at: AT, checks: CHECKS }), JSON.stringify({ checks: CHECKS, at: AT })]
    const alphabet = '{}[]:,"\\ aZ_-0.x\u0000\n\u00fc'
    let read = 0
    for (const source of sources) {
      for (let at = 0; at <= source.length; at++) {
        if (agrees(source.slice(0, at) + source.slice(at + 1))) read++
        for (const c of alphabet) {
          if (agrees(source.slice(0, at) + c + source.slice(at + 1))) read++
          if (agrees(source.slice(0, at) + c + source.slice(at))) read++
        }
      }
    }
    // Many changes leave a body it reads (an id's character changed): the comparison ran.
    assert.ok(read > 2_000, `only ${read} changed bodies were read`)
  })
})

describe('POST /v1/check/batch: a body spelled another way gets the same answer', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    await putSubscriber(h, 'ok-1', { topics: { news: { subscribed: true } } })
    await putSubscriber(h, 'no-sms', { channels: { sms: false }, topics: { news: { subscribed: true } } })
  })
  after(() => h.close())

  const checks = [
    { subscriberId: 'ok-1', topic: 'news' },
    { subscriberId: 'no-sms', topic: 'news', channel: 'sms' },
    { subscriberId: 'nobody', topic: 'news' },
    { subscriberId: 'ok-1', topic: 'no-such-topic' },
  ]
  const at = iso(Date.parse(AT))

  test('compact, pretty-printed, keys reordered, escaped: the same status and bytes', async () => {
    const compact = JSON.stringify({ at, checks })
    assert.notEqual(plainBatchBody(compact), null)
    const others = [
      JSON.stringify({ at, checks }, null, 2),
      JSON.stringify({ checks: checks.map(({ subscriberId, topic, channel }) => ({ topic, ...(channel ? { channel } : {}), subscriberId })), at }),
      compact.replace('"ok-1"', '"ok\\u002d1"'),
    ]
    const expected = await h.req('POST', '/v1/check/batch', compact)
    assert.equal(expected.status, 200, expected.text)
    assert.deepEqual(
      expected.body.results.map((r: { reason: string }) => r.reason),
      ['ok', 'channel_opted_out', 'unknown_subscriber', 'unknown_topic'],
    )
    for (const text of others) {
      assert.equal(plainBatchBody(text), null)
      const res = await h.req('POST', '/v1/check/batch', text)
      assert.equal(res.status, 200, res.text)
      assert.equal(res.text, expected.text)
    }
  })

  test('bodies the plain reader cannot read are still refused with the schema’s errors', async () => {
    assertFieldError(await h.req('POST', '/v1/check/batch', '{"checks":[{"subscriberId":"ok-1","topic":"Not A Slug"}]}'), '/checks/0/topic')
    assertFieldError(await h.req('POST', '/v1/check/batch', '{"at":"tomorrow","checks":[{"subscriberId":"ok-1","topic":"news"}]}'), '/at')
    assertProblem(await h.req('POST', '/v1/check/batch', '{"checks":[{"subscriberId":"ok-1","topic":"news"}],}'), 400)
  })
})
