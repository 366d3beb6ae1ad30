import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads'

/**
 * Worker threads of the API process: the batch checks' (checks/batch-thread.ts) and the
 * imports' (imports/import-thread.ts). Each opens its own connection to the database, so the
 * thread that answers single checks and reserves stays free while they work.
 */

/**
 * Starts the thread whose entry is `entry` (a URL beside the caller, `.ts` when running from
 * sources). Worker threads do not inherit `--import tsx`: from TypeScript sources the thread
 * registers tsx itself before loading its entry.
 */
export function startThread(entry: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const href = entry.href
  return href.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(href)}) })`, { eval: true, workerData, resourceLimits })
    : new Worker(entry, { workerData, resourceLimits })
}

/**
 * Requests to a worker thread, each settled by the reply that carries its id: the batch
 * checks' and the imports'. The thread is started on first use (or by `warm()`); when it
 * fails or exits, only the requests it holds fail (a new thread may already be at work), and
 * the next request starts a new one. The thread does not keep the process alive by itself.
 */
export class ThreadRequests<Id, Reply extends { id: Id }, Result> {
  #worker: Worker | null = null
  readonly #waiting = new Map<Id, { worker: Worker; resolve: (result: Result) => void; reject: (error: unknown) => void }>()

  constructor(
    readonly options: {
      /** Starts a thread (`startThread(…)`). */
      start: () => Worker
      /** Names the thread in the error of its exit: "batch worker exited with code 1". */
      name: string
      /** A reply's result, or throws its error. */
      settle: (reply: Reply) => Result
      /** Ends the thread (and its database connection) when no request waits on it: for rare work. */
      stopWhenIdle?: boolean
    },
  ) {}

  /** Sends `message`, whose reply will carry `id`; resolves with that reply's result. */
  send(id: Id, message: unknown, transfer: readonly TransferListItem[] = []): Promise<Result> {
    const worker = this.#worker ?? this.#start()
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { worker, resolve, reject })
      worker.postMessage(message, transfer)
    })
  }

  /** Starts the thread now rather than on the first request. */
  warm(): void {
    this.#worker ??= this.#start()
  }

  async close(): Promise<void> {
    const worker = this.#worker
    this.#worker = null
    if (worker) await worker.terminate()
  }

  #start(): Worker {
    const worker = this.options.start()
    worker.unref()
    worker.on('message', (reply: Reply) => {
      const waiting = this.#waiting.get(reply.id)
      if (!waiting) return
      this.#waiting.delete(reply.id)
      try {
        waiting.resolve(this.options.settle(reply))
      } catch (error) {
        waiting.reject(error)
      }
      if (this.options.stopWhenIdle && this.#worker === worker && ![...this.#waiting.values()].some((w) => w.worker === worker)) {
        this.#worker = null
        void worker.terminate()
      }
    })
    const fail = (error: unknown) => {
      if (this.#worker === worker) this.#worker = null
      for (const [id, waiting] of this.#waiting) {
        if (waiting.worker !== worker) continue
        this.#waiting.delete(id)
        waiting.reject(error)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`${this.options.name} exited with code ${code}`)))
    this.#worker = worker
    return worker
  }
}

/** The entry `name` (without extension) beside `base`, as .ts from sources and .js from a build. */
export const threadEntry = (base: string, name: string) => new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base)

/**
 * Linux gives each thread its own nice value. At 10 a thread gets about a tenth of the share
 * of a thread at 0 when they compete for a core. Called in a worker thread: lowered are it and
 * the process's background threads, where V8 runs most of the garbage collection; kept is the
 * main thread, which answers single checks and reserves.
 */
export function lowerPriority(): void {
  try {
    for (const tid of readdirSync('/proc/self/task').map(Number)) if (tid !== process.pid) setPriority(tid, 10)
  } catch {
    // Elsewhere the threads keep the process's priority.
  }
}
