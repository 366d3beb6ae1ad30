import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { consent, EMAIL, GROUP, type Harness, start, state, TOPIC } from './harness.ts'

let h: Harness
beforeEach(async () => {
  h = await start()
})
afterEach(async () => {
  await h.close()
  assert.deepEqual(h.fakes.problems, [], 'every ESP request has the documented shape')
})

const suppressEverywhere = () => {
  h.fakes.groups.set(GROUP.news, new Set([EMAIL]))
  h.fakes.groups.set(GROUP.sales, new Set([EMAIL]))
  h.fakes.stream.add(EMAIL)
}

describe('consent events', () => {
  test('unsubscribed suppresses the address in every mapped SendGrid group, the Postmark stream and SES (a missing contact is created)', async () => {
    const topics = { news: { subscribed: true } }
    const res = await h.deliver(consent('subscriber.unsubscribed', state({ topics }), state({ status: 'unsubscribed', topics })))

    assert.equal(res.status, 200)
    assert.deepEqual(h.fakes.suppressedIn(GROUP.news), [EMAIL])
    assert.deepEqual(h.fakes.suppressedIn(GROUP.sales), [EMAIL])
    assert.deepEqual([...h.fakes.stream], [EMAIL])
    assert.deepEqual(h.fakes.contacts.get(EMAIL), { TopicPreferences: [{ TopicName: TOPIC.news, SubscriptionStatus: 'OPT_IN' }], UnsubscribeAll: true })
    assert.deepEqual(
      h.fakes.callsTo('ses').map((c) => [c.method, c.status]),
      [['PUT', 404], ['POST', 200]],
    )
  })

  test('resubscribed lifts the suppressions again, except the group of a topic the subscriber had turned off', async () => {
    suppressEverywhere()
    h.fakes.contacts.set(EMAIL, { TopicPreferences: [{ TopicName: TOPIC.sales, SubscriptionStatus: 'OPT_OUT' }], UnsubscribeAll: true })
    const topics = { sales: { subscribed: false } }
    const res = await h.deliver(consent('subscriber.resubscribed', state({ status: 'unsubscribed', topics }), state({ topics })))

    assert.equal(res.status, 200)
    assert.deepEqual(h.fakes.suppressedIn(GROUP.news), [])
    assert.deepEqual(h.fakes.suppressedIn(GROUP.sales), [EMAIL])
    assert.deepEqual(
      h.fakes.callsTo('sendgrid').map((c) => `${c.method} ${c.path}`),
      [`DELETE /v3/asm/groups/${GROUP.news}/suppressions/${EMAIL}`],
    )
    assert.deepEqual([...h.fakes.stream], [])
    assert.deepEqual(h.fakes.contacts.get(EMAIL), { TopicPreferences: [{ TopicName: TOPIC.sales, SubscriptionStatus: 'OPT_OUT' }], UnsubscribeAll: false })
  })

  test('a topic turned off suppresses only its group and SES topic; Postmark, which has no topics, is not called', async () => {
    h.fakes.contacts.set(EMAIL, { TopicPreferences: [], UnsubscribeAll: false })
    const res = await h.deliver(
      consent('subscriber.updated', state({ topics: { news: { subscribed: true }, sales: { subscribed: true } } }), state({ topics: { news: { subscribed: false }, sales: { subscribed: true } } })),
    )

    assert.equal(res.status, 200)
    assert.deepEqual(
      h.fakes.callsTo('sendgrid').map((c) => [c.method, c.path, c.body]),
      [['POST', `/v3/asm/groups/${GROUP.news}/suppressions`, { recipient_emails: [EMAIL] }]],
    )
    assert.deepEqual(h.fakes.suppressedIn(GROUP.sales), [])
    assert.equal(h.fakes.callsTo('postmark').length, 0)
    // UpdateContact replaces every preference, so the unchanged one is written as it was.
    assert.deepEqual(h.fakes.contacts.get(EMAIL), {
      TopicPreferences: [
        { TopicName: TOPIC.news, SubscriptionStatus: 'OPT_OUT' },
        { TopicName: TOPIC.sales, SubscriptionStatus: 'OPT_IN' },
      ],
      UnsubscribeAll: false,
    })
  })

  test('a topic turned back on lifts only its group', async () => {
    h.fakes.groups.set(GROUP.news, new Set([EMAIL]))
    h.fakes.groups.set(GROUP.sales, new Set([EMAIL]))
    h.fakes.contacts.set(EMAIL, { TopicPreferences: [], UnsubscribeAll: false })
    const off = { news: { subscribed: false }, sales: { subscribed: false } }
    const res = await h.deliver(consent('subscriber.updated', state({ topics: off }), state({ topics: { ...off, news: { subscribed: true } } })))

    assert.equal(res.status, 200)
    assert.deepEqual(h.fakes.suppressedIn(GROUP.news), [])
    assert.deepEqual(h.fakes.suppressedIn(GROUP.sales), [EMAIL])
    assert.equal(h.fakes.callsTo('sendgrid').length, 1)
    assert.equal(h.fakes.callsTo('postmark').length, 0)
    assert.deepEqual(h.fakes.contacts.get(EMAIL)?.TopicPreferences, [
      { TopicName: TOPIC.news, SubscriptionStatus: 'OPT_IN' },
      { TopicName: TOPIC.sales, SubscriptionStatus: 'OPT_OUT' },
    ])
  })

  test('a change to a topic no ESP maps, or to anything but consent, calls no ESP', async () => {
    const res = await h.deliver(consent('subscriber.updated', state({ topics: { journal: { subscribed: true } } }), state({ topics: { journal: { subscribed: false } }, status: 'subscribed' })))
    assert.equal(res.status, 200)
    const quiet = await h.deliver(consent('subscriber.updated', state(), { ...state(), timezone: 'Europe/Riga', pausedUntil: '2030-01-01T00:00:00.000Z' }))
    assert.equal(quiet.status, 200)
    assert.deepEqual(h.fakes.calls, [])
  })

  test('subscriber.created with a topic declined suppresses that group for the new address', async () => {
    const res = await h.deliver(consent('subscriber.created', null, state({ topics: { sales: { subscribed: false }, news: { subscribed: true } } })))

    assert.equal(res.status, 200)
    assert.deepEqual(h.fakes.suppressedIn(GROUP.sales), [EMAIL])
    assert.equal(h.fakes.callsTo('sendgrid').length, 1)
    assert.equal(h.fakes.callsTo('postmark').length, 0)
    assert.equal(h.fakes.contacts.get(EMAIL)?.UnsubscribeAll, false)
  })

  test('a new address gets the unsubscribe; the old address is left as it was', async () => {
    const moved = 'mari@tamm.example'
    const res = await h.deliver(consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed', email: moved })))

    assert.equal(res.status, 200)
    assert.deepEqual(h.fakes.suppressedIn(GROUP.news), [moved])
    assert.deepEqual([...h.fakes.stream], [moved])
    assert.deepEqual([...h.fakes.contacts.keys()], [moved])
  })

  test('erased, reason_given and topic events answer 2xx and call no ESP', async () => {
    const at = new Date().toISOString()
    const erased = { type: 'subscriber.erased', timestamp: at, data: { eventId: 'evt_e', seq: 9, tenantId: 'ten_demo', subscriberId: null, at, source: 'api', reason: null, before: null, after: null, suppression: { emailHash: 'ab12' } } }
    const reason = consent('subscriber.reason_given', null, state({ status: 'unsubscribed' }))
    const topic = { type: 'topic.created', timestamp: at, data: { topic: { key: 'news', name: 'News' }, at } }

    for (const event of [erased, reason, topic]) assert.equal((await h.deliver(event)).status, 200, event.type)
    assert.deepEqual(h.fakes.calls, [])
  })
})
