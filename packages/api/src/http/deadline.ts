import type { MiddlewareHandler } from 'hono'
import { bounded } from '../db/availability.ts'
import { declaredBody } from './route.ts'
import type { Config } from '../config.ts'
import type { Store } from '../db/store.ts'

/**
 * Every request is answered within `ms`: past it, 503 problem+json with Retry-After, while
 * what the request started goes on and its answer is dropped (a write may still commit; a
 * sender's retry with the same messageId finds it). Each database call is bounded as well,
 * and fails at once while the database is known to be unreachable (db/availability.ts); this
 * bounds a request that makes several. Off (`null`) on SQLite, whose calls finish before they
 * return. Routes that read a large body as bytes (the batch check) are left out: reading
 * 16 MiB from a slow client is not waiting for the database, and their one database call, on
 * the batch thread, is bounded there.
 */
export function deadline(ms: number | null): MiddlewareHandler {
  return async function deadline(c, next) {
    if (ms === null || declaredBody(c)?.raw) return next()
    await bounded(next(), ms)
  }
}

/** The bound on every request: `HEED_DATABASE_TIMEOUT_MS` on PostgreSQL, none on SQLite. */
export const requestDeadline = (store: Pick<Store, 'dialect'>, config: Pick<Config, 'HEED_DATABASE_TIMEOUT_MS'>): number | null =>
  store.dialect === 'postgres' ? config.HEED_DATABASE_TIMEOUT_MS : null
