import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { assertProblem, putStandardTopics, putSubscriber, setup, type Harness, type TenantHandle } from './harness.ts'
import { allEvents, asSubscriber, bare, check, FORM, getMe, mintLink, oneClick, rawDb, subscriberWithLink, type Link } from './links-helpers.ts'

/** DELETE /v1/subscribers/:id erases the person; a hashed suppression keeps a re-import from resubscribing them. */

const ID = 'gdpr-person-7f3q'
const EMAIL = 'erase.me.please@example.com'

describe('DELETE /v1/subscribers/:id (erasure)', () => {
  let h: Harness
  let link: Link
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    link = await subscriberWithLink(h, ID, { email: EMAIL, topics: { news: { subscribed: true } } })
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason: 'please forget me' }, { 'user-agent': 'PrivateBrowser/1' })
    await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed' })
    assert.equal((await h.req('POST', '/v1/dispatches', { subscriberId: ID, topic: 'promo', messageId: 'gdpr-m1' })).status, 201)
    await putSubscriber(h, 'bystander', { email: 'bystander@example.com', cap: { max: 1, per: 'day' } })
    assert.equal((await h.req('POST', '/v1/dispatches', { subscriberId: 'bystander', topic: 'promo', messageId: 'gdpr-b1' })).status, 201)
    const res = await h.req('DELETE', `/v1/subscribers/${ID}`)
    assert.equal(res.status, 204, res.text)
    assert.equal(res.text, '')
  })
  after(() => h.close())

  test('GET of the erased subscriber is a 404', async () => {
    assertProblem(await h.req('GET', `/v1/subscribers/${ID}`), 404)
  })

  test('their export is a 404', async () => {
    assertProblem(await h.req('GET', `/v1/subscribers/${ID}/export`), 404)
  })

  test('their links stop working: /v1/me 401, /p and /u the invalid-link page, one-click changes nothing', async () => {
    assertProblem(await getMe(h, link.token), 401)
    assert.equal((await bare(h, 'GET', `/p/${link.token}`)).status, 404)
    assert.equal((await bare(h, 'GET', `/u/${link.token}`)).status, 404)
    assert.equal((await oneClick(h, link.token)).status, 404)
    assert.equal((await bare(h, 'POST', `/u/${link.token}/undo`, '', { 'content-type': FORM })).status, 404)
    assertProblem(await h.req('GET', `/v1/subscribers/${ID}`), 404, 'undo did not bring them back')
  })

  test('no new link can be minted for them', async () => {
    assertProblem(await h.req('POST', '/v1/links', { subscriberId: ID }), 404)
  })

  test('a second DELETE is a 404', async () => {
    assertProblem(await h.req('DELETE', `/v1/subscribers/${ID}`), 404)
  })

  test('the ledger still verifies after the erasure', async () => {
    const res = await h.req('GET', '/v1/events/verify')
    assert.equal(res.status, 200)
    assert.equal(res.body.ok, true, res.text)
    assert.equal(res.body.count, (await allEvents(h)).length)
  })

  test('their events stay in the chain but no longer carry their id, email, state, reason, actor or user agent', async () => {
    assert.deepEqual(await allEvents(h, ID), [], 'nothing is found by their id')
    const events = await allEvents(h)
    const text = JSON.stringify(events)
    assert.ok(!text.includes(ID), 'their id is gone from every event')
    assert.ok(!text.includes(EMAIL), 'their email is gone from every event')
    assert.ok(!text.includes('please forget me'), 'the reason is gone')
    assert.ok(!text.includes('PrivateBrowser'), 'the user agent is gone')
    const erased = events.filter((e) => e.erased)
    assert.equal(erased.length, 3, 'created, unsubscribed, resubscribed')
    for (const e of erased) {
      assert.equal(e.subscriberId, null)
      assert.equal(e.before, null)
      assert.equal(e.after, null)
      assert.equal(e.reason, null)
      assert.equal(e.userAgent, null)
      assert.equal(e.actor, null)
    }
    assert.ok(events.some((e) => e.type === 'subscriber.erased'), 'the erasure itself is an event')
    assert.ok(events.some((e) => e.subscriberId === 'bystander' && !e.erased), "other people's events are kept")
  })

  test('no row anywhere in the database still holds their id or email', async () => {
    const raw = rawDb(h)
    const tables = await raw.tables()
    assert.ok(tables.includes('subscribers') && tables.includes('consent_events') && tables.includes('suppressions'), tables.join(', '))
    for (const name of tables) {
      const rows = JSON.stringify(await raw.all(`SELECT * FROM "${name}"`))
      assert.ok(!rows.includes(ID), `table ${name} still holds the id`)
      assert.ok(!rows.includes(EMAIL), `table ${name} still holds the email`)
    }
  })

  test("their dispatches are gone; the bystander's stay and still count", async () => {
    // (That a re-created id sees no history is in "suppression after erasure" below.)
    const raw = rawDb(h)
    const rows = await raw.all(`SELECT message_id FROM dispatches WHERE tenant_id = ${raw.dialect === 'sqlite' ? '?' : '$1'} ORDER BY message_id`, h.id)
    assert.deepEqual(
      rows.map((r: { message_id: string }) => r.message_id),
      ['gdpr-b1'],
      "their dispatch gdpr-m1 is deleted, the bystander's gdpr-b1 is not",
    )
    const exported = await h.req('GET', '/v1/subscribers/bystander/export')
    assert.equal(exported.status, 200, exported.text)
    assert.deepEqual(
      exported.body.dispatches.map((d: { messageId: string }) => d.messageId),
      ['gdpr-b1'],
    )
    // The bystander's cap of one a day is still full with it.
    assert.equal((await check(h, 'bystander', 'promo')).reason, 'frequency_cap')
  })

  test('an unknown id is a 404; no key is a 401', async () => {
    assertProblem(await h.req('DELETE', '/v1/subscribers/nobody'), 404)
    assertProblem(await h.raw('DELETE', '/v1/subscribers/bystander'), 401)
    assert.equal((await h.req('GET', '/v1/subscribers/bystander')).status, 200)
  })
})

describe('suppression after erasure', () => {
  // One database; each test erases the person in a tenant of its own (suppression is per tenant).
  let h: Harness
  let tn: TenantHandle
  before(async () => {
    h = await setup()
  })
  after(() => h.close())
  beforeEach(async () => {
    tn = await h.createTenant()
    await putStandardTopics(tn)
    await putSubscriber(tn, ID, { email: EMAIL })
    assert.equal((await tn.req('POST', '/v1/dispatches', { subscriberId: ID, topic: 'promo', messageId: 'old-m' })).status, 201)
    assert.equal((await tn.req('DELETE', `/v1/subscribers/${ID}`)).status, 204)
  })

  test('a later PUT of the same id is created "unsubscribed" even though the body says subscribed', async () => {
    const res = await tn.req('PUT', `/v1/subscribers/${ID}`, { status: 'subscribed', topics: { promo: { subscribed: true } } })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.status, 'unsubscribed')
    assert.deepEqual(res.body.topics, { promo: { subscribed: true } }, 'the rest of the import is kept')
    assert.equal((await check(tn, ID, 'promo')).reason, 'unsubscribed')
    assert.equal((await check(tn, ID, 'receipts')).allowed, true, 'transactional mail still allowed')
  })

  test('a PUT of the same id with no status at all is unsubscribed too, and stays so on later PUTs', async () => {
    assert.equal((await putSubscriber(tn, ID, {})).status, 'unsubscribed')
    assert.equal((await putSubscriber(tn, ID, { status: 'subscribed' })).status, 'unsubscribed')
    assert.equal((await putSubscriber(tn, ID, { locale: 'et' })).status, 'unsubscribed')
  })

  test('a different id with the same email (any case) is unsubscribed too', async () => {
    const res = await tn.req('PUT', '/v1/subscribers/new-crm-id', { email: EMAIL.toUpperCase(), status: 'subscribed' })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.status, 'unsubscribed')
    assert.equal(res.body.email, EMAIL)
  })

  test('a different id that gets the email later is unsubscribed at that moment', async () => {
    assert.equal((await putSubscriber(tn, 'later-id', {})).status, 'subscribed')
    assert.equal((await putSubscriber(tn, 'later-id', { email: EMAIL, status: 'subscribed' })).status, 'unsubscribed')
  })

  test('someone else (different id and email) is not affected', async () => {
    assert.equal((await putSubscriber(tn, 'someone-else', { email: 'someone@example.com', status: 'subscribed' })).status, 'subscribed')
  })

  test('the suppression is per tenant: another tenant may have the same id and email subscribed', async () => {
    const other = await h.createTenant()
    assert.equal((await putSubscriber(other, ID, { email: EMAIL, status: 'subscribed' })).status, 'subscribed')
  })

  test('the re-created subscriber starts with no old history: its export has only the new event and no dispatches', async () => {
    await putSubscriber(tn, ID, { email: EMAIL })
    const res = await tn.req('GET', `/v1/subscribers/${ID}/export`)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.events.length, 1)
    assert.equal(res.body.events[0].type, 'subscriber.created')
    assert.deepEqual(res.body.dispatches, [])
    assert.deepEqual((await tn.req('GET', '/v1/events/verify')).body.ok, true)
  })

  test('opting back in through a NEW link (PATCH /v1/me status subscribed) resubscribes, and API PUTs no longer force unsubscribed', async () => {
    await putSubscriber(tn, ID, { email: EMAIL })
    const link = await mintLink(tn, ID)
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed' })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.status, 'subscribed')
    assert.equal((await check(tn, ID, 'promo')).allowed, true)
    // The merchant's API is in charge again.
    assert.equal((await putSubscriber(tn, ID, { locale: 'en' })).status, 'subscribed')
    assert.equal((await putSubscriber(tn, ID, { status: 'unsubscribed' })).status, 'unsubscribed')
    assert.equal((await putSubscriber(tn, ID, { status: 'subscribed' })).status, 'subscribed')
  })

  test('opting back in through POST /u/:token/undo resubscribes, and API PUTs no longer force unsubscribed', async () => {
    await putSubscriber(tn, ID, { email: EMAIL })
    const link = await mintLink(tn, ID)
    const undo = await bare(h, 'POST', `/u/${link.token}/undo`, '', { 'content-type': FORM })
    assert.equal(undo.status, 200, undo.text)
    assert.equal((await tn.req('GET', `/v1/subscribers/${ID}`)).body.status, 'subscribed')
    assert.equal((await putSubscriber(tn, ID, { status: 'unsubscribed' })).status, 'unsubscribed')
    assert.equal((await putSubscriber(tn, ID, { status: 'subscribed' })).status, 'subscribed')
  })

  test('the person re-imported under a new id with the same email can opt back in through their link', async () => {
    await putSubscriber(tn, 'new-crm-id', { email: EMAIL })
    const link = await mintLink(tn, 'new-crm-id')
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed' })
    assert.equal(res.body.subscriber.status, 'subscribed')
    assert.equal((await putSubscriber(tn, 'new-crm-id', { status: 'subscribed', locale: 'et' })).status, 'subscribed')
  })

  test('an opt-in refused with a 400 leaves the suppression in place', async () => {
    await putSubscriber(tn, ID, { email: EMAIL })
    const link = await mintLink(tn, ID)
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'subscribed', topics: { receipts: { subscribed: false } } })
    assertProblem(res, 400)
    assert.equal((await putSubscriber(tn, ID, { status: 'subscribed' })).status, 'unsubscribed')
  })

  test('a one-click or "unsubscribe" through a link does not lift the suppression', async () => {
    await putSubscriber(tn, ID, { email: EMAIL })
    const link = await mintLink(tn, ID)
    await oneClick(h, link.token)
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {})
    assert.equal((await putSubscriber(tn, ID, { status: 'subscribed' })).status, 'unsubscribed')
  })

  test('the suppression list holds only hashes, never the id or the email', async () => {
    const rows = await rawDb(h).all('SELECT * FROM suppressions WHERE tenant_id = ?', tn.id)
    assert.equal(rows.length, 2, 'one by id, one by email')
    for (const row of rows) assert.match(row.hash, /^[0-9a-f]{64}$/)
    const text = JSON.stringify(rows).toLowerCase()
    assert.ok(!text.includes(ID) && !text.includes(EMAIL) && !text.includes('erase.me'))
  })
})

describe('links from before an erasure', () => {
  let h: Harness
  beforeEach(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  afterEach(() => h.close())

  test('stay dead when the same id is imported again', async () => {
    const old = await subscriberWithLink(h, ID, { email: EMAIL })
    assert.equal((await h.req('DELETE', `/v1/subscribers/${ID}`)).status, 204)
    await putSubscriber(h, ID, { email: EMAIL })
    assertProblem(await getMe(h, old.token), 401, 'a link issued before the erasure')
    assert.equal((await bare(h, 'GET', `/u/${old.token}`)).status, 404)
    // Nor may that old link opt the re-imported record back in.
    await bare(h, 'POST', `/u/${old.token}/undo`, '', { 'content-type': FORM })
    assert.equal((await h.req('GET', `/v1/subscribers/${ID}`)).body.status, 'unsubscribed')
  })

  test('links revoked before an erasure stay revoked after the same id is imported again', async () => {
    const leaked = await subscriberWithLink(h, ID, { email: EMAIL })
    assert.equal((await h.req('POST', `/v1/subscribers/${ID}/revoke-links`)).status, 200)
    assertProblem(await getMe(h, leaked.token), 401)
    assert.equal((await h.req('DELETE', `/v1/subscribers/${ID}`)).status, 204)
    await putSubscriber(h, ID, { email: EMAIL })
    assertProblem(await getMe(h, leaked.token), 401, 'a revoked link must not come back to life')
  })
})
