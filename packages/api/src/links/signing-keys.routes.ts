import { Hono } from 'hono'
import { rotateSigningKeyBodySchema } from '@heed/shared'
import { newSigningKey } from '../db/ids.ts'
import type { Env } from '../env.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { validate } from '../http/validate.ts'
import { iso } from '../http/views.ts'

export const signingKeys = new Hono<Env>()

signingKeys.use('*', apiKeyAuth({ roles: ['admin'] }))

/**
 * New links are signed with a new key. Links signed earlier keep working until they would
 * have expired anyway (the tenant's linkTtlSeconds), or for `retireAfterSeconds`; 0 ends
 * them at once (a leaked key).
 */
signingKeys.post('/rotate', validate('json', rotateSigningKeyBodySchema.optional().default({})), async (c) => {
  const { retireAfterSeconds } = c.req.valid('json') ?? {}
  const { store, now } = c.get('deps')
  const at = now()
  const retireAt = at + (retireAfterSeconds ?? c.get('tenant').settings.linkTtlSeconds) * 1000
  const key = newSigningKey(c.get('tenant').id, at)
  await store.rotateSigningKey(key, retireAt)
  return c.json({ kid: key.kid, createdAt: iso(at), previousKeysRetireAt: iso(retireAt) }, 201)
})
