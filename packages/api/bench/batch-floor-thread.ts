/**
 * The batch's in-memory floor, measured in a thread with the batch thread's heap settings
 * (`BATCH_THREAD_HEAP`), so both sides of "batch ÷ its floor" collect garbage alike: each
 * body's decision data is read once through the server's store, then every run decodes,
 * parses, validates, decides and serialises the body exactly as `POST /v1/check/batch` does
 * (`decideBatch`), with that data handed over from memory. Posts the median and fastest run, ms.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { decideBatch } from '../src/checks/batch.ts'
import { openStore } from '../src/db/open.ts'
import type { DecisionData, Store } from '../src/db/store.ts'
import { percentile } from './load.ts'

const { url, tenantId, bodies, runs } = workerData as { url: string; tenantId: string; bodies: string[]; runs: number }
const store = await openStore(url)
try {
  const tenant = await store.getTenant(tenantId)
  if (!tenant) throw new Error('the bench tenant is missing')
  const now = Date.now()
  const read = new Map<number, DecisionData>()
  let body = 0
  const fromMemory: Pick<Store, 'decisionData'> = {
    async decisionData(...args) {
      const known = read.get(body)
      if (known) return known
      const data = await store.decisionData(...args)
      read.set(body, data)
      return data
    },
  }
  const times: number[] = []
  const utf8 = new TextEncoder()
  for (let i = 0; i < bodies.length + runs; i++) {
    body = i % bodies.length
    const bytes = utf8.encode(bodies[body]!).buffer as ArrayBuffer
    const t0 = performance.now()
    await decideBatch(fromMemory, tenant, bytes, now)
    // The first pass over the bodies reads the database and warms up: not timed.
    if (i >= bodies.length) times.push(performance.now() - t0)
  }
  times.sort((x, y) => x - y)
  parentPort!.postMessage({ p50: percentile(times, 50), min: times[0]! })
} finally {
  await store.close()
}
