/**
 * Times `store.listSubscribers` (GET /v1/subscribers) over one tenant with many subscribers:
 * the first page and a page deep in the list, with and without filters.
 *
 *   node --import tsx scripts/bench-subscriber-list.ts [rows]               SQLite, a temp file (default 1,000,000 rows)
 *   node --import tsx scripts/with-postgres.ts \
 *     node --import tsx scripts/bench-subscriber-list.ts [rows]             PostgreSQL (HEED_TEST_DATABASE_URL; default 200,000 rows)
 *
 * The rows are written by the database itself (a recursive CTE on SQLite, generate_series on
 * PostgreSQL) in one transaction. Ids are `cust_0000000` …; of every 100 subscribers about 10
 * are unsubscribed, 30 chose `news` (opt-in), 10 turned `promo` (opt-out) off, 20 have a cap,
 * 5 are paused. Each figure is the median of several runs, after one warm-up run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import type postgres from 'postgres'
import { openStore } from '../src/db/open.ts'
import type { Store, SubscriberListQuery } from '../src/db/store.ts'

const url = process.env.HEED_TEST_DATABASE_URL
const dir = url ? null : mkdtempSync(join(tmpdir(), 'heed-bench-'))
const databaseUrl = url ?? `file:${join(dir!, 'heed.db')}`
const rows = Number(process.argv[2] ?? (url ? 200_000 : 1_000_000))
const RUNS = 7

const NOW = Date.parse('2026-05-04T10:00:00Z')
const tenantId = `bench-${Date.now().toString(36)}`
const id = (i: number) => `cust_${String(i).padStart(7, '0')}`

// A generous bound: filling the table is one long statement.
const store: Store = await openStore(databaseUrl, { timeoutMs: 120_000 })
const raw = (store as unknown as { raw: unknown }).raw

await store.createTenant(
  { id: tenantId, settings: { name: 'Bench', allowedOrigins: [], defaultLocale: 'en', defaultTimezone: 'UTC', channels: ['email'], frequencyOptions: [], branding: {}, linkTtlSeconds: 7_776_000 } as never, createdAt: NOW, updatedAt: NOW },
  { id: `key_${tenantId}`, tenantId, role: 'admin', name: null, prefix: 'heed_ak_b', hash: `hash-${tenantId}`, createdAt: NOW, revokedAt: null },
)
for (const [key, defaultSubscribed] of [
  ['news', false],
  ['promo', true],
] as const) {
  await store.putTopic(tenantId, { key, name: { en: key }, description: null, category: 'marketing', channels: ['email'], defaultSubscribed, required: false, order: 0, createdAt: NOW, updatedAt: NOW })
}

// Per row i: a = i*37 % 100 and b = i*61 % 100, so the filters do not line up with each other.
const fillStarted = performance.now()
if (store.dialect === 'sqlite') {
  const db = raw as Database.Database
  db.transaction(() => {
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO subscribers (tenant_id, id, email, locale, timezone, status, channels, topics, cap, quiet_hours, paused_until, has_caps, link_version, link_floor, created_at, updated_at, unsubscribed_at)
       SELECT ?, 'cust_' || substr('0000000' || i, -7), 'user' || i || '@example.com', NULL, NULL,
         CASE WHEN i * 37 % 100 < 10 THEN 'unsubscribed' ELSE 'subscribed' END,
         '{}',
         CASE WHEN i * 61 % 100 < 30 THEN '{"news":{"subscribed":true}}' WHEN i * 61 % 100 < 40 THEN '{"promo":{"subscribed":false}}' ELSE '{}' END,
         CASE WHEN i * 37 % 100 >= 80 THEN '{"max":3,"per":"week"}' END,
         NULL,
         CASE WHEN i * 61 % 100 >= 95 THEN ? END,
         i * 37 % 100 >= 80, 0, 0, ?, ?,
         CASE WHEN i * 37 % 100 < 10 THEN ? END
       FROM n`,
    ).run(rows - 1, tenantId, NOW + 86_400_000, NOW, NOW, NOW)
  })()
} else {
  const sql = raw as postgres.Sql
  await sql.begin(async (tx) => {
    await tx`
      INSERT INTO subscribers (tenant_id, id, email, locale, timezone, status, channels, topics, cap, quiet_hours, paused_until, has_caps, link_version, link_floor, created_at, updated_at, unsubscribed_at)
      SELECT ${tenantId}, 'cust_' || lpad(i::text, 7, '0'), 'user' || i || '@example.com', NULL, NULL,
        CASE WHEN i * 37 % 100 < 10 THEN 'unsubscribed' ELSE 'subscribed' END,
        '{}'::jsonb,
        CASE WHEN i * 61 % 100 < 30 THEN '{"news":{"subscribed":true}}'::jsonb WHEN i * 61 % 100 < 40 THEN '{"promo":{"subscribed":false}}'::jsonb ELSE '{}'::jsonb END,
        CASE WHEN i * 37 % 100 >= 80 THEN '{"max":3,"per":"week"}'::jsonb END,
        NULL,
        CASE WHEN i * 61 % 100 >= 95 THEN ${NOW + 86_400_000}::bigint END,
        i * 37 % 100 >= 80, 0, 0, ${NOW}, ${NOW},
        CASE WHEN i * 37 % 100 < 10 THEN ${NOW}::bigint END
      FROM generate_series(0, ${rows - 1}) AS i`
  })
  // What autovacuum would have done by the time anyone lists them.
  await sql`ANALYZE subscribers`
}
console.log(`${store.dialect}: ${rows.toLocaleString('en')} subscribers written in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`)

type Case = [name: string, query: Omit<SubscriberListQuery, 'now' | 'limit' | 'after'>]
const cases: Case[] = [
  ['no filter', {}],
  ['status=subscribed (90 %)', { status: 'subscribed' }],
  ['status=unsubscribed (10 %)', { status: 'unsubscribed' }],
  ['topic=news (30 %, opt-in)', { topic: { key: 'news', defaultSubscribed: false } }],
  ['topic=promo (90 %, opt-out)', { topic: { key: 'promo', defaultSubscribed: true } }],
  ['paused=true (5 %)', { paused: true }],
  ['hasCaps=true (20 %)', { hasCaps: true }],
  ['status=unsubscribed&hasCaps=true (none)', { status: 'unsubscribed', hasCaps: true }],
  ['q=e-mail address (1 row)', { q: `USER${Math.floor(rows * 0.7)}@example.com` }],
  ['q=id prefix, 1 row', { q: id(Math.floor(rows * 0.7)) }],
  ['q=id prefix, 10,000 rows', { q: id(Math.floor(rows * 0.7)).slice(0, -4) }],
  ['q=no match', { q: 'nobody@example.com' }],
]

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

async function time(query: SubscriberListQuery): Promise<{ ms: number; n: number }> {
  let n = 0
  const times: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now()
    const page = await store.listSubscribers(tenantId, query)
    if (run > 0) times.push(performance.now() - started)
    n = page.subscribers.length
  }
  return { ms: median(times), n }
}

const deep = id(Math.floor(rows * 0.9))
console.log(`page of 50; "deep" starts after ${deep} (90 % into the list); median of ${RUNS} runs, ms`)
console.log(`${'query'.padEnd(42)} ${'page 1'.padStart(9)} ${'deep'.padStart(9)}`)
for (const [name, query] of cases) {
  const first = await time({ ...query, now: NOW, limit: 50 })
  const later = await time({ ...query, now: NOW, limit: 50, after: deep })
  console.log(`${name.padEnd(42)} ${first.ms.toFixed(2).padStart(9)} ${later.ms.toFixed(2).padStart(9)}   (${first.n} / ${later.n} rows)`)
}

await store.close()
if (dir) rmSync(dir, { recursive: true, force: true })
