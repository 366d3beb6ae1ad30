import type { Worker } from 'node:worker_threads'
import { inThreadBatches } from './batch.ts'
import { DatabaseUnavailable } from '../db/availability.ts'
import type { ReaderSpec, Store, TenantRecord } from '../db/store.ts'
import type { BatchDecider } from '../env.ts'
import { ApiError, type ErrorCode, type FieldError } from '../http/errors.ts'
import { startThread, threadEntry } from '../threads.ts'

/** What the batch thread answers for one request. */
export type BatchReply =
  | { id: number; json: Uint8Array }
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

/** One worker thread, started by `warm()` or on the first batch, and again after it dies. */
export class BatchWorker implements BatchDecider {
  /** The database the batch thread opens for itself. */
  readonly #database: ReaderSpec
  #worker: Worker | null = null
  #nextId = 0
  readonly #pending = new Map<number, { worker: Worker; resolve: (json: Uint8Array) => void; reject: (error: unknown) => void }>()

  constructor(database: ReaderSpec) {
    this.#database = database
  }

  /** `body` moves to the worker thread: the caller must not use it afterwards. */
  decide(tenant: TenantRecord, body: ArrayBuffer, now: number): Promise<Uint8Array> {
    const worker = this.#worker ?? this.#start()
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject })
      worker.postMessage({ id, tenant, body, now } satisfies BatchRequest, [body])
    })
  }

  /** Starts the thread now rather than on the first batch (the server does, at boot). */
  warm() {
    this.#worker ??= this.#start()
  }

  async close() {
    const worker = this.#worker
    this.#worker = null
    if (worker) await worker.terminate()
  }

  #start(): Worker {
    const worker = startThread(threadEntry(import.meta.url, 'batch-thread'), this.#database)
    // An idle worker does not keep the process alive; a waiting request does.
    worker.unref()
    worker.on('message', (reply: BatchReply) => {
      const waiting = this.#pending.get(reply.id)
      if (!waiting) return
      this.#pending.delete(reply.id)
      if ('json' in reply) waiting.resolve(reply.json)
      else if ('problem' in reply) {
        const { code, detail, errors } = reply.problem
        waiting.reject(new ApiError(code, detail, errors ? { errors } : {}))
      } else if ('unavailable' in reply) waiting.reject(new DatabaseUnavailable(reply.unavailable))
      else waiting.reject(new Error(`batch worker: ${reply.failure}`))
    })
    // Only what waits on this thread fails with it: a new thread may already be at work.
    const fail = (error: unknown) => {
      if (this.#worker === worker) this.#worker = null
      for (const [id, waiting] of this.#pending) {
        if (waiting.worker !== worker) continue
        this.#pending.delete(id)
        waiting.reject(error)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`batch worker exited with code ${code}`)))
    this.#worker = worker
    return worker
  }
}
