import { Hono } from 'hono'
import { batchCheckBodySchema, checkBodySchema } from '@heed/shared'
import { checkMany } from '../decisions.ts'
import type { Env } from '../env.ts'
import { apiKeyAuth } from '../middleware/auth.ts'
import { validate } from '../validate.ts'

export const check = new Hono<Env>()

check.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/** May I send this now? */
check.post('/', validate('json', checkBodySchema), async (c) => {
  const { at, ...item } = c.req.valid('json')
  const [decision] = await checkMany(c.var.deps.store, c.var.tenant, [item], at ? Date.parse(at) : c.var.deps.now())
  return c.json(decision)
})

/** Up to 10,000 checks at one instant; results in input order. */
check.post('/batch', validate('json', batchCheckBodySchema), async (c) => {
  const { at, checks } = c.req.valid('json')
  const results = await checkMany(c.var.deps.store, c.var.tenant, checks, at ? Date.parse(at) : c.var.deps.now())
  return c.json({ results })
})
