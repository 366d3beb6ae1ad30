import type { MiddlewareHandler } from 'hono'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'

export interface BodyLimitOptions {
  maxSize: number
}

/**
 * 413 for a body over `maxSize`. A body of declared length is judged by its Content-Length
 * alone, without touching the body, so the Node adapter can still read it straight from the
 * socket later (building a Fetch `Request` with a web stream costs more than the rest of a
 * small POST). A chunked body is counted as it streams in, by Hono's own bodyLimit.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<Env> {
  const tooLarge = () => {
    throw new ApiError('payload_too_large', `the request body is larger than ${Math.round(options.maxSize / 1024)} KiB`)
  }
  const streamed = honoBodyLimit({ maxSize: options.maxSize, onError: tooLarge })
  return async function bodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const length = c.req.header('Content-Length')
    if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      if (Number(length) > options.maxSize) tooLarge()
      return next()
    }
    return streamed(c, next)
  }
}
