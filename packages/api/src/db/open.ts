import { openPostgres, openPostgresReader } from './postgres.ts'
import { openSqlite, openSqliteReader } from './sqlite.ts'
import type { ReaderSpec, Store } from './store.ts'

export interface OpenOptions {
  /** PostgreSQL connections per process. */
  poolSize?: number
  /** SQLite's `synchronous` setting. */
  synchronous?: 'NORMAL' | 'FULL'
}

/** Opens and migrates the database DATABASE_URL names: `postgres://…` or a SQLite file. */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options)
  return openSqlite(url, options.synchronous ? { synchronous: options.synchronous } : {})
}

/**
 * A reading store on a database another store has opened and migrated, from its `readerSpec()`:
 * the batch worker thread's (read-only on SQLite, a pool of 2 on PostgreSQL).
 */
export function openReader(spec: ReaderSpec): Store {
  return 'sqlite' in spec ? openSqliteReader(spec.sqlite) : openPostgresReader(spec.postgres, 2)
}
