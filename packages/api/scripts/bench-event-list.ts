/**
 * Times `store.listEvents` (GET /v1/events) over one tenant with a large consent ledger: the
 * first page and a page deep in the ledger, newest first and oldest first, with and without the
 * `type`, `source` and `subscriberId` filters.
 *
 *   node --import tsx scripts/bench-event-list.ts [rows]                    SQLite, a temp file (default 1,000,000 events)
 *   node --import tsx scripts/with-postgres.ts \
 *     node --import tsx scripts/bench-event-list.ts [rows]                  PostgreSQL (HEED_TEST_DATABASE_URL; default 200,000 events)
 *
 * The rows are written by the database itself (a recursive CTE on SQLite, generate_series on
 * PostgreSQL) in one transaction; their hashes are placeholders (nothing here verifies the
 * chain). Of every 1,000 events about 1 is an erasure and 10 are reasons given; of the rest one
 * in five is a creation and the others are updates. Sources: 1 % one-click, 5 % link, 20 %
 * widget, 10 % import, the rest API. Each subscriber (`cust_0000000` …) has about five events.
 * Each figure is the median of several runs, after one warm-up run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import type postgres from 'postgres'
import { openStore } from '../src/db/open.ts'
import type { EventListQuery, Store } from '../src/db/store.ts'

const url = process.env.HEED_TEST_DATABASE_URL
const dir = url ? null : mkdtempSync(join(tmpdir(), 'heed-bench-'))
const databaseUrl = url ?? `file:${join(dir!, 'heed.db')}`
const rows = Number(process.argv[2] ?? (url ? 200_000 : 1_000_000))
const subscribers = Math.max(1, Math.floor(rows / 5))
const RUNS = 7
const PAGE = 50

const NOW = Date.parse('2026-05-04T10:00:00Z')
const tenantId = `bench-${Date.now().toString(36)}`

// A generous bound: filling the table is one long statement.
const store: Store = await openStore(databaseUrl, { timeoutMs: 120_000 })
const raw = (store as unknown as { raw: unknown }).raw

await store.createTenant(
  { id: tenantId, settings: { name: 'Bench', allowedOrigins: [], defaultLocale: 'en', defaultTimezone: 'UTC', channels: ['email'], frequencyOptions: [], branding: {}, linkTtlSeconds: 7_776_000 } as never, createdAt: NOW, updatedAt: NOW },
  { id: `key_${tenantId}`, tenantId, role: 'admin', name: null, prefix: 'heed_ak_b', hash: `hash-${tenantId}`, createdAt: NOW, revokedAt: null },
)

// Per event i (seq i + 1): a = i*37 % 1000 picks the type, b = i*61 % 100 the source.
const TYPE = `CASE WHEN i * 37 % 1000 < 1 THEN 'subscriber.erased' WHEN i * 37 % 1000 < 11 THEN 'subscriber.reason_given' WHEN i % 5 = 0 THEN 'subscriber.created' ELSE 'subscriber.updated' END`
const SOURCE = `CASE WHEN i * 61 % 100 < 1 THEN 'one_click' WHEN i * 61 % 100 < 6 THEN 'link' WHEN i * 61 % 100 < 26 THEN 'widget' WHEN i * 61 % 100 < 36 THEN 'import' ELSE 'api' END`
const fillStarted = performance.now()
if (store.dialect === 'sqlite') {
  const db = raw as Database.Database
  db.transaction(() => {
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO consent_events (tenant_id, seq, id, subscriber_id, type, source, actor, before, after, reason, user_agent, at, content_hash, prev_hash, hash, erased_at)
       SELECT ?, i + 1, ? || '_' || i, 'cust_' || substr('0000000' || (i % CAST(? AS INTEGER)), -7), ${TYPE}, ${SOURCE}, NULL, NULL, '{"status":"subscribed"}', NULL, NULL, ? + i * 1000, 'c', 'p', 'h', NULL
       FROM n`,
    ).run(rows - 1, tenantId, tenantId, subscribers, NOW)
  })()
} else {
  const sql = raw as postgres.Sql
  await sql.begin(async (tx) => {
    await tx.unsafe(
      `INSERT INTO consent_events (tenant_id, seq, id, subscriber_id, type, source, actor, before, after, reason, user_agent, at, content_hash, prev_hash, hash, erased_at)
       SELECT $1, i + 1, $1 || '_' || i, 'cust_' || lpad((i % $2)::text, 7, '0'), ${TYPE}, ${SOURCE}, NULL, NULL, '{"status":"subscribed"}'::jsonb, NULL, NULL, $3::bigint + i * 1000, 'c', 'p', 'h', NULL
       FROM generate_series(0, $4::int - 1) AS i`,
      [tenantId, subscribers, NOW, rows],
    )
  })
  // What autovacuum would have done by the time anyone reads them.
  await sql`ANALYZE consent_events`
}
console.log(`${store.dialect}: ${rows.toLocaleString('en')} events written in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`)

type Case = [name: string, query: Omit<EventListQuery, 'limit' | 'order' | 'after' | 'before'>]
const someone = `cust_${String(Math.floor(subscribers * 0.7) + 1).padStart(7, '0')}`
const cases: Case[] = [
  ['no filter', {}],
  ['type=subscriber.updated (79 %)', { type: 'subscriber.updated' }],
  ['type=subscriber.created (20 %)', { type: 'subscriber.created' }],
  ['type=subscriber.reason_given (1 %)', { type: 'subscriber.reason_given' }],
  ['type=subscriber.erased (0.1 %)', { type: 'subscriber.erased' }],
  ['source=api (64 %)', { source: 'api' }],
  ['source=one_click (1 %)', { source: 'one_click' }],
  ['type=reason_given&source=one_click (none)', { type: 'subscriber.reason_given', source: 'one_click' }],
  ['subscriberId (5 events)', { subscriberId: someone }],
  ['subscriberId&type=subscriber.updated', { subscriberId: someone, type: 'subscriber.updated' }],
]

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

async function time(query: EventListQuery): Promise<{ ms: number; n: number }> {
  let n = 0
  const times: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now()
    const page = await store.listEvents(tenantId, query)
    if (run > 0) times.push(performance.now() - started)
    n = page.length
  }
  return { ms: median(times), n }
}

// "Deep": 90 % of the way in the direction of the walk.
const deepDesc = Math.floor(rows * 0.1)
const deepAsc = Math.floor(rows * 0.9)
console.log(`page of ${PAGE} (+1); deep = before ${deepDesc} newest first, after ${deepAsc} oldest first; median of ${RUNS} runs, ms`)
console.log(`${'query'.padEnd(46)} ${'desc p1'.padStart(9)} ${'desc deep'.padStart(9)} ${'asc p1'.padStart(9)} ${'asc deep'.padStart(9)}`)
for (const [name, query] of cases) {
  const r = [
    await time({ ...query, order: 'desc', limit: PAGE + 1 }),
    await time({ ...query, order: 'desc', before: deepDesc, limit: PAGE + 1 }),
    await time({ ...query, order: 'asc', limit: PAGE + 1 }),
    await time({ ...query, order: 'asc', after: deepAsc, limit: PAGE + 1 }),
  ]
  console.log(`${name.padEnd(46)} ${r.map((x) => x.ms.toFixed(2).padStart(9)).join(' ')}   (${r.map((x) => x.n).join(' / ')} rows)`)
}

await store.close()
if (dir) rmSync(dir, { recursive: true, force: true })
