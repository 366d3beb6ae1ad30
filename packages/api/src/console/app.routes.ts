import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { strictCsp } from '../http/csp.ts'
import { declare, PROBLEMS, routes, SECURITY } from '../http/route.ts'

const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url))

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
}

/** The console's page: scripts, styles and calls of its own origin only (the settings preview runs the widget in the page, no frame); no one may frame it. */
const CSP = strictCsp()

const NOT_BUILT = 'the console is not built; run "npm run build"'

const html = {
  description: 'The console’s HTML shell; the app in it shows the page of the path.',
  content: { 'text/html': { schema: z.string().openapi({ example: '<!doctype html><html lang="en">…<heed-console></heed-console>…' }) } },
}

/**
 * The merchant console at /console: one HTML shell for every client-side route (strict CSP,
 * no referrer, never cached) and the hashed files of its build under /console/assets/
 * (cached for a year: a new build has new names). The app itself speaks to /v1 like anyone.
 */
export function consoleRoutes(dist = CONSOLE_DIST) {
  // Read at each request (a small file): a rebuild's new asset names show at once.
  const loadShell = () => readFile(`${dist}index.html`, 'utf8').catch(() => null)

  const serveShell = async (c: Context<Env>) => {
    const body = await loadShell()
    if (body === null) throw new ApiError('not_found', NOT_BUILT)
    c.header('Content-Security-Policy', CSP)
    c.header('Referrer-Policy', 'no-referrer')
    c.header('Cache-Control', 'no-store')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('X-Frame-Options', 'DENY')
    return c.html(body)
  }

  const app = routes<Env>()

  declare(
    app,
    createRoute({
      method: 'get',
      path: '/console/assets/{file}',
      tags: ['Console'],
      summary: 'A file of the console’s build',
      description: 'A script, style sheet or image of the console, named by the hash of its content, so it is cached for a year (`immutable`).',
      security: SECURITY.none,
      request: { params: z.object({ file: z.string().openapi({ example: 'index-B2x9aQ1c.js' }) }) },
      responses: {
        200: { description: 'The file.', content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } } },
        404: PROBLEMS[404],
      },
    }),
    async (c) => {
      const { file } = c.req.valid('param')
      const type = TYPES[extname(file)]
      if (!type || !/^[\w-]+(\.[\w-]+)*$/.test(file)) throw new ApiError('not_found', 'no such file')
      let body: Buffer
      try {
        body = await readFile(`${dist}assets/${file}`)
      } catch {
        throw new ApiError('not_found', (await loadShell()) === null ? NOT_BUILT : 'no such file')
      }
      c.header('Content-Type', type)
      c.header('Cache-Control', 'public, max-age=31536000, immutable')
      c.header('X-Content-Type-Options', 'nosniff')
      return c.body(new Uint8Array(body))
    },
  )

  declare(
    app,
    createRoute({
      method: 'get',
      path: '/console',
      tags: ['Console'],
      summary: 'The merchant console',
      description:
        'The console’s HTML shell: sign in with a console user’s e-mail and password, then manage subscribers, topics, settings, the ledger, keys and people through the same `/v1` API. Strict CSP (scripts and styles of this origin only), no referrer, never cached.',
      security: SECURITY.none,
      responses: { 200: html, 404: PROBLEMS[404] },
    }),
    serveShell,
  )

  // Every client-side route answers the same shell. A catch-all cannot be written with
  // declare() (its `{path}` matches one segment), so it is documented as /console/{path}
  // and mounted with Hono's multi-segment pattern for the same parameter.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/console/{path}',
    tags: ['Console'],
    summary: 'A page of the merchant console',
    description: 'Any path under `/console/` (such as `/console/subscribers/cust_1001`) answers the same HTML shell as `/console`; the app shows the page of the path. `path` may hold several segments. A path ending in `/` (`/console/` too) answers `301` to the same path without it.',
    security: SECURITY.none,
    request: { params: z.object({ path: z.string().openapi({ example: 'subscribers/cust_1001' }) }) },
    responses: { 200: html, 301: { description: 'The same path without its trailing slash, in `Location`.' }, 404: PROBLEMS[404] },
  })
  app.get('/console/:path{.*}', (c) => {
    // "/console/" and "/console/topics/" are the pages without the slash: one address each.
    if (c.req.path.endsWith('/')) return c.redirect(`${c.req.path.replace(/\/+$/, '')}${new URL(c.req.url).search}`, 301)
    if (c.req.path.startsWith('/console/assets/')) throw new ApiError('not_found', 'no such file')
    return serveShell(c)
  })

  return app
}
