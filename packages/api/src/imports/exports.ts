import type { Store, TenantRecord } from '../db/store.ts'
import { csvHeader, exportLayout, subscriberToCsvRecord, subscriberToNdjson } from './columns.ts'
import type { ImportFormat } from './parse.ts'

/**
 * The exports, as text a page at a time, for `GET /v1/subscribers/export`, `GET /v1/events/export`
 * and the command line alike: a million subscribers never sit in memory.
 */

/** Rows a page of an export reads. */
const PAGE = 1000

/** Every subscriber in id order, in the import's own columns (an export imports back unchanged). */
export async function* subscriberLines(store: Store, tenant: TenantRecord, format: ImportFormat, now: number): AsyncGenerator<string> {
  const layout = exportLayout({ settings: tenant.settings, topics: await store.listTopics(tenant.id) })
  if (format === 'csv') yield csvHeader(layout)
  for (let after: string | null = null; ; ) {
    const { subscribers, next } = await store.listSubscribers(tenant.id, { now, limit: PAGE, ...(after === null ? {} : { after }) })
    if (subscribers.length > 0) yield subscribers.map((s) => (format === 'csv' ? subscriberToCsvRecord(s, layout) : subscriberToNdjson(s, layout))).join('')
    if (next === null) return
    after = next
  }
}

/** Every consent event, oldest first, one JSON object a line with everything its hashes cover. */
export async function* ledgerLines(store: Store, tenantId: string): AsyncGenerator<string> {
  for (let after = 0; ; ) {
    const events = await store.listEvents(tenantId, { order: 'asc', after, limit: PAGE })
    if (events.length > 0) {
      yield events
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
    }
    if (events.length < PAGE) return
    after = events[events.length - 1]!.seq
  }
}
