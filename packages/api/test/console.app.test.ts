/** GET /console and its client-side routes answer the shell with a strict CSP; the build's files are served with long caching. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { OpenAPIHono } from '@hono/zod-openapi'
import { consoleRoutes } from '../src/console/app.routes.ts'
import { notFound, onError } from '../src/http/errors.ts'

const SHELL = '<!doctype html><html lang="en"><head><script type="module" src="/console/assets/index-abc123.js"></script></head><body><heed-console></heed-console></body></html>'

function appFor(dist: string) {
  const app = new OpenAPIHono()
  app.onError(onError)
  app.notFound(notFound)
  app.route('/', consoleRoutes(dist))
  return app
}

describe('console app routes', () => {
  const dist = `${mkdtempSync(join(tmpdir(), 'heed-console-dist-'))}/`
  mkdirSync(`${dist}assets`)
  writeFileSync(`${dist}index.html`, SHELL)
  writeFileSync(`${dist}assets/index-abc123.js`, 'export {}')
  writeFileSync(`${dist}assets/index-abc123.css`, 'body{}')
  after(() => rmSync(dist, { recursive: true, force: true }))
  const app = appFor(dist)

  for (const path of ['/console', '/console/subscribers', '/console/subscribers/cust%201001', '/console/topics/extra/segments']) {
    test(`${path} answers the shell with a strict CSP, no referrer and no caching`, async () => {
      const res = await app.request(path)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/)
      const csp = res.headers.get('content-security-policy') ?? ''
      for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(directive), `${directive} in ${csp}`)
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
      assert.equal(res.headers.get('cache-control'), 'no-store')
      assert.equal(await res.text(), SHELL)
    })
  }

  test('a trailing slash leads to the page without it, query kept', async () => {
    for (const [path, to] of <const>[
      ['/console/', '/console'],
      ['/console/topics/', '/console/topics'],
      ['/console/subscribers/?q=ann', '/console/subscribers?q=ann'],
    ]) {
      const res = await app.request(path)
      assert.equal(res.status, 301, path)
      assert.equal(res.headers.get('location'), to, path)
    }
  })

  test('hashed assets are served with their type and cached for a year', async () => {
    const js = await app.request('/console/assets/index-abc123.js')
    assert.equal(js.status, 200)
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    assert.equal(js.headers.get('x-content-type-options'), 'nosniff')
    const css = await app.request('/console/assets/index-abc123.css')
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8')
  })

  test('an unknown asset, another type or a path outside assets/ is a 404 problem, never the shell', async () => {
    for (const path of ['/console/assets/nope.js', '/console/assets/index.html', '/console/assets/..%2Findex.html', '/console/assets/a/b.js', '/console/assets/%2e%2e%2fpackage.json']) {
      const res = await app.request(path)
      assert.equal(res.status, 404, path)
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, path)
    }
  })

  test('before the console is built, /console says so as a 404 problem', async () => {
    const res = await appFor(join(tmpdir(), 'heed-console-never-built/')).request('/console/subscribers')
    assert.equal(res.status, 404)
    assert.match((await res.json()).detail, /not built/)
  })
})
