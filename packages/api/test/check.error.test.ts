import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertProblem, putStandardTopics, setup, type Harness } from './harness.ts'

describe('POST /v1/check: refused input', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  const cases: [string, unknown, string][] = [
    ['no subscriberId', { topic: 'news' }, '/subscriberId'],
    ['an empty subscriberId', { subscriberId: '', topic: 'news' }, '/subscriberId'],
    ['a subscriberId of 129 characters', { subscriberId: 'x'.repeat(129), topic: 'news' }, '/subscriberId'],
    ['no topic', { subscriberId: 'a' }, '/topic'],
    ['a topic that is not a slug', { subscriberId: 'a', topic: 'News Letter' }, '/topic'],
    ['a channel that is not a slug', { subscriberId: 'a', topic: 'news', channel: 'E-Mail!' }, '/channel'],
    ['`at` without a zone', { subscriberId: 'a', topic: 'news', at: '2026-05-04T12:00:00' }, '/at'],
    ['`at` that is not a date', { subscriberId: 'a', topic: 'news', at: 'tomorrow' }, '/at'],
    ['`at` as epoch milliseconds', { subscriberId: 'a', topic: 'news', at: 1777896000000 }, '/at'],
    ['a subscriberId that is a number', { subscriberId: 42, topic: 'news' }, '/subscriberId'],
  ]
  for (const [what, body, pointer] of cases) {
    test(`${what} gets 400 naming ${pointer}`, async () => {
      assertFieldError(await h.req('POST', '/v1/check', body), pointer)
    })
  }

  test('an unknown field gets 400', async () => {
    assertProblem(await h.req('POST', '/v1/check', { subscriberId: 'a', topic: 'news', force: true }), 400)
  })

  test('no body gets 400', async () => {
    assertProblem(await h.req('POST', '/v1/check'), 400)
  })
})
