import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, DAY, putStandardTopics, putSubscriber, setup, T0, type Harness } from './harness.ts'
import { allEvents, bare, check, FORM, lastEvent, mintLink, ONE_CLICK, oneClick, parts, postForm, snapshot, subscriberWithLink } from './links-helpers.ts'

/** RFC 8058: what a mailbox provider sends, and nothing else, unsubscribes. */

const assertOneClickAnswer = (res: { status: number; headers: Headers; text: string }, what: string) => {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: 2xx, got ${res.status}: ${res.text.slice(0, 200)}`)
  assert.equal(res.headers.get('location'), null, `${what}: no redirect`)
  assert.equal(res.headers.get('set-cookie'), null, `${what}: no cookie`)
}

describe('POST /u/:token (RFC 8058 one-click)', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('an urlencoded List-Unsubscribe=One-Click with no cookie, Authorization or Origin unsubscribes: 2xx, no Location, no Set-Cookie', async () => {
    const link = await subscriberWithLink(h, 'oc1', { email: 'oc1@example.com' })
    assert.equal((await check(h, 'oc1', 'promo')).allowed, true)
    // Exactly the request a mailbox provider makes: the body and its type, no other header.
    const res = await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })
    assertOneClickAnswer(res, 'one-click')
    assert.equal((await h.req('GET', '/v1/subscribers/oc1')).body.status, 'unsubscribed')
  })

  test('the next check after a one-click says unsubscribed', async () => {
    const link = await subscriberWithLink(h, 'oc2', {})
    await oneClick(h, link.token)
    const decision = await check(h, 'oc2', 'promo')
    assert.equal(decision.allowed, false)
    assert.equal(decision.reason, 'unsubscribed')
    assert.equal((await check(h, 'oc2', 'receipts')).allowed, true, 'required topics stay allowed')
  })

  test('multipart/form-data with the single field List-Unsubscribe=One-Click works too', async () => {
    const link = await subscriberWithLink(h, 'oc3', {})
    const form = new FormData()
    form.append('List-Unsubscribe', 'One-Click')
    const res = await bare(h, 'POST', `/u/${link.token}`, form)
    assertOneClickAnswer(res, 'multipart')
    assert.equal((await check(h, 'oc3', 'promo')).reason, 'unsubscribed')
  })

  test('a hand-written multipart body (as a provider sends it) works', async () => {
    const link = await subscriberWithLink(h, 'oc3b', {})
    const boundary = '----heedboundary7MA4YWxkTrZu0gW'
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`
    const res = await bare(h, 'POST', `/u/${link.token}`, body, { 'content-type': `multipart/form-data; boundary=${boundary}` })
    assertOneClickAnswer(res, 'multipart by hand')
    assert.equal((await h.req('GET', '/v1/subscribers/oc3b')).body.status, 'unsubscribed')
  })

  test('a charset parameter on the urlencoded type is fine', async () => {
    const link = await subscriberWithLink(h, 'oc4', {})
    const res = await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': `${FORM}; charset=UTF-8` })
    assertOneClickAnswer(res, 'charset')
    assert.equal((await h.req('GET', '/v1/subscribers/oc4')).body.status, 'unsubscribed')
  })

  test('an Origin of some other site does not block it (no CSRF middleware on one-click)', async () => {
    const link = await subscriberWithLink(h, 'oc5', {})
    const res = await oneClick(h, link.token, { origin: 'https://mail.provider.example', 'user-agent': 'ProviderBot/1.0' })
    assertOneClickAnswer(res, 'foreign origin')
    assert.equal((await h.req('GET', '/v1/subscribers/oc5')).body.status, 'unsubscribed')
  })

  test('writes one consent event with source "one_click", actor = the token id and the user agent', async () => {
    const link = await subscriberWithLink(h, 'oc6', {})
    await oneClick(h, link.token, { 'user-agent': 'GoogleOneClick/1.0' })
    const event = await lastEvent(h, 'oc6')
    assert.equal(event.source, 'one_click')
    assert.equal(event.actor, parts(link.token).payload.jti)
    assert.equal(event.userAgent, 'GoogleOneClick/1.0')
    assert.equal(event.before.status, 'subscribed')
    assert.equal(event.after.status, 'unsubscribed')
    assertInstant(event.at, T0)
  })

  test('a repeated POST is still 2xx and writes no second event', async () => {
    const link = await subscriberWithLink(h, 'oc7', {})
    assertOneClickAnswer(await oneClick(h, link.token), 'first')
    const events = (await allEvents(h)).length
    for (let i = 0; i < 3; i++) assertOneClickAnswer(await oneClick(h, link.token), `repeat ${i + 1}`)
    assert.equal((await allEvents(h)).length, events)
    assert.equal((await h.req('GET', '/v1/subscribers/oc7')).body.status, 'unsubscribed')
  })

  test('a link minted after an API unsubscribe still one-clicks with 2xx and no event', async () => {
    await putSubscriber(h, 'oc8', { status: 'unsubscribed' })
    const link = await mintLink(h, 'oc8')
    const before = await snapshot(h, 'oc8')
    assertOneClickAnswer(await oneClick(h, link.token), 'already out')
    assert.deepEqual(await snapshot(h, 'oc8'), before)
  })

  const ignored: [string, string | (() => FormData), Record<string, string>][] = [
    ['an empty urlencoded body', '', { 'content-type': FORM }],
    ['no body and no type', '', {}],
    ['List-Unsubscribe=Other', 'List-Unsubscribe=Other', { 'content-type': FORM }],
    ['List-Unsubscribe=one-click (wrong case)', 'List-Unsubscribe=one-click', { 'content-type': FORM }],
    ['List-Unsubscribe= One-Click (space)', 'List-Unsubscribe=+One-Click', { 'content-type': FORM }],
    ['the field twice', `${ONE_CLICK}&${ONE_CLICK}`, { 'content-type': FORM }],
    ['an extra field', `${ONE_CLICK}&x=1`, { 'content-type': FORM }],
    ['an extra field first', `confirm=yes&${ONE_CLICK}`, { 'content-type': FORM }],
    ['a JSON body', JSON.stringify({ 'List-Unsubscribe': 'One-Click' }), { 'content-type': 'application/json' }],
    ['the right text as text/plain', ONE_CLICK, { 'content-type': 'text/plain' }],
    ['the right text with no content type', ONE_CLICK, {}],
    ['multipart with an extra field', () => { const f = new FormData(); f.append('List-Unsubscribe', 'One-Click'); f.append('x', '1'); return f }, {}],
    ['multipart with a file instead of a value', () => { const f = new FormData(); f.append('List-Unsubscribe', new Blob(['One-Click']), 'a.txt'); return f }, {}],
    ['a broken multipart body', '--x\r\nnonsense', { 'content-type': 'multipart/form-data; boundary=x' }],
  ]
  for (const [name, body, headers] of ignored) {
    test(`${name} changes nothing (no unsubscribe, no event) and is not a server error`, async () => {
      const link = await subscriberWithLink(h, `ig-${name.replace(/\W+/g, '-').slice(0, 40)}`, {})
      const id = parts(link.token).payload.sub as string
      const before = await snapshot(h, id)
      const res = await bare(h, 'POST', `/u/${link.token}`, typeof body === 'function' ? body() : body, headers)
      assert.ok(res.status < 500, `status ${res.status}: ${res.text.slice(0, 200)}`)
      assert.equal(res.headers.get('set-cookie'), null)
      assert.deepEqual(await snapshot(h, id), before)
      assert.equal((await check(h, id, 'promo')).allowed, true)
    })
  }

  test('the one-click field in the query string with an empty body changes nothing', async () => {
    const link = await subscriberWithLink(h, 'ig-query', {})
    const before = await snapshot(h, 'ig-query')
    const res = await bare(h, 'POST', `/u/${link.token}?List-Unsubscribe=One-Click`, '', { 'content-type': FORM })
    assert.ok(res.status < 500)
    assert.deepEqual(await snapshot(h, 'ig-query'), before)
  })
})

describe('POST /u/:token/less and /undo', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('choice=pause-month keeps them subscribed and pauses for 30 days', async () => {
    const link = await subscriberWithLink(h, 'l1', {})
    const res = await postForm(h, `/u/${link.token}/less`, { choice: 'pause-month' })
    assertOneClickAnswer(res, 'pause-month')
    const s = (await h.req('GET', '/v1/subscribers/l1')).body
    assert.equal(s.status, 'subscribed')
    assertInstant(s.pausedUntil, T0 + 30 * DAY)
    const decision = await check(h, 'l1', 'promo')
    assert.equal(decision.reason, 'paused')
    assertInstant(decision.retryAt, T0 + 30 * DAY)
  })

  test('choice=weekly keeps them subscribed with a cap of 1 a week', async () => {
    const link = await subscriberWithLink(h, 'l2', { cap: { max: 5, per: 'day' } })
    const res = await postForm(h, `/u/${link.token}/less`, { choice: 'weekly' })
    assertOneClickAnswer(res, 'weekly')
    const s = (await h.req('GET', '/v1/subscribers/l2')).body
    assert.equal(s.status, 'subscribed')
    assert.deepEqual(s.cap, { max: 1, per: 'week' })
  })

  test('"send me less" after a one-click resubscribes, with the cap', async () => {
    const link = await subscriberWithLink(h, 'l3', {})
    await oneClick(h, link.token)
    await postForm(h, `/u/${link.token}/less`, { choice: 'weekly' })
    const s = (await h.req('GET', '/v1/subscribers/l3')).body
    assert.equal(s.status, 'subscribed')
    assert.deepEqual(s.cap, { max: 1, per: 'week' })
    assert.equal((await check(h, 'l3', 'promo')).allowed, true)
  })

  test('"send me less" writes a consent event with source "link" and actor = the token id', async () => {
    const link = await subscriberWithLink(h, 'l4', {})
    await postForm(h, `/u/${link.token}/less`, { choice: 'pause-month' })
    const event = await lastEvent(h, 'l4')
    assert.equal(event.source, 'link')
    assert.equal(event.actor, parts(link.token).payload.jti)
    assert.equal(event.after.pausedUntil, new Date(T0 + 30 * DAY).toISOString())
  })

  for (const [name, fields] of [['no choice', {}], ['an unknown choice', { choice: 'never' }], ['choice=unsubscribe', { choice: 'unsubscribe' }]] as const) {
    test(`/less with ${name} changes nothing`, async () => {
      const link = await subscriberWithLink(h, `l-${name.replace(/\W+/g, '-')}`, {})
      const id = parts(link.token).payload.sub as string
      const before = await snapshot(h, id)
      const res = await postForm(h, `/u/${link.token}/less`, fields as Record<string, string>)
      assert.ok(res.status < 500, `${res.status}`)
      assert.deepEqual(await snapshot(h, id), before)
    })
  }

  test('POST /u/:token/undo resubscribes after a one-click and says so', async () => {
    const link = await subscriberWithLink(h, 'un1', { topics: { news: { subscribed: true } } })
    await oneClick(h, link.token)
    assert.equal((await check(h, 'un1', 'news')).reason, 'unsubscribed')
    const res = await bare(h, 'POST', `/u/${link.token}/undo`, '', { 'content-type': FORM })
    assertOneClickAnswer(res, 'undo')
    assert.match(res.text, /Welcome back/)
    const s = (await h.req('GET', '/v1/subscribers/un1')).body
    assert.equal(s.status, 'subscribed')
    assert.deepEqual(s.topics, { news: { subscribed: true } }, 'preferences are as they were')
    assert.equal((await check(h, 'un1', 'news')).allowed, true)
    const event = await lastEvent(h, 'un1')
    assert.equal(event.source, 'link')
    assert.equal(event.after.status, 'subscribed')
  })

  test('the unsubscribe answer page offers Undo, and undo then one-click again works', async () => {
    const link = await subscriberWithLink(h, 'un2', {})
    const res = await oneClick(h, link.token)
    assert.match(res.text, new RegExp(`action="/u/${link.token}/undo"`))
    await bare(h, 'POST', `/u/${link.token}/undo`, '', { 'content-type': FORM })
    await oneClick(h, link.token)
    assert.equal((await h.req('GET', '/v1/subscribers/un2')).body.status, 'unsubscribed')
    const sources = (await allEvents(h, 'un2')).map((e) => e.source)
    assert.deepEqual(sources, ['api', 'one_click', 'link', 'one_click'])
  })
})

describe('one-click bursts from a mailbox provider', () => {
  test('50 one-click POSTs from one IP in a minute all succeed with the default limits', async () => {
    const h = await setup()
    try {
      await putStandardTopics(h)
      const links = []
      for (let i = 0; i < 50; i++) links.push(await subscriberWithLink(h, `burst-${i}`, {}))
      for (const link of links) assertOneClickAnswer(await oneClick(h, link.token, { 'x-forwarded-for': '198.51.100.7' }), 'burst')
      for (let i = 0; i < 50; i += 7) assert.equal((await h.req('GET', `/v1/subscribers/burst-${i}`)).body.status, 'unsubscribed')
    } finally {
      await h.close()
    }
  })
})
