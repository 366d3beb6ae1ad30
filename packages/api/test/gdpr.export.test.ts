import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, assertProblem, putStandardTopics, putSubscriber, setup, T0, type Harness } from './harness.ts'
import { asSubscriber, mintLink, parts } from './links-helpers.ts'

describe('GET /v1/subscribers/:id/export', () => {
  let h: Harness
  let jti: string
  before(async () => {
    h = await setup({ tenant: { name: 'Acme Outdoor' } })
    await putStandardTopics(h)
    await putSubscriber(h, 'mia', { email: 'mia@example.com', topics: { news: { subscribed: true } } })
    await putSubscriber(h, 'other', { email: 'other@example.com' })
    const link = await mintLink(h, 'mia')
    jti = parts(link.token).payload.jti as string
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'moving abroad' }, { 'user-agent': 'Browser/1' })
    await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed' })
    for (const [messageId, topic] of [['m-1', 'promo'], ['m-2', 'receipts']] as const) {
      const res = await h.req('POST', '/v1/dispatches', { subscriberId: 'mia', topic, messageId })
      assert.equal(res.status, 201, res.text)
    }
    await h.req('POST', '/v1/dispatches', { subscriberId: 'other', topic: 'promo', messageId: 'm-other' })
  })
  after(() => h.close())

  test('contains the tenant, the current state, every consent event and every dispatch of that person', async () => {
    const res = await h.req('GET', '/v1/subscribers/mia/export')
    assert.equal(res.status, 200, res.text)
    const body = res.body
    assertInstant(body.exportedAt, T0)
    assert.deepEqual(body.tenant, { id: h.id, name: 'Acme Outdoor' })
    assert.equal(body.subscriber.id, 'mia')
    assert.equal(body.subscriber.email, 'mia@example.com', 'the export is for the person: the full address')
    assert.equal(body.subscriber.status, 'subscribed')
    assert.deepEqual(body.subscriber.topics, { news: { subscribed: true } })

    assert.deepEqual(body.events.map((e: any) => [e.source, e.after.status]), [
      ['api', 'subscribed'],
      ['widget', 'unsubscribed'],
      ['widget', 'subscribed'],
    ])
    const unsub = body.events[1]
    assert.equal(unsub.reason, 'moving abroad')
    assert.equal(unsub.actor, jti)
    assert.equal(unsub.userAgent, 'Browser/1')
    assert.ok(body.events.every((e: any) => e.subscriberId === 'mia'))

    assert.deepEqual(body.dispatches.map((d: any) => [d.messageId, d.topic, d.channel]), [
      ['m-1', 'promo', 'email'],
      ['m-2', 'receipts', 'email'],
    ])
    assertInstant(body.dispatches[0].at, T0)
    assert.equal(body.dispatches[0].decision.allowed, true)
  })

  test("holds nothing of other subscribers", async () => {
    const res = await h.req('GET', '/v1/subscribers/mia/export')
    assert.doesNotMatch(res.text, /other@example\.com|m-other|"other"/)
  })

  test('is offered as a download (Content-Disposition: attachment)', async () => {
    const res = await h.req('GET', '/v1/subscribers/mia/export')
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment/)
    assert.match(res.headers.get('content-type') ?? '', /json/)
  })

  test('an unknown subscriber is a 404', async () => {
    assertProblem(await h.req('GET', '/v1/subscribers/nobody/export'), 404)
  })

  test("another tenant cannot export this tenant's subscriber", async () => {
    const t = await h.createTenant()
    assertProblem(await t.req('GET', '/v1/subscribers/mia/export'), 404)
  })

  test('a link token cannot export (API key only)', async () => {
    const link = await mintLink(h, 'mia')
    assertProblem(await h.raw('GET', '/v1/subscribers/mia/export', undefined, { auth: `Bearer ${link.token}` }), 401)
  })
})
