import { Hono } from 'hono'
import { eventsQuerySchema } from '@heed/shared'
import { ChainVerifier } from './chain.ts'
import type { Env } from '../env.ts'
import { apiKeyAuth } from '../http/auth.ts'
import { validate } from '../http/validate.ts'
import { eventView } from '../http/views.ts'

export const events = new Hono<Env>()

events.use('*', apiKeyAuth({ roles: ['admin'] }))

/** The consent ledger, oldest first; `next` is the cursor for the following page. */
events.get('/', validate('query', eventsQuerySchema), async (c) => {
  const { subscriberId, after, limit } = c.req.valid('query')
  const page = await c.get('deps').store.listEvents(c.get('tenant').id, { subscriberId, after, limit })
  const last = page.at(-1)
  return c.json({ data: page.map(eventView), next: page.length === limit && last ? String(last.seq) : null })
})

/** Re-computes the tenant's whole hash chain: `{ok, count}`, and where it breaks. */
events.get('/verify', async (c) => {
  const verifier = new ChainVerifier()
  const { store } = c.get('deps')
  for (let after = 0; ; ) {
    const page = await store.listEvents(c.get('tenant').id, { after, limit: 1000 })
    for (const e of page) verifier.step(e)
    const last = page.at(-1)
    if (!last || page.length < 1000) break
    after = last.seq
  }
  return c.json(verifier.result())
})
