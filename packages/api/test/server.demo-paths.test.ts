/**
 * Where the demo's pieces meet, through the real processes: the demo file the API writes and
 * the examples read (HEED_DEMO_FILE, wherever DATABASE_URL points), the merchant origin the
 * demo allows and prints (MERCHANT_PORT), and `npm start` keeping Heed up when the merchant
 * site cannot start. Each test seeds its own temporary SQLite database and demo file.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, test } from 'node:test'
import { freePort, startServer, type ServerProcess } from './server-process.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The environment of a child process: only what it needs, none of the caller's HEED_*. */
const baseEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env })

interface Child {
  child: ChildProcess
  output(): string
  exited: Promise<number | null>
}

function spawnScript(cwd: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: join(ROOT, cwd), env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, proc: Child, ms = 30_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await ok()) return
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${what}:\n${proc.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no ${what} within ${ms} ms:\n${proc.output()}`)
}

const answers = async (url: string) => {
  try {
    return (await fetch(url)).ok
  } catch {
    return false
  }
}

const stopChild = async (c: Child) => {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL')
  await c.exited
}

describe('the demo across processes', { concurrency: true }, () => {
  const dirs: string[] = []
  const servers: ServerProcess[] = []
  const children: Child[] = []
  const listeners: Server[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'heed-demo-paths-'))
    dirs.push(dir)
    return dir
  }
  after(async () => {
    for (const s of servers) await s.kill9()
    for (const c of children) await stopChild(c)
    for (const l of listeners) await new Promise((r) => l.close(r))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  test('with the database elsewhere, the merchant site and the sender find the demo through HEED_DEMO_FILE', async () => {
    const dbDir = tempDir()
    const demoFile = join(tempDir(), 'nested', 'demo.json')
    const server = await startServer({ databaseUrl: `file:${join(dbDir, 'heed.db')}`, env: { HEED_DEMO: '1', HEED_DEMO_FILE: demoFile } })
    servers.push(server)
    assert.ok(existsSync(demoFile), `the demo file is written to HEED_DEMO_FILE:\n${server.stdout()}`)
    assert.ok(!existsSync(join(dbDir, 'demo.json')), 'and not next to the database')
    const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as { apiUrl: string; senderKey: string; customerId: string }
    assert.match(demo.senderKey, /^heed_/)

    // The merchant site, told nothing but HEED_DEMO_FILE, mints a session token with the demo's key.
    const merchantPort = await freePort()
    const merchant = spawnScript('examples/merchant-site', ['server.ts'], { HEED_DEMO_FILE: demoFile, MERCHANT_PORT: String(merchantPort) })
    children.push(merchant)
    const account = `http://127.0.0.1:${merchantPort}/account`
    let page = ''
    await until('the merchant page with the widget', async () => {
      try {
        page = await (await fetch(account)).text()
      } catch {
        return false
      }
      return true
    }, merchant)
    assert.match(page, /<heed-preferences api="[^"]+" token="[^"]+" lang="en">/, `the page embeds the widget with a token:\n${page}\n${merchant.output()}`)

    // The sender, told nothing but HEED_DEMO_FILE, sends the campaign with the demo's key.
    const out = tempDir()
    const sender = spawnScript('examples/sender', ['send.ts', '--out', out, '--quiet', '--topic', 'sales'], { HEED_DEMO_FILE: demoFile })
    children.push(sender)
    assert.equal(await sender.exited, 0, `the sender ran with the demo's key:\n${sender.output()}`)
    assert.match(sender.output(), new RegExp(`^${demo.customerId} `, 'm'), sender.output())
  })

  test('the demo allows and prints the merchant origin of MERCHANT_PORT', async () => {
    const merchantPort = await freePort()
    const origin = `http://localhost:${merchantPort}`
    const server = await startServer({
      databaseUrl: `file:${join(tempDir(), 'heed.db')}`,
      env: { HEED_DEMO: '1', HEED_DEMO_FILE: join(tempDir(), 'demo.json'), MERCHANT_PORT: String(merchantPort) },
    })
    servers.push(server)
    const stdout = server.stdout()
    assert.match(stdout, new RegExp(`Demo merchant "My account" page: +${origin}/account\\n`), stdout)
    assert.doesNotMatch(stdout, /:8788/)
    const key = stdout.match(/export HEED_KEY=(\S+)/)?.[1]
    assert.ok(key, stdout)
    const tenant = await server.call('GET', '/v1/tenant', undefined, key)
    assert.equal(tenant.status, 200)
    const origins = tenant.body.allowedOrigins as string[]
    assert.ok(origins.includes(origin), `allowed origins: ${origins}`)
    assert.ok(!origins.includes('http://localhost:8788'), `allowed origins: ${origins}`)
  })

  test('npm start keeps Heed up and says why when the merchant port is taken', async () => {
    const busy = createServer()
    listeners.push(busy)
    // Taken the way the merchant site would listen: every interface.
    const merchantPort = await new Promise<number>((resolve) => busy.listen(0, () => resolve((busy.address() as { port: number }).port)))
    const port = await freePort()
    const dir = tempDir()
    const start = spawnScript('.', ['scripts/start.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'heed.db')}`,
      HEED_DEMO: '1',
      HEED_DEMO_FILE: join(dir, 'demo.json'),
      MERCHANT_PORT: String(merchantPort),
    })
    children.push(start)
    const line = `demo merchant site not started: port ${merchantPort} is in use (set MERCHANT_PORT)`
    await until('the line about the merchant site', () => start.output().includes(line), start)
    // Heed is still up a while later.
    await new Promise((r) => setTimeout(r, 1500))
    assert.equal(start.child.exitCode, null, start.output())
    assert.ok(await answers(`http://127.0.0.1:${port}/healthz`), start.output())
    start.child.kill('SIGTERM')
    assert.equal(await start.exited, 0, start.output())
  })
})
