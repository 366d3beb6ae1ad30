import { eventsQuerySchema } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { ChainVerifier, MAX_BAD_LISTED } from '../db/ledger.ts'
import { consentEventSchema, fields } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { authorize } from '../http/auth.ts'
import { declare, json, KEY_PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { eventView } from '../http/views.ts'

export const events = routes<Env>()

events.use('*', authorize('ledger'))

/**
 * The consent ledger in keyset pages on `seq`, oldest or newest first, filtered in the database;
 * `next` is the cursor for the following page.
 */
declare(
  events,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Consent ledger'],
    summary: 'Consent events, oldest or newest first, in cursor pages',
    description:
      'Every change of consent or preference of the tenant, append-only; every filter given must hold. Oldest first by default; with `order=desc`, newest first. Pass `next` of a page as `after` (oldest first) or as `before` (newest first), with the same filters, to get the following one; `next` is null on the last page. Pages are read on the ledger’s `seq` (no offset), so a page deep in a large ledger costs what the first one does; `type` and `source` are checked on the events passed on the way, so a filter that few events match reads further for a page. Admin key only.',
    security: SECURITY.admin,
    request: {
      query: fields(eventsQuerySchema, {
        subscriberId: { description: 'Only the events of this subscriber.', example: 'cust_1001' },
        type: {
          description:
            'Only events of this type: `subscriber.created`, `subscriber.updated` (a change of consent or preferences), `subscriber.reason_given` (an unsubscribe reason given after the fact; consent unchanged) or `subscriber.erased`.',
          example: 'subscriber.updated',
        },
        source: { description: 'Only events that came from here: the preferences widget, a link’s pages, a one-click unsubscribe, the API (keys and console), or an import.', example: 'one_click' },
        order: { description: '`asc`: oldest first (the default); `desc`: newest first.', example: 'desc' },
        after: { description: 'Only events after this `seq`: the `next` of the previous page when oldest first.', example: 42 },
        before: { description: 'Only events before this `seq`: the `next` of the previous page when newest first.', example: 42 },
        limit: { description: 'Events per page, 1–1000.' },
      }),
    },
    responses: {
      200: json(
        'A page of events.',
        z.object({
          data: z.array(consentEventSchema),
          next: z.string().nullable().openapi({ description: 'The `after` (oldest first) or `before` (newest first) of the next page; null on the last page.', example: '42' }),
        }),
      ),
      ...KEY_PROBLEMS,
    },
  }),
  async (c) => {
    const { limit, ...query } = c.req.valid('query')
    // One event more than the page shows says whether another page follows.
    const rows = await c.get('deps').store.listEvents(c.get('tenant').id, { ...query, limit: limit + 1 })
    const page = rows.slice(0, limit)
    return c.json({ data: page.map(eventView), next: rows.length > limit ? String(page.at(-1)!.seq) : null })
  },
)

/** Re-computes the tenant's whole hash chain: `{ok, count}`, and where it breaks. */
declare(
  events,
  createRoute({
    method: 'get',
    path: '/verify',
    tags: ['Consent ledger'],
    summary: 'Verify the hash chain',
    description: 'Recomputes the tenant’s whole hash chain of consent events: `ok` with the number of events and the head hash, or each event where it breaks (tampering), the first one first. Changes nothing. Admin key only.',
    security: SECURITY.admin,
    responses: {
      200: json(
        'The result of the verification.',
        z
          .object({
            ok: z.boolean(),
            count: z.number().int().openapi({ description: 'Events verified.' }),
            head: z.string().openapi({ description: 'The hash of the last event.' }),
            firstBad: z
              .object({ seq: z.number().int(), id: z.string(), problem: z.string() })
              .optional()
              .openapi({ description: 'Where the chain breaks, when it does.' }),
            bad: z
              .array(z.object({ seq: z.number().int(), id: z.string(), problem: z.string() }))
              .optional()
              .openapi({ description: `Every bad event, in order (at most ${MAX_BAD_LISTED}): the walk goes on past a broken event, checking each later one against what is stored before it.` }),
          })
          .openapi('ChainVerification', { example: { ok: true, count: 1284, head: '9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a' } }),
      ),
      401: KEY_PROBLEMS[401],
      403: KEY_PROBLEMS[403],
    },
  }),
  async (c) => {
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
  },
)
