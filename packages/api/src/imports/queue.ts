import type { ImportRecord, Store } from '../db/store.ts'
import { runImport } from './job.ts'

/** A running import writes its counts at least this often; one silent for longer has lost its process. */
const STALE_AFTER_MS = 2 * 60_000

/**
 * The imports of this process, run one after another in the background: an upload answers
 * `202` as soon as its file is on disk, and a second import waits for the first rather than
 * both competing with the checks for the database.
 */
export class ImportQueue {
  readonly #store: Store
  readonly #now: () => number
  readonly #log: (line: string) => void
  #tail: Promise<unknown> = Promise.resolve()
  #sweep: NodeJS.Timeout | null = null

  constructor(store: Store, options: { now?: () => number; log?: (line: string) => void } = {}) {
    this.#store = store
    this.#now = options.now ?? Date.now
    this.#log = options.log ?? console.error
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
    const run = this.#tail.then(() => runImport(this.#store, job, file, { now: this.#now, log: this.#log }))
    this.#tail = run.catch((error: unknown) => this.#log(`import ${job.id}: ${error instanceof Error ? error.message : String(error)}`))
    return run
  }

  /** Resolves once the imports submitted so far have ended. */
  async idle(): Promise<void> {
    await this.#tail
  }

  close(): void {
    if (this.#sweep) clearInterval(this.#sweep)
    this.#sweep = null
  }
}
