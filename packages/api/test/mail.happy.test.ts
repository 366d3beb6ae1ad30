import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { newId } from '../src/db/ids.ts'
import { MailSender } from '../src/mail/outbox.ts'
import { smtpTransport } from '../src/mail/transport.ts'
import { DAY, putStandardTopics, putSubscriber, setup, type Harness, type TestMailSender } from './harness.ts'
import { bare, getMe } from './links-helpers.ts'
import { linksIn, outboxRow, smtpInbox, type Inbox } from './mail-helpers.ts'

const BRAND = 'Demo Outfitters'
const ACCENT = '#aa3300'

describe('new-link mail over SMTP', () => {
  let inbox: Inbox
  let h: Harness & { mail: TestMailSender }
  const enqueue = async (address: string, locale: string | null = null, tenantId = h.id) => {
    const id = newId('mail')
    await h.store.enqueueMail({ id, tenantId, kind: 'new-link', address, locale, at: h.clock.now })
    return id
  }

  before(async () => {
    inbox = await smtpInbox({ user: 'heed@example.net', pass: 'p@ss:word' })
    h = await setup({ tenant: { name: BRAND, branding: { accentColor: ACCENT } }, mail: smtpTransport(inbox.url) })
    await putStandardTopics(h)
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  test('a known address gets exactly one mail, whose links open the preferences page and /v1/me', async () => {
    await putSubscriber(h, 'mia', { email: 'mia@example.com' })
    // As typed into the form: other case, spaces around.
    const id = await enqueue('  Mia@Example.COM ')
    assert.equal(await h.mail.drain(), 1)
    assert.equal(inbox.mails.length, 1)
    const [mail] = inbox.mails
    assert.deepEqual(mail!.envelope.to, ['mia@example.com'], 'sent to the address stored on the subscriber')
    assert.equal(mail!.user, 'heed@example.net', 'logged in with the credentials of HEED_SMTP_URL')
    assert.deepEqual(mail!.parsed.from?.value, [{ name: BRAND, address: 'no-reply@localhost' }], 'the brand with the address of HEED_MAIL_FROM')
    assert.equal(mail!.parsed.subject, `Your new link for ${BRAND}`)
    assert.match(mail!.raw, /^Content-Type: multipart\/alternative/im)
    assert.match(mail!.raw, /^Auto-Submitted: auto-generated/im)

    const text = mail!.parsed.text ?? ''
    assert.match(text, /Here is your new link to manage the messages you get from Demo Outfitters\. It works for 90 days\./)
    assert.match(text, /If you did not ask for it, you can ignore this mail\./)
    const links = linksIn(text, h.config.publicUrl)
    const html = String(mail!.parsed.html)
    assert.ok(html.includes(`href="${links.preferences}"`), 'the HTML part links the same preferences page')
    assert.ok(html.includes(`href="${links.unsubscribe}"`), 'and the same unsubscribe page')
    assert.ok(html.includes(`background:${ACCENT}`), 'the button takes the accent colour')
    assert.doesNotMatch(html, /<img|<script|<link /i, 'no images, scripts or remote styles')

    assert.equal((await bare(h, 'GET', `/p/${links.token}`)).status, 200)
    assert.equal((await bare(h, 'GET', `/u/${links.token}`)).status, 200)
    const me = await getMe(h, links.token)
    assert.equal(me.status, 200, me.text)
    assert.equal(me.body.subscriber.id, 'mia')

    const row = await outboxRow(h, id)
    assert.equal(row!.outcome, 'sent')
    assert.equal(row!.address, null, 'the requested address is not kept')
    assert.equal(row!.subscriber_id, 'mia')
    assert.equal(row!.done_at, h.clock.now)
    assert.equal(await h.mail.drain(), 0, 'nothing more to send')
    assert.equal(inbox.mails.length, 1)
  })

  test('zh-Hans, zh-Hant and et subscribers get the subject and body in their language, the Subject encoded per RFC 2047', async () => {
    const cases = [
      { id: 'li', locale: 'zh-Hans', subject: `您的 ${BRAND} 新链接`, body: `这是您的新链接，用于管理您从 ${BRAND} 收到的消息。链接在 90 天内有效。` },
      { id: 'chen', locale: 'zh-TW', subject: `您的 ${BRAND} 新連結`, body: `這是您的新連結，用於管理您從 ${BRAND} 收到的訊息。連結在 90 天內有效。` },
      { id: 'kadri', locale: 'et', subject: `Sinu uus link – ${BRAND}`, body: `Siin on sinu uus link, millega saad hallata saatja ${BRAND} sõnumeid. See kehtib 90 päeva.` },
    ]
    for (const c of cases) await putSubscriber(h, c.id, { email: `${c.id}@example.com`, locale: c.locale })
    // The page the request came from was English: the subscriber's own language wins.
    for (const c of cases) await enqueue(`${c.id}@example.com`, 'en')
    const start = inbox.mails.length
    assert.equal(await h.mail.drain(), 3)
    for (const c of cases) {
      const mail = inbox.mails.slice(start).find((m) => m.envelope.to[0] === `${c.id}@example.com`)
      assert.ok(mail, `a mail to ${c.id}`)
      assert.equal(mail.parsed.subject, c.subject, c.locale)
      assert.match(mail.raw, /^Subject: =\?UTF-8\?[BQ]\?/im, `${c.locale}: the raw Subject header is an RFC 2047 encoded-word`)
      assert.ok(mail.parsed.text?.includes(c.body), `${c.locale} text: ${mail.parsed.text}`)
      assert.ok(String(mail.parsed.html).includes(c.body), `${c.locale} HTML`)
      assert.match(String(mail.parsed.html), new RegExp(`<html lang="${c.locale === 'zh-TW' ? 'zh-Hant' : c.locale}">`))
    }
  })

  test('without a language of their own, a subscriber gets the request page’s, else the tenant’s', async () => {
    const t = await h.createTenant({ name: 'Kauplus', defaultLocale: 'et' })
    await putSubscriber(t, 'a', { email: 'a@example.com' })
    await putSubscriber(t, 'b', { email: 'b@example.com' })
    await enqueue('a@example.com', 'zh-Hant', t.id)
    await enqueue('b@example.com', null, t.id)
    const start = inbox.mails.length
    assert.equal(await h.mail.drain(), 2)
    const to = (addr: string) => inbox.mails.slice(start).find((m) => m.envelope.to[0] === addr)!
    assert.equal(to('a@example.com').parsed.subject, '您的 Kauplus 新連結')
    assert.equal(to('b@example.com').parsed.subject, 'Sinu uus link – Kauplus')
    assert.deepEqual(to('b@example.com').parsed.from?.value, [{ name: 'Kauplus', address: 'no-reply@localhost' }])
  })

  test('the brand is escaped in the HTML and kept whole in the From name; the link lives as long as the tenant’s links do', async () => {
    const brand = `Tom & Jerry's <Shop> "Ünïcode"`
    const t = await h.createTenant({ name: brand, linkTtlSeconds: 60 * 86_400, branding: { accentColor: '#ffee00' } })
    await putSubscriber(t, 'x', { email: 'x@example.com' })
    await enqueue('x@example.com', 'en', t.id)
    const start = inbox.mails.length
    assert.equal(await h.mail.drain(), 1)
    const mail = inbox.mails[start]!
    const html = String(mail.parsed.html)
    assert.ok(html.includes('Tom &amp; Jerry&#39;s &lt;Shop&gt; &quot;Ünïcode&quot;'), html)
    assert.ok(!html.includes('<Shop>'), 'no raw markup from the brand')
    assert.ok(html.includes('color:#1a1a1a;font-weight:600'), 'dark text on a light accent colour')
    assert.equal(mail.parsed.from?.value[0]?.name, brand)
    assert.equal(mail.parsed.subject, `Your new link for ${brand}`)
    assert.match(mail.parsed.text ?? '', /It works for 60 days\./)
    const { token } = linksIn(mail.parsed.text ?? '', h.config.publicUrl)
    h.clock.now += 59 * DAY
    assert.equal((await getMe(h, token)).status, 200, 'alive on day 59')
    h.clock.now += 2 * DAY
    assert.notEqual((await getMe(h, token)).status, 200, 'expired after 60 days')
  })
})

describe('MailSender on its own', () => {
  let inbox: Inbox
  let h: Harness

  before(async () => {
    inbox = await smtpInbox()
    h = await setup({ tenant: { name: 'Acme' } })
    await putSubscriber(h, 'sam', { email: 'sam@example.com' })
    await putSubscriber(h, 'kim', { email: 'kim@example.com' })
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  test('wake() sends soon without a drain; start() also sends what was written without a wake; close() waits for the pass', async () => {
    const transport = smtpTransport(inbox.url)
    const sender = new MailSender(h.store, transport, { publicUrl: h.config.publicUrl, from: h.config.mailFrom, now: () => h.clock.now, tenantIds: [h.id] })
    try {
      await h.store.enqueueMail({ id: newId('mail'), tenantId: h.id, kind: 'new-link', address: 'sam@example.com', locale: null, at: h.clock.now })
      sender.wake()
      sender.wake()
      await inbox.waitFor(1)

      sender.start(50)
      await h.store.enqueueMail({ id: newId('mail'), tenantId: h.id, kind: 'new-link', address: 'kim@example.com', locale: null, at: h.clock.now })
      await inbox.waitFor(2)
    } finally {
      await sender.close()
      await transport.close()
    }
    assert.deepEqual(inbox.mails.map((m) => m.envelope.to[0]).sort(), ['kim@example.com', 'sam@example.com'])

    await h.store.enqueueMail({ id: newId('mail'), tenantId: h.id, kind: 'new-link', address: 'kim@example.com', locale: null, at: h.clock.now })
    sender.wake()
    assert.equal(await sender.drain(), 0, 'a closed sender sends nothing')
  })
})
