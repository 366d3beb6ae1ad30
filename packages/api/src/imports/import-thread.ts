/**
 * The import thread: runs import jobs on its own connection to the database, at a lower CPU
 * priority than the thread that answers single checks and reserves (see imports/queue.ts).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { openWriter } from '../db/open.ts'
import type { ImportRecord, ReaderSpec } from '../db/store.ts'
import { lowerPriority } from '../threads.ts'
import { runImport } from './job.ts'

/** A job for the thread, and what it answers. */
export type ImportThreadRequest = { job: ImportRecord; file: string }
export type ImportThreadReply = { id: string; done: ImportRecord } | { id: string; failure: string }

const store = openWriter(workerData as ReaderSpec)
lowerPriority()

parentPort!.on('message', async ({ job, file }: ImportThreadRequest) => {
  let reply: ImportThreadReply
  try {
    reply = { id: job.id, done: await runImport(store, job, file, { log: (line) => console.error(line) }) }
  } catch (error) {
    reply = { id: job.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
  parentPort!.postMessage(reply)
})
