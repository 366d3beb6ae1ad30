import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { HISTORY_LOOKBACK_MS, type Decision, type EngineSubscriber } from '@heed/shared'
import { consentChanged, consentView } from '../ledger/consent.ts'
import {
  decisionDataFrom,
  eventRow,
  replayOrConflict,
  settle,
  SharedReads,
  subscriberRow,
  toKey,
  toSubscriber,
  toTopic,
  type PendingReserve,
  type RawEngineSubscriber,
  type RawEngineTopic,
  type ReserveOutcome,
} from './common.ts'
import { newSigningKey, newerThan } from './ids.ts'
import { GENESIS_HASH } from '../ledger/chain.ts'
import * as schema from './schema.sqlite.ts'
import type {
  ApiKeyRecord,
  ChangeContext,
  ConsentEventRecord,
  DecisionData,
  DispatchRecord,
  DispatchRequest,
  NewApiKey,
  ReserveResult,
  SigningKeyRecord,
  Store,
  SubscriberChange,
  SubscriberRecord,
  SuppressionEntry,
  TenantRecord,
  TopicRecord,
} from './store.ts'

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url))

/** Opens (and migrates) a SQLite database: `file:./data/heed.db`, a path, or `:memory:`. */
export function openSqlite(url: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): SqliteStore {
  const path = url === ':memory:' || url === 'file::memory:' ? ':memory:' : resolve(url.replace(/^file:/, ''))
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  // In WAL mode, NORMAL writes every commit to the WAL file before the 2xx goes out: it
  // survives a crash or kill -9 of the server; only a power cut or OS crash can lose the
  // last commits. HEED_SQLITE_SYNCHRONOUS=FULL syncs every commit to the disk as well.
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  sqlite.pragma('foreign_keys = ON')
  tune(sqlite)
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder: MIGRATIONS })
  return new SqliteStore(sqlite, db, path === ':memory:' ? null : path)
}

/**
 * A second, read-only connection to a SQLite file another connection has opened and
 * migrated: the batch worker thread reads through it. In WAL mode it reads beside the
 * writer and every read transaction sees all that was committed before it began.
 */
export function openSqliteReader(path: string): SqliteStore {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true })
  tune(sqlite)
  return new SqliteStore(sqlite, drizzle(sqlite, { schema }), path)
}

function tune(sqlite: Database.Database) {
  sqlite.pragma('busy_timeout = 5000')
  // Read pages through a memory map instead of one read() system call per page missing from
  // SQLite's own cache (2 MiB by default): at 100,000 subscribers and more, most pages miss.
  // SQLite caps the map at its compile-time limit (2 GiB); the pages are the OS's file cache.
  sqlite.pragma('mmap_size = 2147418112')
  sqlite.pragma('cache_size = -65536')
}

/** One subscriber of a batch as the `batch` statement returns it. */
type BatchRow = [
  id: string,
  status: EngineSubscriber['status'],
  timezone: string | null,
  channels: EngineSubscriber['channels'],
  topics: EngineSubscriber['topics'],
  cap: EngineSubscriber['cap'],
  quietHours: EngineSubscriber['quietHours'],
  pausedUntil: number | null,
  history: Array<[topic: string, channel: string, at: number]> | null,
]

/** Reserves of every tenant share a group here: each carries its tenant. */
type QueuedReserve = PendingReserve & { tenantId: string }

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const
  readonly #sqlite: Database.Database
  readonly #db: BetterSQLite3Database<typeof schema>
  readonly #q
  readonly #reserveGroup: (group: readonly QueuedReserve[], outcomes: ReserveOutcome[]) => void
  readonly #readDecisionData: (tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) => DecisionData

  /** The database file, or null in memory. */
  readonly file: string | null

  constructor(sqlite: Database.Database, db: BetterSQLite3Database<typeof schema>, file: string | null) {
    this.file = file
    this.#sqlite = sqlite
    this.#db = db
    this.#readDecisionData = sqlite.transaction((tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) =>
      this.#decisionData(tenantId, subscriberIds, topicKeys, since),
    )
    this.#reserveGroup = sqlite.transaction((group: readonly QueuedReserve[], outcomes: ReserveOutcome[]) => {
      for (const p of group) {
        try {
          outcomes.push({ ok: true, value: this.#reserveOne(p.tenantId, p.req, p.decide) })
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll the whole transaction back: then
          // the group fails as one, none of it recorded.
          if (!sqlite.inTransaction) throw error
          outcomes.push({ ok: false, error })
        }
      }
    }).immediate
    this.#q = {
      auth: sqlite.prepare<[string], { key_id: string; role: 'admin' | 'sender'; name: string | null; prefix: string; key_created_at: number; tenant_id: string; settings: string; created_at: number; updated_at: number }>(`
        SELECT k.id AS key_id, k.role, k.name, k.prefix, k.created_at AS key_created_at,
               t.id AS tenant_id, t.settings, t.created_at, t.updated_at
        FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
        WHERE k.hash = ? AND k.revoked_at IS NULL`),
      single: sqlite.prepare<
        [{ tenant: string; subscriber: string; topic: string; since: number }],
        Omit<RawEngineSubscriber, 'id'> & { id: string | null; t_key: string | null; t_channels: string | null; t_default_subscribed: number | null; t_required: number | null; hist: string | null }
      >(`
        SELECT s.id, s.status, s.timezone, s.channels, s.topics, s.cap, s.quiet_hours, s.paused_until, s.has_caps,
               t.key AS t_key, t.channels AS t_channels, t.default_subscribed AS t_default_subscribed, t.required AS t_required,
               CASE WHEN s.has_caps THEN (
                 SELECT json_group_array(json_array(d.topic, d.channel, d.at)) FROM dispatches d
                 LEFT JOIN topics rt ON rt.tenant_id = d.tenant_id AND rt.key = d.topic
                 WHERE d.tenant_id = :tenant AND d.subscriber_id = :subscriber AND d.at > :since AND coalesce(rt.required, 0) = 0
               ) END AS hist
        FROM (SELECT 1)
        LEFT JOIN subscribers s ON s.tenant_id = :tenant AND s.id = :subscriber
        LEFT JOIN topics t ON t.tenant_id = :tenant AND t.key = :topic AND t.deleted_at IS NULL`),
      // A batch's subscribers and their counting history as one JSON text: one JSON.parse
      // instead of a row object per subscriber and per dispatch and a JSON.parse per column.
      // (A scalar subquery loses JSON's subtype, hence json(…) around the history.)
      batch: sqlite.prepare<{ tenant: string; ids: string; since: number }, { j: string }>(`
        SELECT json_group_array(json_array(
          s.id, s.status, s.timezone, json(s.channels), json(s.topics), json(s.cap), json(s.quiet_hours), s.paused_until,
          CASE WHEN s.has_caps THEN json((
            SELECT json_group_array(json_array(d.topic, d.channel, d.at)) FROM dispatches d
            LEFT JOIN topics rt ON rt.tenant_id = d.tenant_id AND rt.key = d.topic
            WHERE d.tenant_id = :tenant AND d.subscriber_id = s.id AND d.at > :since AND coalesce(rt.required, 0) = 0
          )) END
        )) AS j
        FROM subscribers s WHERE s.tenant_id = :tenant AND s.id IN (SELECT value FROM json_each(:ids))`),
      topics: sqlite.prepare<[string, string], RawEngineTopic>(
        'SELECT key, channels, default_subscribed, required FROM topics WHERE tenant_id = ? AND deleted_at IS NULL AND key IN (SELECT value FROM json_each(?))',
      ),
      dispatchByMessage: sqlite.prepare<[string, string], { subscriber_id: string; topic: string; channel: string; decision: string }>(
        'SELECT subscriber_id, topic, channel, decision FROM dispatches WHERE tenant_id = ? AND message_id = ?',
      ),
      insertDispatch: sqlite.prepare(
        `INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      knownOrigin: sqlite.prepare<[string], { one: number }>(
        `SELECT 1 AS one FROM tenants, json_each(tenants.settings, '$.allowedOrigins') o WHERE o.value = ? LIMIT 1`,
      ),
      lastEvent: sqlite.prepare<[string], { seq: number; hash: string }>(
        'SELECT seq, hash FROM consent_events WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1',
      ),
    }
  }

  async close() {
    // Reserves already queued are committed (or failed) before the connection goes.
    this.#flushReserves()
    if (this.#sqlite.open) this.#sqlite.close()
  }

  /** The underlying connection, for tests that tamper with rows directly. */
  get raw(): Database.Database {
    return this.#sqlite
  }

  async createTenant(tenant: TenantRecord, key: NewApiKey) {
    return this.#sqlite
      .transaction(() => {
        const done = this.#db.insert(schema.tenants).values(tenant).onConflictDoNothing().run()
        if (done.changes === 0) return false
        this.#db.insert(schema.apiKeys).values(key).run()
        return true
      })
      .immediate()
  }

  async getTenant(id: string) {
    return this.#db.select().from(schema.tenants).where(eq(schema.tenants.id, id)).get() ?? null
  }

  async updateTenant(id: string, settings: TenantRecord['settings'], at: number) {
    const rows = this.#db
      .update(schema.tenants)
      .set({ settings, updatedAt: at })
      .where(eq(schema.tenants.id, id))
      .returning()
      .all()
    return rows[0] ?? null
  }

  async authenticate(hash: string) {
    const r = this.#q.auth.get(hash)
    if (!r) return null
    return {
      key: { id: r.key_id, tenantId: r.tenant_id, role: r.role, name: r.name, prefix: r.prefix, createdAt: r.key_created_at, revokedAt: null },
      tenant: { id: r.tenant_id, settings: JSON.parse(r.settings), createdAt: r.created_at, updatedAt: r.updated_at },
    }
  }

  async createApiKey(key: NewApiKey) {
    this.#db.insert(schema.apiKeys).values(key).run()
  }

  async listApiKeys(tenantId: string) {
    return this.#db
      .select()
      .from(schema.apiKeys)
      .where(eq(schema.apiKeys.tenantId, tenantId))
      .orderBy(asc(schema.apiKeys.createdAt), asc(schema.apiKeys.id))
      .all()
      .map(toKey)
  }

  async revokeApiKey(tenantId: string, id: string, at: number) {
    return this.#sqlite
      .transaction(() => {
        const where = and(eq(schema.apiKeys.tenantId, tenantId), eq(schema.apiKeys.id, id))
        this.#db
          .update(schema.apiKeys)
          .set({ revokedAt: at })
          .where(and(where, isNull(schema.apiKeys.revokedAt)))
          .run()
        const row = this.#db.select().from(schema.apiKeys).where(where).get()
        return row ? toKey(row) : null
      })
      .immediate()
  }

  async putTopic(tenantId: string, topic: TopicRecord) {
    return this.#sqlite
      .transaction(() => {
        const existing = this.#db
          .select()
          .from(schema.topics)
          .where(and(eq(schema.topics.tenantId, tenantId), eq(schema.topics.key, topic.key)))
          .get()
        const live = existing && existing.deletedAt === null
        const row = { ...topic, tenantId, createdAt: live ? existing.createdAt : topic.createdAt, deletedAt: null }
        this.#db
          .insert(schema.topics)
          .values(row)
          .onConflictDoUpdate({ target: [schema.topics.tenantId, schema.topics.key], set: row })
          .run()
        return { topic: toTopic(row), created: !live }
      })
      .immediate()
  }

  async getTopic(tenantId: string, key: string) {
    const row = this.#db
      .select()
      .from(schema.topics)
      .where(and(eq(schema.topics.tenantId, tenantId), eq(schema.topics.key, key), isNull(schema.topics.deletedAt)))
      .get()
    return row ? toTopic(row) : null
  }

  async listTopics(tenantId: string) {
    return this.#db
      .select()
      .from(schema.topics)
      .where(and(eq(schema.topics.tenantId, tenantId), isNull(schema.topics.deletedAt)))
      .orderBy(asc(schema.topics.order), asc(schema.topics.key))
      .all()
      .map(toTopic)
  }

  async deleteTopic(tenantId: string, key: string, at: number) {
    const done = this.#db
      .update(schema.topics)
      .set({ deletedAt: at, updatedAt: at })
      .where(and(eq(schema.topics.tenantId, tenantId), eq(schema.topics.key, key), isNull(schema.topics.deletedAt)))
      .run()
    return done.changes > 0
  }

  #subscriberRow(tenantId: string, id: string) {
    return this.#db
      .select()
      .from(schema.subscribers)
      .where(and(eq(schema.subscribers.tenantId, tenantId), eq(schema.subscribers.id, id)))
      .get()
  }

  async getSubscriber(tenantId: string, id: string) {
    const row = this.#subscriberRow(tenantId, id)
    return row ? toSubscriber(row) : null
  }

  async changeSubscriber(tenantId: string, id: string, change: SubscriberChange, ctx: ChangeContext) {
    return this.#sqlite
      .transaction(() => {
        const row = this.#subscriberRow(tenantId, id)
        const before = row ? toSubscriber(row) : null
        const next = change(before)
        const changed = consentChanged(before, next)
        this.#liftSuppressions(tenantId, ctx.unsuppress)
        if (before && !changed) {
          // An unsubscribe reason given after the fact is still worth keeping.
          if (ctx.reason) this.#appendEvent(tenantId, { subscriberId: id, type: 'subscriber.reason_given', before: null, after: consentView(before), ctx })
          return { subscriber: before, created: false, changed: false }
        }
        const values = subscriberRow(tenantId, row ?? null, next, ctx.at)
        this.#db
          .insert(schema.subscribers)
          .values(values)
          .onConflictDoUpdate({ target: [schema.subscribers.tenantId, schema.subscribers.id], set: values })
          .run()
        this.#appendEvent(tenantId, {
          subscriberId: id,
          type: before ? 'subscriber.updated' : 'subscriber.created',
          before: before && consentView(before),
          after: consentView(next),
          ctx,
        })
        return { subscriber: toSubscriber(values), created: !before, changed: true }
      })
      .immediate()
  }

  #appendEvent(tenantId: string, e: Parameters<typeof eventRow>[3]) {
    this.#db.insert(schema.consentEvents).values(eventRow(tenantId, this.#q.lastEvent.get(tenantId), GENESIS_HASH, e)).run()
  }

  #liftSuppressions(tenantId: string, hashes: readonly string[] | undefined) {
    if (!hashes?.length) return
    this.#db
      .delete(schema.suppressions)
      .where(and(eq(schema.suppressions.tenantId, tenantId), inArray(schema.suppressions.hash, [...hashes])))
      .run()
  }

  #decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): DecisionData {
    const q = this.#q
    if (subscriberIds.length === 1 && topicKeys.length === 1) {
      // One statement for a single check: one round of file locks, one consistent read.
      const row = q.single.get({ tenant: tenantId, subscriber: subscriberIds[0]!, topic: topicKeys[0]!, since })!
      const subs = row.id === null ? [] : [row as RawEngineSubscriber]
      const tops = row.t_key === null ? [] : [{ key: row.t_key, channels: row.t_channels!, default_subscribed: row.t_default_subscribed!, required: row.t_required! }]
      const hist = row.hist === null ? [] : (JSON.parse(row.hist) as Array<[string, string, number]>).map(([topic, channel, at]) => ({ subscriber_id: row.id!, topic, channel, at }))
      return decisionDataFrom(subs, tops, hist)
    }
    const { j } = q.batch.get({ tenant: tenantId, ids: JSON.stringify([...new Set(subscriberIds)]), since })!
    const data = decisionDataFrom([], q.topics.all(tenantId, JSON.stringify([...new Set(topicKeys)])), [])
    for (const [id, status, timezone, channels, topics, cap, quietHours, pausedUntil, hist] of JSON.parse(j) as BatchRow[]) {
      data.subscribers.set(id, { id, status, timezone, channels, topics, cap, quietHours, pausedUntil })
      if (hist) data.history.set(id, hist.map(([topic, channel, at]) => ({ topic, channel, at })))
    }
    return data
  }

  /**
   * A single check shares its read with the others of its turn (see SharedReads): one
   * statement when it is alone; for several, one transaction of two statements, as a batch.
   */
  async decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) {
    if (subscriberIds.length === 1 && topicKeys.length === 1) return this.#sharedReads.read(tenantId, subscriberIds[0]!, topicKeys[0]!, since)
    // A batch reads in one transaction: one consistent snapshot for all its statements.
    return this.#readDecisionData(tenantId, subscriberIds, topicKeys, since)
  }

  readonly #sharedReads = new SharedReads((tenantId, subscriberIds, topicKeys, since) =>
    subscriberIds.length === 1 && topicKeys.length === 1
      ? this.#decisionData(tenantId, subscriberIds, topicKeys, since)
      : this.#readDecisionData(tenantId, subscriberIds, topicKeys, since),
  )

  /**
   * Check-and-reserve with group commit: reserves arriving in the same turn of the event loop
   * are queued and run one after another, in arrival order, inside one IMMEDIATE transaction,
   * each seeing the ones before it. Every reserve still reads, decides and writes on its own;
   * only the transaction (its file locks and WAL append) is shared. Each promise settles after
   * the commit, so a 2xx is never sent for a reserve that is not on disk, and a failed commit
   * fails every reserve of its group, none recorded.
   */
  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult> {
    return new Promise((resolve, reject) => {
      this.#pendingReserves.push({ tenantId, req, decide, resolve, reject })
      if (this.#pendingReserves.length === 1) setImmediate(this.#flushReserves)
    })
  }

  #pendingReserves: QueuedReserve[] = []

  readonly #flushReserves = () => {
    const group = this.#pendingReserves
    this.#pendingReserves = []
    if (group.length === 0) return
    const outcomes: ReserveOutcome[] = []
    try {
      this.#reserveGroup(group, outcomes)
    } catch (error) {
      for (const p of group) p.reject(error)
      return
    }
    settle(group, outcomes)
  }

  #reserveOne(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): ReserveResult {
    const q = this.#q
    const prior = q.dispatchByMessage.get(tenantId, req.messageId)
    if (prior) return replayOrConflict({ ...prior, decision: JSON.parse(prior.decision) }, req)
    const since = req.at - HISTORY_LOOKBACK_MS
    const decision = decide(this.#decisionData(tenantId, [req.subscriberId], [req.topic], since))
    if (req.enforce && !decision.allowed) return { kind: 'refused', decision }
    // One write statement: if it fails, SQLite undoes just this statement and the rest of the
    // group goes on.
    q.insertDispatch.run(tenantId, req.subscriberId, req.topic, req.channel, req.messageId, req.at, req.enforce ? 1 : 0, JSON.stringify(decision), Date.now())
    return { kind: 'recorded', decision }
  }

  async listEvents(tenantId: string, opts: { subscriberId?: string; after?: number; limit: number }) {
    const t = schema.consentEvents
    return this.#db
      .select()
      .from(t)
      .where(
        and(
          eq(t.tenantId, tenantId),
          opts.subscriberId === undefined ? undefined : eq(t.subscriberId, opts.subscriberId),
          opts.after === undefined ? undefined : gt(t.seq, opts.after),
        ),
      )
      .orderBy(asc(t.seq))
      .limit(opts.limit)
      .all() as ConsentEventRecord[]
  }

  async listDispatches(tenantId: string, subscriberId: string): Promise<DispatchRecord[]> {
    const d = schema.dispatches
    return this.#db
      .select({
        subscriberId: d.subscriberId,
        topic: d.topic,
        channel: d.channel,
        messageId: d.messageId,
        at: d.at,
        enforced: d.enforced,
        decision: d.decision,
        createdAt: d.createdAt,
      })
      .from(d)
      .where(and(eq(d.tenantId, tenantId), eq(d.subscriberId, subscriberId)))
      .orderBy(asc(d.at), asc(d.seq))
      .all() as DispatchRecord[]
  }

  async currentSigningKey(tenantId: string, at: number): Promise<SigningKeyRecord> {
    return this.#sqlite
      .transaction(() => {
        const k = schema.signingKeys
        const found = this.#db
          .select()
          .from(k)
          .where(and(eq(k.tenantId, tenantId), or(isNull(k.retiresAt), gt(k.retiresAt, at))))
          .orderBy(desc(k.createdAt), desc(k.kid))
          .limit(1)
          .get()
        if (found) return found
        const key = newSigningKey(tenantId, at)
        this.#db.insert(k).values(key).run()
        return key
      })
      .immediate()
  }

  async getSigningKey(kid: string) {
    return this.#db.select().from(schema.signingKeys).where(eq(schema.signingKeys.kid, kid)).get() ?? null
  }

  async rotateSigningKey(key: SigningKeyRecord, retireAt: number) {
    const k = schema.signingKeys
    this.#sqlite
      .transaction(() => {
        const [latest] = this.#db.select({ createdAt: k.createdAt }).from(k).where(eq(k.tenantId, key.tenantId)).orderBy(desc(k.createdAt)).limit(1).all()
        key = newerThan(key, latest?.createdAt)
        this.#db
          .update(k)
          .set({ retiresAt: retireAt })
          .where(and(eq(k.tenantId, key.tenantId), or(isNull(k.retiresAt), gt(k.retiresAt, retireAt))))
          .run()
        this.#db.insert(k).values(key).run()
      })
      .immediate()
  }

  async revokeLinks(tenantId: string, subscriberId: string, at: number) {
    const s = schema.subscribers
    const rows = this.#db
      .update(s)
      .set({ linkVersion: sql`${s.linkVersion} + 1`, updatedAt: at })
      .where(and(eq(s.tenantId, tenantId), eq(s.id, subscriberId)))
      .returning()
      .all()
    return rows[0] ? toSubscriber(rows[0]) : null
  }

  async isSuppressed(tenantId: string, hashes: readonly string[]) {
    if (hashes.length === 0) return false
    const sup = schema.suppressions
    const row = this.#db
      .select({ hash: sup.hash })
      .from(sup)
      .where(and(eq(sup.tenantId, tenantId), inArray(sup.hash, [...hashes])))
      .limit(1)
      .get()
    return row !== undefined
  }

  async eraseSubscriber(tenantId: string, id: string, suppress: readonly SuppressionEntry[], ctx: ChangeContext) {
    return this.#sqlite
      .transaction(() => {
        const s = schema.subscribers
        const gone = this.#db.delete(s).where(and(eq(s.tenantId, tenantId), eq(s.id, id))).run()
        if (gone.changes === 0) return false
        const d = schema.dispatches
        this.#db.delete(d).where(and(eq(d.tenantId, tenantId), eq(d.subscriberId, id))).run()
        const e = schema.consentEvents
        this.#db
          .update(e)
          .set({ subscriberId: null, actor: null, before: null, after: null, reason: null, userAgent: null, erasedAt: ctx.at })
          .where(and(eq(e.tenantId, tenantId), eq(e.subscriberId, id)))
          .run()
        for (const entry of suppress) {
          this.#db
            .insert(schema.suppressions)
            .values({ tenantId, ...entry, createdAt: ctx.at })
            .onConflictDoNothing()
            .run()
        }
        this.#appendEvent(tenantId, { subscriberId: null, type: 'subscriber.erased', before: null, after: null, ctx })
        return true
      })
      .immediate()
  }

  async isKnownOrigin(origin: string) {
    return this.#q.knownOrigin.get(origin) !== undefined
  }
}
