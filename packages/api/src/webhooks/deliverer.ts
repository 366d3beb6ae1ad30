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
 * - A change is sent as soon as it commits (the store signals this process's deliverer); the
 *   poll every second finds other processes' changes, retries falling due and lapsed claims.
 * - Messages, their deliveries and attempts are kept 30 days, then pruned (hourly).
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
/**
 * How many rounds of an endpoint's slots may wait claimed. Deeper means fewer claims for a
 * busy endpoint; a slow one cannot start them all within the lease and hands the rest back
 * (see #startWaiting), which costs one statement each.
 */
const WAITING_ROUNDS = 8
/** Messages, their deliveries and attempts are kept this long: the replay window and the deliveries log. */
export const WEBHOOK_KEEP_MS = 30 * DAY
const PRUNE_EVERY_MS = HOUR
/** Changes committed within this long of each other are claimed together. */
const COMMIT_WAKE_MS = 10

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
  #wakeTimer: NodeJS.Timeout | null = null
  #unlisten: (() => void) | null = null
  #filling: Promise<void> | null = null
  /** A wake came while claiming. */
  #again = false
  /**
   * Set when the last claim came back short: the endpoints it left out as full. Nothing else
   * is due until a wake, or until one of those endpoints has run low.
   */
  #dry: Set<string> | null = null
  #closed = false
  #lastPrune = -Infinity

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

  /**
   * Claims due deliveries now, at once after each of this process's changes that queued one
   * (the store's signal, many at once making one claim), and every `pollMs`, so that other
   * processes' changes, retries falling due and lapsed claims go out too.
   */
  start(pollMs = 1000): void {
    if (this.#closed || this.#pollTimer) return
    this.#pollTimer = setInterval(() => this.wake(), pollMs)
    this.#pollTimer.unref()
    this.#unlisten = this.#store.webhooksQueued.listen(() => this.#soon())
    this.wake()
  }

  #soon(): void {
    if (this.#closed || this.#wakeTimer) return
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = null
      this.wake()
    }, COMMIT_WAKE_MS)
  }

  /** Something may have fallen due (a change committed, or the poll): look in the database. */
  wake(): void {
    this.#dry = null
    this.#fillInBackground()
  }

  #fillInBackground(): void {
    void this.#fill().catch((error: unknown) => this.#options.log(`webhooks: claiming failed: ${brief(error)}`))
  }

  /** Sends everything due now, and what falls due meanwhile, until nothing is left in flight. */
  async drain(): Promise<void> {
    this.#dry = null
    for (;;) {
      await this.#fill()
      if (this.#inFlight.size === 0) return
      await Promise.race(this.#inFlight)
    }
  }

  /** Stops claiming, hands back what waits, and resolves once the attempts under way are recorded. */
  async close(): Promise<void> {
    this.#closed = true
    this.#unlisten?.()
    if (this.#pollTimer) clearInterval(this.#pollTimer)
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer)
    this.#pollTimer = this.#wakeTimer = null
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

  /** Deliveries claimed and not started yet. */
  #waitingCount(): number {
    let n = 0
    for (const list of this.#waiting.values()) n += list.length
    return n
  }

  /**
   * Starts what waits, then, while a slot is free, claims more: up to twice the slots, leaving
   * out endpoints that already have two rounds waiting, so one endpoint's backlog cannot crowd
   * out the others'. A claim that came back short means nothing else was due: until something
   * wakes the deliverer, finished deliveries claim again only for an endpoint that had been
   * left out and has since run low. One claim thus serves many deliveries.
   */
  async #claim(): Promise<void> {
    if (this.#closed) return
    await this.#prune()
    this.#startWaiting()
    const { concurrency, perEndpoint } = this.#options
    if (this.#inFlight.size >= concurrency) return
    const waiting = this.#waitingCount()
    const room = 2 * concurrency - this.#inFlight.size - waiting
    if (room <= 0) return
    const full = [...this.#waiting].filter(([, list]) => list.length >= 2 * perEndpoint).map(([id]) => id)
    if (this.#dry && [...this.#dry].every((id) => full.includes(id))) return
    const now = this.#options.now()
    const claims = await this.#store.claimWebhookDeliveries(now, WEBHOOK_LEASE_MS, room, full)
    const leftOut = new Set(full)
    const extra: string[] = []
    for (const claim of claims) {
      const id = claim.endpoint.id
      const list = this.#waiting.get(id) ?? []
      if (list.length < WAITING_ROUNDS * perEndpoint) this.#waiting.set(id, [...list, { claim, until: now + WEBHOOK_LEASE_MS }])
      else {
        extra.push(claim.id)
        leftOut.add(id)
      }
    }
    this.#dry = claims.length < room ? leftOut : null
    await this.#store.releaseWebhookDeliveries(extra)
    this.#startWaiting()
  }

  /** At most hourly, in whichever call comes first: what is older than WEBHOOK_KEEP_MS goes. */
  async #prune(): Promise<void> {
    const now = this.#options.now()
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return
    this.#lastPrune = now
    await this.#store.pruneWebhooks(now - WEBHOOK_KEEP_MS).catch((error: unknown) => this.#options.log(`webhooks: pruning failed: ${brief(error)}`))
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
        if (!this.#closed) this.#fillInBackground()
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
