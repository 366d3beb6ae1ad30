/**
 * `npm start`: Heed (API, widget, hosted pages, demo) on :8787 and the demo merchant site
 * on :8788, together; Ctrl-C or SIGTERM stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const children: ChildProcess[] = []

function run(name: string, cwd: string, script: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: `${root}${cwd}`, stdio: 'inherit', env: process.env })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} stopped (${signal ?? code}); stopping the rest`)
      stop(code ?? 1)
    }
  })
  children.push(child)
  return child
}

let stopping = false
function stop(code = 0) {
  stopping = true
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code))
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

const api = run('heed', 'packages/api', 'src/server.ts')
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
if (api && (await started()) && process.env.HEED_DEMO !== '0') run('merchant site', 'examples/merchant-site', 'server.ts')
