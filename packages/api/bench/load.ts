/**
 * Load generation: autocannon for request rates (closed loop, N keep-alive connections, or a
 * fixed overall rate), with every 2xx latency recorded here at sub-millisecond resolution
 * (autocannon's own histogram keeps whole milliseconds); and a plain node:http client for the
 * 10,000-check batches, which times the server between the last request byte and the response.
 */
import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { cpus } from 'node:os'
import autocannon from 'autocannon'

/** Clock ticks a second in /proc (USER_HZ; 100 on every mainstream Linux). */
const HZ = 100

function procCpuTicks(pid: number | 'self'): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(fields[11]) + Number(fields[12]) // utime + stime
  } catch {
    return null
  }
}

/** CPU ticks of every process with this command name (PostgreSQL's backends are all "postgres"). */
function commandTicks(comm: string): number | null {
  try {
    let total = 0
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        const open = stat.indexOf('(')
        const close = stat.lastIndexOf(')')
        if (stat.slice(open + 1, close) !== comm) continue
        const fields = stat.slice(close + 2).split(' ')
        total += Number(fields[11]) + Number(fields[12])
      } catch {
        // the process ended
      }
    }
    return total
  } catch {
    return null
  }
}

/** The database server's process name, when it runs on this machine (PostgreSQL). */
let databaseCommand: string | null = null
export function accountDatabaseAs(comm: string | null) {
  databaseCommand = comm
}

function machineBusyTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal
    return line[0]! + line[1]! + line[2]! + line[5]! + line[6]! + line[7]!
  } catch {
    return null
  }
}

/**
 * CPU accounting over a window (Linux /proc): the server's CPU time, this process's, and what
 * every other process on the machine used — other work on a shared machine skews every figure.
 */
export class CpuWindow {
  readonly #pid: number | undefined
  readonly #start = performance.now()
  readonly #server: number | null
  readonly #self: number | null
  readonly #busy: number | null
  readonly #db: number | null
  constructor(serverPid?: number) {
    this.#pid = serverPid
    this.#server = serverPid === undefined ? null : procCpuTicks(serverPid)
    this.#self = procCpuTicks('self')
    this.#db = databaseCommand === null ? null : commandTicks(databaseCommand)
    this.#busy = machineBusyTicks()
  }
  /** Shares of one core (1 = a whole core) and the server's CPU ms. */
  end(): { seconds: number; serverCpuMs: number | null; serverCores: number | null; benchCores: number | null; databaseCores: number | null; otherCores: number | null } {
    const seconds = (performance.now() - this.#start) / 1000
    const server = this.#pid === undefined || this.#server === null ? null : procCpuTicks(this.#pid)
    const self = procCpuTicks('self')
    const busy = machineBusyTicks()
    const db = databaseCommand === null ? null : commandTicks(databaseCommand)
    const dDb = db === null || this.#db === null ? null : db - this.#db
    const dServer = server === null || this.#server === null ? null : server - this.#server
    const dSelf = self === null || this.#self === null ? null : self - this.#self
    const dBusy = busy === null || this.#busy === null ? null : busy - this.#busy
    const cores = (ticks: number | null) => (ticks === null ? null : ticks / HZ / seconds)
    return {
      seconds,
      serverCpuMs: dServer === null ? null : (dServer / HZ) * 1000,
      serverCores: cores(dServer),
      benchCores: cores(dSelf),
      databaseCores: cores(dDb),
      otherCores: dBusy === null || dSelf === null ? null : Math.max(0, cores(dBusy - dSelf - (dServer ?? 0) - (dDb ?? 0))!),
    }
  }
}

export const CORES = cpus().length

export interface LoadResult {
  /** 2xx responses per second over the measured window. */
  rps: number
  requests: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  /** Responses by status code. */
  statuses: Record<string, number>
  errors: number
  timeouts: number
  seconds: number
  /** Server CPU time per 2xx response, µs (null when the server's pid is unknown). */
  serverCpuUs: number | null
  /** Average cores used by the server, the bench process (load generator) and everything else. */
  cores: { server: number | null; bench: number | null; database: number | null; other: number | null }
}

export interface LoadOptions {
  url: string
  method?: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  /** A fresh body for each request (called by autocannon for every request it sends). */
  body?: () => string
  connections: number
  seconds: number
  /** Requests per second across all connections; unset: as fast as the server answers. */
  overallRate?: number
  /** The server's pid, for CPU accounting. */
  serverPid?: number
  /** Also adds each latency here (to pool several windows; see `pooled`). */
  pool?: Latencies
}

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export class Latencies {
  #values = new Float64Array(1 << 16)
  #n = 0
  add(ms: number) {
    if (this.#n === this.#values.length) {
      const next = new Float64Array(this.#values.length * 2)
      next.set(this.#values)
      this.#values = next
    }
    this.#values[this.#n++] = ms
  }
  get count() {
    return this.#n
  }
  summary() {
    const sorted = this.#values.slice(0, this.#n).sort()
    let sum = 0
    for (const v of sorted) sum += v
    return {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      mean: sorted.length ? sum / sorted.length : Number.NaN,
    }
  }
}

export async function load(opts: LoadOptions): Promise<LoadResult> {
  const latencies = new Latencies()
  const statuses: Record<string, number> = {}
  const headers = { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers }
  const make = opts.body
  const request: autocannon.Request = make
    ? { method: opts.method ?? 'POST', path: opts.path, headers, setupRequest: (req) => ({ ...req, body: make() }) }
    : { method: opts.method ?? 'GET', path: opts.path, headers }
  const started = performance.now()
  const cpu = new CpuWindow(opts.serverPid)
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.seconds,
        requests: [request],
        ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    )
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status >= 200 && status < 300) {
        latencies.add(ms)
        opts.pool?.add(ms)
      }
    })
  })
  const seconds = (performance.now() - started) / 1000
  const usage = cpu.end()
  return {
    rps: latencies.count / seconds,
    requests: latencies.count,
    ...latencies.summary(),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    serverCpuUs: usage.serverCpuMs === null || latencies.count === 0 ? null : (usage.serverCpuMs * 1000) / latencies.count,
    cores: { server: usage.serverCores, bench: usage.benchCores, database: usage.databaseCores, other: usage.otherCores },
  }
}

export interface PacedOptions {
  url: string
  path: string
  headers: Record<string, string>
  body: () => string
  /** Requests a second, sent at a steady pace whatever the answers (an open loop). */
  rate: number
  seconds: number
  serverPid?: number
  /** Also adds each latency here (to pool several windows; see `pooled`). */
  pool?: Latencies
}

/**
 * An open-loop load: one request every 1/rate s over a pool of keep-alive connections, sent on
 * time even while earlier ones wait (autocannon's overallRate instead sends each second's quota
 * back to back, then pauses). Latency runs from the instant a request was due, so a stalled
 * server is charged for the requests it delayed (no coordinated omission).
 */
export async function paced(opts: PacedOptions): Promise<LoadResult> {
  const latencies = new Latencies()
  const statuses: Record<string, number> = {}
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  const u = new URL(opts.path, opts.url)
  const interval = 1000 / opts.rate
  const cpu = new CpuWindow(opts.serverPid)
  const started = performance.now()
  const end = started + opts.seconds * 1000
  let sent = 0
  let inFlight = 0
  let errors = 0
  const all: Promise<void>[] = []
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const body = opts.body()
      inFlight++
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { ...opts.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume()
          res.on('end', () => {
            inFlight--
            const status = res.statusCode ?? 0
            statuses[status] = (statuses[status] ?? 0) + 1
            if (status >= 200 && status < 300) {
              const ms = performance.now() - due
              latencies.add(ms)
              opts.pool?.add(ms)
            }
            resolve()
          })
        },
      )
      req.on('error', () => {
        inFlight--
        errors++
        resolve()
      })
      req.end(body)
    })
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      const limit = Math.min(now, end)
      while (started + sent * interval <= limit && inFlight < 4096) all.push(send(started + sent++ * interval))
      if (now >= end) resolve()
      else setTimeout(tick, Math.max(0, Math.min(1, started + sent * interval - performance.now())))
    }
    tick()
  })
  await Promise.all(all)
  const seconds = (performance.now() - started) / 1000
  const usage = cpu.end()
  agent.destroy()
  return {
    rps: latencies.count / seconds,
    requests: latencies.count,
    ...latencies.summary(),
    statuses,
    errors,
    timeouts: 0,
    seconds,
    serverCpuUs: usage.serverCpuMs === null || latencies.count === 0 ? null : (usage.serverCpuMs * 1000) / latencies.count,
    cores: { server: usage.serverCores, bench: usage.benchCores, database: usage.databaseCores, other: usage.otherCores },
  }
}

/** Several windows as one: percentiles over all their latencies, rates and CPU over all their time. */
export function pooled(windows: readonly LoadResult[], all: Latencies): LoadResult {
  const sum = (f: (w: LoadResult) => number) => windows.reduce((n, w) => n + f(w), 0)
  const seconds = sum((w) => w.seconds)
  const requests = sum((w) => w.requests)
  const statuses: Record<string, number> = {}
  for (const w of windows) for (const [k, v] of Object.entries(w.statuses)) statuses[k] = (statuses[k] ?? 0) + v
  const weighted = (f: (w: LoadResult) => number | null, by: (w: LoadResult) => number) =>
    windows.some((w) => f(w) === null) ? null : sum((w) => f(w)! * by(w)) / sum(by)
  return {
    rps: requests / seconds,
    requests,
    ...all.summary(),
    statuses,
    errors: sum((w) => w.errors),
    timeouts: sum((w) => w.timeouts),
    seconds,
    serverCpuUs: weighted((w) => w.serverCpuUs, (w) => w.requests),
    cores: {
      server: weighted((w) => w.cores.server, (w) => w.seconds),
      bench: weighted((w) => w.cores.bench, (w) => w.seconds),
      database: weighted((w) => w.cores.database, (w) => w.seconds),
      other: weighted((w) => w.cores.other, (w) => w.seconds),
    },
  }
}

export interface TimedResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** Last request byte handed to the kernel → response headers received, ms. */
  serverMs: number
  /** Request start → last response byte, ms. */
  totalMs: number
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

/** One request over a keep-alive connection, timed in two ways (see TimedResponse). */
export function timedRequest(url: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let sent = started
    const u = new URL(path, url)
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const firstByte = performance.now()
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            serverMs: firstByte - sent,
            totalMs: performance.now() - started,
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('finish', () => (sent = performance.now()))
    req.on('error', reject)
    req.end(body)
  })
}

/** Every metric of a Server-Timing header (`read;dur=12.3, total;dur=20.1`) in ms, or null when the server sends none. */
export function serverTiming(headers: http.IncomingHttpHeaders): Record<string, number> | null {
  const h = headers['server-timing']
  if (typeof h !== 'string') return null
  const out: Record<string, number> = {}
  for (const metric of h.split(',')) {
    const m = metric.match(/^\s*([\w-]+).*?;\s*dur=([\d.]+)/)
    if (m) out[m[1]!] = Number(m[2])
  }
  return Object.keys(out).length > 0 ? out : null
}

export function closeAgent() {
  agent.destroy()
}
