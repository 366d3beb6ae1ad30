/**
 * A TCP proxy between Heed and its database, for outage tests: it forwards every connection
 * until told to cut them, as a failover, a database restart or a network blip does.
 *
 * - `cut('reset')`: every open connection is closed at once, both ways, and new connections
 *   are closed as soon as they arrive (a restarting or failing-over server).
 * - `cut('silent')`: nothing more is forwarded either way and new connections are accepted
 *   but never answered (a network partition: no reset ever arrives).
 * - `restore()`: new connections are forwarded again; connections silenced by a partition
 *   are closed then, as the server on the other side has long dropped them.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export type CutMode = 'reset' | 'silent'

export interface TcpProxy {
  port: number
  /** The URL with its host and port replaced by the proxy's. */
  through(url: string): string
  cut(mode: CutMode): void
  restore(): void
  /** Connections forwarded since the start. */
  readonly connections: number
  close(): Promise<void>
}

export async function startProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: CutMode | null = null
  let connections = 0
  const open = new Set<{ client: Socket; upstream: Socket | null }>()

  const server: Server = createServer((client) => {
    client.on('error', () => {})
    if (mode === 'reset') return void client.resetAndDestroy()
    const pair = { client, upstream: null as Socket | null }
    open.add(pair)
    client.on('close', () => {
      open.delete(pair)
      pair.upstream?.destroy()
    })
    if (mode === 'silent') return
    forward(pair)
  })

  function forward(pair: { client: Socket; upstream: Socket | null }) {
    connections++
    const upstream = connect(targetPort, targetHost)
    pair.upstream = upstream
    upstream.on('error', () => pair.client.destroy())
    upstream.on('close', () => pair.client.destroy())
    pair.client.pipe(upstream)
    upstream.pipe(pair.client)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port

  return {
    port,
    get connections() {
      return connections
    },
    through(url) {
      const u = new URL(url)
      u.hostname = '127.0.0.1'
      u.port = String(port)
      return u.toString()
    },
    cut(how) {
      mode = how
      for (const pair of open) {
        if (how === 'reset') {
          pair.client.resetAndDestroy()
          pair.upstream?.destroy()
        } else {
          // Silence: stop moving bytes; neither side hears anything.
          pair.client.unpipe()
          pair.upstream?.unpipe()
          pair.client.pause()
          pair.upstream?.pause()
        }
      }
    },
    restore() {
      if (mode === 'silent') {
        for (const pair of open) {
          pair.client.resetAndDestroy()
          pair.upstream?.destroy()
        }
      }
      mode = null
    },
    async close() {
      for (const pair of open) {
        pair.client.destroy()
        pair.upstream?.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
