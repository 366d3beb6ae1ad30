import { OpenAPIHono } from '@hono/zod-openapi'
import { inThreadBatches } from './checks/batch.ts'
import type { Deps, Env } from './env.ts'
import { notFound, onError } from './http/errors.ts'
import { API_BODY_MAX, bodyLimit } from './http/body-limit.ts'
import { deadline, requestDeadline } from './http/deadline.ts'
import { jsonOnly } from './http/json.ts'
import { wellFormedPath } from './http/path.ts'
import { admin } from './tenants/admin.routes.ts'
import { apiKeys } from './tenants/api-keys.routes.ts'
import { RateLimiter } from './http/rate-limit.ts'
import { check } from './checks/check.routes.ts'
import { dispatches } from './checks/dispatches.routes.ts'
import { consoleRoutes } from './console/app.routes.ts'
import { docsRoutes } from './docs/docs.routes.ts'
import { openApiDocument } from './docs/openapi.ts'
import { events } from './ledger/events.routes.ts'
import { webhooks } from './webhooks/webhooks.routes.ts'
import { imports } from './imports/imports.routes.ts'
import { ImportQueue } from './imports/queue.ts'
import { ledgerExport, subscriberExport } from './imports/export.routes.ts'
import { describeWebhooks } from './webhooks/docs.ts'
import { healthRoutes } from './health/health.routes.ts'
import { links } from './links/links.routes.ts'
import { meRoutes } from './links/me.routes.ts'
import { originCheckRoutes } from './links/origin-check.routes.ts'
import { newLinkRoutes } from './links/new-link.routes.ts'
import { pageRoutes } from './links/pages.routes.ts'
import { signingKeys } from './links/signing-keys.routes.ts'
import { subscribers } from './subscribers/subscribers.routes.ts'
import { tenant } from './tenants/tenant.routes.ts'
import { topics } from './tenants/topics.routes.ts'
import { widgetRoutes } from './widget/widget.routes.ts'
import { invitationRoutes } from './console/invitations.routes.ts'
import { sessionRoutes } from './console/session.routes.ts'
import { users } from './console/users.routes.ts'

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
  const full: Required<Deps> = { now: Date.now, batches: inThreadBatches(deps.store), mailer: { wake() {} }, imports: deps.imports ?? new ImportQueue(deps.store, deps.now ? { now: deps.now } : {}), ...deps }
  const app = new OpenAPIHono<Env>()

  app.onError(onError)
  app.notFound(notFound)
  app.use('*', async function inject(c, next) {
    c.set('deps', full)
    await next()
  })
  app.use('*', wellFormedPath())
  // On PostgreSQL every request is answered within HEED_DATABASE_TIMEOUT_MS.
  app.use('*', deadline(requestDeadline(full.store, full.config)))

  app.route('/', healthRoutes(full.store, options.isDraining ?? (() => false)))

  // Nothing needs more than 256 KiB but the batch check, which declares its own limit (and
  // that it reads its body as bytes) at its route.
  app.use('/v1/*', bodyLimit({ maxSize: API_BODY_MAX }))
  app.use('/v1/*', jsonOnly())
  app.use('/u/*', bodyLimit({ maxSize: 64 * KiB }))
  app.use('/links/*', bodyLimit({ maxSize: 16 * KiB }))

  const limiter = new RateLimiter()

  app.route('/v1/admin', admin)
  app.route('/v1/tenant', tenant)
  app.route('/v1/api-keys', apiKeys)
  app.route('/v1/topics', topics)
  app.route('/v1/subscribers/export', subscriberExport)
  app.route('/v1/subscribers', subscribers)
  app.route('/v1/check', check)
  app.route('/v1/dispatches', dispatches)
  app.route('/v1/links', links)
  app.route('/v1/signing-keys', signingKeys)
  app.route('/v1/events/export', ledgerExport)
  app.route('/v1/events', events)
  app.route('/v1/webhooks', webhooks)
  app.route('/v1/imports', imports)
  describeWebhooks(app)
  app.route('/v1/session', sessionRoutes())
  app.route('/v1/users', users)
  app.route('/v1/invitations', invitationRoutes())
  // Before /v1/me, whose CORS and token checks it must not meet.
  app.route('/v1/me/origin', originCheckRoutes(limiter))
  app.route('/v1/me', meRoutes(limiter))
  app.route('/', pageRoutes(limiter))
  app.route('/', newLinkRoutes(limiter))
  app.route('/', widgetRoutes(options.widgetFile))
  app.route('/', consoleRoutes())
  app.route('/', docsRoutes((serverUrl) => openApiDocument(app, serverUrl)))

  return app
}

export type App = ReturnType<typeof createApp>
