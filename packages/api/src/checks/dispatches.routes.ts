import { Hono } from 'hono'
import { DEFAULT_CHANNEL, dispatchBodySchema } from '@heed/shared'
import { decideFrom } from './decisions.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { validate } from '../http/validate.ts'

export const dispatches = new Hono<Env>()

dispatches.use('*', apiKeyAuth({ roles: ['admin', 'sender'] }))

/**
 * Check-and-reserve: with `enforce` (the default) the dispatch is recorded only when allowed,
 * atomically with the check. A repeated messageId returns the recorded outcome unchanged.
 * A refused attempt records nothing, so the sender can retry the same messageId at retryAt.
 */
dispatches.post('/', validate('json', dispatchBodySchema), async (c) => {
  const body = c.req.valid('json')
  const tenant = c.get('tenant')
  const at = body.at ? Date.parse(body.at) : c.get('deps').now()
  const channel = body.channel ?? DEFAULT_CHANNEL
  const item = { subscriberId: body.subscriberId, topic: body.topic, channel }
  const result = await c.get('deps').store.reserve(
    tenant.id,
    { ...item, messageId: body.messageId, at, enforce: body.enforce ?? true },
    (data) => decideFrom(data, tenant, item, at),
  )
  switch (result.kind) {
    case 'recorded':
      return c.json({ recorded: true, decision: result.decision }, 201)
    case 'replayed':
      c.header('Idempotent-Replayed', 'true')
      return c.json({ recorded: true, decision: result.decision }, 201)
    case 'refused':
      return c.json({ recorded: false, decision: result.decision }, 200)
    case 'conflict':
      throw new ApiError('conflict', `messageId "${body.messageId}" was already recorded for another subscriber, topic or channel`)
  }
})
