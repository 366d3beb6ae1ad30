import { Hono } from 'hono'
import { inThreadBatches } from './checks/batch.ts'
import type { Deps, Env } from './env.ts'
import { notFound, onError } from './http/errors.ts'
import { bodyLimit } from './http/body-limit.ts'
import { jsonOnly } from './http/json.ts'
import { admin } from './tenants/admin.routes.ts'
import { apiKeys } from './tenants/api-keys.routes.ts'
import { RateLimiter } from './http/rate-limit.ts'
import { check } from './checks/check.routes.ts'
import { dispatches } from './checks/dispatches.routes.ts'
import { docsRoutes } from './docs/docs.routes.ts'
import { events } from './ledger/events.routes.ts'
import { links } from './links/links.routes.ts'
import { meRoutes } from './subscribers/me.routes.ts'
import { pageRoutes } from './links/pages.routes.ts'
import { signingKeys } from './links/signing-keys.routes.ts'
import { subscribers } from './subscribers/subscribers.routes.ts'
import { tenant } from './tenants/tenant.routes.ts'
import { topics } from './tenants/topics.routes.ts'
import { widgetRoutes } from './widget/widget.routes.ts'

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
