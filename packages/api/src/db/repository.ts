import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Decision } from '@heed/shared'
import { consentChanged, consentView } from './consent.ts'
import { GENESIS_HASH } from './ledger.ts'
import { eventRow, SharedReads, subscriberRow, toKey, toSubscriber, toTopic } from './common.ts'
import { run, type Db, type Dialect, type Steps } from './dialect.ts'
import { newSigningKey, newerThan } from './ids.ts'
import type {
  ChangeContext,
  ConsentEventRecord,
  DecisionData,
  DispatchRecord,
  DispatchRequest,
  MailKind,
  MailOutcome,
  MailRecord,
  NewApiKey,
  NewMail,
  SigningKeyRecord,
  Store,
  SubscriberChange,
  SuppressionEntry,
  TenantRecord,
  TopicRecord,
} from './store.ts'

/**
 * The one data layer: every query that is the same on SQLite and PostgreSQL is written here,
 * once, with drizzle; a `Dialect` (sqlite.ts, postgres.ts) holds only what differs: the
 * connection and migrations, the hot decision read, check-and-reserve with its group commit,
 * locks, and the JSON lookup of `isKnownOrigin`.
 *
 * Design:
 * - A single statement outside a transaction is simply awaited: on SQLite drizzle runs it
 *   synchronously within the call, so it cannot interleave with anything.
 * - A transaction body is a generator that yields its drizzle queries (`yield* run(q)`) and is
 *   written once. The SQLite adapter drives it synchronously inside
 *   `sqlite.transaction(…).immediate()`: nothing else can run on the connection between its
 *   queries, and a rollback can never take another request's acknowledged write with it
 *   (an `async` body awaiting inside a better-sqlite3 transaction would allow both). The
 *   PostgreSQL adapter drives the same body with `await` inside `db.transaction`.
 * - Locks that only PostgreSQL needs (the ledger's and the signing keys' advisory locks,
 *   `FOR UPDATE`) go through `dialect.lock` and `dialect.forUpdate`; on SQLite they do
 *   nothing, since `BEGIN IMMEDIATE` already serialises writers.
 * - The repository is typed against the PostgreSQL schema; see dialect.ts for why the SQLite
 *   tables fit it.
 * - No domain rule in SQL: the decision read returns every recent dispatch and the tenant's
 *   required topics, and the engine decides what counts toward a cap.
 */
export class Repository implements Store {
  readonly #d: Dialect
  readonly #db: Db
  readonly #t: Dialect['tables']

  constructor(dialect: Dialect) {
    this.#d = dialect
    this.#db = dialect.db
    this.#t = dialect.tables
  }

  get dialect() {
    return this.#d.name
  }

  /** The underlying connection (SQLite) or pool (PostgreSQL), for tests that tamper with rows directly. */
  get raw(): unknown {
    return this.#d.raw
  }

  readerSpec() {
    return this.#d.readerSpec()
  }

  close() {
    return this.#d.close()
  }

  ping() {
    return this.#d.ping()
  }

  createTenant(tenant: TenantRecord, key: NewApiKey) {
    const { tenants, apiKeys } = this.#t
    return this.#d.transaction(function* (db) {
      const done = yield* run(db.insert(tenants).values(tenant).onConflictDoNothing().returning({ id: tenants.id }))
      if (done.length === 0) return false
      yield* run(db.insert(apiKeys).values(key))
      return true
    })
  }

  async getTenant(id: string) {
    const t = this.#t.tenants
    const [row] = await this.#db.select().from(t).where(eq(t.id, id))
    return row ?? null
  }

  async updateTenant(id: string, settings: TenantRecord['settings'], at: number) {
    const t = this.#t.tenants
    const [row] = await this.#db.update(t).set({ settings, updatedAt: at }).where(eq(t.id, id)).returning()
    return row ?? null
  }

  async authenticate(hash: string) {
    const { apiKeys: k, tenants: t } = this.#t
    const [row] = await this.#db
      .select({ key: k, tenant: t })
      .from(k)
      .innerJoin(t, eq(t.id, k.tenantId))
      .where(and(eq(k.hash, hash), isNull(k.revokedAt)))
    return row ? { key: toKey(row.key), tenant: row.tenant } : null
  }

  async createApiKey(key: NewApiKey) {
    await this.#db.insert(this.#t.apiKeys).values(key)
  }

  async listApiKeys(tenantId: string) {
    const k = this.#t.apiKeys
    const rows = await this.#db.select().from(k).where(eq(k.tenantId, tenantId)).orderBy(asc(k.createdAt), asc(k.id))
    return rows.map(toKey)
  }

  revokeApiKey(tenantId: string, id: string, at: number) {
    const k = this.#t.apiKeys
    const where = and(eq(k.tenantId, tenantId), eq(k.id, id))
    return this.#d.transaction(function* (db) {
      yield* run(db.update(k).set({ revokedAt: at }).where(and(where, isNull(k.revokedAt))))
      const [row] = yield* run(db.select().from(k).where(where))
      return row ? toKey(row) : null
    })
  }

  putTopic(tenantId: string, topic: TopicRecord) {
    const t = this.#t.topics
    const d = this.#d
    return d.transaction(function* (db) {
      const [existing] = yield* run(d.forUpdate(db.select().from(t).where(and(eq(t.tenantId, tenantId), eq(t.key, topic.key)))))
      const live = existing !== undefined && existing.deletedAt === null
      const row = { ...topic, tenantId, createdAt: live ? existing.createdAt : topic.createdAt, deletedAt: null }
      yield* run(db.insert(t).values(row).onConflictDoUpdate({ target: [t.tenantId, t.key], set: row }))
      return { topic: toTopic(row), created: !live }
    })
  }

  async getTopic(tenantId: string, key: string) {
    const t = this.#t.topics
    const [row] = await this.#db
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.key, key), isNull(t.deletedAt)))
    return row ? toTopic(row) : null
  }

  async listTopics(tenantId: string) {
    const t = this.#t.topics
    const rows = await this.#db
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), isNull(t.deletedAt)))
      .orderBy(asc(t.order), asc(t.key))
    return rows.map(toTopic)
  }

  async deleteTopic(tenantId: string, key: string, at: number) {
    const t = this.#t.topics
    const rows = await this.#db
      .update(t)
      .set({ deletedAt: at, updatedAt: at })
      .where(and(eq(t.tenantId, tenantId), eq(t.key, key), isNull(t.deletedAt)))
      .returning({ key: t.key })
    return rows.length > 0
  }

  #subscriberQuery(db: Db, tenantId: string, id: string) {
    const s = this.#t.subscribers
    return db
      .select()
      .from(s)
      .where(and(eq(s.tenantId, tenantId), eq(s.id, id)))
  }

  async getSubscriber(tenantId: string, id: string) {
    const [row] = await this.#subscriberQuery(this.#db, tenantId, id)
    return row ? toSubscriber(row) : null
  }

  changeSubscriber(tenantId: string, id: string, change: SubscriberChange, ctx: ChangeContext) {
    return this.#d.transaction((db) => this.#changeSubscriber(db, tenantId, id, change, ctx))
  }

  *#changeSubscriber(db: Db, tenantId: string, id: string, change: SubscriberChange, ctx: ChangeContext) {
    const s = this.#t.subscribers
    yield* this.#d.lock(db, tenantId)
    const [row] = yield* run(this.#d.forUpdate(this.#subscriberQuery(db, tenantId, id)))
    const before = row ? toSubscriber(row) : null
    const next = change(before)
    yield* this.#liftSuppressions(db, tenantId, ctx.unsuppress)
    if (before && !consentChanged(before, next)) {
      // An unsubscribe reason given after the fact is still worth keeping.
      if (ctx.reason) yield* this.#appendEvent(db, tenantId, { subscriberId: id, type: 'subscriber.reason_given', before: null, after: consentView(before), ctx })
      return { subscriber: before, created: false, changed: false }
    }
    const values = subscriberRow(tenantId, row ?? null, next, ctx.at)
    yield* run(db.insert(s).values(values).onConflictDoUpdate({ target: [s.tenantId, s.id], set: values }))
    yield* this.#appendEvent(db, tenantId, {
      subscriberId: id,
      type: before ? 'subscriber.updated' : 'subscriber.created',
      before: before && consentView(before),
      after: consentView(next),
      ctx,
    })
    return { subscriber: toSubscriber(values), created: !before, changed: true }
  }

  /** Chains a consent event onto the tenant's ledger; the caller holds the ledger lock (`dialect.lock(db, tenantId)`). */
  *#appendEvent(db: Db, tenantId: string, e: Parameters<typeof eventRow>[3]): Steps<void> {
    const c = this.#t.consentEvents
    const [last] = yield* run(db.select({ seq: c.seq, hash: c.hash }).from(c).where(eq(c.tenantId, tenantId)).orderBy(desc(c.seq)).limit(1))
    yield* run(db.insert(c).values(eventRow(tenantId, last, GENESIS_HASH, e)))
  }

  *#liftSuppressions(db: Db, tenantId: string, hashes: readonly string[] | undefined): Steps<void> {
    if (!hashes?.length) return
    const sup = this.#t.suppressions
    yield* run(db.delete(sup).where(and(eq(sup.tenantId, tenantId), inArray(sup.hash, [...hashes]))))
  }

  /** A single check shares its read with the others of its turn (see SharedReads); a batch reads alone. */
  async decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): Promise<DecisionData> {
    if (subscriberIds.length === 1 && topicKeys.length === 1) return this.#sharedReads.read(tenantId, subscriberIds[0]!, topicKeys[0]!, since)
    return this.#d.readDecisionData(tenantId, subscriberIds, topicKeys, since)
  }

  readonly #sharedReads = new SharedReads((tenantId, subscriberIds, topicKeys, since) => this.#d.readDecisionData(tenantId, subscriberIds, topicKeys, since))

  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision) {
    return this.#d.reserve(tenantId, req, decide)
  }

  async listEvents(tenantId: string, opts: { subscriberId?: string; after?: number; limit: number }) {
    const t = this.#t.consentEvents
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
    const d = this.#t.dispatches
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

  #activeKey(db: Db, tenantId: string, at: number) {
    const k = this.#t.signingKeys
    return db
      .select()
      .from(k)
      .where(and(eq(k.tenantId, tenantId), or(isNull(k.retiresAt), gt(k.retiresAt, at))))
      .orderBy(desc(k.createdAt), desc(k.kid))
      .limit(1)
  }

  /** Read without a transaction; only when there is none yet, made under the tenant's signing-key lock. */
  async currentSigningKey(tenantId: string, at: number): Promise<SigningKeyRecord> {
    const [found] = await this.#activeKey(this.#db, tenantId, at)
    if (found) return found
    return this.#d.transaction((db) => this.#makeSigningKey(db, tenantId, at))
  }

  *#makeSigningKey(db: Db, tenantId: string, at: number): Steps<SigningKeyRecord> {
    yield* this.#d.lock(db, `sig:${tenantId}`)
    const [again] = yield* run(this.#activeKey(db, tenantId, at))
    if (again) return again
    const key = newSigningKey(tenantId, at)
    yield* run(db.insert(this.#t.signingKeys).values(key))
    return key
  }

  async getSigningKey(kid: string) {
    const k = this.#t.signingKeys
    const [row] = await this.#db.select().from(k).where(eq(k.kid, kid))
    return row ?? null
  }

  async rotateSigningKey(key: SigningKeyRecord, retireAt: number) {
    const k = this.#t.signingKeys
    const d = this.#d
    await d.transaction(function* (db) {
      yield* d.lock(db, `sig:${key.tenantId}`)
      const [latest] = yield* run(db.select({ createdAt: k.createdAt }).from(k).where(eq(k.tenantId, key.tenantId)).orderBy(desc(k.createdAt)).limit(1))
      const newest = newerThan(key, latest?.createdAt)
      yield* run(
        db
          .update(k)
          .set({ retiresAt: retireAt })
          .where(and(eq(k.tenantId, newest.tenantId), or(isNull(k.retiresAt), gt(k.retiresAt, retireAt)))),
      )
      yield* run(db.insert(k).values(newest))
    })
  }

  async revokeLinks(tenantId: string, subscriberId: string, at: number) {
    const s = this.#t.subscribers
    const [row] = await this.#db
      .update(s)
      .set({ linkVersion: sql`${s.linkVersion} + 1`, updatedAt: at })
      .where(and(eq(s.tenantId, tenantId), eq(s.id, subscriberId)))
      .returning()
    return row ? toSubscriber(row) : null
  }

  async isSuppressed(tenantId: string, hashes: readonly string[]) {
    if (hashes.length === 0) return false
    const sup = this.#t.suppressions
    const rows = await this.#db
      .select({ hash: sup.hash })
      .from(sup)
      .where(and(eq(sup.tenantId, tenantId), inArray(sup.hash, [...hashes])))
      .limit(1)
    return rows.length > 0
  }

  async eraseSubscriber(tenantId: string, id: string, suppress: readonly SuppressionEntry[], ctx: ChangeContext) {
    const erased = await this.#d.transaction((db) => this.#erase(db, tenantId, id, suppress, ctx))
    if (erased) await this.#d.scrub()
    return erased
  }

  *#erase(db: Db, tenantId: string, id: string, suppress: readonly SuppressionEntry[], ctx: ChangeContext): Steps<boolean> {
    const { subscribers: s, dispatches: d, consentEvents: e, suppressions } = this.#t
    yield* this.#d.lock(db, tenantId)
    const gone = yield* run(
      db
        .delete(s)
        .where(and(eq(s.tenantId, tenantId), eq(s.id, id)))
        .returning({ id: s.id, email: s.email }),
    )
    if (gone.length === 0) return false
    yield* run(db.delete(d).where(and(eq(d.tenantId, tenantId), eq(d.subscriberId, id))))
    yield* this.#forgetMail(db, tenantId, id, gone[0]!.email)
    yield* run(
      db
        .update(e)
        .set({ subscriberId: null, actor: null, before: null, after: null, reason: null, userAgent: null, erasedAt: ctx.at })
        .where(and(eq(e.tenantId, tenantId), eq(e.subscriberId, id))),
    )
    if (suppress.length > 0) {
      yield* run(
        db
          .insert(suppressions)
          .values(suppress.map((entry) => ({ tenantId, ...entry, createdAt: ctx.at })))
          .onConflictDoNothing(),
      )
    }
    yield* this.#appendEvent(db, tenantId, { subscriberId: null, type: 'subscriber.erased', before: null, after: null, ctx })
    return true
  }

  isKnownOrigin(origin: string) {
    return this.#d.isKnownOrigin(origin)
  }

  async enqueueMail(mail: NewMail) {
    const { at, ...row } = mail
    await this.#db.insert(this.#t.mailOutbox).values({ ...row, createdAt: at, nextAttemptAt: at })
  }

  /**
   * One UPDATE … WHERE id IN (SELECT … LIMIT n) … RETURNING, with the conditions repeated
   * outside: on PostgreSQL a concurrent claim of the same row waits for the first one's row
   * lock, then re-checks the outer conditions against the committed row and leaves it out; on
   * SQLite the statement runs alone.
   */
  async claimMail(now: number, leaseMs: number, limit: number, tenantIds?: readonly string[]) {
    const m = this.#t.mailOutbox
    const due = and(
      isNull(m.doneAt),
      lte(m.nextAttemptAt, now),
      or(isNull(m.claimedUntil), lt(m.claimedUntil, now)),
      tenantIds === undefined ? undefined : inArray(m.tenantId, [...tenantIds]),
    )
    const ids = this.#db.select({ id: m.id }).from(m).where(due).orderBy(asc(m.nextAttemptAt), asc(m.id)).limit(limit)
    const rows = await this.#db
      .update(m)
      .set({ claimedUntil: now + leaseMs, attempts: sql`${m.attempts} + 1` })
      .where(and(inArray(m.id, ids), due))
      .returning()
    return (rows as MailRecord[]).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : 1))
  }

  async finishMail(id: string, done: { at: number; outcome: MailOutcome; subscriberId: string | null; error?: string }) {
    const m = this.#t.mailOutbox
    await this.#db
      .update(m)
      .set({ doneAt: done.at, outcome: done.outcome, subscriberId: done.subscriberId, address: null, claimedUntil: null, ...(done.error === undefined ? {} : { lastError: done.error }) })
      .where(and(eq(m.id, id), isNull(m.doneAt)))
  }

  async retryMail(id: string, retry: { at: number; error: string; nextAttemptAt: number }) {
    const m = this.#t.mailOutbox
    await this.#db
      .update(m)
      .set({ lastError: retry.error, nextAttemptAt: retry.nextAttemptAt, claimedUntil: null })
      .where(and(eq(m.id, id), isNull(m.doneAt)))
  }

  /** Both spellings go through the (tenant_id, email) index; `lower()` on the column would not. */
  async findSubscriberByEmail(tenantId: string, email: string) {
    const s = this.#t.subscribers
    const given = email.trim()
    if (given === '') return null
    const [row] = await this.#db
      .select()
      .from(s)
      .where(and(eq(s.tenantId, tenantId), inArray(s.email, [...new Set([given, given.toLowerCase()])])))
      .orderBy(desc(s.updatedAt), asc(s.id))
      .limit(1)
    return row ? toSubscriber(row) : null
  }

  async mailSentSince(tenantId: string, subscriberId: string, kind: MailKind, since: number) {
    const m = this.#t.mailOutbox
    const rows = await this.#db
      .select({ id: m.id })
      .from(m)
      .where(and(eq(m.tenantId, tenantId), eq(m.subscriberId, subscriberId), eq(m.kind, kind), eq(m.outcome, 'sent'), gte(m.doneAt, since)))
      .limit(1)
    return rows.length > 0
  }

  /**
   * Erasure: the subscriber's mails go from the outbox, and so do requests still waiting that
   * name their address in any spelling (compared here, not with SQL's ASCII-only `lower()`).
   */
  *#forgetMail(db: Db, tenantId: string, subscriberId: string, email: string | null): Steps<void> {
    const m = this.#t.mailOutbox
    yield* run(db.delete(m).where(and(eq(m.tenantId, tenantId), eq(m.subscriberId, subscriberId))))
    if (email === null) return
    const waiting = yield* run(
      db
        .select({ id: m.id, address: m.address })
        .from(m)
        .where(and(eq(m.tenantId, tenantId), isNotNull(m.address))),
    )
    const theirs = waiting.filter((r) => r.address!.trim().toLowerCase() === email).map((r) => r.id)
    if (theirs.length > 0) yield* run(db.delete(m).where(inArray(m.id, theirs)))
  }

  async pruneMail(before: number, tenantIds?: readonly string[]) {
    const m = this.#t.mailOutbox
    const gone = await this.#db
      .delete(m)
      .where(and(isNotNull(m.doneAt), lt(m.doneAt, before), tenantIds === undefined ? undefined : inArray(m.tenantId, [...tenantIds])))
      .returning({ id: m.id })
    return gone.length
  }
}
