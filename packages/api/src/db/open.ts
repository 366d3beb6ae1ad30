import { openSqlite } from './sqlite.ts'
import type { Store } from './store.ts'

/** Opens and migrates the database DATABASE_URL names. */
export async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PostgreSQL support is not built yet; use a file: DATABASE_URL')
  }
  return openSqlite(url)
}
