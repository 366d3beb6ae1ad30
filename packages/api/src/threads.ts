import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'
import { Worker } from 'node:worker_threads'

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
export function startThread(entry: URL, workerData: unknown): Worker {
  const href = entry.href
  return href.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(href)}) })`, { eval: true, workerData })
    : new Worker(entry, { workerData })
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
