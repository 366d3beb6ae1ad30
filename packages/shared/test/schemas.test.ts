import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkItemSchema, isValidCheckItems, MAX_BATCH_CHECKS } from '../src/schemas.ts'

describe('isValidCheckItems (the batch fast path) agrees with checkItemSchema', () => {
  const items: unknown[] = [
    { subscriberId: 'a', topic: 'news' },
    { subscriberId: 'a', topic: 'news', channel: 'email' },
    { subscriberId: 'x'.repeat(128), topic: 'n'.repeat(64), channel: 'c'.repeat(32) },
    { subscriberId: '顧客-😀', topic: 'back-in-stock', channel: 'sms_2' },
    { subscriberId: '', topic: 'news' },
    { subscriberId: 'x'.repeat(129), topic: 'news' },
    { subscriberId: 'a', topic: 'n'.repeat(65) },
    { subscriberId: 'a', topic: 'News' },
    { subscriberId: 'a', topic: '-news' },
    { subscriberId: 'a', topic: 'news-' },
    { subscriberId: 'a', topic: '' },
    { subscriberId: 'a', topic: 'news', channel: 'c'.repeat(33) },
    { subscriberId: 'a', topic: 'news', channel: 'E-mail' },
    { subscriberId: 'a', topic: 'news', channel: null },
    { subscriberId: 1, topic: 'news' },
    { subscriberId: 'a' },
    { topic: 'news' },
    { subscriberId: 'a', topic: 'news', extra: true },
    JSON.parse('{"subscriberId":"a","topic":"news","__proto__":{"x":1}}'),
    null,
    'a',
    ['a', 'news'],
  ]
  for (const item of items) {
    test(`${JSON.stringify(item)}`, () => {
      assert.equal(isValidCheckItems([item]), checkItemSchema.safeParse(item).success)
    })
  }

  test('an empty list and a list over the limit are not valid', () => {
    assert.equal(isValidCheckItems([]), false)
    assert.equal(isValidCheckItems(Array.from({ length: MAX_BATCH_CHECKS + 1 }, () => ({ subscriberId: 'a', topic: 'news' }))), false)
    assert.equal(isValidCheckItems(Array.from({ length: MAX_BATCH_CHECKS }, () => ({ subscriberId: 'a', topic: 'news' }))), true)
  })
})
