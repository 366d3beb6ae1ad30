import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertProblem, putStandardTopics, putSubscriber, setup, type Harness, type TenantHandle } from './harness.ts'

describe('subscribers: tenant isolation', () => {
  let h: Harness
  let other: TenantHandle
  before(async () => {
    h = await setup()
    other = await h.createTenant()
    await putStandardTopics(h)
    await putStandardTopics(other)
    await putSubscriber(other, 'vip-1', { email: 'vip@theirs.example', topics: { news: { subscribed: true } } })
  })
  after(() => h.close())

  test("another tenant's subscriber gets 404 and none of its data", async () => {
    const res = await h.req('GET', '/v1/subscribers/vip-1')
    assertProblem(res, 404)
    assert.ok(!res.text.includes('vip@theirs.example'))
  })

  test("a 404 for another tenant's subscriber is the same as for one that exists nowhere", async () => {
    const theirs = await h.req('GET', '/v1/subscribers/vip-1')
    const nowhere = await h.req('GET', '/v1/subscribers/vip-2')
    assert.equal(theirs.status, nowhere.status)
    assert.equal(theirs.body.type, nowhere.body.type)
    assert.equal(theirs.body.title, nowhere.body.title)
    assert.equal(theirs.body.detail.replace('vip-1', 'ID'), nowhere.body.detail.replace('vip-2', 'ID'))
  })

  test("PUT of the same id creates a separate subscriber and leaves the other tenant's alone", async () => {
    const res = await h.req('PUT', '/v1/subscribers/vip-1', { email: 'ours@example.com' })
    assert.equal(res.status, 201, 'it did not exist in this tenant')
    assert.deepEqual(res.body.topics, {}, 'nothing of theirs leaked in')
    const theirs = await other.req('GET', '/v1/subscribers/vip-1')
    assert.equal(theirs.body.email, 'vip@theirs.example')
    assert.deepEqual(theirs.body.topics, { news: { subscribed: true } })
  })

  test("a check for another tenant's subscriber says unknown_subscriber", async () => {
    await putSubscriber(other, 'only-theirs', { topics: { news: { subscribed: true } } })
    const res = await h.req('POST', '/v1/check', { subscriberId: 'only-theirs', topic: 'news', at: '2026-05-04T12:00:00Z' })
    assert.equal(res.status, 200)
    assert.equal(res.body.reason, 'unknown_subscriber')
    assert.equal(res.body.allowed, false)
  })

  test("a check against another tenant's topic says unknown_topic", async () => {
    await other.req('PUT', '/v1/topics/their-topic', { name: 'Theirs', defaultSubscribed: true })
    await putSubscriber(h, 'mine', {})
    const res = await h.req('POST', '/v1/check', { subscriberId: 'mine', topic: 'their-topic', at: '2026-05-04T12:00:00Z' })
    assert.equal(res.body.reason, 'unknown_topic')
  })

  test("a dispatch for another tenant's subscriber records nothing", async () => {
    await putSubscriber(other, 'capped', { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    const res = await h.req('POST', '/v1/dispatches', { subscriberId: 'capped', topic: 'news', messageId: 'iso-1', at: '2026-05-04T12:00:00Z' })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.recorded, false)
    assert.equal(res.body.decision.reason, 'unknown_subscriber')
    const theirs = await other.req('POST', '/v1/check', { subscriberId: 'capped', topic: 'news', at: '2026-05-04T12:01:00Z' })
    assert.equal(theirs.body.reason, 'ok', "their cap has room: our attempt was not counted")
  })

  test('message ids are per tenant: the same messageId in two tenants is two dispatches', async () => {
    await putSubscriber(h, 'same-msg', { topics: { news: { subscribed: true } } })
    await putSubscriber(other, 'same-msg', { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    const body = { subscriberId: 'same-msg', topic: 'news', messageId: 'campaign-42', at: '2026-05-04T12:00:00Z' }
    const a = await h.req('POST', '/v1/dispatches', body)
    const b = await other.req('POST', '/v1/dispatches', { ...body, subscriberId: 'same-msg' })
    assert.equal(a.status, 201, a.text)
    assert.equal(b.status, 201, b.text)
    const theirs = await other.req('POST', '/v1/check', { subscriberId: 'same-msg', topic: 'news', at: '2026-05-04T12:01:00Z' })
    assert.equal(theirs.body.reason, 'frequency_cap', 'their dispatch was recorded and counts, not taken for ours')
  })
})
