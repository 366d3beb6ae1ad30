import type { MiddlewareHandler } from 'hono'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'
import { declaredBody } from './route.ts'

export interface BodyLimitOptions {
  maxSize: number
}

/**
 * 413 for a body over `maxSize`, or over the `maxSize` its route declares (`bodyRules`). A body of declared length is judged by its Content-Length
 * alone, without touching the body, so the Node adapter can still read it straight from the
 * socket later (building a Fetch `Request` with a web stream costs more than the rest of a
 * small POST). A chunked body is counted as it streams in, by Hono's own bodyLimit.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<Env> {
  const limits = new Map<number, ReturnType<typeof limit>>()
  const limitOf = (maxSize: number) => limits.get(maxSize) ?? limits.set(maxSize, limit(maxSize)).get(maxSize)!
  return async function bodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const { tooLarge, streamed, maxSize } = limitOf(declaredBody(c)?.maxSize ?? options.maxSize)
    const length = c.req.header('Content-Length')
    if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      if (Number(length) > maxSize) tooLarge()
      return next()
    }
    return streamed(c, next)
  }
}

function limit(maxSize: number) {
  const tooLarge = () => {
    throw new ApiError('payload_too_large', `the request body is larger than ${Math.round(maxSize / 1024)} KiB`)
  }
  return { maxSize, tooLarge, streamed: honoBodyLimit({ maxSize, onError: tooLarge }) }
}
