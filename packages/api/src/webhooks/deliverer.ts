import type { Store, WebhookClaim, WebhookSettlement } from '../db/store.ts'
import { newId } from '../db/ids.ts'
import { deliver, type Attempt, type DeliverOptions } from './transport.ts'

/**
 * The sender of webhooks. A consent or topic change writes its message and one delivery per
 * endpoint in its own transaction (db/outgoing.ts, the outbox); the deliverer, in every API
 * process, claims due deliveries (each held for a minute, in one statement, so two deliverers
 * on one PostgreSQL never send the same attempt), sends them and records each attempt.
 *
 * - At least once: a process that dies between sending and recording leaves the delivery
 *   claimed; when the claim lapses another deliverer (or this one, restarted) sends it again,
 *   with the same `webhook-id`, which receivers use to drop the repeat.
 * - A 2xx delivers. Anything else is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 *   10 h (the Standard Webhooks schedule, each ±10 %), or later when the answer's Retry-After
 *   asks; the 8th failure gives the message up. `410 Gone` turns the endpoint off at once, and
 *   so does failing every attempt for 5 days.
 * - Deliveries run side by side, at most `concurrency` at once (16) and `perEndpoint` to one
 *   endpoint (4), so a slow or dead endpoint holds only its own slots, never the API's answers
 *   nor other endpoints' messages.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Wait after the 1st, 2nd, … failed attempt; the attempt after the last wait is the last. */
export const WEBHOOK_RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR] as const
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1
/** An endpoint that has failed every attempt for this long is turned off. */
export const WEBHOOK_DISABLE_AFTER_MS = 5 * DAY
/** How long a claimed delivery is held: the 15 s attempt and time to record it. */
export const WEBHOOK_LEASE_MS = MINUTE

export interface DelivererOptions extends Pick<DeliverOptions, 'allowPrivate' | 'timeoutMs'> {
  /** Deliveries in flight at once, all endpoints together. */
  concurrency?: number
  /** Deliveries in flight at once to one endpoint. */
  perEndpoint?: number
  /** The clock that schedules attempts (epoch ms); signatures always carry the real time. */
  now?: () => number
  /** ±10 % by default; tests pin it. */
  jitter?: (delayMs: number) => number
  log?: (line: string) => void
}

export class WebhookDeliverer {
  readonly #store: Store
  readonly #options: Required<Omit<DelivererOptions, 'timeoutMs'>> & Pick<DelivererOptions, 'timeoutMs'>
  /** Endpoint id → deliveries to it in flight. */
  readonly #busy = new Map<string, number>()
  /** Endpoint id → deliveries claimed and waiting for one of its slots, oldest first. */
  readonly #waiting = new Map<string, Array<{ claim: WebhookClaim; until: number }>>()
  readonly #inFlight = new Set<Promise<void>>()
  #pollTimer: NodeJS.Timeout | null = null
  #filling: Promise<void> | null = null
  /** A wake came while claiming. */
  #again = false
  #closed = false

  constructor(store: Store, options: DelivererOptions) {
    this.#store = store
    this.#options = {
      concurrency: 16,
      perEndpoint: 4,
      now: Date.now,
      jitter: (ms) => Math.round(ms * (0.9 + Math.random() * 0.2)),
      log: console.error,
      ...options,
    }
  }

  /** Claims due deliveries now and every `pollMs`, so changes of every process go out. */
  start(pollMs = 1000): void {
    if (this.#closed || this.#pollTimer) return
    this.#pollTimer = setInterval(() => this.wake(), pollMs)
    this.#pollTimer.unref()
    this.wake()
  }

  /** Something may be due: fill the free slots. */
  wake(): void {
    void this.#fill().catch((error: unknown) => this.#options.log(`webhooks: claiming failed: ${brief(error)}`))
  }

  /** Sends everything due now, and what falls due meanwhile, until nothing is left in flight. */
  async drain(): Promise<void> {
    for (;;) {
      await this.#fill()
      if (this.#inFlight.size === 0) return
      await Promise.race(this.#inFlight)
    }
  }

  /** Stops claiming, hands back what waits, and resolves once the attempts under way are recorded. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#pollTimer) clearInterval(this.#pollTimer)
    this.#pollTimer = null
    await this.#filling
    await Promise.all(this.#inFlight)
    const waiting = [...this.#waiting.values()].flat().map((w) => w.claim.id)
    this.#waiting.clear()
    await this.#store.releaseWebhookDeliveries(waiting).catch(() => undefined)
  }

  /** One claim at a time; a wake during it runs another after it (slots may have freed since it looked). */
  #fill(): Promise<void> {
    if (this.#filling) {
      this.#again = true
      return this.#filling
    }
    this.#filling = (async () => {
      do {
        this.#again = false
        await this.#claim()
      } while (this.#again && !this.#closed)
    })().finally(() => (this.#filling = null))
    return this.#filling
  }

  /**
   * Starts what waits, then, while slots stay free, claims more: up to twice the slots, never
   * more for one endpoint than it can start within its claim, so an endpoint's backlog waits
   * here in order instead of being claimed and handed back again and again.
   */
  async #claim(): Promise<void> {
    if (this.#closed) return
    this.#startWaiting()
    const { concurrency, perEndpoint } = this.#options
    const waiting = [...this.#waiting.values()].reduce((n, list) => n + list.length, 0)
    // Claim again only once what waits is running low: one claim serves many deliveries.
    if (waiting >= concurrency) return
    const room = 2 * concurrency - this.#inFlight.size - waiting
    if (room <= 0) return
    const full = [...this.#waiting].filter(([, list]) => list.length >= 4 * perEndpoint).map(([id]) => id)
    const now = this.#options.now()
    const claims = await this.#store.claimWebhookDeliveries(now, WEBHOOK_LEASE_MS, room, full)
    const extra: string[] = []
    for (const claim of claims) {
      const list = this.#waiting.get(claim.endpoint.id) ?? []
      if (list.length >= 4 * perEndpoint) extra.push(claim.id)
      else this.#waiting.set(claim.endpoint.id, [...list, { claim, until: now + WEBHOOK_LEASE_MS }])
    }
    await this.#store.releaseWebhookDeliveries(extra)
    this.#startWaiting()
  }

  /** Starts waiting deliveries in free slots; one whose claim is about to lapse goes back instead. */
  #startWaiting(): void {
    const { concurrency, perEndpoint, now } = this.#options
    const margin = (this.#options.timeoutMs ?? 15_000) + 10_000
    for (const [id, list] of this.#waiting) {
      while (list.length > 0 && this.#inFlight.size < concurrency && (this.#busy.get(id) ?? 0) < perEndpoint) {
        const { claim, until } = list.shift()!
        if (until - now() < margin) {
          void this.#store.releaseWebhookDeliveries([claim.id]).catch(() => undefined)
          continue
        }
        this.#run(claim)
      }
      if (list.length === 0) this.#waiting.delete(id)
    }
  }

  #run(claim: WebhookClaim): void {
    const id = claim.endpoint.id
    this.#busy.set(id, (this.#busy.get(id) ?? 0) + 1)
    const run: Promise<void> = this.#send(claim)
      .catch((error: unknown) => this.#options.log(`webhooks: delivery ${claim.id} failed to record: ${brief(error)}`))
      .finally(() => {
        this.#inFlight.delete(run)
        const left = (this.#busy.get(id) ?? 1) - 1
        if (left > 0) this.#busy.set(id, left)
        else this.#busy.delete(id)
        if (!this.#closed) this.wake()
      })
    this.#inFlight.add(run)
  }

  async #send(claim: WebhookClaim): Promise<void> {
    const { now, allowPrivate, timeoutMs } = this.#options
    const { endpoint } = claim
    const at = now()
    const secrets = [endpoint.secret]
    if (endpoint.previousSecret && (endpoint.previousSecretUntil ?? 0) > at) secrets.push(endpoint.previousSecret)
    // The timestamp is the real time of sending, whatever clock schedules: receivers refuse
    // messages more than a few minutes off theirs.
    const timestamp = Math.floor(Date.now() / 1000)
    const result = await deliver({ url: endpoint.url, secrets }, { id: claim.messageId, timestamp, body: claim.body }, { allowPrivate, timeoutMs })
    await this.#store.settleWebhookDelivery(this.#settle(claim, at, result))
  }

  /** What the attempt leads to. */
  #settle(claim: WebhookClaim, at: number, result: Attempt): WebhookSettlement {
    const attempt = {
      id: newId('wha'),
      tenantId: claim.tenantId,
      endpointId: claim.endpoint.id,
      messageId: claim.messageId,
      at,
      status: result.status,
      latencyMs: Math.round(result.latencyMs),
      error: result.error ?? (result.status !== null && (result.status < 200 || result.status > 299) ? `answered ${result.status}` : null),
    }
    const base = { deliveryId: claim.id, attempt, failingCutoff: at - WEBHOOK_DISABLE_AFTER_MS }
    if (result.status !== null && result.status >= 200 && result.status <= 299) return { ...base, outcome: 'delivered' }
    if (result.status === 410) return { ...base, outcome: 'failed', disable: 'gone' }
    if (claim.attempts >= WEBHOOK_MAX_ATTEMPTS) return { ...base, outcome: 'failed' }
    const wait = Math.max(this.#options.jitter(WEBHOOK_RETRY_DELAYS_MS[claim.attempts - 1]!), Math.min(result.retryAfterMs ?? 0, 10 * HOUR))
    return { ...base, outcome: 'retry', nextAttemptAt: at + wait }
  }
}

const brief = (error: unknown) => (error instanceof Error ? error.message : String(error))
