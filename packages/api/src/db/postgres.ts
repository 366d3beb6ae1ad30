import { fileURLToPath } from 'node:url'
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Decision } from '@heed/shared'
import { decisionDataFrom, eventRow, subscriberRow, toKey, toSubscriber, toTopic, type RawDispatch, type RawEngineSubscriber, type RawEngineTopic } from './common.ts'
import { consentChanged, consentView } from './consent.ts'
import { newSigningKey, newerThan } from './ids.ts'
import { GENESIS_HASH } from './ledger.ts'
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
          LEFT JOIN topics t ON t.tenant_id = d.tenant_id AND t.key = d.topic
          WHERE d.tenant_id = ${tenantId} AND d.at > ${since} AND coalesce(t.required, false) = false
        ) h) AS hist`
    return decisionDataFrom(r?.subs ?? [], r?.tops ?? [], r?.hist ?? [])
  }

  async decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) {
    return this.#decisionData(this.#client, tenantId, subscriberIds, topicKeys, since)
  }

  /**
   * Check-and-reserve in two round trips. On a connection of its own, BEGIN, the subscriber's
   * row lock, the messageId lookup and the decision data go out together (pipelined); the
   * statements still run one after another, and each reads after the lock is held, with a
   * snapshot of its own. Then the INSERT and COMMIT go out together. The answer waits for
   * COMMIT: a 2xx is never sent for a dispatch that is not committed.
   */
  async reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult> {
    const prior = (q: postgres.Sql | postgres.ReservedSql) =>
      q<[{ subscriber_id: string; topic: string; channel: string; decision: Decision }?]>`
        SELECT subscriber_id, topic, channel, decision FROM dispatches WHERE tenant_id = ${tenantId} AND message_id = ${req.messageId}`
    const replayOf = ([row]: Awaited<ReturnType<typeof prior>>): ReserveResult | null => {
      if (!row) return null
      const same = row.subscriber_id === req.subscriberId && row.topic === req.topic && row.channel === req.channel
      return same ? { kind: 'replayed', decision: row.decision } : { kind: 'conflict' }
    }
    const c = await this.#client.reserve()
    let open = true
    try {
      // postgres.js sends a query when it is first awaited or executed: `execute()` fixes the
      // order, so the reads go out behind the lock.
      const begun = c`BEGIN`.execute()
      // The subscriber's row lock makes check-and-record atomic across every process.
      const locked = c`SELECT 1 FROM subscribers WHERE tenant_id = ${tenantId} AND id = ${req.subscriberId} FOR UPDATE`.execute()
      const earlier = prior(c).execute()
      const [, , found, data] = await Promise.all([begun, locked, earlier, this.#decisionData(c, tenantId, [req.subscriberId], [req.topic], req.at - 30 * 86_400_000)])
      const replay = replayOf(found)
      const decision = replay ? null : decide(data)
      if (replay || !decision || (req.enforce && !decision.allowed)) {
        await c`COMMIT`
        open = false
        return replay ?? { kind: 'refused', decision: decision! }
      }
      const insert = c`
          INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at)
          VALUES (${tenantId}, ${req.subscriberId}, ${req.topic}, ${req.channel}, ${req.messageId}, ${req.at}, ${req.enforce}, ${JSON.stringify(decision)}::jsonb, ${Date.now()})
          ON CONFLICT DO NOTHING RETURNING seq`.execute()
      const [inserted] = await Promise.all([insert, c`COMMIT`.execute()])
      open = false
      // Another reserve with this messageId committed first.
      if (inserted.length === 0) return replayOf(await prior(c)) ?? { kind: 'conflict' }
      return { kind: 'recorded', decision }
    } catch (error) {
      // A failed statement aborts the transaction, and a COMMIT sent behind it rolls it back;
      // ROLLBACK covers the rest (a harmless notice when nothing is open).
      if (open) await c`ROLLBACK`.catch(() => {})
      throw error
    } finally {
      c.release()
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
