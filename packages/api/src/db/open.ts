import { openPostgres } from './postgres.ts'
import { openSqlite } from './sqlite.ts'
import type { Store } from './store.ts'

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
