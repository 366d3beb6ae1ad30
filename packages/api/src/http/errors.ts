import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { z } from 'zod'
import { mayStillHappen, unavailableReason } from '../db/availability.ts'

/** Every error the API answers with, mapped to its HTTP status. */
export const ERROR_CODES = {
  bad_request: { status: 400, title: 'Bad request' },
  validation: { status: 400, title: 'Invalid request' },
  malformed_json: { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>

export type ErrorCode = keyof typeof ERROR_CODES

/** One field that failed validation, as an RFC 6901 JSON pointer into the body. */
export interface FieldError {
  pointer: string
  detail: string
}

export class ApiError extends HTTPException {
  readonly code: ErrorCode
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string> | undefined

  constructor(code: ErrorCode, detail: string, opts: { errors?: FieldError[]; headers?: Record<string, string> } = {}) {
    super(ERROR_CODES[code].status, { message: detail })
    this.code = code
    this.errors = opts.errors
    this.headers = opts.headers
  }
}

/** The problem+json answer to an error: its status, headers and body. */
export function problemAnswer(err: ApiError): { status: ContentfulStatusCode; headers: Record<string, string>; body: string } {
  const { status, title } = ERROR_CODES[err.code]
  const body: Record<string, unknown> = {
    type: `/problems/${err.code.replaceAll('_', '-')}`,
    title,
    status,
    detail: err.message,
  }
  if (err.errors) body.errors = err.errors
  return { status, headers: { 'Content-Type': 'application/problem+json', ...err.headers }, body: JSON.stringify(body) }
}

export function problem(c: Context, err: ApiError): Response {
  const { status, headers, body } = problemAnswer(err)
  return c.body(body, status, headers)
}

const pointer = (path: readonly PropertyKey[]) =>
  '/' + path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

/** Turns zod issues into one ApiError naming every field. */
export function validationError(error: { issues: readonly z.core.$ZodIssue[] }, where = 'body'): ApiError {
  const errors = error.issues.slice(0, 50).map((issue) => ({
    pointer: pointer(issue.path),
    detail: issue.message,
  }))
  const first = errors[0]
  const detail = first
    ? `${first.pointer === '/' ? `the ${where}` : `${first.pointer.slice(1).replaceAll('/', '.')}`}: ${first.detail}` +
      (errors.length > 1 ? ` (and ${errors.length - 1} more)` : '')
    : `the ${where} is invalid`
  return new ApiError('validation', detail, { errors })
}

/** Seconds a client is told to wait before retrying while the database is unavailable. */
const UNAVAILABLE_RETRY_S = 1

/**
 * 503 with Retry-After: the database cannot answer now. Refused at once or by the database,
 * nothing was changed; past the bound, a change may still land, and the same request repeated
 * finds it (a PUT writes the same state again, a reserve replays by its messageId).
 */
function databaseUnavailable(reason: string): ApiError {
  const detail = mayStillHappen(reason)
    ? 'the database did not answer in time; a change asked for may still be made, and repeating the same request is safe. Try again shortly'
    : 'the database is unavailable; nothing was changed. Try again shortly'
  return new ApiError('unavailable', detail, { headers: { 'Retry-After': String(UNAVAILABLE_RETRY_S) } })
}

/** Logs a database outage once when it starts, then at most every 10 s with the count since. */
const outageLog = { last: 0, since: 0 }
function logUnavailable(reason: string) {
  const now = Date.now()
  if (now - outageLog.last < 10_000) return void outageLog.since++
  console.error(`database unavailable: ${reason}${outageLog.since > 0 ? ` (${outageLog.since} more requests refused since the last report)` : ''}`)
  outageLog.last = now
  outageLog.since = 0
}

/** What any error thrown while answering a request is answered as (and logged, when it is ours). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const unavailable = unavailableReason(err)
  if (unavailable) {
    logUnavailable(unavailable)
    return databaseUnavailable(unavailable)
  }
  if (err instanceof HTTPException) {
    // Hono's own exceptions: body limit, malformed JSON from the validator, etc.
    if (err.status === 413) return new ApiError('payload_too_large', 'the request body is too large')
    if (err.message.startsWith('Malformed JSON')) return new ApiError('malformed_json', 'the request body is not valid JSON')
    if (err.status >= 400 && err.status < 500) return new ApiError('bad_request', err.message || 'bad request')
  }
  console.error(err)
  return new ApiError('internal', 'something went wrong on our side; nothing was changed')
}

export const onError: ErrorHandler = (err, c) => problem(c, asApiError(err))

export const notFound: NotFoundHandler = (c) => problem(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`))
