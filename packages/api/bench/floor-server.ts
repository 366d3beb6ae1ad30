/**
 * The real app with one route added, `POST /v1/floor`, for the bench's "floor" rows: a single
 * check without its database read and its decision. It goes through the same server, Hono app,
 * `/v1` middleware (body limit, JSON only, NUL refusal), API-key authentication and body
 * validation as `POST /v1/check`, then answers a decision of the same size at once. Its
 * requests/s and p99 against hello-world of the same process bound what any check can reach
 * on this machine, whatever its storage. Started by the bench like the real server
 * (`DATABASE_URL`, `PORT`, `HOST`); not part of Heed.
 */
import { serve } from '@hono/node-server'
import { checkBodySchema } from '@heed/shared'
import { createApp } from '../src/app.ts'
import { inThreadBatches } from '../src/batch.ts'
import { loadConfig } from '../src/config.ts'
import { openStore } from '../src/db/open.ts'
import { apiKeyAuth } from '../src/middleware/auth.ts'
import { validate } from '../src/validate.ts'

const config = loadConfig()
const store = await openStore(config.DATABASE_URL)
const app = createApp({ store, config, batches: inThreadBatches(store) })

app.post('/v1/floor', apiKeyAuth({ roles: ['admin', 'sender'] }), validate('json', checkBodySchema), (c) => {
  const { subscriberId, topic, channel } = c.req.valid('json')
  return c.json({ allowed: true, reason: 'ok', retryAt: null, subscriberId, topic, channel: channel ?? 'email' })
})

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST })
process.on('SIGTERM', () => {
  server.close()
  if ('closeAllConnections' in server) server.closeAllConnections()
  void store.close().then(() => process.exit(0))
})
