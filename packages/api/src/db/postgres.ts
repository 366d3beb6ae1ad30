import { fileURLToPath } from 'node:url'
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { HISTORY_LOOKBACK_MS, type Decision } from '@heed/shared'
import {
  decisionDataFrom,
  eventRow,
  hasCaps,
  replayOrConflict,
  settle,
  SharedReads,
  subscriberRow,
  toKey,
  toSubscriber,
  toTopic,
  type PendingReserve,
  type PriorDispatch,
  type RawDispatch,
  type RawEngineSubscriber,
  type RawEngineTopic,
  type ReserveOutcome,
} from './common.ts'
import { consentChanged, consentView } from '../ledger/consent.ts'
import { newSigningKey, newerThan } from './ids.ts'
import { GENESIS_HASH } from '../ledger/chain.ts'
import * as schema from './schema.pg.ts'
import type {
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

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/pg', import.meta.url))

type Db = PostgresJsDatabase<typeof schema>
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** Two 32-bit keys for pg_advisory locks: one namespace for Heed, one per purpose/tenant. */
const LOCK_NAMESPACE = 0x48454544 // "HEED"

export interface PostgresOptions {
  /** Connections in this process's pool. */
  poolSize?: number
}

/**
 * Opens a PostgreSQL store and runs migrations under an advisory lock, so any number of
 * processes may start at once.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
  // One connection holds the session lock while it migrates; other processes wait for it.
  const migrator = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await migrator`SELECT pg_advisory_lock(${LOCK_NAMESPACE}, 0)`
    await migrate(drizzle(migrator, { schema }), { migrationsFolder: MIGRATIONS })
  } finally {
    await migrator.end({ timeout: 5 })
  }
  return openPostgresReader(url, options.poolSize ?? 10)
}

/** A store on an already migrated database: the batch worker thread's, with a pool of its own. */
export function openPostgresReader(url: string, poolSize: number): PostgresStore {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    connection: { application_name: 'heed' },
  })
  return new PostgresStore(client, drizzle(client, { schema }), url)
}

const jsonList = (values: readonly string[]) => JSON.stringify([...new Set(values)])

/** Reserves decided in one transaction, at most. */
const MAX_GROUP = 256

/** A recorded dispatch found by its messageId. */
type PriorRow = PriorDispatch & { message_id: string }

/** The dispatches recorded under these messageIds. */
const recordedUnder = (c: postgres.ReservedSql, tenantId: string, messageIds: readonly string[]) =>
  c<PriorRow[]>`
    SELECT message_id, subscriber_id, topic, channel, decision FROM dispatches
    WHERE tenant_id = ${tenantId} AND message_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${jsonList(messageIds)}::jsonb)))`

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const
  readonly #client: postgres.Sql
  readonly #db: Db
  /** The connection URL (the batch worker thread opens its own pool with it). */
  readonly url: string

  constructor(client: postgres.Sql, db: Db, url: string) {
    this.#client = client
    this.#db = db
    this.url = url
  }

  async close() {
    await this.#client.end({ timeout: 5 })
  }

  /** The connection pool, for tests that tamper with rows directly. */
  get raw(): postgres.Sql {
    return this.#client
  }

  async createTenant(tenant: TenantRecord, key: NewApiKey) {
    return this.#db.transaction(async (tx) => {
      const done = await tx.insert(schema.tenants).values(tenant).onConflictDoNothing().returning({ id: schema.tenants.id })
      if (done.length === 0) return false
      await tx.insert(schema.apiKeys).values(key)
      return true
    })
  }

  async getTenant(id: string) {
    const [row] = await this.#db.select().from(schema.tenants).where(eq(schema.tenants.id, id))
    return row ?? null
  }

  async updateTenant(id: string, settings: TenantRecord['settings'], at: number) {
    const [row] = await this.#db.update(schema.tenants).set({ settings, updatedAt: at }).where(eq(schema.tenants.id, id)).returning()
    return row ?? null
  }

  async authenticate(hash: string) {
    const k = schema.apiKeys
    const t = schema.tenants
    const [row] = await this.#db
      .select({ key: k, tenant: t })
      .from(k)
      .innerJoin(t, eq(t.id, k.tenantId))
      .where(and(eq(k.hash, hash), isNull(k.revokedAt)))
    return row ? { key: toKey(row.key), tenant: row.tenant } : null
  }

  async createApiKey(key: NewApiKey) {
    await this.#db.insert(schema.apiKeys).values(key)
  }

  async listApiKeys(tenantId: string) {
    const k = schema.apiKeys
    const rows = await this.#db.select().from(k).where(eq(k.tenantId, tenantId)).orderBy(asc(k.createdAt), asc(k.id))
    return rows.map(toKey)
  }

  async revokeApiKey(tenantId: string, id: string, at: number) {
    const k = schema.apiKeys
    const where = and(eq(k.tenantId, tenantId), eq(k.id, id))
    await this.#db.update(k).set({ revokedAt: at }).where(and(where, isNull(k.revokedAt)))
    const [row] = await this.#db.select().from(k).where(where)
    return row ? toKey(row) : null
  }

  async putTopic(tenantId: string, topic: TopicRecord) {
    const t = schema.topics
    return this.#db.transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(t)
        .where(and(eq(t.tenantId, tenantId), eq(t.key, topic.key)))
        .for('update')
      const live = existing !== undefined && existing.deletedAt === null
      const row = { ...topic, tenantId, createdAt: live ? existing.createdAt : topic.createdAt, deletedAt: null }
      await tx.insert(t).values(row).onConflictDoUpdate({ target: [t.tenantId, t.key], set: row })
      return { topic: toTopic(row), created: !live }
    })
  }

  async getTopic(tenantId: string, key: string) {
    const t = schema.topics
    const [row] = await this.#db
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.key, key), isNull(t.deletedAt)))
    return row ? toTopic(row) : null
  }

  async listTopics(tenantId: string) {
    const t = schema.topics
    const rows = await this.#db
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), isNull(t.deletedAt)))
      .orderBy(asc(t.order), asc(t.key))
    return rows.map(toTopic)
  }

  async deleteTopic(tenantId: string, key: string, at: number) {
    const t = schema.topics
    const rows = await this.#db
      .update(t)
      .set({ deletedAt: at, updatedAt: at })
      .where(and(eq(t.tenantId, tenantId), eq(t.key, key), isNull(t.deletedAt)))
      .returning({ key: t.key })
    return rows.length > 0
  }

  async getSubscriber(tenantId: string, id: string) {
    const s = schema.subscribers
    const [row] = await this.#db
      .select()
      .from(s)
      .where(and(eq(s.tenantId, tenantId), eq(s.id, id)))
    return row ? toSubscriber(row) : null
  }

  /** Serialises a tenant's consent changes: the hash chain needs one writer at a time. */
  async #lockLedger(tx: Tx, tenantId: string) {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${tenantId}))`)
  }

  async #appendEvent(tx: Tx, tenantId: string, e: Parameters<typeof eventRow>[3]) {
    const c = schema.consentEvents
    const [last] = await tx.select({ seq: c.seq, hash: c.hash }).from(c).where(eq(c.tenantId, tenantId)).orderBy(desc(c.seq)).limit(1)
    await tx.insert(c).values(eventRow(tenantId, last, GENESIS_HASH, e))
  }

  async #liftSuppressions(tx: Tx, tenantId: string, hashes: readonly string[] | undefined) {
    if (!hashes?.length) return
    const sup = schema.suppressions
    await tx.delete(sup).where(and(eq(sup.tenantId, tenantId), inArray(sup.hash, [...hashes])))
  }

  async changeSubscriber(tenantId: string, id: string, change: SubscriberChange, ctx: ChangeContext) {
    const s = schema.subscribers
    return this.#db.transaction(async (tx) => {
      await this.#lockLedger(tx, tenantId)
      const [row] = await tx
        .select()
        .from(s)
        .where(and(eq(s.tenantId, tenantId), eq(s.id, id)))
        .for('update')
      const before = row ? toSubscriber(row) : null
      const next = change(before)
      await this.#liftSuppressions(tx, tenantId, ctx.unsuppress)
      if (before && !consentChanged(before, next)) {
        // An unsubscribe reason given after the fact is still worth keeping.
        if (ctx.reason) await this.#appendEvent(tx, tenantId, { subscriberId: id, type: 'subscriber.reason_given', before: null, after: consentView(before), ctx })
        return { subscriber: before, created: false, changed: false }
      }
      const values = subscriberRow(tenantId, row ?? null, next, ctx.at)
      await tx.insert(s).values(values).onConflictDoUpdate({ target: [s.tenantId, s.id], set: values })
      await this.#appendEvent(tx, tenantId, {
        subscriberId: id,
        type: before ? 'subscriber.updated' : 'subscriber.created',
        before: before && consentView(before),
        after: consentView(next),
        ctx,
      })
      return { subscriber: toSubscriber(values), created: !before, changed: true }
    })
  }

  /**
   * Everything a set of decisions needs, in one round trip. The hot paths (check, reserve) use
   * postgres.js's own tagged templates, which it prepares once per connection; drizzle's
   * `execute` sends an unnamed statement that PostgreSQL parses and plans on every call.
   */
  async #decisionData(q: postgres.Sql | postgres.TransactionSql, tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): Promise<DecisionData> {
    const ids = jsonList(subscriberIds)
    const keys = jsonList(topicKeys)
    const [r] = await q<[{ subs: RawEngineSubscriber[] | null; tops: RawEngineTopic[] | null; hist: RawDispatch[] | null }]>`
      WITH subs AS (
        -- "= ANY(ARRAY(…))" is an index condition whatever the planner guesses of the list's
        -- length; a join against the list's rows was planned as a scan of every subscriber
        -- of the tenant while the table was small, which grows with the table.
        SELECT s.id, s.status, s.timezone, s.channels, s.topics, s.cap, s.quiet_hours, s.paused_until, s.has_caps
        FROM subscribers s WHERE s.tenant_id = ${tenantId} AND s.id = ANY(ARRAY(SELECT jsonb_array_elements_text(${ids}::jsonb)))
      )
      SELECT
        (SELECT json_agg(subs) FROM subs) AS subs,
        (SELECT json_agg(t) FROM (
          SELECT key, channels, default_subscribed, required FROM topics
          WHERE tenant_id = ${tenantId} AND deleted_at IS NULL
            AND key = ANY(ARRAY(SELECT jsonb_array_elements_text(${keys}::jsonb)))
        ) t) AS tops,
        (SELECT json_agg(h) FROM (
          SELECT d.subscriber_id, d.topic, d.channel, d.at FROM dispatches d
          JOIN subs ON subs.id = d.subscriber_id AND subs.has_caps
          WHERE d.tenant_id = ${tenantId} AND d.at > ${since}
            -- Dispatches of required topics never count, deleted topics included. One list
            -- for the statement instead of a topic lookup per dispatch (10 % of a batch).
            AND d.topic <> ALL(ARRAY(SELECT key FROM topics WHERE tenant_id = ${tenantId} AND required))
        ) h) AS hist`
    return decisionDataFrom(r?.subs ?? [], r?.tops ?? [], r?.hist ?? [])
  }

  /** A single check shares its read with the others of its turn (see SharedReads). */
  async decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) {
    if (subscriberIds.length === 1 && topicKeys.length === 1) return this.#sharedReads.read(tenantId, subscriberIds[0]!, topicKeys[0]!, since)
    return this.#decisionData(this.#client, tenantId, subscriberIds, topicKeys, since)
  }

  readonly #sharedReads = new SharedReads((tenantId, subscriberIds, topicKeys, since) => this.#decisionData(this.#client, tenantId, subscriberIds, topicKeys, since))

  /**
   * Check-and-reserve with group commit. A tenant's reserves that arrive in the same turn of
   * the event loop, or while its previous group is at work, share one transaction on one
   * connection, in two round trips:
   *
   * 1. BEGIN, the row locks of all their subscribers (in id order, so groups never deadlock),
   *    the messageId lookup and the decision read, sent together. PostgreSQL still runs them
   *    one after another: every read starts after the locks are held.
   * 2. Each reserve is decided in arrival order, seeing the ones before it (a dispatch recorded
   *    for a subscriber counts against the caps of the next reserve of that subscriber; a
   *    repeated messageId replays or conflicts). Then one INSERT of the recorded dispatches and
   *    COMMIT, sent together.
   *
   * Every answer waits for COMMIT, and a failed statement fails the whole group with nothing
   * recorded.
   */
  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult> {
    return new Promise((resolve, reject) => {
      let waiting = this.#pendingReserves.get(tenantId)
      if (!waiting) this.#pendingReserves.set(tenantId, (waiting = []))
      waiting.push({ req, decide, resolve, reject })
      if (waiting.length === 1 && !this.#reserving.has(tenantId)) setImmediate(() => this.#flushReserves(tenantId))
    })
  }

  /** Reserves waiting for their tenant's next group. */
  readonly #pendingReserves = new Map<string, PendingReserve[]>()
  /** Tenants with a group at work. */
  readonly #reserving = new Set<string>()

  /**
   * Starts a tenant's waiting reserves as one group, unless its previous group is still at
   * work: then they wait for it and go in the next, larger group. (One group at a time per
   * tenant measured best: groups of the same subscribers only queue for each other's locks.)
   */
  #flushReserves(tenantId: string) {
    const waiting = this.#pendingReserves.get(tenantId)
    if (!waiting || this.#reserving.has(tenantId)) return
    const group = waiting.splice(0, MAX_GROUP)
    if (waiting.length === 0) this.#pendingReserves.delete(tenantId)
    this.#reserving.add(tenantId)
    void this.#reserveGroup(tenantId, group).finally(() => {
      this.#reserving.delete(tenantId)
      this.#flushReserves(tenantId)
    })
  }

  async #reserveGroup(tenantId: string, group: readonly PendingReserve[]) {
    const subscriberIds = [...new Set(group.map((p) => p.req.subscriberId))].sort()
    const topicKeys = [...new Set(group.map((p) => p.req.topic))]
    const messageIds = group.map((p) => p.req.messageId)
    const since = Math.min(...group.map((p) => p.req.at)) - HISTORY_LOOKBACK_MS
    const outcomes: ReserveOutcome[] = []
    const c = await this.#client.reserve().catch((error: unknown) => {
      for (const p of group) p.reject(error)
      return null
    })
    if (!c) return
    let open = true
    try {
      // postgres.js sends a query when it is first awaited or executed: `execute()` fixes the
      // order, so the reads go out behind the locks.
      const begun = c`BEGIN`.execute()
      const locked = c`
        SELECT 1 FROM subscribers
        WHERE tenant_id = ${tenantId} AND id = ANY(ARRAY(SELECT jsonb_array_elements_text(${jsonList(subscriberIds)}::jsonb)))
        ORDER BY id FOR UPDATE`.execute()
      const earlier = recordedUnder(c, tenantId, messageIds).execute()
      // Dispatches of required topics never count, deleted topics included, as in the read.
      const required = c<{ key: string }[]>`
        SELECT key FROM topics WHERE tenant_id = ${tenantId} AND required
          AND key = ANY(ARRAY(SELECT jsonb_array_elements_text(${jsonList(topicKeys)}::jsonb)))`.execute()
      const [, , priors, requiredRows, data] = await Promise.all([begun, locked, earlier, required, this.#decisionData(c, tenantId, subscriberIds, topicKeys, since)])

      const recorded = new Map<string, PriorDispatch>(priors.map((r) => [r.message_id, r]))
      const requiredTopics = new Set(requiredRows.map((r) => r.key))
      const inserts: Array<[string, string, string, string, number, boolean, Decision]> = []
      for (const { req, decide } of group) {
        const prior = recorded.get(req.messageId)
        if (prior) {
          outcomes.push({ ok: true, value: replayOrConflict(prior, req) })
          continue
        }
        let decision: Decision
        try {
          decision = decide(data)
        } catch (error) {
          outcomes.push({ ok: false, error })
          continue
        }
        if (req.enforce && !decision.allowed) {
          outcomes.push({ ok: true, value: { kind: 'refused', decision } })
          continue
        }
        recorded.set(req.messageId, { subscriber_id: req.subscriberId, topic: req.topic, channel: req.channel, decision })
        inserts.push([req.subscriberId, req.topic, req.channel, req.messageId, req.at, req.enforce, decision])
        const subscriber = data.subscribers.get(req.subscriberId)
        if (subscriber && hasCaps(subscriber) && !requiredTopics.has(req.topic)) {
          const history = data.history.get(req.subscriberId)
          const dispatch = { topic: req.topic, channel: req.channel, at: req.at }
          if (history) history.push(dispatch)
          else data.history.set(req.subscriberId, [dispatch])
        }
        outcomes.push({ ok: true, value: { kind: 'recorded', decision } })
      }

      let missing = new Set<string>()
      if (inserts.length === 0) await c`COMMIT`
      else {
        const insert = c<{ message_id: string }[]>`
          INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at)
          SELECT ${tenantId}, r->>0, r->>1, r->>2, r->>3, (r->>4)::bigint, (r->>5)::boolean, r->6, ${Date.now()}
          FROM jsonb_array_elements(${JSON.stringify(inserts)}::jsonb) AS r
          ON CONFLICT DO NOTHING RETURNING message_id`.execute()
        const [inserted] = await Promise.all([insert, c`COMMIT`.execute()])
        missing = new Set(inserts.map((r) => r[3]))
        for (const r of inserted) missing.delete(r.message_id)
      }
      open = false
      if (missing.size > 0) await this.#answerTheirs(c, tenantId, group, outcomes, missing)
    } catch (error) {
      // A failed statement aborts the transaction, and a COMMIT sent behind it rolls it back;
      // ROLLBACK covers the rest (a harmless notice when nothing is open).
      if (open) await c`ROLLBACK`.catch(() => {})
      c.release()
      for (const p of group) p.reject(error)
      return
    }
    c.release()
    settle(group, outcomes)
  }

  /**
   * The reserves whose INSERT found their messageId taken: another process committed it
   * first. They answer with what it recorded: a replay when it is the same dispatch.
   */
  async #answerTheirs(c: postgres.ReservedSql, tenantId: string, group: readonly PendingReserve[], outcomes: ReserveOutcome[], missing: ReadonlySet<string>) {
    // Those recorded here, and those of the group that replayed or conflicted with them.
    const mine = (req: DispatchRequest, i: number) => {
      const o = outcomes[i]!
      return o.ok && o.value.kind !== 'refused' && missing.has(req.messageId)
    }
    try {
      const theirs = await recordedUnder(c, tenantId, [...missing])
      const byMessage = new Map(theirs.map((r) => [r.message_id, r]))
      group.forEach(({ req }, i) => {
        if (!mine(req, i)) return
        const prior = byMessage.get(req.messageId)
        outcomes[i] = { ok: true, value: prior ? replayOrConflict(prior, req) : { kind: 'conflict' } }
      })
    } catch (error) {
      // The rest of the group is committed and answers as recorded.
      group.forEach(({ req }, i) => {
        if (mine(req, i)) outcomes[i] = { ok: false, error }
      })
    }
  }

  async listEvents(tenantId: string, opts: { subscriberId?: string; after?: number; limit: number }) {
    const t = schema.consentEvents
    return (await this.#db
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
      .limit(opts.limit)) as ConsentEventRecord[]
  }

  async listDispatches(tenantId: string, subscriberId: string): Promise<DispatchRecord[]> {
    const d = schema.dispatches
    return (await this.#db
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
      .orderBy(asc(d.at), asc(d.seq))) as DispatchRecord[]
  }

  async currentSigningKey(tenantId: string, at: number): Promise<SigningKeyRecord> {
    const k = schema.signingKeys
    const active = and(eq(k.tenantId, tenantId), or(isNull(k.retiresAt), gt(k.retiresAt, at)))
    const [found] = await this.#db.select().from(k).where(active).orderBy(desc(k.createdAt), desc(k.kid)).limit(1)
    if (found) return found
    return this.#db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${'sig:' + tenantId}))`)
      const [again] = await tx.select().from(k).where(active).orderBy(desc(k.createdAt), desc(k.kid)).limit(1)
      if (again) return again
      const key = newSigningKey(tenantId, at)
      await tx.insert(k).values(key)
      return key
    })
  }

  async getSigningKey(kid: string) {
    const [row] = await this.#db.select().from(schema.signingKeys).where(eq(schema.signingKeys.kid, kid))
    return row ?? null
  }

  async rotateSigningKey(key: SigningKeyRecord, retireAt: number) {
    const k = schema.signingKeys
    await this.#db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${'sig:' + key.tenantId}))`)
      const [latest] = await tx.select({ createdAt: k.createdAt }).from(k).where(eq(k.tenantId, key.tenantId)).orderBy(desc(k.createdAt)).limit(1)
      key = newerThan(key, latest?.createdAt)
      await tx
        .update(k)
        .set({ retiresAt: retireAt })
        .where(and(eq(k.tenantId, key.tenantId), or(isNull(k.retiresAt), gt(k.retiresAt, retireAt))))
      await tx.insert(k).values(key)
    })
  }

  async revokeLinks(tenantId: string, subscriberId: string, at: number) {
    const s = schema.subscribers
    const [row] = await this.#db
      .update(s)
      .set({ linkVersion: sql`${s.linkVersion} + 1`, updatedAt: at })
      .where(and(eq(s.tenantId, tenantId), eq(s.id, subscriberId)))
      .returning()
    return row ? toSubscriber(row) : null
  }

  async isSuppressed(tenantId: string, hashes: readonly string[]) {
    if (hashes.length === 0) return false
    const sup = schema.suppressions
    const rows = await this.#db
      .select({ hash: sup.hash })
      .from(sup)
      .where(and(eq(sup.tenantId, tenantId), inArray(sup.hash, [...hashes])))
      .limit(1)
    return rows.length > 0
  }

  async eraseSubscriber(tenantId: string, id: string, suppress: readonly SuppressionEntry[], ctx: ChangeContext) {
    return this.#db.transaction(async (tx) => {
      await this.#lockLedger(tx, tenantId)
      const s = schema.subscribers
      const gone = await tx
        .delete(s)
        .where(and(eq(s.tenantId, tenantId), eq(s.id, id)))
        .returning({ id: s.id })
      if (gone.length === 0) return false
      const d = schema.dispatches
      await tx.delete(d).where(and(eq(d.tenantId, tenantId), eq(d.subscriberId, id)))
      const e = schema.consentEvents
      await tx
        .update(e)
        .set({ subscriberId: null, actor: null, before: null, after: null, reason: null, userAgent: null, erasedAt: ctx.at })
        .where(and(eq(e.tenantId, tenantId), eq(e.subscriberId, id)))
      if (suppress.length > 0) {
        await tx
          .insert(schema.suppressions)
          .values(suppress.map((entry) => ({ tenantId, ...entry, createdAt: ctx.at })))
          .onConflictDoNothing()
      }
      await this.#appendEvent(tx, tenantId, { subscriberId: null, type: 'subscriber.erased', before: null, after: null, ctx })
      return true
    })
  }

  async isKnownOrigin(origin: string) {
    const rows = await this.#db.execute(sql`SELECT 1 FROM tenants WHERE settings->'allowedOrigins' ? ${origin} LIMIT 1`)
    return rows.length > 0
  }
}
