/**
 * Runs a command against a fresh PostgreSQL database made for it and dropped afterwards:
 *   node --import tsx scripts/with-postgres.ts <command> [args…]
 * The command gets HEED_TEST_DATABASE_URL. The server comes from HEED_TEST_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/test).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'

const admin = process.env.HEED_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const [command, ...args] = process.argv.slice(2)
if (!command) {
  console.error('usage: with-postgres.ts <command> [args…]')
  process.exit(2)
}

const name = `heed_test_${randomBytes(4).toString('hex')}`
const sql = postgres(admin, { max: 1, onnotice: () => {} })
try {
  // A linguistic collation, as most hosted databases have (en_US and the like order "Z" after
  // "a" and "aB" after "ab"), so nothing of Heed's may assume code-point order by accident.
  // ICU needs PostgreSQL 15; older servers get their default collation.
  await sql.unsafe(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'`).catch(async (err: Error) => {
    console.error(`with-postgres: no ICU collation (${err.message}); the test database has the server's default`)
    await sql.unsafe(`CREATE DATABASE ${name}`)
  })
} catch (err) {
  console.error(`cannot create a test database on ${admin}: ${(err as Error).message}`)
  process.exit(1)
}
const url = new URL(admin)
url.pathname = `/${name}`

const code = await new Promise<number>((resolve) => {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, HEED_TEST_DATABASE_URL: url.toString() } })
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
})
await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
await sql.end()
process.exit(code)
