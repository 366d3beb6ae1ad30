import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'
import { declaredBody } from './route.ts'

/** The largest body of a `/v1` request, unless its route declares its own (the batch check). */
export const API_BODY_MAX = 256 * 1024

export interface BodyLimitOptions {
  maxSize: number
}

/**
 * 413 for a body over `maxSize`, or over the `maxSize` its route declares (`bodyRules`). A body of declared length is judged by its Content-Length
 * alone, without touching the body, so the Node adapter can still read it straight from the
 * socket later (building a Fetch `Request` with a web stream costs more than the rest of a
 * small POST). A chunked body is counted as it streams in, by Hono's own bodyLimit, which
 * reads it whole before the route runs; except on a route that reads its body as bytes
 * (`bodyRules.raw`): it reads with `readRawBody`, which counts, when it is ready to, so a
 * request it refuses first (a batch check over its concurrency bound) is never read.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<Env> {
  const limits = new Map<number, ReturnType<typeof limit>>()
  const limitOf = (maxSize: number) => limits.get(maxSize) ?? limits.set(maxSize, limit(maxSize)).get(maxSize)!
  return async function bodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const declared = declaredBody(c)
    const { tooLarge, streamed, maxSize } = limitOf(declared?.maxSize ?? options.maxSize)
    const length = c.req.header('Content-Length')
    if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      if (Number(length) > maxSize) tooLarge()
      return next()
    }
    return declared?.raw ? next() : streamed(c, next)
  }
}

/**
 * The body of a `bodyRules.raw` route as bytes, at most `maxSize` of them (413 beyond, also for
 * a chunked body, counted as it streams in). A body that breaks off because the client went
 * away is a 400, not an internal error in the log.
 */
export async function readRawBody(c: Context<Env>, maxSize: number): Promise<ArrayBuffer> {
  try {
    if (c.req.header('Content-Length') !== undefined && c.req.header('Transfer-Encoding') === undefined) return await c.req.arrayBuffer()
    const body = c.req.raw.body
    if (!body) return new ArrayBuffer(0)
    const chunks: Uint8Array[] = []
    let size = 0
    const reader = body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxSize) {
        void reader.cancel().catch(() => {})
        limit(maxSize).tooLarge()
      }
      chunks.push(value)
    }
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    return bytes.buffer
  } catch (error) {
    if (error instanceof HTTPException) throw error
    throw new ApiError('bad_request', 'the request body ended before it was complete')
  }
}

function limit(maxSize: number) {
  const tooLarge = () => {
    throw new ApiError('payload_too_large', `the request body is larger than ${Math.round(maxSize / 1024)} KiB`)
  }
  return { maxSize, tooLarge, streamed: honoBodyLimit({ maxSize, onError: tooLarge }) }
}
