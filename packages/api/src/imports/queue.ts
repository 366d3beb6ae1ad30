import type { ImportRecord, Store } from '../db/store.ts'
import { startThread, threadEntry, ThreadRequests } from '../threads.ts'
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
  /** The import thread, when the database is one another connection can open. */
  readonly #thread: ThreadRequests<string, ImportThreadReply, ImportRecord> | null
  #tail: Promise<unknown> = Promise.resolve()
  #sweep: NodeJS.Timeout | null = null

  constructor(store: Store, options: { now?: () => number; log?: (line: string) => void } = {}) {
    this.#store = store
    this.#now = options.now ?? Date.now
    this.#log = options.log ?? console.error
    const database = store.readerSpec()
    this.#thread = database
      ? new ThreadRequests({
          start: () => startThread(threadEntry(import.meta.url, 'import-thread'), database),
          name: 'import thread',
          settle: (reply) => {
            if ('done' in reply) return reply.done
            throw new Error(`import thread: ${reply.failure}`)
          },
          // Imports are rare: the thread and its connection go when none waits.
          stopWhenIdle: true,
        })
      : null
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
    const thread = this.#thread
    const run = this.#tail.then(() =>
      thread ? thread.send(job.id, { job, file } satisfies ImportThreadRequest) : runImport(this.#store, job, file, { now: this.#now, log: this.#log }),
    )
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
    await this.#thread?.close()
  }
}
