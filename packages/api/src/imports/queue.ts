import type { Worker } from 'node:worker_threads'
import type { ImportRecord, ReaderSpec, Store } from '../db/store.ts'
import { startThread, threadEntry } from '../threads.ts'
import type { ImportThreadReply, ImportThreadRequest } from './import-thread.ts'
import { runImport } from './job.ts'

/** A running import writes its counts at least this often; one silent for longer has lost its process. */
const STALE_AFTER_MS = 2 * 60_000

/**
 * The imports of this process, run one after another in the background: an upload answers
 * `202` as soon as its file is on disk, and a second import waits for the first rather than
 * both competing with the checks for the database.
 *
 * They run on a worker thread with its own connection (imports/import-thread.ts): a batch's
 * transaction, its CSV parsing and its hashing then never hold up the thread that answers
 * single checks and reserves. An in-memory SQLite database, which no other connection can
 * open, runs them in this thread.
 */
export class ImportQueue {
  readonly #store: Store
  readonly #now: () => number
  readonly #log: (line: string) => void
  readonly #database: ReaderSpec | null
  #worker: Worker | null = null
  readonly #waiting = new Map<string, { worker: Worker; resolve: (job: ImportRecord) => void; reject: (error: unknown) => void }>()
  #tail: Promise<unknown> = Promise.resolve()
  #sweep: NodeJS.Timeout | null = null

  constructor(store: Store, options: { now?: () => number; log?: (line: string) => void } = {}) {
    this.#store = store
    this.#now = options.now ?? Date.now
    this.#log = options.log ?? console.error
    this.#database = store.readerSpec()
  }

  /** Marks imports whose process stopped as failed, now and every minute. */
  start(): void {
    const sweep = () => void this.#store.failStaleImports(this.#now() - STALE_AFTER_MS, this.#now()).catch(() => undefined)
    sweep()
    this.#sweep = setInterval(sweep, 60_000)
    this.#sweep.unref()
  }

  /** Runs `job` from `file` (which it deletes when done) after the imports before it; resolves when it has ended. */
  submit(job: ImportRecord, file: string): Promise<ImportRecord> {
    const run = this.#tail.then(() => (this.#database ? this.#inThread(job, file) : runImport(this.#store, job, file, { now: this.#now, log: this.#log })))
    this.#tail = run.catch((error: unknown) => this.#log(`import ${job.id}: ${error instanceof Error ? error.message : String(error)}`))
    return run
  }

  /**
   * Stops the sweep and the thread. An import under way stops where it is: what it wrote
   * stays, and the sweep of the next start (of any process) marks it failed.
   */
  async close(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep)
    this.#sweep = null
    const worker = this.#worker
    this.#worker = null
    if (worker) await worker.terminate()
  }

  #inThread(job: ImportRecord, file: string): Promise<ImportRecord> {
    const worker = this.#worker ?? this.#startWorker()
    return new Promise((resolve, reject) => {
      this.#waiting.set(job.id, { worker, resolve, reject })
      worker.postMessage({ job, file } satisfies ImportThreadRequest)
    })
  }

  #startWorker(): Worker {
    const worker = startThread(threadEntry(import.meta.url, 'import-thread'), this.#database)
    // The thread does not keep the process alive by itself (a server is kept by its listener).
    worker.unref()
    worker.on('message', (reply: ImportThreadReply) => {
      const waiting = this.#waiting.get(reply.id)
      if (!waiting) return
      this.#waiting.delete(reply.id)
      if ('done' in reply) waiting.resolve(reply.done)
      else waiting.reject(new Error(`import thread: ${reply.failure}`))
      // Imports are rare: the thread and its connection go when none waits.
      if (![...this.#waiting.values()].some((w) => w.worker === worker) && this.#worker === worker) {
        this.#worker = null
        void worker.terminate()
      }
    })
    // Only what waits on this thread fails with it: a new thread may already be at work.
    const fail = (error: unknown) => {
      if (this.#worker === worker) this.#worker = null
      for (const [id, waiting] of this.#waiting) {
        if (waiting.worker !== worker) continue
        this.#waiting.delete(id)
        waiting.reject(error)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`import thread exited with code ${code}`)))
    this.#worker = worker
    return worker
  }
}
