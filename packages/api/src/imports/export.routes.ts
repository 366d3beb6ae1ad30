import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import { authorize } from '../http/auth.ts'
import { declare, KEY_PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { ledgerLines, subscriberLines } from './exports.ts'

/**
 * Exports (SPEC F10), streamed a page at a time so that a million subscribers never sit in
 * memory: every subscriber in the import's own columns (an export imports back to the same
 * state, changing nothing), and the ledger as NDJSON with the chain's hashes, which an auditor
 * verifies offline (README, "Proving consent").
 */

/** Mounted at `/v1/subscribers/export`, ahead of `/v1/subscribers/{id}`. */
export const subscriberExport = routes<Env>()
subscriberExport.use('*', authorize('imports'))
/** Mounted at `/v1/events/export`. */
export const ledgerExport = routes<Env>()
ledgerExport.use('*', authorize('imports'))

const encoder = new TextEncoder()

/** A download of what `lines` yields, sent as it comes. */
function streamed(type: string, fileName: string, lines: AsyncGenerator<string>): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await lines.return(undefined)
    },
  })
  return new Response(body, { headers: { 'Content-Type': type, 'Content-Disposition': `attachment; filename="${fileName}"` } })
}

declare(
  subscriberExport,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Imports'],
    summary: 'Export every subscriber',
    description:
      'Every subscriber with their whole state, in id order: `format=csv` in the columns `POST /v1/imports` reads (a `topic:<key>`, `topic:<key>:cap` and `topic:<key>:channel:<channel>` column for each topic, a `channel:<channel>` column for each channel), or `format=ndjson`, a subscriber as `GET /v1/subscribers/{id}` shows it per line. Importing an export gives the same state and changes nothing.',
    security: SECURITY.admin,
    request: { query: z.object({ format: z.enum(['csv', 'ndjson']).default('csv') }) },
    responses: { 200: { description: 'The file.', content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } } }, ...KEY_PROBLEMS },
  }),
  async (c) => {
    const { format } = c.req.valid('query')
    const tenant = c.get('tenant')
    const lines = subscriberLines(c.get('deps').store, tenant, format, c.get('deps').now())
    return streamed(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', `${tenant.id}-subscribers.${format}`, lines) as never
  },
)

declare(
  ledgerExport,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Ledger'],
    summary: 'Export the consent ledger',
    description:
      'Every consent event of the tenant, oldest first, one JSON object per line with everything its hashes cover: `seq`, `id`, `type`, `at` (epoch ms), `subscriberId`, `source`, `actor`, `before`, `after`, `reason`, `userAgent`, `proof` (an import’s job and consent proof), `contentHash`, `prevHash`, `hash` and `erasedAt`. The README (“Proving consent”) says how to check the chain offline.',
    security: SECURITY.admin,
    responses: { 200: { description: 'The ledger.', content: { 'application/x-ndjson': { schema: z.string() } } }, ...KEY_PROBLEMS },
  }),
  async (c) => {
    const tenant = c.get('tenant')
    return streamed('application/x-ndjson', `${tenant.id}-ledger.ndjson`, ledgerLines(c.get('deps').store, tenant.id)) as never
  },
)
