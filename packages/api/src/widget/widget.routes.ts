import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { declare, PROBLEMS, routes, SECURITY } from '../http/route.ts'

const WIDGET_FILE = fileURLToPath(new URL('../../../widget/dist/widget.js', import.meta.url))

/** What every site may load, under a strict CSP too: CORP and CORS for any origin, never sniffed. */
const SCRIPT_HEADERS = {
  'Content-Type': 'text/javascript; charset=utf-8',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
}
const PART = /^[\w-]+-[\w-]{8}\.js$/

/** Serves the built widget, read once; any site may load it (CORP cross-origin). */
export function widgetRoutes(file = WIDGET_FILE) {
  const partsDir = join(dirname(file), 'widget')
  const partCache = new Map<string, Promise<string | null>>()
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
      for (const [name, value] of Object.entries(SCRIPT_HEADERS)) c.header(name, value)
      c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400')
      c.header('ETag', built.etag)
      if (c.req.header('If-None-Match') === built.etag) return c.body(null, 304)
      return c.body(built.body)
    },
  )
  declare(
    widget,
    createRoute({
      method: 'get',
      path: '/widget/{file}',
      tags: ['Pages'],
      summary: 'A part of the widget loaded on demand',
      description:
        'Editors few people open (quiet hours with days and time zones, the unsubscribe reason) are their own modules, imported by `widget.js` on first use from beside it. Named by their content, so cached for good; the same CORP and CORS as `widget.js`.',
      security: SECURITY.none,
      request: { params: z.object({ file: z.string().openapi({ example: 'quiet-editor-Bx3kQ9aZ.js' }) }) },
      responses: {
        200: { description: 'The module.', content: { 'text/javascript': { schema: z.string() } } },
        404: PROBLEMS[404],
      },
    }),
    async (c) => {
      const name = c.req.valid('param').file
      const body = PART.test(name) ? await (partCache.get(name) ?? loadPart(name)) : null
      if (body === null) throw new ApiError('not_found', `no widget part ${name}; widget.js and its parts come from the same build`)
      for (const [header, value] of Object.entries(SCRIPT_HEADERS)) c.header(header, value)
      c.header('Cache-Control', 'public, max-age=31536000, immutable')
      return c.body(body)
    },
  )
  /** Reads a part once; a missing one is not remembered (a build may be on its way). */
  function loadPart(name: string): Promise<string | null> {
    const loading = readFile(join(partsDir, name), 'utf8').catch(() => {
      partCache.delete(name)
      return null
    })
    partCache.set(name, loading)
    return loading
  }
  return widget
}
