/**
 * The real server (`serveHeed`, what `src/server.ts` runs) with one route added for the
 * bench's floor: `POST /v1/floor`, a single check without its database read and its decision.
 * It goes through the same Hono app, `/v1` middleware (body limit, JSON only, NUL refusal),
 * API-key authentication and body validation as `POST /v1/check`, then answers a decision of
 * the same size at once. Measured in the same process as hello-world and the check (a process
 * of its own runs faster or slower as a whole on this machine, with where its threads land),
 * it bounds what any check can reach here, whatever its storage. Not part of Heed.
 */
import { checkBodySchema } from '@heed/shared'
import { authorize } from '../src/http/auth.ts'
import { serveHeed } from '../src/serve.ts'
import { validate } from '../src/http/validate.ts'

await serveHeed({
  extend(app) {
    app.post('/v1/floor', authorize('send'), validate('json', checkBodySchema), (c) => {
      const { subscriberId, topic, channel } = c.req.valid('json')
      return c.json({ allowed: true, reason: 'ok', retryAt: null, subscriberId, topic, channel: channel ?? 'email' })
    })
  },
})
