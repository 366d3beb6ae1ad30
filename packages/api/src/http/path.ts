import type { MiddlewareHandler } from 'hono'
import { ApiError } from './errors.ts'

/**
 * Refuses a path that is not valid percent-encoded UTF-8 (`%ED%A0%80`, a lone `%`): Hono keeps
 * such a segment as its raw text, so one subscriber could be reached by two paths.
 */
export function wellFormedPath(): MiddlewareHandler {
  return async function wellFormedPath(c, next) {
    const { url } = c.req
    if (url.includes('%')) {
      const start = url.indexOf('/', url.indexOf('//') + 2)
      const end = url.search(/[?#]/)
      try {
        decodeURIComponent(url.slice(start, end === -1 ? undefined : end))
      } catch {
        throw new ApiError('bad_request', 'the path is not valid percent-encoded UTF-8')
      }
    }
    await next()
  }
}
