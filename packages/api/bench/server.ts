/**
 * Starts the real server (`node --import tsx packages/api/src/server.ts`, the same command as
 * `npm start -w @heed/api`) as a child process on a free loopback port, and stops it with
 * SIGTERM (its graceful shutdown), which also lets `--cpu-prof` write its profile.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The API package to run; HEED_BENCH_API_DIR points the bench at another checkout (A/B runs). */
const API_DIR = process.env.HEED_BENCH_API_DIR ?? fileURLToPath(new URL('..', import.meta.url))
export const SERVER_ENTRY = 'src/server.ts'

export interface RunningServer {
  url: string
  pid: number
  /** Where --cpu-prof writes, when profiling. */
  profileDir: string | undefined
  stop(): Promise<void>
  /** Resident memory of the server, MiB (Linux /proc). */
  rssMiB(): Promise<number | null>
}

export interface StartOptions {
  databaseUrl: string
  /** Write a V8 CPU profile into this directory when the server exits. */
  cpuProfDir?: string | undefined
  env?: Record<string, string>
  label?: string
  /** Another entry than the real server's, relative to the API package (the bench's floor server). */
  entry?: string
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const port = await freePort()
  const nodeArgs = ['--import', 'tsx']
  // One profile per thread (tsx's loader hooks run in a worker): the largest is the server's.
  const profileDir = opts.cpuProfDir ? join(opts.cpuProfDir, `${opts.label ?? 'server'}-${Date.now()}`) : undefined
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`)
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, opts.entry ?? SERVER_ENTRY], {
    cwd: API_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: opts.databaseUrl,
      HEED_DEMO: '0',
      HEED_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  let exited: number | null = null
  const exit = new Promise<void>((resolve) => child.on('exit', (code, signal) => ((exited = code ?? (signal ? 1 : 0)), resolve())))

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (exited !== null) throw new Error(`the server exited (${exited}) before it was ready:\n${output}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the server did not answer /healthz within 60 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }

  return {
    url,
    pid: child.pid!,
    profileDir,
    async stop() {
      if (exited !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exit
      clearTimeout(timer)
    },
    async rssMiB() {
      try {
        const { readFile } = await import('node:fs/promises')
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
        const m = status.match(/VmRSS:\s+(\d+) kB/)
        return m ? Math.round(Number(m[1]) / 1024) : null
      } catch {
        return null
      }
    },
  }
}
