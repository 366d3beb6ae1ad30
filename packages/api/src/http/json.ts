import type { MiddlewareHandler } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'
import { refuseNul } from './validate.ts'

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH'])
/**
 * Refuses a request body that is not JSON with 415, before any validator sees it, and JSON
 * text with NUL in it. Paths in `rawBodies` are only checked for their Content-Type: their
 * handlers read the body as bytes and refuse NUL themselves.
 */
export function jsonOnly(rawBodies: readonly string[] = []): MiddlewareHandler<Env> {
  return async function jsonOnly(c, next) {
    if (WITH_BODY.has(c.req.method)) {
      const length = c.req.header('Content-Length')
      const hasBody = (length !== undefined && length !== '0') || c.req.header('Transfer-Encoding') !== undefined
      const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim()
      if (hasBody && !JSON_TYPE.test(type)) {
        throw new ApiError('unsupported_media_type', `send the body as JSON with "Content-Type: application/json"${type ? `, not "${type}"` : ''}`)
      }
      if (hasBody && !rawBodies.includes(c.req.path)) refuseNul(await c.req.text())
    }
    if (c.req.path.includes('\0') || /%00/.test(c.req.url)) {
      throw new ApiError('bad_request', 'the path must not contain the NUL character (U+0000)')
    }
    await next()
  }
}
