import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { consent, EMAIL, GROUP, type Harness, nextId, signed, start, state } from './harness.ts'

let h: Harness
beforeEach(async () => {
  h = await start()
})
afterEach(async () => {
  await h.close()
  assert.deepEqual(h.fakes.problems, [])
})

describe('ESP failures', () => {
  test('Postmark answering 500 gets 503 so Heed retries, and the retry applies the change', async () => {
    h.fakes.failNext.postmark = 1
    const event = consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed' }))
    const id = nextId()

    const first = await h.deliver(event, id)
    assert.equal(first.status, 503)
    assert.deepEqual([...h.fakes.stream], [])

    const retry = await h.deliver(event, id)
    assert.equal(retry.status, 200)
    assert.deepEqual([...h.fakes.stream], [EMAIL])
    assert.deepEqual(h.fakes.suppressedIn(GROUP.news), [EMAIL])
    assert.deepEqual(
      h.fakes.callsTo('postmark').map((c) => c.status),
      [500, 200],
    )
  })

  test('SES answering 500 gets 503, and the retry writes the contact', async () => {
    h.fakes.failNext.ses = 1
    const event = consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed' }))
    const id = nextId()

    assert.equal((await h.deliver(event, id)).status, 503)
    assert.equal(h.fakes.contacts.size, 0)
    assert.equal((await h.deliver(event, id)).status, 200)
    assert.equal(h.fakes.contacts.get(EMAIL)?.UnsubscribeAll, true)
  })

  test('an ESP that cannot be reached gets 503', async () => {
    await h.fakes.close()
    const res = await h.deliver(consent('subscriber.unsubscribed', state(), state({ status: 'unsubscribed' })))
    assert.equal(res.status, 503)
  })
})

describe('bodies', () => {
  test('a signed body that is not a Heed event gets 400 and no ESP is called', async () => {
    const body = JSON.stringify({ type: 'subscriber.updated', data: { eventId: 'evt_x', seq: 1, tenantId: 'ten_demo', subscriberId: 'sub_1', before: null, after: { status: 'gone' } } })
    const res = await h.post(body, signed(nextId(), body))
    assert.equal(res.status, 400)
    assert.deepEqual(h.fakes.calls, [])
  })
})
