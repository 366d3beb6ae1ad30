import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { newId } from '../src/db/ids.ts'
import { MAIL_LEASE_MS, MAIL_MAX_ATTEMPTS, MailSender } from '../src/mail/outbox.ts'
import { smtpTransport } from '../src/mail/transport.ts'
import { DAY, HOUR, MINUTE, putSubscriber, setup, type Harness, type TenantHandle, type TestMailSender } from './harness.ts'
import { rawDb } from './links-helpers.ts'
import { outboxRow, smtpInbox, type Inbox } from './mail-helpers.ts'

describe('new-link mail: what is not sent, retries and recovery', () => {
  let inbox: Inbox
  let h: Harness & { mail: TestMailSender }
  const enqueue = async (address: string, t: TenantHandle = h) => {
    const id = newId('mail')
    await h.store.enqueueMail({ id, tenantId: t.id, kind: 'new-link', address, locale: 'en', at: h.clock.now })
    return id
  }
  /** Mails that arrived for this address. */
  const arrived = (address: string) => inbox.mails.filter((m) => m.envelope.to.includes(address)).length

  before(async () => {
    inbox = await smtpInbox()
    h = await setup({ tenant: { name: 'Acme' }, mail: smtpTransport(inbox.url) })
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  test('an unknown address gets nothing, and the table keeps no address', async () => {
    const other = await h.createTenant({ name: 'Other' })
    await putSubscriber(other, 'zed', { email: 'zed@example.com' })
    await putSubscriber(h, 'gone', { email: 'gone@example.com' })
    assert.equal((await h.req('DELETE', '/v1/subscribers/gone')).status, 204)

    const ids = [
      await enqueue('nobody@example.com'),
      // Another tenant's subscriber is nobody here.
      await enqueue('zed@example.com'),
      // Erased: no record, no mail.
      await enqueue('gone@example.com'),
    ]
    const before = inbox.mails.length
    assert.equal(await h.mail.drain(), 0)
    assert.equal(inbox.mails.length, before, 'nothing reached the SMTP server')
    for (const id of ids) {
      const row = await outboxRow(h, id)
      assert.equal(row!.outcome, 'no-subscriber')
      assert.equal(row!.address, null, 'the address is cleared')
      assert.equal(row!.subscriber_id, null)
      assert.notEqual(row!.done_at, null)
    }
  })

  test('two requests within five minutes send one mail; one after five minutes sends another', async () => {
    await putSubscriber(h, 'dup', { email: 'dup@example.com' })
    const first = await enqueue('dup@example.com')
    h.clock.now += 30_000
    const second = await enqueue('DUP@example.com')
    assert.equal(await h.mail.drain(), 1)
    assert.equal(arrived('dup@example.com'), 1)
    assert.equal((await outboxRow(h, first))!.outcome, 'sent')
    const dropped = await outboxRow(h, second)
    assert.equal(dropped!.outcome, 'duplicate')
    assert.equal(dropped!.address, null)

    h.clock.now += 4 * MINUTE
    await enqueue('dup@example.com')
    assert.equal(await h.mail.drain(), 0, 'still within five minutes of the mail')
    h.clock.now += MINUTE + 1
    await enqueue('dup@example.com')
    assert.equal(await h.mail.drain(), 1, 'five minutes after the mail')
    assert.equal(arrived('dup@example.com'), 2)
  })

  test('a recipient refused by the SMTP server: the row waits 30 s and is sent on a later drain', async () => {
    await putSubscriber(h, 'ref', { email: 'ref@example.com' })
    const id = await enqueue('ref@example.com')
    inbox.refuse = { code: 451, message: 'ref@example.com: mailbox busy, try later' }
    try {
      const tried = inbox.recipientsTried
      assert.equal(await h.mail.drain(), 0)
      assert.equal(inbox.recipientsTried, tried + 1)
      const row = await outboxRow(h, id)
      assert.equal(row!.done_at, null, 'kept')
      assert.equal(row!.attempts, 1)
      assert.equal(row!.next_attempt_at, h.clock.now + 30_000)
      assert.equal(row!.claimed_until, null, 'released')
      assert.equal(row!.address, 'ref@example.com', 'the address is kept until the row is done')
      assert.match(row!.last_error, /451/)
      assert.doesNotMatch(row!.last_error, /@/, 'no address in the stored error')
      assert.ok(h.mail.log.some((l) => l.includes(id) && /attempt 1 failed/.test(l) && !l.includes('ref@example.com')), h.mail.log.join('\n'))

      assert.equal(await h.mail.drain(), 0, 'not due yet')
      assert.equal(inbox.recipientsTried, tried + 1, 'not tried again before its time')
    } finally {
      inbox.refuse = null
    }
    h.clock.now += 30_000
    assert.equal(await h.mail.drain(), 1)
    assert.equal(arrived('ref@example.com'), 1)
    const row = await outboxRow(h, id)
    assert.equal(row!.outcome, 'sent')
    assert.equal(row!.attempts, 2)
    assert.equal(row!.address, null)
  })

  test('an SMTP server that is down: the row is tried again after the backoff and delivered once it is back', async () => {
    await putSubscriber(h, 'down', { email: 'down@example.com' })
    const id = await enqueue('down@example.com')
    await inbox.stop()
    try {
      assert.equal(await h.mail.drain(), 0)
      assert.match((await outboxRow(h, id))!.last_error, /ECONNREFUSED|ECONNECTION/)
      h.clock.now += 30_000
      assert.equal(await h.mail.drain(), 0)
      const row = await outboxRow(h, id)
      assert.equal(row!.attempts, 2)
      assert.equal(row!.next_attempt_at, h.clock.now + 2 * MINUTE, 'the second wait is longer')
    } finally {
      await inbox.listen()
    }
    h.clock.now += 2 * MINUTE
    assert.equal(await h.mail.drain(), 1)
    assert.equal(arrived('down@example.com'), 1)
  })

  test(`after ${MAIL_MAX_ATTEMPTS} failed attempts the row is given up and the address forgotten`, async () => {
    await putSubscriber(h, 'never', { email: 'never@example.com' })
    const id = await enqueue('never@example.com')
    inbox.refuse = { code: 550, message: 'no such mailbox' }
    try {
      const waits: number[] = []
      for (let attempt = 1; attempt <= MAIL_MAX_ATTEMPTS; attempt++) {
        assert.equal(await h.mail.drain(), 0)
        const row = await outboxRow(h, id)
        assert.equal(row!.attempts, attempt)
        if (attempt < MAIL_MAX_ATTEMPTS) {
          assert.equal(row!.done_at, null, `still waiting after attempt ${attempt}`)
          waits.push(row!.next_attempt_at - h.clock.now)
          h.clock.now = row!.next_attempt_at
        }
      }
      assert.deepEqual(waits, [30_000, 2 * MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, 12 * HOUR, DAY])
    } finally {
      inbox.refuse = null
    }
    const row = await outboxRow(h, id)
    assert.equal(row!.outcome, 'gave-up')
    assert.equal(row!.address, null)
    assert.match(row!.last_error, /550/)
    assert.equal(arrived('never@example.com'), 0)
    h.clock.now += DAY
    assert.equal(await h.mail.drain(), 0, 'never tried again')
  })

  test('a row held by a sender that died is sent once its claim lapses, not before', async () => {
    await putSubscriber(h, 'crash', { email: 'crash@example.com' })
    const id = await enqueue('crash@example.com')
    // A sender claims the row and dies before sending or marking it.
    const claimed = await h.store.claimMail(h.clock.now, MAIL_LEASE_MS, 10, [h.id])
    assert.deepEqual(
      claimed.map((r) => r.id),
      [id],
    )
    assert.equal(await h.mail.drain(), 0, 'held by the dead sender')
    h.clock.now += MAIL_LEASE_MS
    assert.equal(await h.mail.drain(), 0, 'still held at the instant its claim ends')
    h.clock.now += 1
    assert.equal(await h.mail.drain(), 1)
    assert.equal(arrived('crash@example.com'), 1)
    const row = await outboxRow(h, id)
    assert.equal(row!.outcome, 'sent')
    assert.equal(row!.attempts, 2)
  })

  test(`a row whose sender died with it ${MAIL_MAX_ATTEMPTS} times is given up without sending`, async () => {
    await putSubscriber(h, 'poison', { email: 'poison@example.com' })
    const id = await enqueue('poison@example.com')
    for (let i = 0; i < MAIL_MAX_ATTEMPTS; i++) {
      assert.equal((await h.store.claimMail(h.clock.now, MAIL_LEASE_MS, 10, [h.id])).length, 1)
      h.clock.now += MAIL_LEASE_MS + 1
    }
    assert.equal(await h.mail.drain(), 0)
    const row = await outboxRow(h, id)
    assert.equal(row!.outcome, 'gave-up')
    assert.equal(row!.address, null)
    assert.equal(arrived('poison@example.com'), 0)
  })

  test('two senders draining at once send each mail once', async () => {
    const addresses = Array.from({ length: 14 }, (_, i) => `many${i}@example.com`)
    for (const [i, email] of addresses.entries()) await putSubscriber(h, `many${i}`, { email })
    for (const a of addresses) await enqueue(a)
    const transport = smtpTransport(inbox.url)
    const lines: string[] = []
    const other = new MailSender(h.store, transport, { publicUrl: h.config.publicUrl, from: h.config.mailFrom, now: () => h.clock.now, tenantIds: [h.id], log: (l) => lines.push(l) })
    try {
      const [a, b] = await Promise.all([h.mail.drain(), other.drain()])
      assert.equal(a + b, addresses.length, `sent ${a} + ${b}; ${lines.join('\n')}`)
    } finally {
      await other.close()
      await transport.close()
    }
    for (const address of addresses) assert.equal(arrived(address), 1, address)
  })

  test('erasing a subscriber takes their mails and the requests naming their address out of the outbox', async () => {
    await putSubscriber(h, 'erase-me', { email: 'erase.me@example.com' })
    await putSubscriber(h, 'stays', { email: 'stays@example.com' })
    const sent = await enqueue('erase.me@example.com')
    const kept = await enqueue('stays@example.com')
    assert.equal(await h.mail.drain(), 2)
    const waiting = await enqueue(' Erase.Me@Example.com')
    assert.equal((await h.req('DELETE', '/v1/subscribers/erase-me')).status, 204)
    assert.equal(await outboxRow(h, sent), undefined, 'the mail sent to them')
    assert.equal(await outboxRow(h, waiting), undefined, 'the request naming their address')
    assert.ok(await outboxRow(h, kept), 'someone else’s mail stays')
    const rows = JSON.stringify(await rawDb(h).all('SELECT * FROM mail_outbox'))
    assert.ok(!rows.includes('erase-me') && !/erase\.me@example\.com/i.test(rows), rows)
  })

  test('done rows are deleted after a week; newer ones stay', async () => {
    await putSubscriber(h, 'old', { email: 'old@example.com' })
    await putSubscriber(h, 'new', { email: 'new@example.com' })
    const old = await enqueue('old@example.com')
    assert.equal(await h.mail.drain(), 1)
    h.clock.now += 7 * DAY - MINUTE
    const recent = await enqueue('new@example.com')
    assert.equal(await h.mail.drain(), 1)
    assert.ok(await outboxRow(h, old), 'not a week old yet')
    h.clock.now += 2 * HOUR
    assert.equal(await h.mail.drain(), 0)
    assert.equal(await outboxRow(h, old), undefined, 'deleted')
    assert.ok(await outboxRow(h, recent), 'kept')
  })
})
