import postgres from 'postgres'

/**
 * Test databases on a PostgreSQL server: made fresh for a run (scripts/with-postgres.ts) or for
 * one test file's server processes (test/harness.ts ownTestDatabase), and dropped after.
 */

/**
 * Creates database `name` on the server `adminUrl` connects to and returns its URL. Its collation
 * is linguistic, as most hosted databases' is (en_US and the like order "Z" after "a" and "aB"
 * after "ab"), so nothing of Heed's may assume code-point order by accident. ICU needs
 * PostgreSQL 15; older servers give their default collation, and `onNoIcu` is told why.
 */
export async function createTestDatabase(adminUrl: string, name: string, onNoIcu: (why: string) => void = () => {}): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'`).catch(async (err: Error) => {
      onNoIcu(err.message)
      await sql.unsafe(`CREATE DATABASE ${name}`)
    })
  } finally {
    await sql.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Drops database `name`, closing whatever is still connected to it. */
export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => sql.end())
}
