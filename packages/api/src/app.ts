import { Hono } from 'hono'
import { inThreadBatches } from './batch.ts'
import type { Deps, Env } from './env.ts'
import { notFound, onError } from './errors.ts'
import { bodyLimit } from './middleware/body-limit.ts'
import { jsonOnly } from './middleware/json.ts'
import { admin } from './routes/admin.ts'
import { apiKeys } from './routes/api-keys.ts'
import { RateLimiter } from './middleware/rate-limit.ts'
import { check } from './routes/check.ts'
import { dispatches } from './routes/dispatches.ts'
import { docsRoutes } from './routes/docs.ts'
import { events } from './routes/events.ts'
import { links } from './routes/links.ts'
import { meRoutes } from './routes/me.ts'
import { pageRoutes } from './routes/pages.ts'
import { signingKeys } from './routes/signing-keys.ts'
import { subscribers } from './routes/subscribers.ts'
import { tenant } from './routes/tenant.ts'
import { topics } from './routes/topics.ts'
import { widgetRoutes } from './routes/widget.ts'

export type { Deps, Env } from './env.ts'

const KiB = 1024

export interface AppOptions {
  /** Answered by /healthz while the server drains on shutdown. */
  isDraining?: () => boolean
  /** Where the built widget is read from (tests may point elsewhere). */
  widgetFile?: string
}

/** Builds the whole HTTP app. The server and the tests both call this. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const full: Required<Deps> = { now: Date.now, batches: inThreadBatches(deps.store), ...deps }
  const app = new Hono<Env>()

  app.onError(onError)
  app.notFound(notFound)
  app.use('*', async function inject(c, next) {
    c.set('deps', full)
    await next()
  })

  app.get('/healthz', (c) => {
    if (options.isDraining?.()) return c.json({ status: 'draining' }, 503)
    return c.json({ status: 'ok' })
  })

  // 10,000 checks with the longest ids (128 characters, even \uXXXX-escaped) fit in 16 MiB;
  // nothing else needs more than 256 KiB.
  app.use('/v1/check/batch', bodyLimit({ maxSize: 16384 * KiB }))
  const smallBodies = bodyLimit({ maxSize: 256 * KiB })
  app.use('/v1/*', async function limit(c, next) {
    return c.req.path === '/v1/check/batch' ? next() : smallBodies(c, next)
  })
  app.use('/v1/*', jsonOnly(['/v1/check/batch']))
  app.use('/u/*', bodyLimit({ maxSize: 64 * KiB }))

  const limiter = new RateLimiter()

  app.route('/v1/admin', admin)
  app.route('/v1/tenant', tenant)
  app.route('/v1/api-keys', apiKeys)
  app.route('/v1/topics', topics)
  app.route('/v1/subscribers', subscribers)
  app.route('/v1/check', check)
  app.route('/v1/dispatches', dispatches)
  app.route('/v1/links', links)
  app.route('/v1/signing-keys', signingKeys)
  app.route('/v1/events', events)
  app.route('/v1/me', meRoutes(limiter))
  app.route('/', pageRoutes(limiter))
  app.route('/', widgetRoutes(options.widgetFile))
  app.route('/', docsRoutes())

  return app
}

export type App = ReturnType<typeof createApp>
