import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { z } from 'zod'
import { bounded } from '../db/availability.ts'
import { sha256Hex } from '../db/ids.ts'
import type { Store, TenantRecord } from '../db/store.ts'
import { authenticate, bearerToken, may, type Permission } from './auth.ts'
import { API_BODY_MAX } from './body-limit.ts'
import { asApiError, problemAnswer } from './errors.ts'
import { isJsonType } from './json.ts'
import { hasNul, mayHoldLoneSurrogate } from './validate.ts'

/** What a lane answers: a status, headers beside Content-Type, and a JSON body. */
export interface LaneAnswer {
  status: number
  headers?: Record<string, string>
  json: unknown
}

/**
 * A route's lane: its exact path, the permission and body schema its route declares, and the
 * answer its route gives to a request it accepts (the same function: `checks/lanes.ts`).
 */
export interface Lane<S extends z.ZodType = z.ZodType> {
  path: string
  permission: Permission
  schema: S
  answer(store: Store, tenant: TenantRecord, body: z.output<S>, now: number): Promise<LaneAnswer>
}

/** What the lanes need of the server. */
export interface LaneServer {
  store: Store
  /** The clock, in epoch ms. */
  now: () => number
  /** The request deadline (`HEED_DATABASE_TIMEOUT_MS` on PostgreSQL, null on SQLite). */
  deadlineMs: number | null
}

/**
 * A `POST` of an API key's hottest routes answered straight from Node's request, beside the
 * app. Those are what a sender calls before or with every message, and the app's way there
 * (the Fetch `Request` and `Response` Hono's Node adapter builds, Hono's context and its chain
 * of middleware) cost a single check as much CPU as everything else in it
 * (docs/performance.md, "The single check's lane beside the app").
 *
 * A lane takes only a request its route would accept: exactly its path, a JSON body of a
 * declared length within the `/v1` limit, free of NUL and of `\uD800`–`\uDFFF` escapes, a Host
 * the Node adapter takes as it is, an API key whose role has the route's permission, and a
 * body the route's own schema accepts. Any other request, its body already read, goes to the
 * app, whose route (where it is declared and documented) answers it, errors included: the
 * lane has done nothing by then but read. From there on the lane answers, with the route's own
 * answer; an error (the database unavailable, a 409) is answered by the app's rule
 * (`asApiError`, `problemAnswer`), and on PostgreSQL within `deadlineMs`, as the app's deadline
 * would. `test/lanes.test.ts` holds both ways to the same answers, byte for byte.
 *
 * Returns Node's request listener: the lanes for their paths, `app` for everything else.
 */
export function withLanes(server: LaneServer, lanes: readonly Lane[], app: RequestListener): RequestListener {
  const { store, now, deadlineMs } = server
  const byPath = new Map(lanes.map((lane) => [lane.path, lane]))

  async function answer(lane: Lane, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const value = parsed(body)
    const secret = bearerToken(req.headers.authorization)
    if (value === undefined || secret === null) return app(req, res)
    const found = await authenticate(store, sha256Hex(secret))
    if (!found || !may(found.key.role, lane.permission, 'POST')) return app(req, res)
    const valid = lane.schema.safeParse(value)
    if (!valid.success) return app(req, res)
    const { status, headers, json } = await bounded(lane.answer(store, found.tenant, valid.data, now()), deadlineMs)
    send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(json))
  }

  return function heed(req, res) {
    const lane = req.method === 'POST' ? byPath.get(req.url!) : undefined
    const length = req.headers['content-length']
    if (
      lane === undefined ||
      length === undefined ||
      length === '0' ||
      !(Number(length) <= API_BODY_MAX) ||
      req.headers['transfer-encoding'] !== undefined ||
      req.headers.authorization === undefined ||
      !PLAIN_HOST.test(req.headers.host ?? '') ||
      !isJsonType(req.headers['content-type'])
    ) {
      return app(req, res)
    }
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A client that goes away mid-body gets no answer; the socket is gone.
    req.on('error', () => {})
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      // The Node adapter reads a body that was already read from here.
      ;(req as IncomingMessage & { rawBody?: Buffer }).rawBody = body
      answer(lane, req, res, body).catch((error: unknown) => {
        const { status, headers, body: problem } = problemAnswer(asApiError(error))
        send(res, status, headers, problem)
      })
    })
  }
}

/** The body's JSON, when nothing the app checks before its route could refuse it. */
function parsed(body: Buffer): unknown {
  const text = FROM_UTF8.decode(body)
  if (hasNul(text) || mayHoldLoneSurrogate(text)) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  if (res.headersSent) return
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

const FROM_UTF8 = new TextDecoder()
/** A Host the Node adapter takes as it is (its own rule); any other goes to the app, which checks it. */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/
