import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'

const WIDGET_FILE = fileURLToPath(new URL('../../../widget/dist/widget.js', import.meta.url))

/** Serves the built widget, read once; any site may load it (CORP cross-origin). */
export function widgetRoutes(file = WIDGET_FILE) {
  let cached: Promise<{ body: string; etag: string } | null> | null = null
  const load = () =>
    (cached ??= readFile(file, 'utf8').then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
      () => {
        cached = null
        return null
      },
    ))

  const widget = new Hono<Env>()
  widget.get('/widget.js', async (c) => {
    const built = await load()
    if (!built) throw new ApiError('not_found', 'the widget is not built; run "npm run build"')
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cross-Origin-Resource-Policy', 'cross-origin')
    c.header('Access-Control-Allow-Origin', '*')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400')
    c.header('ETag', built.etag)
    if (c.req.header('If-None-Match') === built.etag) return c.body(null, 304)
    return c.body(built.body)
  })
  return widget
}
