// @ts-check
import { fileURLToPath } from 'node:url'
import { esbuildPlugin } from '@web/dev-server-esbuild'
import { chromeLauncher } from '@web/test-runner-chrome'
import { chromiumPath } from '../../scripts/chromium.js'
import { freePort, seedTenant, startApi } from './scripts/heed-api.js'

/**
 * The widget's browser suite: real Chromium (headless), a real Heed API started here for the
 * run (see scripts/heed-api.js) on another origin than the test pages, so every test also
 * exercises CORS. Tests reach the API's admin side through the `heed-api` server command
 * (`executeServerCommand`), never through mocked fetch.
 */

const root = fileURLToPath(new URL('../../', import.meta.url))
const port = await freePort()
const origin = `http://localhost:${port}`
// No browser fails the run, saying what to do (scripts/chromium.js).
const executablePath = chromiumPath()

/** Starts the API when the test server starts, stops it when the run ends. */
function heedApi() {
  /** @type {Awaited<ReturnType<typeof startApi>> | undefined} */
  let api
  /** @type {Record<string, string>} */
  const keys = {}
  return {
    name: 'heed-api',
    async serverStart() {
      api = await startApi({ log: process.env.HEED_API_LOG === '1' })
      keys.main = await seedTenant(api, [origin])
      // A one-channel tenant: no channel matrix.
      const single = await api.call('POST', '/v1/admin/tenants', { name: 'Single Channel Co', allowedOrigins: [origin], frequencyOptions: [] })
      keys.single = single.body.apiKey.secret
      await api.call('PUT', '/v1/topics/news', { name: 'News', category: 'news' }, keys.single)
      // A tenant that does not list the test origin.
      const other = await api.call('POST', '/v1/admin/tenants', { name: 'Elsewhere Ltd', allowedOrigins: ['https://elsewhere.example'] })
      keys.elsewhere = other.body.apiKey.secret
    },
    async serverStop() {
      await api?.stop()
    },
    /** @param {{ command: string, payload?: any }} args */
    async executeCommand({ command, payload }) {
      if (!api) return undefined
      if (command === 'heed-setup') return { api: api.url, origin }
      if (command === 'heed-api') return api.call(payload.method, payload.path, payload.body, keys[payload.tenant ?? 'main'])
      return undefined
    },
  }
}

/** The embed fixture is served with the hosted page's strict CSP (no inline script or style). */
function strictCsp() {
  /** @param {import('koa').Context} ctx @param {() => Promise<void>} next */
  return async function strictCsp(ctx, next) {
    await next()
    if (ctx.path.endsWith('/test/fixtures/embed.html')) {
      ctx.set(
        'Content-Security-Policy',
        ["default-src 'none'", "script-src 'self' http://localhost:*", "style-src 'self'", 'connect-src http://localhost:*', "img-src 'self' https: data:", "base-uri 'none'"].join('; '),
      )
    }
  }
}

export default {
  rootDir: root,
  files: [fileURLToPath(new URL('./test/**/*.test.ts', import.meta.url))],
  port,
  hostname: 'localhost',
  // Test what ships: Lit's production build.
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 15_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
      },
    }),
  ],
  middleware: [strictCsp()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), heedApi()],
}
