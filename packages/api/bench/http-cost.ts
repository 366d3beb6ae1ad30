/**
 * CPU a request costs in this process's JavaScript, without sockets: Node's HTTP server is
 * given a stream as its connection, the requests are written into it one after another and
 * each answer is awaited, so neither the kernel nor a load generator sharing the cores is in
 * the figure (they are in `npm run bench`'s). Steadier than the bench on a noisy machine
 * (a few per cent between runs), it shows what each way through Heed costs:
 *
 *   node --import tsx packages/api/bench/http-cost.ts [--requests N] [--rounds R]
 *
 * Sides: hello-world (`GET /healthz/live`); the floor (a single check without its read and
 * decision, as `floor-server.ts` serves it) through the app and through the lane; the check
 * on decision data it keeps (`floor.ts`'s `/v1/floor/remembering`) through the lane; the single
 * check and a reserve (recorded: `enforce: false`, a new messageId each) through the app and
 * through the lane (1,000 subscribers, SQLite file); and the floor
 * written on `node:http` alone (the API key, the schema, the same answer), as a stack with
 * nothing between Node and the code. Prints µs of CPU a request, median of the rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Duplex } from 'node:stream'
import { parseArgs } from 'node:util'
import { getRequestListener } from '@hono/node-server'
import { checkBodySchema } from '@heed/shared'
import { createApp } from '../src/app.ts'
import { SENDER_LANES } from '../src/checks/lanes.ts'
import { withLanes } from '../src/http/lane.ts'
import { loadConfig } from '../src/config.ts'
import { sha256Hex } from '../src/db/ids.ts'
import { openStore } from '../src/db/open.ts'
import { authenticate, bearerToken } from '../src/http/auth.ts'
import { addFloorRoute, FLOOR_LANES, floorDecision } from './floor.ts'
import { seedSqlite, subscriberId } from './seed.ts'

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' } } })
const REQUESTS = Number(values.requests)
const ROUNDS = Number(values.rounds)

const dir = mkdtempSync(join(tmpdir(), 'heed-http-cost-'))
const seed = await seedSqlite(join(dir, 'bench.db'), 1000)
const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'bench.db')}`, HEED_DEMO: '0' })
const store = await openStore(config.DATABASE_URL)
const app = createApp({ store, config })
addFloorRoute(app)
const appListener = getRequestListener(app.fetch)
const laned = withLanes({ store, now: Date.now, deadlineMs: null }, [...SENDER_LANES, ...FLOOR_LANES], appListener)

/** The floor on node:http alone: body, API key, schema, answer. */
const bare: RequestListener = (req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', async () => {
    const secret = bearerToken(req.headers.authorization)
    const found = secret ? await authenticate(store, sha256Hex(secret)) : null
    const valid = checkBodySchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')))
    if (!found || !valid.success) return answer(res, 400, '{}')
    answer(res, 200, JSON.stringify(floorDecision(valid.data)))
  })
}
const answer = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

/** A connection the HTTP server reads requests from and writes answers to, in memory. */
class Connection extends Duplex {
  readonly remoteAddress = '127.0.0.1'
  readonly remotePort = 40000
  readonly remoteFamily = 'IPv4'
  answers = 0
  #waiting: { until: number; resolve: () => void } | null = null
  #tail = ''

  override _read() {}
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    // Answers are counted by their status lines; only 200 and 201 are expected.
    const text = this.#tail + chunk.toString('latin1')
    for (let at = text.indexOf('HTTP/1.1 '); at !== -1; at = text.indexOf('HTTP/1.1 ', at + 1)) {
      if (!/^HTTP\/1\.1 20[01]/.test(text.slice(at, at + 12))) throw new Error(`an answer that is not 200 or 201: ${text.slice(at, at + 400)}`)
      this.answers++
    }
    this.#tail = text.slice(-11)
    if (this.#waiting && this.answers >= this.#waiting.until) {
      this.#waiting.resolve()
      this.#waiting = null
    }
    done()
  }
  setTimeout() {
    return this
  }
  setNoDelay() {
    return this
  }
  setKeepAlive() {
    return this
  }
  /** Writes one request and resolves on its answer. */
  ask(request: Buffer): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = { until: this.answers + 1, resolve }
      this.push(request)
    })
  }
}

function connect(listener: RequestListener): Connection {
  const server: Server = createServer(listener)
  const connection = new Connection()
  server.emit('connection', connection)
  return connection
}

const body = JSON.stringify({ subscriberId: subscriberId(1), topic: 'newsletter', channel: 'email' })
const post = (path: string, text = body) =>
  Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${seed.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`)
/**
 * A reserve recorded whatever the decision (`enforce: false`), each with a messageId of its own,
 * across the subscribers but the one the checks ask about: its history stays as seeded, so the
 * check costs the same in every round.
 */
let reserves = 0
const reserve = () => {
  const n = reserves++
  return post('/v1/dispatches', JSON.stringify({ subscriberId: subscriberId(2 + (n % 998)), topic: 'newsletter', messageId: `m${n}`, enforce: false }))
}
const sides: Array<[string, RequestListener, Buffer | (() => Buffer)]> = [
  ['hello-world GET /healthz/live', appListener, Buffer.from('GET /healthz/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')],
  ['floor, through the app', appListener, post('/v1/floor')],
  ['floor, through the lane', laned, post('/v1/floor')],
  ['floor on node:http alone', bare, post('/v1/floor')],
  ['check remembering, through lane', laned, post('/v1/floor/remembering')],
  ['single check, through the app', appListener, post('/v1/check')],
  ['single check, through the lane', laned, post('/v1/check')],
  ['reserve, through the app', appListener, reserve],
  ['reserve, through the lane', laned, reserve],
]
const connections = sides.map(([, listener]) => connect(listener))

async function run(side: number, count: number): Promise<number> {
  const connection = connections[side]!
  const request = sides[side]![2]
  const cpu = process.cpuUsage()
  for (let i = 0; i < count; i++) await connection.ask(typeof request === 'function' ? request() : request)
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / count
}

for (let side = 0; side < sides.length; side++) await run(side, REQUESTS / 4)
const costs = sides.map((): number[] => [])
for (let round = 0; round < ROUNDS; round++) for (let side = 0; side < sides.length; side++) costs[side]!.push(await run(side, REQUESTS))
console.log(`CPU a request in this process, µs (median of ${ROUNDS} rounds of ${REQUESTS.toLocaleString('en')}; all rounds):`)
for (const [side, [name]] of sides.entries()) {
  const sorted = [...costs[side]!].sort((a, b) => a - b)
  console.log(`  ${name.padEnd(32)} ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1).padStart(6)}   (${costs[side]!.map((c) => c.toFixed(1)).join(', ')})`)
}
await store.close()
rmSync(dir, { recursive: true, force: true })
process.exit(0)
