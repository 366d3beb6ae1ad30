import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { openApiDocument } from './openapi.ts'

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}

const INIT = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: false })
})
`

/** GET /openapi.json and a readable reference at /docs (Swagger UI, served from npm, offline). */
export function docsRoutes() {
  const docs = new Hono<Env>()
  let doc: string | null = null

  docs.get('/openapi.json', (c) => {
    doc ??= JSON.stringify(openApiDocument(c.get('deps').config.publicUrl))
    c.header('Content-Type', 'application/json; charset=utf-8')
    c.header('Access-Control-Allow-Origin', '*')
    return c.body(doc)
  })

  docs.get('/docs', (c) => {
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
  })

  docs.get('/docs/init.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    return c.body(INIT)
  })

  docs.get('/docs/:asset', async (c) => {
    const asset = c.req.param('asset')
    const type = ASSETS[asset]
    if (!type) throw new ApiError('not_found', `no document ${asset}`)
    const body = await readFile(join(SWAGGER_DIR, asset))
    c.header('Content-Type', type)
    c.header('Cache-Control', 'public, max-age=86400')
    return c.body(body)
  })

  return docs
}
