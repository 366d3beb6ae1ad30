import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import type { Store } from '../db/store.ts'
import { authorize } from '../http/auth.ts'
import { declare, KEY_PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { csvHeader, exportLayout, subscriberToCsvRecord, subscriberToNdjson } from './columns.ts'

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

/** Rows a page of an export reads. */
const PAGE = 1000

const encoder = new TextEncoder()

/** A response streaming what `next` yields, page by page, until it yields null. */
function streamed(type: string, fileName: string, next: () => Promise<string | null>): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await next()
      if (chunk === null) controller.close()
      else controller.enqueue(encoder.encode(chunk))
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
    const { store, now } = c.get('deps')
    const tenant = c.get('tenant')
    const layout = exportLayout({ settings: tenant.settings, topics: await store.listTopics(tenant.id) })
    const pages = subscriberPages(store, tenant.id, now())
    let started = false
    return streamed(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', `${tenant.id}-subscribers.${format}`, async () => {
      const head = format === 'csv' && !started ? csvHeader(layout) : ''
      started = true
      const page = await pages.next()
      if (page.done) return head === '' ? null : head
      return head + page.value.map((s) => (format === 'csv' ? subscriberToCsvRecord(s, layout) : subscriberToNdjson(s, layout))).join('')
    }) as never
  },
)

async function* subscriberPages(store: Store, tenantId: string, at: number) {
  let after: string | undefined
  for (;;) {
    const { subscribers, next } = await store.listSubscribers(tenantId, { now: at, limit: PAGE, ...(after === undefined ? {} : { after }) })
    if (subscribers.length > 0) yield subscribers
    if (next === null) return
    after = next
  }
}

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
    const { store } = c.get('deps')
    const tenant = c.get('tenant')
    let after = 0
    let done = false
    return streamed('application/x-ndjson', `${tenant.id}-ledger.ndjson`, async () => {
      if (done) return null
      const events = await store.listEvents(tenant.id, { order: 'asc', after, limit: PAGE })
      if (events.length < PAGE) done = true
      if (events.length === 0) return null
      after = events[events.length - 1]!.seq
      return events
        .map((e) =>
          JSON.stringify({
            tenantId: e.tenantId,
            seq: e.seq,
            id: e.id,
            type: e.type,
            at: e.at,
            subscriberId: e.subscriberId,
            source: e.source,
            actor: e.actor,
            before: e.before,
            after: e.after,
            reason: e.reason,
            userAgent: e.userAgent,
            proof: e.proof ?? null,
            contentHash: e.contentHash,
            prevHash: e.prevHash,
            hash: e.hash,
            erasedAt: e.erasedAt,
          }) + '\n',
        )
        .join('')
    }) as never
  },
)
