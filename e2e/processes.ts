/** What the end-to-end tests need to run Heed's real processes: a free port, and waiting until one answers. */
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** A TCP port nobody listens on right now. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })

/** Resolves once `url` answers 2xx; fails with the process's output if it exits or 30 s pass. */
export async function waitUntilUp(url: string, child: ChildProcess, output: () => string) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${output()}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not come up:\n${output()}`)
}
