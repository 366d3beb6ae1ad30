import { Hono } from 'hono'
import { createApiKeyBodySchema } from '@heed/shared'
import { z } from 'zod'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { mintApiKey } from './keys.ts'
import { apiKeyAuth, forgetAuthenticated } from '../http/auth.ts'
import { validate } from '../http/validate.ts'
import { apiKeyView } from '../http/views.ts'

export const apiKeys = new Hono<Env>()

apiKeys.use('*', apiKeyAuth({ roles: ['admin'] }))

apiKeys.post('/', validate('json', createApiKeyBodySchema), async (c) => {
  const { role, name } = c.req.valid('json')
  const key = mintApiKey(c.get('tenant').id, role, name ?? null, c.get('deps').now())
  await c.get('deps').store.createApiKey(key.record)
  return c.json({ ...apiKeyView(key.record), secret: key.secret }, 201)
})

apiKeys.get('/', async (c) => {
  const keys = await c.get('deps').store.listApiKeys(c.get('tenant').id)
  return c.json({ data: keys.map(apiKeyView) })
})

apiKeys.delete('/:id', validate('param', z.object({ id: z.string().min(1).max(64) })), async (c) => {
  const { id } = c.req.valid('param')
  const { store, now } = c.get('deps')
  const keys = await store.listApiKeys(c.get('tenant').id)
  const target = keys.find((k) => k.id === id)
  if (!target) throw new ApiError('not_found', `no API key "${id}"`)
  const otherAdmins = keys.filter((k) => k.role === 'admin' && k.revokedAt === null && k.id !== id)
  if (target.role === 'admin' && target.revokedAt === null && otherAdmins.length === 0) {
    throw new ApiError('conflict', 'this is the last active admin key; create another admin key before revoking it')
  }
  const revoked = await store.revokeApiKey(c.get('tenant').id, id, now())
  forgetAuthenticated(store)
  if (!revoked) throw new ApiError('not_found', `no API key "${id}"`)
  return c.json(apiKeyView(revoked))
})
