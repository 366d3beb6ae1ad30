import { randomBytes } from 'node:crypto'
import type { Mailbox } from '../config.ts'
import { sha256Hex } from '../db/ids.ts'
import type { MailOutcome, MailRecord, Store } from '../db/store.ts'
import { issueToken } from '../links/tokens.ts'
import { invitationMail, mailLocale, newLinkMail } from './messages.ts'
import type { MailTransport } from './transport.ts'

/**
 * The sender of Heed's own mail. Requests write a row to the `mail_outbox` table (with the
 * rest of their transaction, when they have one) and call `wake()`; the sender sends it once
 * that has committed: a row that never committed is never seen, so nothing is sent for it.
 *
 * A pass claims the due rows (store.claimMail: each held for a minute, in one statement, so
 * two senders, in one process or in several on one PostgreSQL, never take the same row), sends
 * each and marks it done. A row whose sending failed is released with a later due time (30 s,
 * 2 min, 10 min, 1 h, 6 h, 12 h, 24 h) and given up after its 8th attempt. A sender that dies
 * between sending and marking done leaves its rows claimed; another sender (or the same one,
 * restarted) takes them when the claim lapses and sends again: at least once, never lost.
 *
 * A "new-link" row names an address someone typed into "e-mail me a new link". The sender
 * looks for a subscriber of the tenant with that address: none, nothing is sent; one that got
 * such a mail in the last five minutes, nothing is sent; otherwise a fresh link goes to the
 * address stored on the subscriber. Once the row is done the address is cleared, whatever the
 * outcome, so the table never keeps an address nobody asked Heed to keep. Done rows are
 * deleted after a week.
 *
 * An "invitation" row names a console invitation (`ref`). If it is still pending, the sender
 * mints a fresh one-time token, stores its hash on the invitation (replacing any earlier one,
 * so only the last mailed link works) and mails the console's accept link, in the tenant's
 * default language; a withdrawn, accepted or expired invitation sends nothing.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** How long a claimed row is held by its sender before another may take it. */
export const MAIL_LEASE_MS = MINUTE
/** Wait after the 1st, 2nd, … failed attempt; after the last one's failure the row is given up. */
export const MAIL_RETRY_DELAYS_MS = [30_000, 2 * MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, 12 * HOUR, DAY] as const
export const MAIL_MAX_ATTEMPTS = MAIL_RETRY_DELAYS_MS.length + 1
/** One new-link mail per subscriber in this long; further requests are dropped. */
export const NEW_LINK_INTERVAL_MS = 5 * MINUTE
/** Done rows are kept this long (the five-minute rule reads them), then deleted. */
export const MAIL_KEEP_DONE_MS = 7 * DAY

/** Rows claimed by one statement. */
const BATCH = 10
/** A claimed row is not started with less than this left of its claim: the next claim takes it. */
const LEASE_MARGIN_MS = 30_000
const PRUNE_EVERY_MS = HOUR

export interface MailSenderOptions {
  /** The public URL: the links' issuer and base. */
  publicUrl: string
  /** The sender's address (HEED_MAIL_FROM); each mail shows the tenant's name with it. */
  from: Mailbox
  /** The clock, epoch ms. */
  now?: () => number
  /** The lifetime of a mailed link; by default the tenant's `linkTtlSeconds` (90 days unless changed). */
  linkTtlSeconds?: number
  /** Where failures are reported; console.error by default. */
  log?: (line: string) => void
  /** Only these tenants' mails (a sender of their own); every tenant's by default. */
  tenantIds?: readonly string[]
}

type Resolution = { outcome: MailOutcome; subscriberId: string | null }

export class MailSender {
  readonly #store: Store
  readonly #transport: MailTransport
  readonly #options: MailSenderOptions
  readonly #now: () => number
  readonly #log: (line: string) => void
  /** The last drain queued or running; the next one starts after it. */
  #tail: Promise<unknown> = Promise.resolve()
  /** A drain queued behind the running one and not started yet: later callers join it. */
  #queued: Promise<number> | null = null
  #wakeTimer: NodeJS.Timeout | null = null
  #pollTimer: NodeJS.Timeout | null = null
  #lastPrune = -Infinity
  #closed = false

  constructor(store: Store, transport: MailTransport, options: MailSenderOptions) {
    this.#store = store
    this.#transport = transport
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#log = options.log ?? console.error
  }

  /** A row was just committed: a pass runs soon. Many wakes at once make one pass. */
  wake(): void {
    if (this.#closed || this.#wakeTimer) return
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = null
      this.#inBackground()
    }, 0)
  }

  /**
   * Sends every mail due now, pass after pass until a claim comes back short; resolves to how
   * many were sent. Runs after a drain already running; joins one queued and not yet started.
   */
  drain(): Promise<number> {
    if (this.#closed) return Promise.resolve(0)
    if (this.#queued) return this.#queued
    const next = this.#tail.then(() => {
      this.#queued = null
      return this.#closed ? 0 : this.#drainNow()
    })
    this.#queued = next
    this.#tail = next.catch(() => undefined)
    return next
  }

  /** Drains now and every `pollMs`, so rows written by other processes or left by a crash go out too. */
  start(pollMs = 5000): void {
    if (this.#closed || this.#pollTimer) return
    this.#pollTimer = setInterval(() => this.#inBackground(), pollMs)
    this.#pollTimer.unref()
    this.#inBackground()
  }

  /** Stops polling and waking, and resolves once the pass under way has finished. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer)
    if (this.#pollTimer) clearInterval(this.#pollTimer)
    this.#wakeTimer = this.#pollTimer = null
    await this.#tail
  }

  #inBackground() {
    this.drain().catch((error: unknown) => this.#log(`mail: a pass failed: ${brief(error)}`))
  }

  async #drainNow(): Promise<number> {
    let sent = 0
    for (;;) {
      const pass = await this.#pass()
      sent += pass.sent
      if (pass.claimed < BATCH || this.#closed) return sent
    }
  }

  async #pass(): Promise<{ claimed: number; sent: number }> {
    const now = this.#now()
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now
      await this.#store.pruneMail(now - MAIL_KEEP_DONE_MS, this.#options.tenantIds).catch((error: unknown) => this.#log(`mail: pruning failed: ${brief(error)}`))
    }
    const rows = await this.#store.claimMail(now, MAIL_LEASE_MS, BATCH, this.#options.tenantIds)
    let sent = 0
    for (const row of rows) {
      if (this.#now() > row.claimedUntil! - LEASE_MARGIN_MS) break
      if (await this.#handle(row)) sent++
    }
    return { claimed: rows.length, sent }
  }

  /** Sends one claimed row and marks it done, or releases it for a later attempt; true when a mail went out. */
  async #handle(row: MailRecord): Promise<boolean> {
    // Claimed that often without an answer: the senders holding it died each time.
    if (row.attempts > MAIL_MAX_ATTEMPTS) {
      this.#log(`mail ${row.id}: claimed ${row.attempts} times without an answer; giving up`)
      await this.#store.finishMail(row.id, { at: this.#now(), outcome: 'gave-up', subscriberId: null })
      return false
    }
    let done: Resolution
    try {
      done = row.kind === 'invitation' ? await this.#invitation(row) : await this.#newLink(row)
    } catch (error) {
      await this.#failed(row, error)
      return false
    }
    await this.#store.finishMail(row.id, { at: this.#now(), ...done })
    return done.outcome === 'sent'
  }

  async #newLink(row: MailRecord): Promise<Resolution> {
    const store = this.#store
    const { publicUrl, from } = this.#options
    const at = this.#now()
    const tenant = await store.getTenant(row.tenantId)
    const subscriber = tenant && row.address !== null ? await store.findSubscriberByEmail(row.tenantId, row.address) : null
    if (!tenant || !subscriber?.email) return { outcome: 'no-subscriber', subscriberId: null }
    if (await store.mailSentSince(row.tenantId, subscriber.id, row.kind, at - NEW_LINK_INTERVAL_MS)) {
      return { outcome: 'duplicate', subscriberId: subscriber.id }
    }
    const settings = tenant.settings
    const ttlSeconds = this.#options.linkTtlSeconds ?? settings.linkTtlSeconds
    const link = await issueToken(store, { issuer: publicUrl, tenantId: tenant.id, subscriber, kind: 'link', ttlSeconds, now: at })
    const mail = newLinkMail({
      locale: mailLocale(subscriber.locale, row.locale, settings.defaultLocale),
      brand: settings.name,
      accentColor: settings.branding.accentColor,
      preferencesUrl: `${publicUrl}/p/${link.token}`,
      unsubscribeUrl: `${publicUrl}/u/${link.token}`,
      days: Math.floor(ttlSeconds / 86_400),
    })
    await this.#transport.send({
      to: subscriber.email,
      from: { name: settings.name, address: from.address },
      ...mail,
      // RFC 3834: no out-of-office answers to a machine's mail.
      headers: { 'Auto-Submitted': 'auto-generated' },
    })
    return { outcome: 'sent', subscriberId: subscriber.id }
  }

  async #invitation(row: MailRecord): Promise<Resolution> {
    const store = this.#store
    const { publicUrl, from } = this.#options
    const at = this.#now()
    const invitation = row.ref === null ? null : await store.getInvitation(row.ref)
    const tenant = invitation && (await store.getTenant(invitation.tenantId))
    if (!invitation || !tenant || invitation.acceptedAt !== null || invitation.expiresAt <= at) return { outcome: 'withdrawn', subscriberId: null }
    const token = randomBytes(32).toString('base64url')
    if (!(await store.setInvitationToken(invitation.id, sha256Hex(token), at))) return { outcome: 'withdrawn', subscriberId: null }
    const inviter = invitation.invitedBy === null ? null : await store.getConsoleUser(tenant.id, invitation.invitedBy)
    const settings = tenant.settings
    const mail = invitationMail({
      locale: mailLocale(null, row.locale, settings.defaultLocale),
      brand: settings.name,
      accentColor: settings.branding.accentColor,
      inviter: inviter ? (inviter.name ?? inviter.email) : null,
      role: invitation.role,
      acceptUrl: `${publicUrl}/console/accept#token=${token}`,
      days: Math.max(1, Math.round((invitation.expiresAt - at) / DAY)),
    })
    await this.#transport.send({
      to: invitation.email,
      from: { name: settings.name, address: from.address },
      ...mail,
      headers: { 'Auto-Submitted': 'auto-generated' },
    })
    return { outcome: 'sent', subscriberId: null }
  }

  async #failed(row: MailRecord, error: unknown) {
    const at = this.#now()
    const reason = brief(error)
    if (row.attempts >= MAIL_MAX_ATTEMPTS) {
      this.#log(`mail ${row.id}: attempt ${row.attempts} failed (${reason}); giving up`)
      await this.#store.finishMail(row.id, { at, outcome: 'gave-up', subscriberId: null, error: reason })
      return
    }
    const nextAttemptAt = at + MAIL_RETRY_DELAYS_MS[row.attempts - 1]!
    this.#log(`mail ${row.id}: attempt ${row.attempts} failed (${reason}); trying again at ${new Date(nextAttemptAt).toISOString()}`)
    await this.#store.retryMail(row.id, { at, error: reason, nextAttemptAt })
  }
}

/** An error in one short line with any e-mail address in it masked, fit to keep in the row and the log. */
function brief(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}`
    .replace(/[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+/g, '<address>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300)
}
