import { Hono } from 'hono'
import { checkBodySchema } from '@heed/shared'
import { paced } from './batch.ts'
import { checkMany } from './decisions.ts'
import type { Env } from '../env.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { validate } from '../http/validate.ts'

export const check = new Hono<Env>()

check.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/** May I send this now? */
check.post('/', validate('json', checkBodySchema), async (c) => {
  const { at, ...item } = c.req.valid('json')
  const [decision] = await checkMany(c.get('deps').store, c.get('tenant'), [item], at ? Date.parse(at) : c.get('deps').now())
  return c.json(decision)
})

/**
 * Up to 10,000 checks at one instant; results in input order. The body is parsed, validated
 * and decided where `deps.batches` says (a worker thread on SQLite files).
 */
check.post('/batch', async (c) => {
  const json = await c.get('deps').batches.decide(c.get('tenant'), await c.req.arrayBuffer(), c.get('deps').now())
  return c.body(paced(json), 200, { 'Content-Type': 'application/json', 'Content-Length': String(json.byteLength) })
})
