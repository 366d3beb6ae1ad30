import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { declare, PROBLEMS, routes, SECURITY } from '../http/route.ts'

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}

const INIT = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: false })
})
`

/** A document anyone may read: `type` and `example` of its text. */
const file = <P extends string>(path: P, summary: string, description: string, type: string, example: string, request?: { params: z.ZodObject }) =>
  createRoute({
    method: 'get',
    path,
    tags: ['Operations'],
    summary,
    description,
    security: SECURITY.none,
    ...(request ? { request } : {}),
    responses: { 200: { description: 'The file.', content: { [type]: { schema: z.string().openapi({ example }) } } }, ...(request ? { 404: PROBLEMS[404] } : {}) },
  })

/**
 * GET /openapi.json and a readable reference at /docs (Swagger UI, served from npm, offline).
 * `document` builds the OpenAPI document of the whole app for a server URL.
 */
export function docsRoutes(document: (serverUrl: string) => unknown) {
  const docs = routes<Env>()
  let doc: string | null = null

  declare(
    docs,
    createRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['Operations'],
      summary: 'This API description',
      description: 'The OpenAPI 3.1 document of the whole API, generated from the same declarations the routes validate with. Any origin may read it.',
      security: SECURITY.none,
      responses: { 200: { description: 'The OpenAPI document.', content: { 'application/json': { schema: z.object({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }).openapi({ example: { openapi: '3.1.0', paths: {} } }) } } } },
    }),
    (c) => {
      doc ??= JSON.stringify(document(c.get('deps').config.publicUrl))
      c.header('Content-Type', 'application/json; charset=utf-8')
      c.header('Access-Control-Allow-Origin', '*')
      return c.body(doc)
    },
  )

  declare(
    docs,
    file(
      '/docs',
      'The API reference page',
      'A readable reference of `/openapi.json` (Swagger UI, served from this server, no outside requests).',
      'text/html',
      '<!doctype html><title>Heed API reference</title>…',
    ),
    (c) => {
      c.header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")
      c.header('Referrer-Policy', 'no-referrer')
      c.header('X-Content-Type-Options', 'nosniff')
      return c.html(`<!doctype html>
  <html lang="en">
  <head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Heed API reference</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <script src="/docs/swagger-ui-bundle.js" defer></script>
  <script src="/docs/init.js" defer></script>
  </head>
  <body><div id="docs"></div></body>
  </html>`)
    },
  )

  declare(
    docs,
    file(
      '/docs/init.js',
      'The reference page’s start-up script',
      'Starts Swagger UI on `/docs` (a file, so the page’s CSP needs no inline script).',
      'text/javascript',
      "window.addEventListener('load', () => { … })",
    ),
    (c) => {
      c.header('Content-Type', 'text/javascript; charset=utf-8')
      return c.body(INIT)
    },
  )

  declare(
    docs,
    file(
      '/docs/{asset}',
      'Swagger UI’s script and style sheet',
      'The files of the reference page, `swagger-ui.css` and `swagger-ui-bundle.js`, from the `swagger-ui-dist` package. Cached for a day.',
      'text/css',
      '.swagger-ui{…}',
      { params: z.object({ asset: z.string().openapi({ description: '`swagger-ui.css` or `swagger-ui-bundle.js`; any other name is a 404.', example: 'swagger-ui.css' }) }) },
    ),
    async (c) => {
      const asset = c.req.param('asset')
      const type = ASSETS[asset]
      if (!type) throw new ApiError('not_found', `no document ${asset}`)
      const body = await readFile(join(SWAGGER_DIR, asset))
      c.header('Content-Type', type)
      c.header('Cache-Control', 'public, max-age=86400')
      return c.body(body)
    },
  )

  return docs
}
