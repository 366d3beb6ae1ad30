import type { MiddlewareHandler } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'
import { declaredBody } from './route.ts'
import { refuseNul } from './validate.ts'

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i
/** Whether a Content-Type header names JSON (`application/json`, `application/…+json`, parameters aside). */
export const isJsonType = (header: string | undefined): boolean => JSON_TYPE.test(mediaType(header))
const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim()
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH'])
/**
 * Refuses a request body that is not JSON with 415, before any validator sees it, and JSON
 * text with NUL in it. A route that declares a raw body (`bodyRules.raw`) is only checked for
 * its Content-Type (JSON, or the `types` it declares): its handler reads the body as bytes and
 * refuses NUL itself.
 */
export function jsonOnly(): MiddlewareHandler<Env> {
  return async function jsonOnly(c, next) {
    if (WITH_BODY.has(c.req.method)) {
      const length = c.req.header('Content-Length')
      const hasBody = (length !== undefined && length !== '0') || c.req.header('Transfer-Encoding') !== undefined
      const type = mediaType(c.req.header('Content-Type'))
      const declared = declaredBody(c)
      if (declared?.types) {
        if (!declared.types.includes(type.toLowerCase())) throw new ApiError('unsupported_media_type', `send the body as ${declared.types.join(' or ')}${type ? `, not "${type}"` : ''}`)
      } else if (hasBody && !isJsonType(type)) {
        throw new ApiError('unsupported_media_type', `send the body as JSON with "Content-Type: application/json"${type ? `, not "${type}"` : ''}`)
      }
      if (hasBody && !declared?.raw) refuseNul(await c.req.text())
    }
    if (c.req.path.includes('\0') || /%00/.test(c.req.url)) {
      throw new ApiError('bad_request', 'the path must not contain the NUL character (U+0000)')
    }
    await next()
  }
}
