/**
 * Runs the real server (`node --import tsx src/server.ts`, as `npm start` does) as a child
 * process on a free port, for tests that are about the process: kill -9, SIGTERM, seeding.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { request as httpRequest, type Agent, type ClientRequest } from 'node:http'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { after, before } from 'node:test'
import { ownTestDatabase, ROOT_TOKEN } from './harness.ts'

const API_DIR = fileURLToPath(new URL('..', import.meta.url))

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export interface ServerProcess {
  child: ChildProcess
  port: number
  /** http://127.0.0.1:PORT */
  base: string
  /** Everything the process wrote to stdout / stderr so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** fetch against the server, JSON in and out; `key` is a Bearer secret. */
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>
  /** Sends SIGKILL and waits for the exit. */
  kill9(): Promise<void>
}

export interface StartOptions {
  databaseUrl: string
  env?: Record<string, string>
  /** How long to wait for "Heed listening on", ms. */
  timeoutMs?: number
}

/**
 * For one `describe`: server processes on a database of their own (see ownTestDatabase), made
 * before its tests; every process started is killed and the database dropped after them.
 */
export function serversOnOwnDatabase(defaults: Record<string, string> = {}) {
  let db: Awaited<ReturnType<typeof ownTestDatabase>>
  const running: ServerProcess[] = []
  before(async () => {
    db = await ownTestDatabase()
  })
  after(async () => {
    for (const s of running) await s.kill9()
    await db.dispose()
  })
  return {
    running,
    async start(env: Record<string, string> = {}): Promise<ServerProcess> {
      const s = await startServer({ databaseUrl: db.url, env: { ...defaults, ...env } })
      running.push(s)
      return s
    },
  }
}

/**
 * Starts the server on a port that was free a moment ago. Another process may take it in
 * between (a neighbouring test's server, or the source port of a connection going out), so a
 * start refused with EADDRINUSE is tried again on another port.
 */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort(options)
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTaken)) throw error
    }
  }
}

class PortTaken extends Error {}

async function startOnFreePort(options: StartOptions): Promise<ServerProcess> {
  const port = await freePort()
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    HEED_ADMIN_TOKEN: ROOT_TOKEN,
    HEED_DEMO: '0',
    ...options.env,
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: API_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )

  const base = `http://127.0.0.1:${port}`
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start within ${options.timeoutMs ?? 20_000} ms\nstdout:\n${out}\nstderr:\n${err}`))
    }, options.timeoutMs ?? 20_000)
    const onData = () => {
      if (/Heed listening on .*\(port (\d+)/.test(out)) {
        clearTimeout(timer)
        child.stdout!.off('data', onData)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      const message = `the server exited (${code ?? signal}) before listening\nstdout:\n${out}\nstderr:\n${err}`
      reject(/EADDRINUSE/.test(err) ? new PortTaken(message) : new Error(message))
    })
  })

  return {
    child,
    port,
    base,
    stdout: () => out,
    stderr: () => err,
    exited,
    async call(method, path, body, key) {
      const headers: Record<string, string> = {}
      if (key) headers.authorization = `Bearer ${key}`
      if (body !== undefined) headers['content-type'] = 'application/json'
      const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/**
 * Resolves once the process has printed a line matching `pattern` (at once if it already has):
 * the tests synchronise on what the server says it did, never on a sleep. Rejects when the
 * process ends first, or after `timeoutMs` (a safety net: a correct run never comes near it).
 */
export function untilOutput(server: ServerProcess, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdout = server.child.stdout!
    const finish = (error?: Error) => {
      clearTimeout(timer)
      stdout.off('data', check)
      server.child.off('close', ended)
      if (error) reject(error)
      else resolve()
    }
    const check = () => {
      if (pattern.test(server.stdout())) finish()
    }
    const ended = () => {
      if (pattern.test(server.stdout())) return finish()
      finish(new Error(`the server ended without printing ${pattern}\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`))
    }
    const timer = setTimeout(() => finish(new Error(`the server did not print ${pattern} within ${timeoutMs} ms\nstdout:\n${server.stdout()}`)), timeoutMs)
    // Registered after startServer's own listener, so the chunk is in stdout() when this runs.
    stdout.on('data', check)
    server.child.once('close', ended)
    if (server.child.exitCode !== null || server.child.signalCode !== null) ended()
    else check()
  })
}

/** An HTTP answer read whole. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** One request on a connection of its own (no agent, no keep-alive): proof the server accepts new connections. */
export function onNewConnection(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A request the test sends a piece at a time; see openRequest. */
export interface OpenRequest {
  /**
   * Resolves when the server has answered `100 Continue`: Node's server does so when it has
   * parsed the request's head and handed the request to the app, so from then on the request
   * is in flight in the server, not waiting in a socket buffer.
   */
  inFlight: Promise<void>
  write(chunk: string): void
  end(chunk?: string): void
  /** The answer, or the error when the connection ends without one. */
  response: Promise<Answer>
}

/**
 * Starts a request with `Expect: 100-continue` and a body of `contentLength` bytes that the
 * test writes itself, after `inFlight`, when it chooses.
 */
export function openRequest(url: string, options: { method: string; headers: Record<string, string>; contentLength: number; agent?: Agent }): OpenRequest {
  let req!: ClientRequest
  let inFlight!: Promise<void>
  const response = new Promise<Answer>((resolve, reject) => {
    req = httpRequest(
      url,
      { method: options.method, agent: options.agent ?? false, headers: { ...options.headers, expect: '100-continue', 'content-length': String(options.contentLength) } },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    inFlight = new Promise<void>((resolveContinue, rejectContinue) => {
      req.once('continue', () => resolveContinue())
      req.once('error', rejectContinue)
    })
    // Sends the head now; the body waits for the test.
    req.flushHeaders()
  })
  // Whoever awaits only `response` still sees an early failure; an unawaited inFlight does not crash the run.
  inFlight.catch(() => {})
  return { inFlight, write: (chunk) => void req.write(chunk), end: (chunk) => void req.end(chunk), response }
}
