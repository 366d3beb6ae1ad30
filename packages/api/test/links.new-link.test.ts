/**
 * "E-mail me a new link" on the dead-end pages: the same answer for every address, a fresh
 * working link by mail for a subscriber's, rate limits, and nothing shown or confirmed.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DAY, MINUTE, putStandardTopics, putSubscriber, setup, uid, type Harness, type TestMailSender } from './harness.ts'
import { smtpTransport } from '../src/mail/transport.ts'
import { bare, FORM, getMe, subscriberWithLink, withoutNonce } from './links-helpers.ts'
import { linksIn, smtpInbox, type Inbox } from './mail-helpers.ts'

/** The form as a browser posts it from a dead-end page. */
const ask = (h: Harness, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  bare(h, 'POST', '/links/new', new URLSearchParams(fields).toString(), { 'content-type': FORM, ...headers })

describe('POST /links/new', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    await putSubscriber(h, 'known', { email: 'known.person@example.com' })
  })
  after(() => h.close())

  test('answers a known and an unknown address with the same page and status, and shows neither', async () => {
    const known = await ask(h, { tenant: h.id, email: 'known.person@example.com', lang: 'en' })
    const unknown = await ask(h, { tenant: h.id, email: 'nobody.here@example.com', lang: 'en' })
    assert.equal(known.status, 200)
    assert.equal(unknown.status, known.status)
    assert.equal(withoutNonce(unknown.text), withoutNonce(known.text))
    assert.match(known.text, /<h1>Check your inbox<\/h1>/)
    assert.match(known.text, /If this address is on our list, a link is on its way/)
    assert.doesNotMatch(known.text, /known\.person|example\.com/)
    assert.match(known.text, /<span class="brand">Acme<\/span>/)
  })

  test('speaks the language of the page the form was on', async () => {
    const res = await ask(h, { tenant: h.id, email: 'someone@example.com', lang: 'zh-Hant' })
    assert.match(res.text, /<html lang="zh-Hant">/)
    assert.match(res.text, /請查看收件匣/)
  })

  test('an address that is not one gets the form again with the error (400), and nothing is queued', async () => {
    for (const email of ['', 'not-an-address', 'a@', `${'x'.repeat(250)}@example.com`]) {
      const res = await ask(h, { tenant: h.id, email, lang: 'en' })
      assert.equal(res.status, 400, email)
      assert.match(res.text, /aria-invalid="true"/)
      assert.match(res.text, /role="alert">Enter an e-mail address, like name@example\.com\./)
      assert.match(res.text, /action="\/links\/new"/)
    }
  })

  test('an unknown tenant, a missing field or a body that is not a form gets the page that says to ask the sender', async () => {
    for (const body of [new URLSearchParams({ tenant: 'no-such-tenant', email: 'a@example.com' }).toString(), 'email=a%40example.com', '']) {
      const res = await bare(h, 'POST', '/links/new', body, { 'content-type': FORM })
      assert.equal(res.status, 404, body)
      assert.match(res.text, /contact the sender/)
    }
    const json = await bare(h, 'POST', '/links/new', JSON.stringify({ tenant: h.id, email: 'a@example.com' }), { 'content-type': 'application/json' })
    assert.equal(json.status, 404)
  })
})

describe('POST /links/new rate limits', () => {
  let h: Harness
  before(async () => {
    h = await setup({ env: { HEED_TRUST_PROXY: '1' } })
  })
  after(() => h.close())

  test('one client IP gets 10 a minute, then a 429 page with Retry-After; another IP is unaffected', async () => {
    const from = (ip: string, i: number) => ask(h, { tenant: h.id, email: `ip${i}@example.com`, lang: 'en' }, { 'x-forwarded-for': ip })
    for (let i = 0; i < 10; i++) assert.equal((await from('203.0.113.7', i)).status, 200, `request ${i + 1}`)
    const over = await from('203.0.113.7', 10)
    assert.equal(over.status, 429)
    assert.ok(Number(over.headers.get('retry-after')) >= 1)
    assert.match(over.text, /try again in a few minutes/)
    assert.equal((await from('203.0.113.8', 11)).status, 200)
    h.clock.now += MINUTE
    assert.equal((await from('203.0.113.7', 12)).status, 200, 'a minute later')
  })

  test('one address may be asked for 3 times a minute, whatever the client IP, in any case of letters', async () => {
    const email = `${uid('addr-')}@example.com`
    for (let i = 0; i < 3; i++) assert.equal((await ask(h, { tenant: h.id, email: i === 1 ? email.toUpperCase() : email }, { 'x-forwarded-for': `192.0.2.${i}` })).status, 200)
    assert.equal((await ask(h, { tenant: h.id, email }, { 'x-forwarded-for': '192.0.2.99' })).status, 429)
  })
})

describe('the dead-end pages offer the form', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('an expired link on /p and /u, a revoked one, and an erased subscriber’s: the form for this tenant; a malformed one: none', async () => {
    const expired = await subscriberWithLink(h, 'd1', {})
    const revoked = await subscriberWithLink(h, 'd2', {})
    await h.req('POST', '/v1/subscribers/d2/revoke-links')
    const erased = await subscriberWithLink(h, 'd3', {})
    await h.req('DELETE', '/v1/subscribers/d3')
    const form = new RegExp(`<form method="post" action="/links/new">\\s*<input type="hidden" name="tenant" value="${h.id}">`)
    const was = h.clock.now
    h.clock.now += 91 * DAY
    try {
      for (const path of [`/p/${expired.token}`, `/u/${expired.token}`]) assert.match((await bare(h, 'GET', path)).text, form, path)
    } finally {
      h.clock.now = was
    }
    for (const path of [`/p/${revoked.token}`, `/u/${revoked.token}`, `/p/${erased.token}`, `/u/${erased.token}`]) {
      assert.match((await bare(h, 'GET', path)).text, form, path)
    }
    const malformed = await bare(h, 'GET', '/p/not.a.token')
    assert.equal(malformed.status, 404)
    assert.doesNotMatch(malformed.text, /\/links\/new/)
    assert.match(malformed.text, /contact the sender/)
  })

  test('the live preferences page carries the form hidden, for a link that stops working while it is open', async () => {
    const link = await subscriberWithLink(h, 'd4', {})
    const res = await bare(h, 'GET', `/p/${link.token}`)
    assert.match(res.text, /<div id="link-gone" hidden><section id="new-link">/)
    assert.match(res.text, /<script type="module" src="\/pages.js"><\/script>/)
    const script = await bare(h, 'GET', '/pages.js')
    assert.equal(script.status, 200)
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/)
    assert.match(script.text, /heed-error/)
    assert.equal((await getMe(h, link.token)).status, 200)
  })
})

describe('a new link by e-mail, end to end at a real SMTP server', () => {
  let inbox: Inbox
  let h: Harness & { mail: TestMailSender }
  before(async () => {
    inbox = await smtpInbox()
    h = await setup({ mail: smtpTransport(inbox.url) })
    await putStandardTopics(h)
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  test('the expired link’s page form: the person’s address receives a working link; an unknown address receives nothing', async () => {
    const old = await subscriberWithLink(h, 'e2e', { email: 'reader@example.com', locale: 'et' })
    h.clock.now += 91 * DAY
    const page = await bare(h, 'GET', `/p/${old.token}`)
    assert.equal(page.status, 404)
    const tenant = /name="tenant" value="([^"]+)"/.exec(page.text)?.[1]
    const lang = /name="lang" value="([^"]+)"/.exec(page.text)?.[1]
    assert.equal(tenant, h.id)
    assert.equal((await getMe(h, old.token)).status, 401, 'the old link still reads nothing')

    assert.equal((await ask(h, { tenant: tenant!, lang: lang!, email: 'nobody@example.com' })).status, 200)
    assert.equal((await ask(h, { tenant: tenant!, lang: lang!, email: 'Reader@Example.com' })).status, 200)
    assert.equal(h.mail.wakes, 2, 'each request woke the sender')
    assert.equal(await h.mail.drain(), 1)
    assert.equal(inbox.mails.length, 1)
    const [mail] = inbox.mails
    assert.deepEqual(mail!.envelope.to, ['reader@example.com'])
    assert.match(mail!.parsed.subject ?? '', /Acme/)
    const { token } = linksIn(mail!.parsed.text ?? '', h.config.publicUrl)
    const me = await getMe(h, token)
    assert.equal(me.status, 200)
    assert.equal(me.body.subscriber.id, 'e2e')
    assert.equal((await bare(h, 'GET', `/p/${token}`)).status, 200)

    // Asked again within five minutes: the same answer, no second mail.
    assert.equal((await ask(h, { tenant: tenant!, lang: lang!, email: 'reader@example.com' })).status, 200)
    assert.equal(await h.mail.drain(), 0)
    assert.equal(inbox.mails.length, 1)
  })
})
