/**
 * What the sender's tests need: the real Heed server (`src/server.ts` of packages/api, as
 * `npm start` runs it) seeded with the demo tenant on a SQLite file of its own, and a way to
 * run the sender example against it as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
export const SENDER_DIR = join(ROOT, 'examples/sender')

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })

export interface Heed {
  api: string
  senderKey: string
  /** A folder of this server's own, removed by stop(). */
  work: string
  stop(): Promise<void>
}

export async function startHeed(): Promise<Heed> {
  const work = mkdtempSync(join(tmpdir(), 'heed-sender-'))
  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const demoFile = join(work, 'demo.json')
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(ROOT, 'packages/api'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(work, 'heed.db')}`,
      HEED_PUBLIC_URL: api,
      HEED_DEMO: '1',
      HEED_DEMO_FILE: demoFile,
      HEED_MAIL_DIR: join(work, 'mail'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(work, { recursive: true, force: true })
  }
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`Heed exited early:\n${output}`)
      if (i === 300) throw new Error(`Heed did not come up in 30 s:\n${output}`)
      const up = await fetch(`${api}/healthz`).then((r) => r.ok, () => false)
      if (up) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const senderKey = (JSON.parse(readFileSync(demoFile, 'utf8')) as { senderKey: string }).senderKey
    return { api, senderKey, work, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Runs `send.ts` once, as `npm start -w @heed/example-sender` would; resolves with what it printed. */
export function runSender(heed: Heed, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'send.ts', '--api', heed.api, '--key', heed.senderKey, '--quiet', ...args], {
      cwd: SENDER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let text = ''
    child.stdout!.on('data', (d) => (text += d))
    child.stderr!.on('data', (d) => (text += d))
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`the sender exited ${code}:\n${text}`))))
  })
}

/** The printed outcome of one subscriber, spaces collapsed: "cust_1001 sent campaign.cust_1001.eml". */
export function outcomeOf(summary: string, subscriberId: string): string {
  const line = summary.split('\n').find((l) => l.startsWith(`${subscriberId} `))
  if (!line) throw new Error(`no line for ${subscriberId} in:\n${summary}`)
  return line.replace(/\s+/g, ' ').trim()
}
