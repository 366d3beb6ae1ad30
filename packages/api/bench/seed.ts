/**
 * Seeds a fresh database for the benchmark: the server's own migrations (openStore), one
 * tenant, a sender API key and six topics through the Store interface, then N subscribers with
 * realistic state and their dispatch history written in bulk (better-sqlite3 in one
 * transaction, or PostgreSQL COPY) — seconds for 100,000, not 100,000 HTTP calls.
 *
 * Everything is deterministic (seeded PRNG) except instants, which are relative to `now`.
 */
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { DEFAULT_TENANT_SETTINGS, HISTORY_LOOKBACK_MS, type Cap, type QuietHours, type TenantSettings } from '@heed/shared'
import { defaultPreferences, type Preferences } from '@heed/shared/subscriber'
import { hasCaps } from '../src/db/common.ts'
import { openStore } from '../src/db/open.ts'
import type { TopicRecord } from '../src/db/store.ts'
import { mintApiKey } from '../src/tenants/keys.ts'

export const TENANT_ID = 'bench'
const DAY = 86_400_000

/** Subscriber ids: `cust_<i>` for i in [0, N). */
export const subscriberId = (i: number) => `cust_${i}`
/** A subscriber that only the hot-reserve scenario writes to (no caps: every reserve records). */
export const HOT_SUBSCRIBER = 'hot_1'
/** A subscriber with a cap of CAPPED_MAX a day and no history, for the 50-concurrent-reserves check. */
export const CAPPED_SUBSCRIBER = 'capped_1'
export const CAPPED_MAX = 10

/** Segment of subscriber i (i % 20): 0–9 are "open" (subscribed, no quiet hours, no pause). */
export const isOpen = (i: number) => i % 20 < 10

export interface SeedResult {
  /** Sender API key secret. */
  key: string
  /** Admin API key secret (imports). */
  adminKey: string
  subscribers: number
  dispatches: number
  seconds: number
}

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ZONES = [
  'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney',
  'America/Sao_Paulo', 'Asia/Kolkata', 'Europe/Tallinn', 'Asia/Taipei', 'Africa/Johannesburg', null, null,
] as const
const GLOBAL_CAPS: Cap[] = [
  { max: 1, per: 'day' },
  { max: 3, per: 'week' },
  { max: 1, per: 'week' },
  { max: 2, per: 'month' },
]
const QUIET: QuietHours[] = [
  { start: '22:00', end: '08:00' },
  { start: '21:30', end: '07:00' },
  { start: '23:00', end: '09:00', days: [1, 2, 3, 4, 5] },
]
/** Topics recorded in the history, with their channels. */
const HISTORY_TOPICS = [
  ['newsletter', 'email'],
  ['sales', 'email'],
  ['sales', 'sms'],
  ['new-arrivals', 'email'],
  ['order-updates', 'email'],
  ['order-updates', 'sms'],
] as const

export function topicRecords(at: number): TopicRecord[] {
  const t = (key: string, name: string, category: string, channels: string[], defaultSubscribed: boolean, required: boolean, order: number): TopicRecord => ({
    key, name: { en: name }, description: null, category, channels, defaultSubscribed, required, order, createdAt: at, updatedAt: at,
  })
  return [
    t('order-updates', 'Order updates', 'account', ['email', 'sms'], true, true, 0),
    t('newsletter', 'Newsletter', 'content', ['email'], true, false, 10),
    t('sales', 'Sales and offers', 'shopping', ['email', 'sms'], false, false, 20),
    t('new-arrivals', 'New arrivals', 'shopping', ['email'], false, false, 30),
    t('events', 'Events near you', 'content', ['email'], false, false, 40),
    t('tips', 'Tips and guides', 'content', ['email'], true, false, 50),
  ]
}

interface SubscriberState extends Preferences<number> {
  id: string
  email: string
}

/** Subscriber i's state: a mix of what real preference centers hold. */
function subscriberState(i: number, rnd: () => number, now: number): SubscriberState {
  const seg = i % 20
  const s: SubscriberState = {
    id: subscriberId(i),
    email: `cust${i}@example.com`,
    ...defaultPreferences(),
    timezone: ZONES[Math.floor(rnd() * ZONES.length)] ?? null,
  }
  if (seg < 10) {
    // Open: newsletter and sales (at most one sales message a week), sometimes new arrivals.
    s.topics = { newsletter: { subscribed: true }, sales: { subscribed: true, cap: { max: 1, per: 'week' } } }
    if (rnd() < 0.5) s.topics['new-arrivals'] = { subscribed: true }
  } else if (seg < 14) {
    // "Send me less": a global cap and quiet hours at night.
    s.cap = GLOBAL_CAPS[Math.floor(rnd() * GLOBAL_CAPS.length)]!
    s.quietHours = QUIET[Math.floor(rnd() * QUIET.length)]!
    s.topics = { sales: { subscribed: true }, events: { subscribed: rnd() < 0.5 } }
  } else if (seg < 16) {
    // Never at weekends; at most 5 emails a week; sales by SMS only.
    s.quietHours = { start: '00:00', end: '00:00', days: [0, 6] }
    s.cap = { max: 5, per: 'week', channel: 'email' }
    s.topics = { sales: { subscribed: true, channels: { email: false } }, 'new-arrivals': { subscribed: true } }
  } else if (seg === 16) {
    // Paused for a while, with quiet hours for when the pause ends.
    s.pausedUntil = now + Math.floor((1 + rnd() * 29) * DAY)
    s.quietHours = { start: '23:00', end: '07:00' }
    s.topics = { sales: { subscribed: true } }
  } else if (seg === 17) {
    s.status = 'unsubscribed'
  } else if (seg === 18) {
    s.channels = { sms: false }
    s.topics = { sales: { subscribed: true }, tips: { subscribed: false } }
  } else {
    s.topics = { newsletter: { subscribed: false }, events: { subscribed: true, cap: { max: 2, per: 'month' } } }
  }
  return s
}


/** Calls `row` for every subscriber and `dispatch` for each of their past dispatches (0–6, over 35 days). */
function generate(
  n: number,
  now: number,
  row: (s: SubscriberState, caps: boolean) => void,
  dispatch: (subscriber: string, topic: string, channel: string, messageId: string, at: number) => void,
) {
  const rnd = prng(20_260_501)
  const special = (id: string, s: Partial<SubscriberState>) =>
    row({ id, email: `${id}@example.com`, locale: null, timezone: null, status: 'subscribed', channels: {}, topics: { newsletter: { subscribed: true } }, cap: null, quietHours: null, pausedUntil: null, ...s }, s.cap != null)
  special(HOT_SUBSCRIBER, {})
  special(CAPPED_SUBSCRIBER, { cap: { max: CAPPED_MAX, per: 'day' } })
  for (let i = 0; i < n; i++) {
    const s = subscriberState(i, rnd, now)
    row(s, hasCaps(s))
    const k = Math.floor(rnd() * 7)
    for (let j = 0; j < k; j++) {
      const [topic, channel] = HISTORY_TOPICS[Math.floor(rnd() * HISTORY_TOPICS.length)]!
      dispatch(s.id, topic, channel, `seed-${i}-${j}`, now - Math.floor(rnd() * 35 * DAY))
    }
  }
}

const DECISION = (subscriberId: string, topic: string, channel: string) =>
  JSON.stringify({ allowed: true, reason: topic === 'order-updates' ? 'required' : 'ok', retryAt: null, subscriberId, topic, channel })

async function seedTenant(url: string, now: number): Promise<{ key: string; adminKey: string }> {
  const store = await openStore(url, { poolSize: 2 })
  try {
    const settings: TenantSettings = {
      ...DEFAULT_TENANT_SETTINGS,
      name: 'Bench Outfitters',
      defaultTimezone: 'Europe/Berlin',
      channels: ['email', 'sms'],
    } as TenantSettings
    const admin = mintApiKey(TENANT_ID, 'admin', 'bench admin', now)
    if (!(await store.createTenant({ id: TENANT_ID, settings, createdAt: now, updatedAt: now }, admin.record))) {
      throw new Error('the benchmark database is not fresh')
    }
    const sender = mintApiKey(TENANT_ID, 'sender', 'bench sender', now)
    await store.createApiKey(sender.record)
    for (const t of topicRecords(now)) await store.putTopic(TENANT_ID, t)
    return { key: sender.secret, adminKey: admin.secret }
  } finally {
    await store.close()
  }
}

/** A fresh SQLite file at `path` (must not exist), seeded with `n` subscribers. */
export async function seedSqlite(path: string, n: number, now = Date.now()): Promise<SeedResult> {
  const started = performance.now()
  const { key, adminKey } = await seedTenant(`file:${path}`, now)
  const db = new Database(path)
  // Seeding only: the server reopens the file with its own durable settings.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -262144')
  const insSub = db.prepare(`INSERT INTO subscribers
    (tenant_id, id, email, locale, timezone, status, channels, topics, cap, quiet_hours, paused_until, has_caps, link_version, created_at, updated_at, unsubscribed_at)
    VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`)
  const insDis = db.prepare(`INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at)
    VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`)
  let dispatches = 0
  const created = now - 400 * DAY
  db.transaction(() => {
    generate(
      n,
      now,
      (s, caps) =>
        insSub.run(
          TENANT_ID, s.id, s.email, s.timezone, s.status, JSON.stringify(s.channels), JSON.stringify(s.topics),
          s.cap && JSON.stringify(s.cap), s.quietHours && JSON.stringify(s.quietHours), s.pausedUntil, caps ? 1 : 0,
          created, created, s.status === 'unsubscribed' ? created : null,
        ),
      (sub, topic, channel, messageId, at) => {
        insDis.run(TENANT_ID, sub, topic, channel, messageId, at, DECISION(sub, topic, channel), at)
        dispatches++
      },
    )
  })()
  // As the server leaves them (db/recent.ts): the row of each subscriber with caps keeps their
  // dispatches from 30 days before their last one (check-and-reserve wrote it), or, for those
  // never sent anything, an empty list from 30 days before their caps were set (at creation).
  db.prepare(`UPDATE subscribers SET recent_from = coalesce((SELECT max(at) FROM dispatches d WHERE d.tenant_id = subscribers.tenant_id AND d.subscriber_id = subscribers.id), created_at) - ? WHERE has_caps`).run(HISTORY_LOOKBACK_MS)
  db.prepare(`UPDATE subscribers SET recent = (SELECT json_group_array(json_array(d.topic, d.channel, d.at)) FROM dispatches d
    WHERE d.tenant_id = subscribers.tenant_id AND d.subscriber_id = subscribers.id AND d.at > subscribers.recent_from) WHERE recent_from IS NOT NULL`).run()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { key, adminKey, subscribers: n, dispatches, seconds: (performance.now() - started) / 1000 }
}

/** COPY text format: tab-separated, \N for null; our values hold no tab, newline or backslash. */
const copyField = (v: string | number | boolean | null) => (v === null ? '\\N' : String(v))

/** Seeds a fresh, migrated-on-open PostgreSQL database at `url` with `n` subscribers. */
export async function seedPostgres(url: string, n: number, now = Date.now()): Promise<SeedResult> {
  const started = performance.now()
  const { key, adminKey } = await seedTenant(url, now)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  let dispatches = 0
  try {
    const subs: string[] = []
    const dis: string[] = []
    const created = now - 400 * DAY
    generate(
      n,
      now,
      (s, caps) =>
        subs.push(
          [TENANT_ID, s.id, s.email, null, s.timezone, s.status, JSON.stringify(s.channels), JSON.stringify(s.topics),
            s.cap && JSON.stringify(s.cap), s.quietHours && JSON.stringify(s.quietHours), s.pausedUntil, caps, 0, created, created,
            s.status === 'unsubscribed' ? created : null].map(copyField).join('\t'),
        ),
      (sub, topic, channel, messageId, at) => {
        dis.push([TENANT_ID, sub, topic, channel, messageId, at, true, DECISION(sub, topic, channel), at].map(copyField).join('\t'))
        dispatches++
      },
    )
    const copy = async (statement: string, lines: string[]) => {
      const stream = await sql.unsafe(statement).writable()
      const CHUNK = 10_000
      for (let i = 0; i < lines.length; i += CHUNK) {
        const chunk = lines.slice(i, i + CHUNK).join('\n') + '\n'
        if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r))
      }
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())))
    }
    await copy(
      `COPY subscribers (tenant_id, id, email, locale, timezone, status, channels, topics, cap, quiet_hours, paused_until, has_caps, link_version, created_at, updated_at, unsubscribed_at) FROM STDIN`,
      subs,
    )
    await copy(`COPY dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at) FROM STDIN`, dis)
    // As check-and-reserve leaves them (see seedSqlite).
    await sql`UPDATE subscribers s SET recent_from = m.last - ${HISTORY_LOOKBACK_MS}
      FROM (SELECT subscriber_id, max(at) AS last FROM dispatches WHERE tenant_id = ${TENANT_ID} GROUP BY subscriber_id) m
      WHERE s.tenant_id = ${TENANT_ID} AND s.id = m.subscriber_id AND s.has_caps`
    await sql`UPDATE subscribers s SET recent_from = s.created_at - ${HISTORY_LOOKBACK_MS} WHERE s.tenant_id = ${TENANT_ID} AND s.has_caps AND s.recent_from IS NULL`
    await sql`UPDATE subscribers s SET recent = (SELECT coalesce(jsonb_agg(jsonb_build_array(d.topic, d.channel, d.at)), '[]'::jsonb) FROM dispatches d
      WHERE d.tenant_id = s.tenant_id AND d.subscriber_id = s.id AND d.at > s.recent_from) WHERE s.tenant_id = ${TENANT_ID} AND s.recent_from IS NOT NULL`
    await sql.unsafe('VACUUM ANALYZE subscribers')
    await sql.unsafe('VACUUM ANALYZE dispatches')
  } finally {
    await sql.end({ timeout: 5 })
  }
  return { key, adminKey, subscribers: n, dispatches, seconds: (performance.now() - started) / 1000 }
}
