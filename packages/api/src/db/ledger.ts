import { createHash } from 'node:crypto'

/**
 * The consent ledger: each tenant's consent events form a hash chain. Every event's hash
 * covers the previous hash, its position, instant and type, and the hash of its content.
 * Erasure (GDPR) removes an event's content but keeps its content hash, so the chain still
 * verifies while any edit to a kept event, or a removed or inserted event, shows.
 */

/** The hash a tenant's first consent event chains from. */
export const GENESIS_HASH = '0'.repeat(64)

/** JSON with object keys sorted at every depth, so a hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return `${out}]`
  }
  // Keys in UTF-16 code unit order (what `sort()` does with no comparator); undefined values
  // left out. Written as loops: every consent event is hashed through here, a million of them
  // in a large import.
  const object = value as Record<string, unknown>
  const keys = Object.keys(object).sort()
  let out = '{'
  for (const key of keys) {
    const v = object[key]
    if (v === undefined) continue
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`
  }
  return `${out}}`
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * What an import adds to the events it makes: its job, and the consent proof the row gave
 * (when, where and to what text the person agreed, from which address).
 */
export interface ConsentProof {
  importId: string
  consentedAt?: string
  consentSource?: string
  consentText?: string
  ip?: string
}

/** What an event says: erasable. */
export interface EventContent {
  id: string
  subscriberId: string | null
  source: string
  actor: string | null
  before: unknown
  after: unknown
  reason: string | null
  userAgent: string | null
  /** Only on events an import made; events without one hash as they did before it existed. */
  proof?: ConsentProof | null
}

/** Where an event stands: never erased. */
export interface EventPosition {
  tenantId: string
  seq: number
  at: number
  type: string
}

export const contentHash = (c: EventContent) =>
  sha256(
    canonicalJson({
      id: c.id,
      subscriberId: c.subscriberId,
      source: c.source,
      actor: c.actor,
      before: c.before,
      after: c.after,
      reason: c.reason,
      userAgent: c.userAgent,
      proof: c.proof ?? undefined,
    }),
  )

export const chainHash = (prevHash: string, p: EventPosition, contentHashHex: string) =>
  sha256(`${prevHash}\n${canonicalJson({ ...p, contentHash: contentHashHex })}`)

export interface StoredEvent extends EventContent, EventPosition {
  contentHash: string
  prevHash: string
  hash: string
  erasedAt: number | null
}

/**
 * `head` is the hash of the last event: keep it somewhere else (a log, a ticket, an email to
 * yourself) and compare later — events cut off the end of a chain leave a valid but shorter
 * chain with another head.
 */
export interface BadEvent {
  seq: number
  id: string
  problem: string
}
export type VerifyResult =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; head: string; firstBad: BadEvent; bad: BadEvent[] }

/** Bad events listed in a result, at most (the count of them is in `bad.length` up to this). */
export const MAX_BAD_LISTED = 100

/** What erasure clears: an erased event keeps none of it. */
const ERASED_FIELDS = ['subscriberId', 'actor', 'before', 'after', 'reason', 'userAgent', 'proof'] as const

/**
 * Walks a tenant's events in order; call `step` per event, then `result`. A bad event does not
 * end the walk: each event after it is checked against what is stored before it, so tampering
 * further on still shows, and every bad event is listed.
 */
export class ChainVerifier {
  #prev = GENESIS_HASH
  #seq = 0
  #count = 0
  readonly #bad: BadEvent[] = []

  step(e: StoredEvent): void {
    this.#count += 1
    const problem = this.#problem(e)
    if (problem && this.#bad.length < MAX_BAD_LISTED) this.#bad.push({ seq: e.seq, id: e.id, problem })
    this.#seq = e.seq
    this.#prev = e.hash
  }

  #problem(e: StoredEvent): string | null {
    if (e.seq !== this.#seq + 1) return `expected event #${this.#seq + 1} here, found #${e.seq}: an event is missing`
    if (e.prevHash !== this.#prev) return 'its link to the previous event does not match'
    if (e.erasedAt === null && contentHash(e) !== e.contentHash) return 'its content was changed after it was written'
    // Erasure clears the content, so its hash can no longer be checked: content found on an
    // erased event was written afterwards.
    if (e.erasedAt !== null && ERASED_FIELDS.some((f) => (e[f] ?? null) !== null)) return 'it is marked erased but holds content, which erasure never leaves'
    const { tenantId, seq, at, type } = e
    if (chainHash(e.prevHash, { tenantId, seq, at, type }, e.contentHash) !== e.hash) return 'its hash does not match'
    return null
  }

  result(): VerifyResult {
    const [firstBad] = this.#bad
    return firstBad
      ? { ok: false, count: this.#count, head: this.#prev, firstBad, bad: [...this.#bad] }
      : { ok: true, count: this.#count, head: this.#prev }
  }
}
