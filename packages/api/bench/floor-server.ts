/**
 * The real server (`serveHeed`, what `src/server.ts` runs) with one route added for the
 * bench's floor: `POST /v1/floor`, a single check without its database read and its decision.
 * It goes the single check's way: a lane beside the app (`http/lane.ts`), with the same body
 * rules, API-key authentication and validation, then answers a decision of the same size at
 * once; what the lane hands on goes to the same route in the app, through the `/v1`
 * middleware. Measured in the same process as hello-world and the check (a process of its own
 * runs faster or slower as a whole on this machine, with where its threads land), it bounds
 * what any check can reach here, whatever its storage. Not part of Heed.
 */
import { checkBodySchema, type CheckBody, type Decision } from '@heed/shared'
import { authorize } from '../src/http/auth.ts'
import type { Lane } from '../src/http/lane.ts'
import { serveHeed } from '../src/serve.ts'
import { validate } from '../src/http/validate.ts'

const decision = ({ subscriberId, topic, channel }: CheckBody): Decision => ({ allowed: true, reason: 'ok', retryAt: null, subscriberId, topic, channel: channel ?? 'email' })

const floor: Lane<typeof checkBodySchema> = { path: '/v1/floor', permission: 'send', schema: checkBodySchema, answer: async (_store, _tenant, body) => ({ status: 200, json: decision(body) }) }

await serveHeed({
  extend(app) {
    app.post('/v1/floor', authorize('send'), validate('json', checkBodySchema), (c) => c.json(decision(c.req.valid('json'))))
  },
  lanes: [floor],
})
