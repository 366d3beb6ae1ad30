/**
 * The batch worker thread: decides `POST /v1/check/batch` requests on its own connection to
 * the database (read-only on SQLite), at a lower CPU priority than the thread that serves single
 * checks and reserves, so a core they share goes to the single checks first.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { decideBatch } from './batch.ts'
import type { BatchReply, BatchRequest } from './batch-worker.ts'
import { unavailableReason } from '../db/availability.ts'
import { openReader } from '../db/open.ts'
import type { ReaderSpec } from '../db/store.ts'
import { ApiError } from '../http/errors.ts'
import { lowerPriority } from '../threads.ts'

const store = openReader(workerData as ReaderSpec)
lowerPriority()

parentPort!.on('message', async ({ id, tenant, body, now }: BatchRequest) => {
  let reply: BatchReply
  try {
    reply = { id, ...(await decideBatch(store, tenant, body, now)) }
  } catch (error) {
    const unavailable = unavailableReason(error)
    reply =
      error instanceof ApiError
        ? { id, problem: { code: error.code, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) } }
        : unavailable
          ? { id, unavailable }
          : { id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
  // The answer's bytes move to the main thread without a copy.
  parentPort!.postMessage(reply, 'json' in reply ? [reply.json.buffer as ArrayBuffer] : [])
})
