import { inThreadBatches } from './batch.ts'
import { DatabaseUnavailable } from '../db/availability.ts'
import type { ReaderSpec, Store, TenantRecord } from '../db/store.ts'
import type { BatchAnswer, BatchDecider } from '../env.ts'
import { ApiError, type ErrorCode, type FieldError } from '../http/errors.ts'
import { startThread, threadEntry, ThreadRequests } from '../threads.ts'

/** What the batch thread answers for one request. */
export type BatchReply =
  | ({ id: number } & BatchAnswer)
  | { id: number; problem: { code: ErrorCode; detail: string; errors?: FieldError[] } }
  | { id: number; unavailable: string }
  | { id: number; failure: string }

export interface BatchRequest {
  id: number
  tenant: TenantRecord
  body: ArrayBuffer
  now: number
}

/**
 * Where batches are decided. On PostgreSQL and on a SQLite file they go to a worker thread
 * with its own connection (read-only on SQLite, a pool of 2 on PostgreSQL): parsing, reading
 * and deciding 10,000 checks takes tens of milliseconds, and the thread serving single checks
 * and reserves stays free meanwhile. In-memory SQLite decides them in the request's thread.
 */
export function batchDecider(store: Store): BatchDecider {
  const reader = store.readerSpec()
  return reader ? new BatchWorker(reader) : inThreadBatches(store)
}

/**
 * The batch thread's young generation, MB (V8 splits it into two semi-spaces of 64 MB and a
 * third for large objects). A batch of 10,000 makes some 40 MB of short-lived objects (its
 * body parsed, the decision data, the decisions): with V8's default of 16 MB semi-spaces they
 * outlived two scavenges and were copied into the old generation, whose fresh pages cost a
 * page fault each, only to be collected there; now most die young. Measured with the bench,
 * alternating: batch server time 127–151 → 92–107 ms, CPU per batch 146–186 → 112–133 ms.
 * The cost is up to about 130 MB more resident memory while batches run.
 */
export const BATCH_THREAD_HEAP = { maxYoungGenerationSizeMb: 192 }

/** One worker thread, started by `warm()` or on the first batch, and again after it dies. */
export class BatchWorker implements BatchDecider {
  #nextId = 0
  readonly #thread: ThreadRequests<number, BatchReply, BatchAnswer>

  /** `database`: what the batch thread opens for itself. */
  constructor(database: ReaderSpec) {
    this.#thread = new ThreadRequests({
      start: () => startThread(threadEntry(import.meta.url, 'batch-thread'), database, BATCH_THREAD_HEAP),
      name: 'batch worker',
      settle: (reply) => {
        if ('json' in reply) return { json: reply.json, readMs: reply.readMs, workMs: reply.workMs }
        if ('problem' in reply) {
          const { code, detail, errors } = reply.problem
          throw new ApiError(code, detail, errors ? { errors } : {})
        }
        if ('unavailable' in reply) throw new DatabaseUnavailable(reply.unavailable)
        throw new Error(`batch worker: ${reply.failure}`)
      },
    })
  }

  /** `body` moves to the worker thread: the caller must not use it afterwards. */
  decide(tenant: TenantRecord, body: ArrayBuffer, now: number): Promise<BatchAnswer> {
    const id = this.#nextId++
    return this.#thread.send(id, { id, tenant, body, now } satisfies BatchRequest, [body])
  }

  /** Starts the thread now rather than on the first batch (the server does, at boot). */
  warm() {
    this.#thread.warm()
  }

  close() {
    return this.#thread.close()
  }
}
