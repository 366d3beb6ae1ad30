import { DEFAULT_DATABASE_TIMEOUT_MS, guarded } from './availability.ts'
import { openPostgres, openPostgresReader } from './postgres.ts'
import { openSqlite, openSqliteReader } from './sqlite.ts'
import type { ReaderSpec, Store } from './store.ts'

export interface OpenOptions {
  /** PostgreSQL connections per process. */
  poolSize?: number
  /** SQLite's `synchronous` setting. */
  synchronous?: 'NORMAL' | 'FULL'
  /** How long a request waits for PostgreSQL before it is refused as unavailable (HEED_DATABASE_TIMEOUT_MS). */
  timeoutMs?: number
}

/**
 * Opens and migrates the database DATABASE_URL names: `postgres://…` or a SQLite file. Every
 * call on the store it gives answers within the bound or fails with DatabaseUnavailable.
 */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS
    return guarded(await openPostgres(url, { ...options, timeoutMs }), timeoutMs)
  }
  return guarded(openSqlite(url, options.synchronous ? { synchronous: options.synchronous } : {}), null)
}

/**
 * A reading store on a database another store has opened and migrated, from its `readerSpec()`:
 * the batch worker thread's (read-only on SQLite, a pool of 2 on PostgreSQL).
 */
export function openReader(spec: ReaderSpec): Store {
  return 'sqlite' in spec ? guarded(openSqliteReader(spec.sqlite), null) : guarded(openPostgresReader(spec.postgres, 2, spec.timeoutMs), spec.timeoutMs)
}

/**
 * A second store that writes, on a database another store has opened, from its `readerSpec()`:
 * the import thread's (its own SQLite connection, with the same durability; a pool of 2 on
 * PostgreSQL).
 */
export function openWriter(spec: ReaderSpec): Store {
  return 'sqlite' in spec
    ? guarded(openSqlite(spec.sqlite, spec.synchronous ? { synchronous: spec.synchronous } : {}), null)
    : guarded(openPostgresReader(spec.postgres, 2, spec.timeoutMs), spec.timeoutMs)
}
