import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertProblem, putStandardTopics, setup, type Harness } from './harness.ts'
import { asSubscriber, snapshot, subscriberWithLink, type Link } from './links-helpers.ts'

describe('PATCH /v1/me and POST /v1/me/unsubscribe errors', () => {
  let h: Harness
  let link: Link
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com', topics: { news: { subscribed: true } } })
  })
  after(() => h.close())

  const unchanged = async (fn: () => Promise<void>) => {
    const before = await snapshot(h, 'mia')
    await fn()
    assert.deepEqual(await snapshot(h, 'mia'), before, 'nothing changed, no event written')
  }

  test('turning off a required topic is a 400 naming /topics/receipts and changes nothing', async () => {
    await unchanged(async () => {
      assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { receipts: { subscribed: false } } }), '/topics/receipts')
    })
  })

  test('turning off a channel of a required topic is a 400 too', async () => {
    await unchanged(async () => {
      assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { receipts: { channels: { sms: false } } } }), '/topics/receipts')
    })
  })

  test('a valid change together with a required topic turned off is refused whole (no partial write)', async () => {
    await unchanged(async () => {
      const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'unsubscribed', topics: { news: { subscribed: false }, receipts: { subscribed: false } } })
      assertFieldError(res, '/topics/receipts')
    })
  })

  test('the email cannot be changed through a link: 400 for the unknown key, email untouched', async () => {
    await unchanged(async () => {
      const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { email: 'attacker@evil.example' })
      const problem = assertProblem(res, 400)
      assert.match(res.text, /email/, problem.detail)
    })
    assert.equal((await h.req('GET', '/v1/subscribers/mia')).body.email, 'mia@example.com')
  })

  test('the subscriber cannot change their id or link version', async () => {
    await unchanged(async () => {
      assertProblem(await asSubscriber(h, 'PATCH', '/v1/me', link.token, { id: 'other' }), 400)
      assertProblem(await asSubscriber(h, 'PATCH', '/v1/me', link.token, { linkVersion: 5 }), 400)
    })
  })

  test('an unknown topic is a 400 naming it', async () => {
    await unchanged(async () => {
      assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { nope: { subscribed: true } } }), '/topics/nope')
    })
  })

  test("a channel the tenant does not have is a 400 naming it", async () => {
    await unchanged(async () => {
      assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', link.token, { channels: { pigeon: false } }), '/channels/pigeon')
    })
  })

  const invalid: [string, unknown, string][] = [
    ['a cap of 0', { cap: { max: 0, per: 'day' } }, '/cap/max'],
    ['a cap per year', { cap: { max: 1, per: 'year' } }, '/cap/per'],
    ['quiet hours at 25:00', { quietHours: { start: '25:00', end: '08:00' } }, '/quietHours/start'],
    ['a pause without a zone', { pausedUntil: '2026-06-01T00:00:00' }, '/pausedUntil'],
    ['status "pending"', { status: 'pending' }, '/status'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, '/timezone'],
  ]
  for (const [name, body, pointer] of invalid) {
    test(`${name} is a 400 naming ${pointer}`, async () => {
      await unchanged(async () => {
        assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', link.token, body), pointer)
      })
    })
  }

  test('a reason over 500 characters is a 400 naming /reason and does not unsubscribe', async () => {
    await unchanged(async () => {
      assertFieldError(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'x'.repeat(501) }), '/reason')
    })
  })

  test('an unknown field on unsubscribe is a 400 and does not unsubscribe', async () => {
    await unchanged(async () => {
      assertProblem(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'x', all: true }), 400)
    })
  })

  test('a form body on /v1/me is a 415, not a write', async () => {
    await unchanged(async () => {
      const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, 'status=unsubscribed', { 'content-type': 'application/x-www-form-urlencoded' })
      assertProblem(res, 415)
    })
  })

  test('an API key is not a link token on /v1/me', async () => {
    assertProblem(await h.raw('GET', '/v1/me', undefined, { key: h.adminKey }), 401)
  })

  test('DELETE and PUT on /v1/me are not routes that change anything', async () => {
    await unchanged(async () => {
      const del = await asSubscriber(h, 'DELETE', '/v1/me', link.token)
      assert.ok(del.status === 404 || del.status === 405, `DELETE: ${del.status}`)
      const put = await asSubscriber(h, 'PUT', '/v1/me', link.token, { status: 'unsubscribed' })
      assert.ok(put.status === 404 || put.status === 405, `PUT: ${put.status}`)
    })
  })
})
