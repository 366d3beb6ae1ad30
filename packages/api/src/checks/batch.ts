import { batchCheckBodySchema, instantSchema, isValidCheckItems, type BatchCheckBody, type Decision } from '@heed/shared'
import { checkMany } from './decisions.ts'
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
  refuseNul(text)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError('malformed_json', 'the request body is not valid JSON')
  }
  refuseIllFormedJson(text, value)
  const { at, checks } = batchBody(value)
  const results = await checkMany(timed, tenant, checks, at ? Date.parse(at) : now)
  const json = answerBytes(results)
  return { json, readMs, workMs: performance.now() - started - readMs }
}

/** Decisions serialised per string in `answerBytes`: about 64 KiB of JSON, an ordinary heap object. */
const ANSWER_SLICE = 500

/**
 * `{"results":[…]}` as UTF-8, the same bytes as encoding `JSON.stringify({ results })`, but
 * stringified in slices written into one buffer: a single string of 1.4 MB is built in
 * pieces and copied whole into fresh memory before it can be encoded, at a page fault per
 * 4 KiB (10,000 decisions: 10.4 → 7.0 ms). The buffer is the answer's own (never a pooled
 * slice), so it can move to another thread.
 */
export function answerBytes(results: readonly Decision[]): Uint8Array {
  const parts: string[] = []
  let bytes = RESULTS_OPEN.length + RESULTS_CLOSE.length
  for (let i = 0; i < results.length; i += ANSWER_SLICE) {
    // Each part is an array: its brackets are left out, a comma goes between parts.
    const part = JSON.stringify(results.slice(i, i + ANSWER_SLICE))
    parts.push(part)
    bytes += Buffer.byteLength(part) - 2 + (i > 0 ? 1 : 0)
  }
  const out = Buffer.allocUnsafeSlow(bytes)
  let at = out.write(RESULTS_OPEN)
  for (const [i, part] of parts.entries()) {
    if (i > 0) at += out.write(',', at)
    at += out.write(part.slice(1, -1), at)
  }
  at += out.write(RESULTS_CLOSE, at)
  // The buffer is not zeroed: every byte of it must have been written.
  if (at !== bytes) throw new Error(`batch answer: wrote ${at} of ${bytes} bytes`)
  return out
}

const RESULTS_OPEN = '{"results":['
const RESULTS_CLOSE = ']}'
const FROM_UTF8 = new TextDecoder()

/**
 * The body through `batchCheckBodySchema`, with a fast path: 10,000 items that pass the same
 * rules written out (`isValidCheckItems`) skip the per-item schema walk; anything else goes
 * through the schema, which gives the errors.
 */
function batchBody(value: unknown): BatchCheckBody {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { at, checks, ...rest } = value as Record<string, unknown>
    if (Object.keys(rest).length === 0 && isValidCheckItems(checks) && (at === undefined || instantSchema.safeParse(at).success)) {
      return { checks, ...(at === undefined ? {} : { at: at as string }) }
    }
  }
  const parsed = batchCheckBodySchema.safeParse(value)
  if (!parsed.success) throw validationError(parsed.error)
  return parsed.data
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
