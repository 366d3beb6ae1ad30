import { batchCheckBodySchema, instantSchema, isValidCheckItems, type BatchCheckBody, type Decision } from '@heed/shared'
import { checkMany, type CheckItem } from './decisions.ts'
import type { Store, TenantRecord } from '../db/store.ts'
import type { BatchAnswer, BatchDecider } from '../env.ts'
import { ApiError, validationError } from '../http/errors.ts'
import { refuseIllFormedJson, refuseNul } from '../http/validate.ts'

/**
 * `POST /v1/check/batch` from the request body's bytes to the answer's JSON bytes, with where
 * the time went. The same code runs on the batch worker thread (PostgreSQL, SQLite files) and
 * in the request's own thread (in-memory SQLite), so both answer alike, errors included.
 */
export async function decideBatch(store: Pick<Store, 'decisionData'>, tenant: TenantRecord, body: ArrayBuffer, now: number): Promise<BatchAnswer> {
  const started = performance.now()
  let readMs = 0
  const timed: Pick<Store, 'decisionData'> = {
    async decisionData(...args) {
      const t0 = performance.now()
      try {
        return await store.decisionData(...args)
      } finally {
        readMs += performance.now() - t0
      }
    },
  }
  const text = FROM_UTF8.decode(body)
  const { at, checks } = plainBatchBody(text) ?? parsedBatchBody(text)
  const results = await checkMany(timed, tenant, checks, at ? Date.parse(at) : now)
  const json = answerBytes(results)
  return { json, readMs, workMs: performance.now() - started - readMs }
}

/** Decisions written per string in `answerBytes`: about 64 KiB of JSON, an ordinary heap object. */
const ANSWER_SLICE = 500

/**
 * `{"results":[…]}` as UTF-8, the same bytes as encoding `JSON.stringify({ results })`. Each
 * decision is written field by field: `JSON.stringify` walks every object's properties and
 * escapes every string, while a decision's six fields are known, most of its strings need no
 * escaping, and its topic, channel and reason repeat (the bench's 10,000 decisions: 3.4 →
 * 2.6 ms). The text is built in slices and written into one buffer: a single string of 1.4 MB
 * would be copied whole into fresh memory before it could be encoded, at a page fault per
 * 4 KiB. The buffer is the answer's own (never a pooled slice), so it can move to another
 * thread.
 */
export function answerBytes(results: readonly Decision[]): Uint8Array {
  const reason = quoteRepeated()
  const topic = quoteRepeated()
  const channel = quoteRepeated()
  const parts: string[] = []
  let bytes = 0
  for (let start = 0; start === 0 || start < results.length; start += ANSWER_SLICE) {
    const end = Math.min(results.length, start + ANSWER_SLICE)
    let part = start === 0 ? RESULTS_OPEN : ''
    for (let i = start; i < end; i++) {
      const d: Written = results[i]!
      part +=
        `${i > 0 ? ',' : ''}{"allowed":${d.allowed},"reason":${reason(d.reason)},"retryAt":${d.retryAt === null ? 'null' : quote(d.retryAt)},` +
        `"subscriberId":${quote(d.subscriberId)},"topic":${topic(d.topic)},"channel":${channel(d.channel)}}`
    }
    if (end === results.length) part += RESULTS_CLOSE
    parts.push(part)
    bytes += Buffer.byteLength(part)
  }
  const out = Buffer.allocUnsafeSlow(bytes)
  let at = 0
  for (const part of parts) at += out.write(part, at)
  // The buffer is not zeroed: every byte of it must have been written.
  if (at !== bytes) throw new Error(`batch answer: wrote ${at} of ${bytes} bytes`)
  return out
}

/**
 * A decision with no field but those `answerBytes` writes: a field added to `Decision` makes
 * it fail to compile until it is written too.
 */
type Written = Decision & Record<Exclude<keyof Decision, 'allowed' | 'reason' | 'retryAt' | 'subscriberId' | 'topic' | 'channel'>, never>

/** Characters JSON writes as they are: printable ASCII but `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** A string as JSON, as `JSON.stringify` writes it. */
const quote = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s))

/** `quote`, remembering its last answer: a batch's topics, channels and reasons repeat. */
function quoteRepeated(): (s: string) => string {
  let last: string | undefined
  let quoted = ''
  return (s) => (s === last ? quoted : (quoted = quote((last = s))))
}

const RESULTS_OPEN = '{"results":['
const RESULTS_CLOSE = ']}'
const FROM_UTF8 = new TextDecoder()

/** The body as `JSON.parse` reads it, through the schema: any JSON, and every error. */
function parsedBatchBody(text: string): BatchCheckBody {
  refuseNul(text)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError('malformed_json', 'the request body is not valid JSON')
  }
  refuseIllFormedJson(text, value)
  return batchBody(value)
}

/**
 * A valid body written the way `JSON.stringify` writes one, read without `JSON.parse`, or null
 * for anything else (which `parsedBatchBody` then reads). Accepted: `{"checks":[…]}` with an
 * `"at"` before or after the checks, each check `{"subscriberId":…,"topic":…}` with a
 * `"channel"` last or not at all, no whitespace, every string printable ASCII without `"` or
 * `\`, so that each string is the text between its quotes (and no escape, NUL's included).
 * For such text this is what `JSON.parse` and the schema give, the same objects with the same
 * keys in the same order, in a third of the time (the bench's 10,000 checks: decoding,
 * reading and validating took 4.2–5.2 ms with `JSON.parse`, 1.6–2.0 this way): `JSON.parse`
 * makes no guess about what comes next, this reader expects those few literals.
 */
export function plainBatchBody(text: string): BatchCheckBody | null {
  let atBefore: string | undefined
  let atAfter: string | undefined
  let p = 1
  if (text.charCodeAt(0) !== OPEN_BRACE) return null
  if (text.startsWith(AT_KEY, p)) {
    const end = plainStringEnd(text, (p += AT_KEY.length))
    if (end < 0 || text.charCodeAt(end + 1) !== COMMA) return null
    atBefore = text.slice(p, end)
    p = end + 2
  }
  if (!text.startsWith(CHECKS_KEY, p)) return null
  p += CHECKS_KEY.length
  const checks: CheckItem[] = []
  for (;;) {
    if (!text.startsWith(ITEM_OPEN, p)) return null
    let end = plainStringEnd(text, (p += ITEM_OPEN.length))
    if (end < 0 || !text.startsWith(ITEM_TOPIC, end)) return null
    const subscriberId = text.slice(p, end)
    end = plainStringEnd(text, (p = end + ITEM_TOPIC.length))
    if (end < 0) return null
    const topic = text.slice(p, end)
    if (text.startsWith(ITEM_CHANNEL, end)) {
      end = plainStringEnd(text, (p = end + ITEM_CHANNEL.length))
      if (end < 0) return null
      checks.push({ subscriberId, topic, channel: text.slice(p, end) })
    } else checks.push({ subscriberId, topic })
    // After the last string of a check: `}` and then `,` for another check or `]` for none.
    if (text.charCodeAt(end + 1) !== CLOSE_BRACE) return null
    p = end + 3
    const next = text.charCodeAt(end + 2)
    if (next === COMMA) continue
    if (next === CLOSE_BRACKET) break
    return null
  }
  if (atBefore === undefined && text.startsWith(AT_AFTER, p)) {
    const end = plainStringEnd(text, (p += AT_AFTER.length))
    if (end < 0) return null
    atAfter = text.slice(p, end)
    p = end + 1
  }
  if (p !== text.length - 1 || text.charCodeAt(p) !== CLOSE_BRACE) return null
  if (!passesBodyRules(checks, atBefore ?? atAfter)) return null
  return atBefore !== undefined ? { at: atBefore, checks } : atAfter !== undefined ? { checks, at: atAfter } : { checks }
}

/**
 * The index of the `"` that closes a string starting at `from`, or -1 when a character before
 * it is not plain (`PLAIN`'s characters, compared one by one: a regular expression a string
 * would cost more than the loop for the short strings of a body).
 */
function plainStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) return i
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1
  }
  return -1
}

const AT_KEY = '"at":"'
const AT_AFTER = ',"at":"'
const CHECKS_KEY = '"checks":['
const ITEM_OPEN = '{"subscriberId":"'
const ITEM_TOPIC = '","topic":"'
const ITEM_CHANNEL = '","channel":"'
const OPEN_BRACE = 0x7b // {
const CLOSE_BRACE = 0x7d // }
const CLOSE_BRACKET = 0x5d // ]
const COMMA = 0x2c
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * The body through `batchCheckBodySchema`, with a fast path: 10,000 items that pass the same
 * rules written out (`isValidCheckItems`) skip the per-item schema walk; anything else goes
 * through the schema, which gives the errors.
 */
function batchBody(value: unknown): BatchCheckBody {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { at, checks, ...rest } = value as Record<string, unknown>
    if (Object.keys(rest).length === 0 && passesBodyRules(checks, at)) return { checks, ...(at === undefined ? {} : { at: at as string }) }
  }
  const parsed = batchCheckBodySchema.safeParse(value)
  if (!parsed.success) throw validationError(parsed.error)
  return parsed.data
}

/** Whether a body's checks and `at` pass `batchCheckBodySchema`'s rules, written out for 10,000 items (both readers' fast path). */
function passesBodyRules(checks: unknown, at: unknown): checks is BatchCheckBody['checks'] {
  return isValidCheckItems(checks) && (at === undefined || instantSchema.safeParse(at).success)
}

/** Batches decided in the thread that received them. */
export function inThreadBatches(store: Pick<Store, 'decisionData'>): BatchDecider {
  return {
    decide: (tenant, body, now) => decideBatch(store, tenant, body, now),
    close: async () => {},
  }
}

/**
 * How many batch checks one process reads and decides at once (`HEED_BATCH_CONCURRENCY`).
 * A batch body is up to 16 MiB and parsing and deciding it takes several times that, so
 * unbounded concurrent batches grew the process by a gigabyte and stalled every other
 * request. A batch takes a slot before its body is read; when none is free it is refused at
 * once (503 with `Retry-After`), without reading its body and without waiting in a queue:
 * senders retry, and the memory a process may give batches stays at about `size` of them.
 * The slot is given back when the decision is made or fails (a 400 included), or when the
 * body cannot be read because the client went away; not while the answer is written, which
 * is a tenth of the body's size at most.
 */
export class BatchSlots {
  #free: number

  constructor(readonly size: number) {
    this.#free = size
  }

  /** A slot's release (calling it again does nothing), or null when every slot is taken. */
  take(): (() => void) | null {
    if (this.#free === 0) return null
    this.#free--
    let held = true
    return () => {
      if (!held) return
      held = false
      this.#free++
    }
  }
}

/** Bytes sent in one write when an answer is paced. */
const PIECE = 64 * 1024

/**
 * A large answer as a stream of 64 KiB pieces with a turn of the event loop between them:
 * writing 1 MB to a socket in one call holds the thread for milliseconds (over loopback the
 * kernel does the receiving side's work in the same call), and single checks wait behind it.
 */
export function paced(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (offset > 0) await new Promise<void>((resolve) => setImmediate(resolve))
        controller.enqueue(bytes.subarray(offset, (offset += PIECE)))
        if (offset >= bytes.byteLength) controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}
