import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { batchCheckBodySchema, checkBodySchema, instantSchema, isValidCheckItems, type BatchCheckBody } from '@heed/shared'
import { checkMany } from '../decisions.ts'
import type { Env } from '../env.ts'
import { validationError } from '../errors.ts'
import { apiKeyAuth } from '../middleware/auth.ts'
import { validate } from '../validate.ts'

export const check = new Hono<Env>()

check.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/**
 * The batch body through `batchCheckBodySchema`, with a fast path: 10,000 items that pass the
 * same rules written out (`isValidCheckItems`) skip the per-item schema walk; anything else
 * goes through the schema, which gives the errors.
 */
const batchBody = validator('json', (value): BatchCheckBody => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { at, checks, ...rest } = value as Record<string, unknown>
    if (Object.keys(rest).length === 0 && isValidCheckItems(checks) && (at === undefined || instantSchema.safeParse(at).success)) {
      return { checks, ...(at === undefined ? {} : { at: at as string }) }
    }
  }
  const parsed = batchCheckBodySchema.safeParse(value)
  if (!parsed.success) throw validationError(parsed.error)
  return parsed.data
})

/** May I send this now? */
check.post('/', validate('json', checkBodySchema), async (c) => {
  const { at, ...item } = c.req.valid('json')
  const [decision] = await checkMany(c.var.deps.store, c.var.tenant, [item], at ? Date.parse(at) : c.var.deps.now())
  return c.json(decision)
})

/** Up to 10,000 checks at one instant; results in input order. */
check.post('/batch', batchBody, async (c) => {
  const { at, checks } = c.req.valid('json')
  const results = await checkMany(c.var.deps.store, c.var.tenant, checks, at ? Date.parse(at) : c.var.deps.now())
  return c.json({ results })
})
