import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { simpleParser } from 'mailparser'
import { dataDir, loadConfig, mailDir } from '../src/config.ts'
import { newId } from '../src/db/ids.ts'
import { describeTransport, openTransport } from '../src/mail/transport.ts'
import { putSubscriber, setup, type Harness, type TestMailSender } from './harness.ts'
import { bare, getMe } from './links-helpers.ts'
import { linksIn, smtpInbox, type Inbox } from './mail-helpers.ts'

describe('mail without HEED_SMTP_URL: .eml files in the data folder', () => {
  let dir: string
  let h: Harness & { mail: TestMailSender }
  const lines: string[] = []

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heed-mail-'))
    // The server's configuration: a SQLite file in `dir`, no SMTP.
    const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'heed.db')}`, HEED_DEMO: '0' })
    assert.equal(config.HEED_SMTP_URL, undefined)
    h = await setup({ tenant: { name: 'Demo Outfitters' }, mail: openTransport(config, { log: (l) => lines.push(l) }) })
  })
  after(async () => {
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('the mail is written as an .eml file under <data folder>/mail, its path logged, and it parses with a working link', async () => {
    await putSubscriber(h, 'mia', { email: 'mia@example.com', locale: 'et' })
    await h.store.enqueueMail({ id: newId('mail'), tenantId: h.id, kind: 'new-link', address: 'mia@example.com', locale: null, at: h.clock.now })
    assert.equal(await h.mail.drain(), 1)

    const files = readdirSync(join(dir, 'mail'))
    assert.equal(files.length, 1, `one file: ${files.join(', ')}`)
    assert.match(files[0]!, /^\d{8}T\d{6}\.\d{3}Z-mail_[0-9a-z]+\.eml$/)
    const path = join(dir, 'mail', files[0]!)
    assert.deepEqual(lines, [`mail to mia@example.com written to ${path}`])
    assert.equal(statSync(path).mode & 0o777, 0o600, 'readable by the server’s user only: it holds a working link')

    const raw = readFileSync(path)
    assert.match(raw.toString('utf8'), /\r\n\r\n/, 'CRLF line ends, as on the wire')
    const mail = await simpleParser(raw)
    assert.deepEqual(mail.to && !Array.isArray(mail.to) ? mail.to.value : null, [{ name: '', address: 'mia@example.com' }])
    assert.deepEqual(mail.from?.value, [{ name: 'Demo Outfitters', address: 'no-reply@localhost' }])
    assert.equal(mail.subject, 'Sinu uus link – Demo Outfitters')
    const { token } = linksIn(mail.text ?? '', h.config.publicUrl)
    assert.ok(String(mail.html).includes(`/p/${token}`))
    assert.equal((await bare(h, 'GET', `/p/${token}`)).status, 200)
    assert.equal((await getMe(h, token)).status, 200)
  })
})

describe('mail with HEED_SMTP_URL', () => {
  let inbox: Inbox
  let h: Harness & { mail: TestMailSender }

  before(async () => {
    inbox = await smtpInbox()
    const config = loadConfig({ HEED_SMTP_URL: inbox.url, HEED_DEMO: '0' })
    h = await setup({ tenant: { name: 'Acme Outdoor' }, env: { HEED_MAIL_FROM: 'Shop mail <mail@shop.example>' }, mail: openTransport(config) })
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  test('goes to the SMTP server, from the address of HEED_MAIL_FROM under the tenant’s name', async () => {
    await putSubscriber(h, 'sam', { email: 'sam@example.com' })
    await h.store.enqueueMail({ id: newId('mail'), tenantId: h.id, kind: 'new-link', address: 'sam@example.com', locale: null, at: h.clock.now })
    assert.equal(await h.mail.drain(), 1)
    assert.equal(inbox.mails.length, 1)
    assert.equal(inbox.mails[0]!.envelope.from, 'mail@shop.example')
    assert.deepEqual(inbox.mails[0]!.parsed.from?.value, [{ name: 'Acme Outdoor', address: 'mail@shop.example' }])
    assert.match(inbox.mails[0]!.parsed.messageId ?? '', /@shop\.example>$/)
  })
})

describe('mail configuration', () => {
  test('HEED_SMTP_URL takes smtp:// and smtps:// only, and the error does not repeat the password', () => {
    assert.equal(loadConfig({ HEED_SMTP_URL: 'smtp://user:secret@mail.example:587' }).HEED_SMTP_URL, 'smtp://user:secret@mail.example:587')
    assert.equal(loadConfig({ HEED_SMTP_URL: 'smtps://mail.example' }).HEED_SMTP_URL, 'smtps://mail.example')
    for (const bad of ['http://user:secret@mail.example', 'mail.example:587', 'smtp://', 'smtp:user:secret@mail.example']) {
      assert.throws(
        () => loadConfig({ HEED_SMTP_URL: bad }),
        (e: Error) => /HEED_SMTP_URL: use smtp:\/\/user:pass@host:587 or smtps:\/\//.test(e.message) && !e.message.includes('secret'),
        bad,
      )
    }
  })

  test('HEED_MAIL_FROM defaults to Heed <no-reply@host of the public URL>; a name and an address may be given', () => {
    assert.deepEqual(loadConfig({}).mailFrom, { name: 'Heed', address: 'no-reply@localhost' })
    assert.deepEqual(loadConfig({ HEED_PUBLIC_URL: 'https://prefs.shop.example:8443/' }).mailFrom, { name: 'Heed', address: 'no-reply@prefs.shop.example' })
    assert.deepEqual(loadConfig({ HEED_MAIL_FROM: 'Shop <mail@shop.example>' }).mailFrom, { name: 'Shop', address: 'mail@shop.example' })
    assert.deepEqual(loadConfig({ HEED_MAIL_FROM: '"Shop, Inc." <mail@shop.example>' }).mailFrom, { name: 'Shop, Inc.', address: 'mail@shop.example' })
    assert.deepEqual(loadConfig({ HEED_MAIL_FROM: 'mail@shop.example' }).mailFrom, { name: '', address: 'mail@shop.example' })
    for (const bad of ['Shop', 'Shop <>', 'a@b, c@d', '<mail@shop.example', 'Shop <mail@shop.example> x']) {
      assert.throws(() => loadConfig({ HEED_MAIL_FROM: bad }), /HEED_MAIL_FROM: use an address/, bad)
    }
  })

  test('the data folder is the SQLite file’s folder, else ./data; mail goes to its mail/ unless HEED_MAIL_DIR says otherwise', () => {
    assert.equal(dataDir({ DATABASE_URL: 'file:/srv/heed/heed.db' }), '/srv/heed')
    assert.equal(dataDir({ DATABASE_URL: 'file:./data/heed.db' }), resolve('data'))
    assert.equal(dataDir({ DATABASE_URL: 'file:db/x.sqlite' }), resolve('db'))
    assert.equal(dataDir({ DATABASE_URL: 'postgres://u@db.example/heed' }), resolve('data'))
    assert.equal(dataDir({ DATABASE_URL: ':memory:' }), resolve('data'))
    assert.equal(mailDir(loadConfig({})), resolve('data', 'mail'), 'the default DATABASE_URL')
    assert.equal(mailDir(loadConfig({ DATABASE_URL: 'file:/srv/heed/heed.db' })), '/srv/heed/mail')
    assert.equal(mailDir(loadConfig({ DATABASE_URL: 'file:/srv/heed/heed.db', HEED_MAIL_DIR: '/var/mail/heed' })), '/var/mail/heed')
  })

  test('the start-up line names where mail goes, without SMTP credentials', () => {
    assert.equal(describeTransport(loadConfig({ HEED_SMTP_URL: 'smtps://user:secret@mail.example:465' })), 'sent over smtps://mail.example:465')
    assert.equal(describeTransport(loadConfig({ DATABASE_URL: 'file:/srv/heed/heed.db' })), 'written to /srv/heed/mail (HEED_SMTP_URL is not set)')
  })
})
