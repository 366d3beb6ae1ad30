/**
 * `npm start`: Heed (API, widget, hosted pages, demo) on PORT (8787) and the demo merchant
 * site on MERCHANT_PORT (8788), together; Ctrl-C or SIGTERM stops both. The merchant site is
 * an extra: when it cannot start or stops, Heed keeps running and one line says why.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const children: ChildProcess[] = []

/** Runs a script; when it stops by itself, `essential` stops the rest too. */
function run(name: string, cwd: string, script: string, essential: boolean) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: `${root}${cwd}`, stdio: 'inherit', env: process.env })
  child.on('exit', (code, signal) => {
    if (stopping) return
    if (essential) {
      console.error(`${name} stopped (${signal ?? code}); stopping the rest`)
      stop(code ?? 1)
    } else {
      console.error(`${name} stopped (${signal ?? code}); Heed keeps running`)
    }
  })
  children.push(child)
  return child
}

let stopping = false
function stop(code = 0) {
  stopping = true
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null)
  for (const c of running) c.kill('SIGTERM')
  Promise.all(running.map((c) => new Promise((r) => c.once('exit', r)))).then(() => process.exit(code))
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

const api = run('heed', 'packages/api', 'src/server.ts', true)
// The merchant site reads the demo's sender key, written when the API seeds the demo.
const started = async () => {
  for (let i = 0; i < 300 && !stopping; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${process.env.PORT ?? 8787}/healthz`)).ok) return true
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/** Why the merchant site cannot listen on its port, or null when it can. */
const portProblem = (port: number) =>
  new Promise<string | null>((resolve) => {
    const probe = createServer()
    probe.once('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'EADDRINUSE' ? `port ${port} is in use (set MERCHANT_PORT)` : `port ${port}: ${e.code ?? e.message} (set MERCHANT_PORT)`),
    )
    // Where the merchant site listens: every interface.
    probe.listen(port, () => probe.close(() => resolve(null)))
  })

if (api && (await started()) && process.env.HEED_DEMO !== '0' && !stopping) {
  const merchantPort = Number(process.env.MERCHANT_PORT || 8788)
  const problem = await portProblem(merchantPort)
  if (problem) console.error(`demo merchant site not started: ${problem}`)
  else if (!stopping) run('demo merchant site', 'examples/merchant-site', 'server.ts', false)
}
