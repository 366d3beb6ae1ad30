/**
 * Helpers for the mail tests: a real SMTP server on a free local port that keeps what it
 * receives (raw and parsed), can refuse recipients or stop listening, and ways to read the
 * mail outbox's rows.
 */
import assert from 'node:assert/strict'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { Harness } from './harness.ts'
import { rawDb } from './links-helpers.ts'

export interface Received {
  /** The SMTP envelope: MAIL FROM and RCPT TO. */
  envelope: { from: string; to: string[] }
  /** The message as it arrived. */
  raw: string
  parsed: ParsedMail
  /** The user the client authenticated as, when it did. */
  user: string | null
}

export interface Inbox {
  /** `smtp://…@127.0.0.1:PORT`, with the credentials when the server requires them. */
  url: string
  port: number
  mails: Received[]
  /** RCPT TO commands seen, refused ones included. */
  recipientsTried: number
  /** While set, every RCPT TO is answered with this code and message. */
  refuse: { code: number; message: string } | null
  /** Resolves once `count` mails have arrived; fails after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>
  /** Stops listening: connections are refused until `listen()`. */
  stop(): Promise<void>
  /** Listens again on the same port. */
  listen(): Promise<void>
  close(): Promise<void>
}

/** An SMTP server without TLS; with `auth`, clients must log in with these credentials. */
export async function smtpInbox(auth?: { user: string; pass: string }): Promise<Inbox> {
  let server: SMTPServer | null = null
  let port = 0
  const inbox: Inbox = {
    url: '',
    port: 0,
    mails: [],
    recipientsTried: 0,
    refuse: null,
    async waitFor(count, timeoutMs = 2000) {
      const until = Date.now() + timeoutMs
      while (inbox.mails.length < count) {
        assert.ok(Date.now() < until, `expected ${count} mails within ${timeoutMs} ms, got ${inbox.mails.length}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    async stop() {
      const s = server
      server = null
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
    async listen() {
      server = makeServer()
      const s = server
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject)
        s.listen(port, '127.0.0.1', () => resolve())
      })
      port = (s.server.address() as { port: number }).port
    },
    close: () => inbox.stop(),
  }

  function makeServer() {
    return new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      authOptional: !auth,
      allowInsecureAuth: true,
      closeTimeout: 100,
      onAuth(a, _session, callback) {
        if (auth && a.username === auth.user && a.password === auth.pass) return callback(null, { user: a.username })
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
      },
      onRcptTo(_address, _session, callback) {
        inbox.recipientsTried++
        if (inbox.refuse) return callback(Object.assign(new Error(inbox.refuse.message), { responseCode: inbox.refuse.code }))
        callback()
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks)
          simpleParser(raw).then(
            (parsed) => {
              inbox.mails.push({
                envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
                raw: raw.toString('utf8'),
                parsed,
                user: typeof session.user === 'string' ? session.user : null,
              })
              callback()
            },
            (error: Error) => callback(error),
          )
        })
      },
    })
  }

  await inbox.listen()
  inbox.port = port
  inbox.url = auth ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`
  return inbox
}

/** One row of the mail outbox, instants as numbers, or undefined. */
export async function outboxRow(h: Harness, id: string): Promise<Record<string, any> | undefined> {
  const row = await rawDb(h).get('SELECT * FROM mail_outbox WHERE id = ?', id)
  if (!row) return undefined
  for (const k of ['created_at', 'next_attempt_at', 'claimed_until', 'done_at', 'attempts']) if (row[k] !== null) row[k] = Number(row[k])
  return row
}

/** The links a mail's text part holds: the preferences link and the unsubscribe link, with their token. */
export function linksIn(text: string, publicUrl: string): { preferences: string; unsubscribe: string; token: string } {
  const escaped = publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const p = new RegExp(`${escaped}/p/([A-Za-z0-9_.-]+)`).exec(text)
  const u = new RegExp(`${escaped}/u/([A-Za-z0-9_.-]+)`).exec(text)
  assert.ok(p && u, `a /p/ and a /u/ link on ${publicUrl} in:\n${text}`)
  assert.equal(p[1], u[1], 'both links carry the same token')
  return { preferences: p[0], unsubscribe: u[0], token: p[1]! }
}
