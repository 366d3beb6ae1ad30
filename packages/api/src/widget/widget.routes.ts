import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { declare, PROBLEMS, routes, SECURITY } from '../http/route.ts'

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

  const widget = routes<Env>()
  declare(
    widget,
    createRoute({
      method: 'get',
      path: '/widget.js',
      tags: ['Pages'],
      summary: 'The <heed-preferences> widget',
      description:
        'The widget as one ES module, all locales included: `<script type="module" src="…/widget.js">` and `<heed-preferences>` on any page. Any site may load it (`Cross-Origin-Resource-Policy: cross-origin`); cached for 5 minutes, revalidated by `ETag` (304).',
      security: SECURITY.none,
      responses: {
        200: { description: 'The script.', content: { 'text/javascript': { schema: z.string().openapi({ example: 'class HeedPreferences extends HTMLElement { … }' }) } } },
        304: { description: 'Not modified (`If-None-Match` matched the `ETag`).' },
        404: PROBLEMS[404],
      },
    }),
    async (c) => {
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
    },
  )
  return widget
}
