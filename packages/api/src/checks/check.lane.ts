import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { checkBodySchema, type CheckBody, type Decision } from '@heed/shared'
import { bounded } from '../db/availability.ts'
import { sha256Hex } from '../db/ids.ts'
import type { Store, TenantRecord } from '../db/store.ts'
import { authenticate, bearerToken, may } from '../http/auth.ts'
import { API_BODY_MAX } from '../http/body-limit.ts'
import { asApiError, problemAnswer } from '../http/errors.ts'
import { isJsonType } from '../http/json.ts'
import { hasNul, mayHoldLoneSurrogate } from '../http/validate.ts'
import { checkOne } from './decisions.ts'

/** What the lane needs of the server. */
export interface CheckLaneOptions {
  store: Store
  /** The clock, in epoch ms. */
  now: () => number
  /** The request deadline (`HEED_DATABASE_TIMEOUT_MS` on PostgreSQL, null on SQLite). */
  deadlineMs: number | null
  /** The path served; the benchmark's floor serves its own. */
  path?: string
  /** The decision; the benchmark's floor answers without one. */
  decide?: (store: Store, tenant: TenantRecord, body: CheckBody, now: number) => Promise<Decision>
}

/**
 * `POST /v1/check` answered straight from Node's request, beside the app. The single check is
 * what every sender calls before every message, and the app's way there (the Fetch `Request`
 * and `Response` the Node adapter builds, Hono's context and middleware chain) cost it as
 * much CPU as everything else in the request (docs/performance.md, "The floor against
 * hello-world").
 *
 * It takes only a request the app would answer 200: an exact `/v1/check`, a JSON body of a
 * declared length within the `/v1` limit, free of NUL and lone surrogates, an API key that
 * may send, and a body the route's own schema accepts. Any other request, with the body
 * already read, goes to the app, whose route (`check.routes.ts`, where it is declared and
 * documented) answers it, errors included; nothing is decided twice, since the lane has
 * decided nothing by then. The decision is `checkOne`, the route's own; an error while
 * deciding (the database unavailable) is answered by the app's error rule (`asApiError`), and
 * on PostgreSQL within `deadlineMs`, as the app's deadline would. `test/check.lane.test.ts`
 * holds the two ways to the same answers, byte for byte.
 *
 * Returns Node's request listener: the lane for the single check, `app` for every other request.
 */
export function withCheckLane(options: CheckLaneOptions, app: RequestListener): RequestListener {
  const { store, now, deadlineMs, path = '/v1/check', decide = checkOne } = options

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

  async function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const value = parsed(body)
    const secret = bearerToken(req.headers.authorization)
    if (value === undefined || secret === null) return app(req, res)
    const found = await authenticate(store, sha256Hex(secret))
    if (!found || !may(found.key.role, 'send', 'POST')) return app(req, res)
    const valid = checkBodySchema.safeParse(value)
    if (!valid.success) return app(req, res)
    const decision = await bounded(decide(store, found.tenant, valid.data, now()), deadlineMs)
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(decision))
  }

  return function heed(req, res) {
    const length = req.headers['content-length']
    if (
      req.method !== 'POST' ||
      req.url !== path ||
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
      answer(req, res, body).catch((error: unknown) => {
        const { status, headers, body: problem } = problemAnswer(asApiError(error))
        send(res, status, headers, problem)
      })
    })
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
