import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { mailDir, type Config, type Mailbox } from '../config.ts'
import { newId } from '../db/ids.ts'

/**
 * Where Heed's own mail goes (F7): an SMTP server when HEED_SMTP_URL is set, otherwise `.eml`
 * files under the data folder, so `npm start` needs nothing. nodemailer builds the message in
 * both cases: multipart/alternative with a text and an HTML part, non-ASCII headers encoded
 * per RFC 2047, a Message-ID on the sender's domain.
 */

export interface OutgoingMail {
  /** One address. */
  to: string
  from: Mailbox
  subject: string
  text: string
  html: string
  headers?: Record<string, string>
}

export interface MailTransport {
  /** Sends (or writes) one mail; resolves to where it went: the SMTP server's answer or the file's path. */
  send(mail: OutgoingMail): Promise<string>
  close(): Promise<void>
}

/**
 * An SMTP server is given this long to connect, greet and answer each command; a sender holds
 * a mail for a minute (see mail/outbox.ts), so a silent server fails the attempt well before.
 */
const SMTP_TIMEOUTS = { dnsTimeout: 10_000, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }

/** Mail over SMTP: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
export function smtpTransport(url: string): MailTransport {
  const smtp = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS })
  return {
    async send(mail) {
      const info = await smtp.sendMail(message(mail))
      return [info.messageId, info.response].filter(Boolean).join(' ')
    },
    async close() {
      smtp.close()
    },
  }
}

/**
 * Mail written to `dir` as `<ISO 8601 basic time>-<id>.eml`, readable by the server's user
 * only (the mail holds a working link); each path is logged. The file appears whole: it is
 * written under another name and renamed.
 */
export function fileTransport(dir: string, log: (line: string) => void = console.log): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  return {
    async send(mail) {
      const info = await builder.sendMail(message(mail))
      await mkdir(dir, { recursive: true, mode: 0o700 })
      const stamp = new Date().toISOString().replace(/[-:]/g, '')
      const path = join(dir, `${stamp}-${newId('mail', 8)}.eml`)
      await writeFile(`${path}.part`, info.message as Buffer, { mode: 0o600, flag: 'wx' })
      await rename(`${path}.part`, path)
      log(`mail to ${mail.to} written to ${path}`)
      return path
    },
    async close() {
      builder.close()
    },
  }
}

/** The transport the configuration asks for: SMTP when HEED_SMTP_URL is set, files otherwise. */
export function openTransport(config: Pick<Config, 'HEED_SMTP_URL' | 'DATABASE_URL' | 'HEED_MAIL_DIR'>, options: { log?: (line: string) => void } = {}): MailTransport {
  return config.HEED_SMTP_URL ? smtpTransport(config.HEED_SMTP_URL) : fileTransport(mailDir(config), options.log)
}

/** Where the configuration sends mail, for the start-up log: the SMTP server without its credentials, or the folder. */
export function describeTransport(config: Pick<Config, 'HEED_SMTP_URL' | 'DATABASE_URL' | 'HEED_MAIL_DIR'>): string {
  if (!config.HEED_SMTP_URL) return `written to ${mailDir(config)} (HEED_SMTP_URL is not set)`
  const url = new URL(config.HEED_SMTP_URL)
  return `sent over ${url.protocol}//${url.host}`
}

function message(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: mail.headers ?? {},
    // Nothing of the message may be read from files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}
