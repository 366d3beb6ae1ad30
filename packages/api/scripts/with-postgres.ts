/**
 * Runs a command against a fresh PostgreSQL database made for it and dropped afterwards:
 *   node --import tsx scripts/with-postgres.ts <command> [args…]
 * The command gets HEED_TEST_DATABASE_URL. The server comes from HEED_TEST_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/test).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createTestDatabase, dropTestDatabase } from './postgres-databases.ts'

const admin = process.env.HEED_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const [command, ...args] = process.argv.slice(2)
if (!command) {
  console.error('usage: with-postgres.ts <command> [args…]')
  process.exit(2)
}

const name = `heed_test_${randomBytes(4).toString('hex')}`
let url: string
try {
  url = await createTestDatabase(admin, name, (why) => console.error(`with-postgres: no ICU collation (${why}); the test database has the server's default`))
} catch (err) {
  console.error(`cannot create a test database on ${admin}: ${(err as Error).message}`)
  process.exit(1)
}

const code = await new Promise<number>((resolve) => {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, HEED_TEST_DATABASE_URL: url } })
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
})
await dropTestDatabase(admin, name)
process.exit(code)
