import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, notExists, notInArray, or, sql } from 'drizzle-orm'
import type { ConsoleRole } from '@heed/shared'
import { HISTORY_LOOKBACK_MS, type Decision } from '@heed/shared'
import type { SQL } from 'drizzle-orm'
import { consentChanged, consentView } from './consent.ts'
import { GENESIS_HASH } from './ledger.ts'
import { eventRow, SharedReads, subscriberRow, toKey, toSubscriber, toTopic } from './common.ts'
import { run, type Db, type Dialect, type Steps } from './dialect.ts'
import { newId, newSigningKey, newerThan } from './ids.ts'
import { consentMessage, QueuedSignal, topicMessage, type OutgoingMessage } from './outgoing.ts'
import { ConsoleEmailTaken } from './store.ts'
import type {
  BulkSubscriberChange,
  ChangeContext,
  ImportCounts,
  ImportErrorRecord,
  ImportRecord,
  ConsoleUserRecord,
  FirstOwner,
  InvitationRecord,
  NewConsoleUser,
  PeopleChange,
  SessionRecord,
  ConsentEventRecord,
  DecisionData,
  DispatchRecord,
  DispatchRequest,
  EventListQuery,
  MailKind,
  MailOutcome,
  MailRecord,
  NewApiKey,
  NewMail,
  SigningKeyRecord,
  Store,
  SubscriberChange,
  SubscriberListQuery,
  SubscriberRecord,
  SuppressionEntry,
  TenantRecord,
  TopicRecord,
  WebhookAttemptRecord,
  WebhookClaim,
  WebhookEndpointRecord,
  WebhookSettlement,
} from './store.ts'

/**
 * The one data layer: every query that is the same on SQLite and PostgreSQL is written here,
 * once, with drizzle; a `Dialect` (sqlite.ts, postgres.ts) holds only what differs: the
 * connection and migrations, the hot decision read, check-and-reserve with its group commit,
 * locks, and the JSON lookups of `isKnownOrigin` and of the subscriber list's topic filter.
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
/** The consent event of a subscriber created (`before` null) or changed. */
const changeEvent = (id: string, before: SubscriberRecord | null, next: SubscriberRecord, ctx: ChangeContext) => ({
  subscriberId: id,
  type: before ? ('subscriber.updated' as const) : ('subscriber.created' as const),
  before: before && consentView(before),
  after: consentView(next),
  ctx,
})

/** Rows one pruning statement deletes at most. */
const PRUNE_CHUNK = 2000
export class Repository implements Store {
  readonly #d: Dialect
  readonly #db: Db
  readonly #t: Dialect['tables']
  readonly webhooksQueued = new QueuedSignal()
  /** Webhook messages queued by this process so far: a transaction that moved it fires the signal. */
  #queued = 0

  constructor(dialect: Dialect) {
    this.#d = dialect
    this.#db = dialect.db
    this.#t = dialect.tables
  }

  /** A transaction that may queue webhook messages: once it has committed, the deliverer is told. */
  async #outgoing<T>(body: (db: Db) => Steps<T>): Promise<T> {
    const before = this.#queued
    const result = await this.#d.transaction(body)
    if (this.#queued !== before) this.webhooksQueued.fire()
    return result
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

  createTenant(tenant: TenantRecord, key: NewApiKey, people?: FirstOwner) {
    const { tenants, apiKeys, consoleUsers, consoleInvitations, mailOutbox } = this.#t
    return this.#d.transaction(function* (db) {
      const done = yield* run(db.insert(tenants).values(tenant).onConflictDoNothing().returning({ id: tenants.id }))
      if (done.length === 0) return false
      yield* run(db.insert(apiKeys).values(key))
      if (people && 'user' in people) {
        const made = yield* run(db.insert(consoleUsers).values(people.user).onConflictDoNothing().returning({ id: consoleUsers.id }))
        // Thrown, so the tenant and its key are rolled back with it.
        if (made.length === 0) throw new ConsoleEmailTaken()
      } else if (people) {
        yield* run(db.insert(consoleInvitations).values({ ...people.invitation, hash: null }))
        yield* run(db.insert(mailOutbox).values(mailRow(people.mail)))
      }
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
    return this.#outgoing((db) => this.#putTopic(db, tenantId, topic))
  }

  *#putTopic(db: Db, tenantId: string, topic: TopicRecord): Steps<{ topic: TopicRecord; created: boolean }> {
    const t = this.#t.topics
    const [existing] = yield* run(this.#d.forUpdate(db.select().from(t).where(and(eq(t.tenantId, tenantId), eq(t.key, topic.key)))))
    const live = existing !== undefined && existing.deletedAt === null
    const row = { ...topic, tenantId, createdAt: live ? existing.createdAt : topic.createdAt, deletedAt: null }
    yield* run(db.insert(t).values(row).onConflictDoUpdate({ target: [t.tenantId, t.key], set: row }))
    const saved = toTopic(row)
    yield* this.#enqueueWebhook(db, tenantId, topicMessage(newId('msg'), tenantId, live ? 'topic.updated' : 'topic.created', saved, topic.updatedAt), topic.updatedAt)
    return { topic: saved, created: !live }
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
    return (await this.#outgoing((db) => this.#topicGoneOrBack(db, tenantId, key, 'topic.deleted', at))) !== null
  }

  /** Deletes (`topic.deleted`) or restores (`topic.created`) a topic with its webhook message; null when there was none to change. */
  *#topicGoneOrBack(db: Db, tenantId: string, key: string, type: 'topic.created' | 'topic.deleted', at: number): Steps<TopicRecord | null> {
    const t = this.#t.topics
    const [row] = yield* run(
      db
        .update(t)
        .set({ deletedAt: type === 'topic.deleted' ? at : null, updatedAt: at })
        .where(and(eq(t.tenantId, tenantId), eq(t.key, key), type === 'topic.deleted' ? isNull(t.deletedAt) : isNotNull(t.deletedAt)))
        .returning(),
    )
    if (!row) return null
    const topic = toTopic(row)
    yield* this.#enqueueWebhook(db, tenantId, topicMessage(newId('msg'), tenantId, type, topic, at), at)
    return topic
  }

  async listDeletedTopics(tenantId: string) {
    const t = this.#t.topics
    const rows = await this.#db
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), isNotNull(t.deletedAt)))
      .orderBy(desc(t.deletedAt), asc(t.key))
    return rows.map((r) => ({ ...toTopic(r), deletedAt: r.deletedAt! }))
  }

  restoreTopic(tenantId: string, key: string, at: number) {
    return this.#outgoing((db) => this.#topicGoneOrBack(db, tenantId, key, 'topic.created', at))
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

  async getSubscribers(tenantId: string, ids: readonly string[]) {
    if (ids.length === 0) return []
    const s = this.#t.subscribers
    return (await this.#db.select().from(s).where(and(eq(s.tenantId, tenantId), inArray(s.id, [...ids])))).map(toSubscriber)
  }

  /**
   * Keyset pages in id order: a page starts on the (tenant_id, id) primary key right after the
   * previous page's last id and reads one row more than it shows (to know whether another page
   * follows), so the thousandth page costs what the first does. The filters are checked on the
   * rows as the key walks past them: a filter that few subscribers pass makes the walk longer
   * (docs/performance.md, "Listing subscribers").
   *
   * `q` is two searches, each on an index of its own, merged here: ids that start with it (a
   * range of the primary key, walked in id order) and the subscribers with that address (the
   * `lower(email)` index; an address belongs to few subscribers, so all of them are read and
   * the page's place among them found here). Asked as one `OR`, or with the keyset's `id > …`
   * or `ORDER BY id` beside the address, SQLite walked every subscriber of the tenant instead.
   */
  async listSubscribers(tenantId: string, query: SubscriberListQuery) {
    const s = this.#t.subscribers
    const { status, topic, q, paused, hasCaps, now, after, limit } = query
    const filters = and(
      eq(s.tenantId, tenantId),
      status === undefined ? undefined : eq(s.status, status),
      hasCaps === undefined ? undefined : eq(s.hasCaps, hasCaps),
      paused === undefined ? undefined : paused ? gt(s.pausedUntil, now) : or(isNull(s.pausedUntil), lte(s.pausedUntil, now)),
      topic === undefined ? undefined : this.#d.getsTopic(s.topics, topic.key, topic.defaultSubscribed),
    )
    const id = this.#d.byCodePoint(s.id)
    const keyset = (ids: SQL | undefined = after === undefined ? undefined : gt(id, after)) =>
      this.#db
        .select()
        .from(s)
        .where(and(filters, ids))
        .orderBy(asc(id))
        .limit(limit + 1)
    let rows
    if (q === undefined) rows = await keyset()
    else {
      const [byId, byEmail] = await Promise.all([
        keyset(this.#idPrefix(q, after)),
        this.#db
          .select()
          .from(s)
          .where(and(filters, sql`lower(${s.email}) = ${q.toLowerCase()}`)),
      ])
      const found = new Map([...byId, ...byEmail.filter((r) => after === undefined || byCodePoints(r.id, after) > 0)].map((r) => [r.id, r]))
      rows = [...found.values()].sort((a, b) => byCodePoints(a.id, b.id)).slice(0, limit + 1)
    }
    const shown = rows.slice(0, limit)
    return { subscribers: shown.map(toSubscriber), next: rows.length > limit ? shown.at(-1)!.id : null }
  }

  /**
   * Ids after `after` that start with `prefix`, in its exact case: a range of the primary key
   * from the prefix (or from `after`, when that is further on: given both, SQLite started from
   * either) up to the prefix followed by the highest code point, in code-point order whatever
   * the database's collation (`byCodePoint`); `substr` keeps exactly the ids that start with
   * it. No LIKE, so `%` and `_` are plain characters.
   */
  #idPrefix(prefix: string, after: string | undefined) {
    const s = this.#t.subscribers
    const id = this.#d.byCodePoint(s.id)
    const from = after !== undefined && byCodePoints(after, prefix) >= 0 ? gt(id, after) : gte(id, prefix)
    return and(from, lt(id, `${prefix}\u{10FFFF}`), sql`substr(${s.id}, 1, ${[...prefix].length}) = ${prefix}`)!
  }

  changeSubscriber(tenantId: string, id: string, change: SubscriberChange, ctx: ChangeContext) {
    return this.#outgoing((db) => this.#changeSubscriber(db, tenantId, id, change, ctx))
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
    // Only a row that keeps no list yet needs one (the row was read under its lock).
    if (values.hasCaps && row?.recentFrom == null) yield* this.#d.keepRecentFromTable(db, tenantId, [id], ctx.at - HISTORY_LOOKBACK_MS)
    yield* this.#appendEvent(db, tenantId, changeEvent(id, before, next, ctx))
    return { subscriber: toSubscriber(values), created: !before, changed: true }
  }

  changeSubscribers(tenantId: string, changes: readonly BulkSubscriberChange[], ctx: ChangeContext) {
    return this.#outgoing((db) => this.#changeMany(db, tenantId, changes, ctx))
  }

  /**
   * The bulk form of #changeSubscriber, for imports: one read of the rows, of the ledger's head
   * and of the webhook endpoints for the whole batch, then the writes, several rows a statement.
   */
  *#changeMany(db: Db, tenantId: string, changes: readonly BulkSubscriberChange[], ctx: ChangeContext): Steps<Array<{ created: boolean; changed: boolean }>> {
    const { subscribers: s, consentEvents: c } = this.#t
    yield* this.#d.lock(db, tenantId)
    const ids = changes.map((x) => x.id)
    const rows = ids.length === 0 ? [] : yield* run(this.#d.forUpdate(db.select().from(s).where(and(eq(s.tenantId, tenantId), inArray(s.id, ids)))))
    const byId = new Map(rows.map((r) => [r.id, r]))
    let [last] = yield* run(db.select({ seq: c.seq, hash: c.hash }).from(c).where(eq(c.tenantId, tenantId)).orderBy(desc(c.seq)).limit(1))
    const endpoints = yield* this.#endpointsOf(db, tenantId)
    const out: Array<{ created: boolean; changed: boolean }> = []
    const written: Array<ReturnType<typeof subscriberRow>> = []
    const events: Array<ReturnType<typeof eventRow>> = []
    for (const { id, change, proof } of changes) {
      const row = byId.get(id) ?? null
      const before = row ? toSubscriber(row) : null
      const next = change(before)
      if (next === null || (before && !consentChanged(before, next))) {
        out.push({ created: false, changed: false })
        continue
      }
      const values = subscriberRow(tenantId, row, next, ctx.at)
      written.push(values)
      const event = eventRow(tenantId, last, GENESIS_HASH, changeEvent(id, before, next, { ...ctx, proof: proof ?? null }))
      events.push(event)
      last = event
      out.push({ created: !before, changed: true })
    }
    yield* this.#d.insertMany(db, s, written, ['tenantId', 'id'])
    const listless = written.filter((w) => w.hasCaps && byId.get(w.id)?.recentFrom == null).map((w) => w.id)
    yield* this.#d.keepRecentFromTable(db, tenantId, listless, ctx.at - HISTORY_LOOKBACK_MS)
    yield* this.#d.insertMany(db, c, events)
    if (endpoints.length > 0) for (const event of events) yield* this.#queueMessage(db, tenantId, consentMessage(event), event.at, endpoints)
    return out
  }

  /** Chains a consent event onto the tenant's ledger; the caller holds the ledger lock (`dialect.lock(db, tenantId)`). */
  *#appendEvent(db: Db, tenantId: string, e: Parameters<typeof eventRow>[3], suppressed?: readonly SuppressionEntry[]): Steps<void> {
    const c = this.#t.consentEvents
    const [last] = yield* run(db.select({ seq: c.seq, hash: c.hash }).from(c).where(eq(c.tenantId, tenantId)).orderBy(desc(c.seq)).limit(1))
    const row = eventRow(tenantId, last, GENESIS_HASH, e)
    yield* run(db.insert(c).values(row))
    yield* this.#enqueueWebhook(db, tenantId, consentMessage(row, suppressed), row.at)
  }

  /**
   * Writes a webhook message, and a delivery for each of the tenant's enabled endpoints that
   * wants its type, in the transaction of the change it tells of: nothing is sent that did not
   * happen, and nothing that happened is lost. A tenant without endpoints pays one index read.
   */
  *#enqueueWebhook(db: Db, tenantId: string, message: OutgoingMessage, at: number): Steps<void> {
    yield* this.#queueMessage(db, tenantId, message, at, yield* this.#endpointsOf(db, tenantId))
  }

  *#endpointsOf(db: Db, tenantId: string): Steps<Array<{ id: string; eventTypes: string[] | null }>> {
    const w = this.#t.webhookEndpoints
    return yield* run(db.select({ id: w.id, eventTypes: w.eventTypes }).from(w).where(and(eq(w.tenantId, tenantId), eq(w.enabled, true))))
  }

  *#queueMessage(db: Db, tenantId: string, message: OutgoingMessage, at: number, endpoints: ReadonlyArray<{ id: string; eventTypes: string[] | null }>): Steps<void> {
    const { webhookMessages: m, webhookDeliveries: d } = this.#t
    const wanting = endpoints.filter((e) => e.eventTypes === null || e.eventTypes.includes(message.type))
    if (wanting.length === 0) return
    yield* run(db.insert(m).values({ id: message.id, tenantId, subscriberId: message.subscriberId, type: message.type, body: message.body, createdAt: at }))
    yield* run(db.insert(d).values(wanting.map((e) => ({ id: `${message.id}:${e.id}`, tenantId, endpointId: e.id, messageId: message.id, createdAt: at, nextAttemptAt: at }))))
    this.#queued++
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

  /**
   * A keyset page of the ledger: the `(tenant_id, seq)` primary key walked forwards or backwards
   * from the cursor (with `subscriberId`, the `(tenant_id, subscriber_id, seq)` index), `type` and
   * `source` checked on the rows it passes. No OFFSET: a page deep in the ledger costs what the
   * first one does.
   */
  async listEvents(tenantId: string, query: EventListQuery) {
    const t = this.#t.consentEvents
    const { subscriberId, type, source, order = 'asc', after, before, limit } = query
    return (await this.#db
      .select()
      .from(t)
      .where(
        and(
          eq(t.tenantId, tenantId),
          subscriberId === undefined ? undefined : eq(t.subscriberId, subscriberId),
          type === undefined ? undefined : eq(t.type, type),
          source === undefined ? undefined : eq(t.source, source),
          after === undefined ? undefined : gt(t.seq, after),
          before === undefined ? undefined : lt(t.seq, before),
        ),
      )
      .orderBy(order === 'desc' ? desc(t.seq) : asc(t.seq))
      .limit(limit)) as ConsentEventRecord[]
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

  async hasSuppressions(tenantId: string) {
    const sup = this.#t.suppressions
    return (await this.#db.select({ hash: sup.hash }).from(sup).where(eq(sup.tenantId, tenantId)).limit(1)).length > 0
  }

  async suppressedAmong(tenantId: string, hashes: readonly string[]) {
    if (hashes.length === 0) return []
    const sup = this.#t.suppressions
    const rows = await this.#db
      .select({ hash: sup.hash })
      .from(sup)
      .where(and(eq(sup.tenantId, tenantId), inArray(sup.hash, [...new Set(hashes)])))
    return rows.map((r) => r.hash)
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
    const erased = await this.#outgoing((db) => this.#erase(db, tenantId, id, suppress, ctx))
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
        .set({ subscriberId: null, actor: null, before: null, after: null, reason: null, userAgent: null, proof: null, erasedAt: ctx.at })
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
    // Messages about them, sent or not, go with them; the erasure's own message names no one.
    const { webhookMessages: wm, webhookDeliveries: wd } = this.#t
    const theirs = db.select({ id: wm.id }).from(wm).where(and(eq(wm.tenantId, tenantId), eq(wm.subscriberId, id)))
    yield* run(db.delete(wd).where(and(eq(wd.tenantId, tenantId), inArray(wd.messageId, theirs))))
    yield* run(db.delete(wm).where(and(eq(wm.tenantId, tenantId), eq(wm.subscriberId, id))))
    yield* this.#appendEvent(db, tenantId, { subscriberId: null, type: 'subscriber.erased', before: null, after: null, ctx }, suppress)
    return true
  }

  isKnownOrigin(origin: string) {
    return this.#d.isKnownOrigin(origin)
  }

  async enqueueMail(mail: NewMail) {
    await this.#db.insert(this.#t.mailOutbox).values(mailRow(mail))
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
    const ids = (await this.#db.select({ id: m.id }).from(m).where(due).orderBy(asc(m.nextAttemptAt), asc(m.id)).limit(limit)).map((r) => r.id)
    // Nothing due, nothing written: an idle poll never waits for the write lock (on SQLite an
    // import's batches hold it one after another).
    if (ids.length === 0) return []
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

  async createWebhook(endpoint: WebhookEndpointRecord) {
    await this.#db.insert(this.#t.webhookEndpoints).values(endpoint)
  }

  async listWebhooks(tenantId: string) {
    const w = this.#t.webhookEndpoints
    return (await this.#db.select().from(w).where(eq(w.tenantId, tenantId)).orderBy(asc(w.createdAt), asc(w.id))) as WebhookEndpointRecord[]
  }

  async getWebhook(tenantId: string, id: string) {
    const w = this.#t.webhookEndpoints
    const [row] = await this.#db.select().from(w).where(and(eq(w.tenantId, tenantId), eq(w.id, id)))
    return (row as WebhookEndpointRecord | undefined) ?? null
  }

  async updateWebhook(tenantId: string, id: string, change: Parameters<Store['updateWebhook']>[2], at: number) {
    const w = this.#t.webhookEndpoints
    const [row] = await this.#db
      .update(w)
      .set({ ...change, updatedAt: at })
      .where(and(eq(w.tenantId, tenantId), eq(w.id, id)))
      .returning()
    return (row as WebhookEndpointRecord | undefined) ?? null
  }

  deleteWebhook(tenantId: string, id: string) {
    const { webhookEndpoints: w, webhookDeliveries: d } = this.#t
    return this.#d.transaction(function* (db) {
      const gone = yield* run(db.delete(w).where(and(eq(w.tenantId, tenantId), eq(w.id, id))).returning({ id: w.id }))
      if (gone.length === 0) return false
      yield* run(db.delete(d).where(and(eq(d.endpointId, id), isNull(d.doneAt))))
      return true
    })
  }

  async claimWebhookDeliveries(now: number, leaseMs: number, limit: number, busyEndpoints: readonly string[] = []) {
    const { webhookDeliveries: d, webhookEndpoints: w, webhookMessages: m } = this.#t
    const due = and(isNull(d.doneAt), lte(d.nextAttemptAt, now), or(isNull(d.claimedUntil), lt(d.claimedUntil, now)))
    const enabled = this.#db.select({ id: w.id }).from(w).where(eq(w.enabled, true))
    const ids = (
      await this.#db
        .select({ id: d.id })
        .from(d)
        .where(and(due, inArray(d.endpointId, enabled), busyEndpoints.length ? notInArray(d.endpointId, [...busyEndpoints]) : undefined))
        .orderBy(asc(d.nextAttemptAt), asc(d.id))
        .limit(limit)
    ).map((r) => r.id)
    // Nothing due, nothing written: the poll every second never waits for the write lock.
    if (ids.length === 0) return []
    const claimed = await this.#db
      .update(d)
      .set({ claimedUntil: now + leaseMs, attempts: sql`${d.attempts} + 1` })
      .where(and(inArray(d.id, ids), due))
      .returning()
    if (claimed.length === 0) return []
    const [endpoints, messages] = await Promise.all([
      this.#db.select().from(w).where(inArray(w.id, [...new Set(claimed.map((c) => c.endpointId))])),
      this.#db.select({ id: m.id, body: m.body }).from(m).where(inArray(m.id, [...new Set(claimed.map((c) => c.messageId))])),
    ])
    const endpointOf = new Map(endpoints.map((e) => [e.id, e]))
    const bodyOf = new Map(messages.map((x) => [x.id, x.body]))
    const out: WebhookClaim[] = []
    for (const c of claimed.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : 1))) {
      const e = endpointOf.get(c.endpointId)
      const body = bodyOf.get(c.messageId)
      if (!e || body === undefined) continue
      out.push({
        id: c.id,
        tenantId: c.tenantId,
        messageId: c.messageId,
        body,
        createdAt: c.createdAt,
        attempts: c.attempts,
        endpoint: { id: e.id, url: e.url, secret: e.secret, previousSecret: e.previousSecret, previousSecretUntil: e.previousSecretUntil },
      })
    }
    return out
  }

  replayWebhook(tenantId: string, endpointId: string, which: { messageId: string } | { since: number }, at: number, limit: number) {
    const { webhookEndpoints: w, webhookMessages: m, webhookDeliveries: d } = this.#t
    return this.#d.transaction(function* (db) {
      const [endpoint] = yield* run(db.select().from(w).where(and(eq(w.tenantId, tenantId), eq(w.id, endpointId))))
      if (!endpoint) return null
      const one = 'messageId' in which
      // Asked by id, a message goes again whatever became of it. Since an instant: those the
      // endpoint wants, written while it existed, and neither pending nor delivered to it.
      const owed = one
        ? eq(m.id, which.messageId)
        : and(
            gte(m.createdAt, Math.max(which.since, endpoint.createdAt)),
            endpoint.eventTypes === null ? undefined : inArray(m.type, endpoint.eventTypes),
            notExists(
              db
                .select({ id: d.id })
                .from(d)
                .where(and(eq(d.id, sql`${m.id} || ${`:${endpointId}`}`), or(isNull(d.doneAt), eq(d.outcome, 'delivered')))),
            ),
          )
      const queued = yield* run(
        db
          .select({ id: m.id, createdAt: m.createdAt })
          .from(m)
          .where(and(eq(m.tenantId, tenantId), owed))
          .orderBy(asc(m.createdAt), asc(m.id))
          .limit(one ? 1 : limit),
      )
      if (queued.length === 0) return 0
      const again = { doneAt: null, outcome: null, claimedUntil: null, attempts: 0, nextAttemptAt: at }
      yield* run(
        db
          .insert(d)
          .values(queued.map((x) => ({ id: `${x.id}:${endpointId}`, tenantId, endpointId, messageId: x.id, createdAt: x.createdAt, ...again })))
          .onConflictDoUpdate({ target: d.id, set: again }),
      )
      return queued.length
    })
  }

  async releaseWebhookDeliveries(ids: readonly string[]) {
    if (ids.length === 0) return
    const d = this.#t.webhookDeliveries
    await this.#db
      .update(d)
      .set({ claimedUntil: null, attempts: sql`${d.attempts} - 1` })
      .where(and(inArray(d.id, [...ids]), isNull(d.doneAt)))
  }

  settleWebhookDelivery(settlement: WebhookSettlement) {
    const { webhookDeliveries: d, webhookEndpoints: w, webhookAttempts: a } = this.#t
    const { attempt } = settlement
    return this.#d.transaction(function* (db) {
      yield* run(db.insert(a).values(attempt))
      const done = settlement.outcome !== 'retry'
      yield* run(
        db
          .update(d)
          .set({
            claimedUntil: null,
            lastStatus: attempt.status,
            lastError: attempt.error,
            ...(done ? { doneAt: attempt.at, outcome: settlement.outcome } : { nextAttemptAt: settlement.nextAttemptAt! }),
          })
          .where(and(eq(d.id, settlement.deliveryId), isNull(d.doneAt))),
      )
      const endpoint = and(eq(w.tenantId, attempt.tenantId), eq(w.id, attempt.endpointId))
      if (settlement.outcome === 'delivered') yield* run(db.update(w).set({ failingSince: null }).where(endpoint))
      else yield* run(db.update(w).set({ failingSince: sql`coalesce(${w.failingSince}, ${attempt.at})` }).where(endpoint))
      if (settlement.disable) yield* run(db.update(w).set({ enabled: false, disabledReason: settlement.disable, updatedAt: attempt.at }).where(endpoint))
      else if (settlement.outcome !== 'delivered' && settlement.failingCutoff !== undefined) {
        yield* run(db.update(w).set({ enabled: false, disabledReason: 'failing', updatedAt: attempt.at }).where(and(endpoint, eq(w.enabled, true), lte(w.failingSince, settlement.failingCutoff))))
      }
    })
  }

  async pruneWebhooks(before: number) {
    const { webhookMessages: m, webhookDeliveries: d, webhookAttempts: a } = this.#t
    const db = this.#db
    // Small statements, so that writers never wait long for one; deliveries before their
    // messages, so none is left without its body.
    const chunked = async (once: () => Promise<unknown[]>) => {
      let gone = 0
      for (let n = PRUNE_CHUNK; n === PRUNE_CHUNK; gone += n) n = (await once()).length
      return gone
    }
    return (
      (await chunked(() => db.delete(d).where(inArray(d.id, db.select({ id: d.id }).from(d).where(lt(d.createdAt, before)).limit(PRUNE_CHUNK))).returning({ id: d.id }))) +
      (await chunked(() => db.delete(m).where(inArray(m.id, db.select({ id: m.id }).from(m).where(lt(m.createdAt, before)).limit(PRUNE_CHUNK))).returning({ id: m.id }))) +
      (await chunked(() => db.delete(a).where(inArray(a.id, db.select({ id: a.id }).from(a).where(lt(a.at, before)).limit(PRUNE_CHUNK))).returning({ id: a.id })))
    )
  }

  async listWebhookAttempts(tenantId: string, endpointId: string, limit: number, before?: number) {
    const a = this.#t.webhookAttempts
    return (await this.#db
      .select()
      .from(a)
      .where(and(eq(a.tenantId, tenantId), eq(a.endpointId, endpointId), before === undefined ? undefined : lt(a.at, before)))
      .orderBy(desc(a.at), desc(a.id))
      .limit(limit)) as WebhookAttemptRecord[]
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
        // Only requests made for a subscriber: an invitation to the console is not theirs.
        .where(and(eq(m.tenantId, tenantId), eq(m.kind, 'new-link'), isNotNull(m.address))),
    )
    const theirs = waiting.filter((r) => r.address!.trim().toLowerCase() === email).map((r) => r.id)
    if (theirs.length > 0) yield* run(db.delete(m).where(inArray(m.id, theirs)))
  }

  // ---- imports ----

  async createImport(job: ImportRecord) {
    await this.#db.insert(this.#t.imports).values(job)
  }

  async getImport(tenantId: string, id: string) {
    const i = this.#t.imports
    const [row] = await this.#db.select().from(i).where(and(eq(i.tenantId, tenantId), eq(i.id, id)))
    return (row as ImportRecord | undefined) ?? null
  }

  async listImports(tenantId: string, limit: number) {
    const i = this.#t.imports
    return (await this.#db.select().from(i).where(eq(i.tenantId, tenantId)).orderBy(desc(i.createdAt), desc(i.id)).limit(limit)) as ImportRecord[]
  }

  async startImport(id: string, at: number) {
    const i = this.#t.imports
    const started = await this.#db
      .update(i)
      .set({ state: 'running', startedAt: at, heartbeatAt: at })
      .where(and(eq(i.id, id), eq(i.state, 'queued')))
      .returning({ id: i.id })
    return started.length > 0
  }

  recordImportProgress(id: string, counts: ImportCounts, errors: readonly ImportErrorRecord[], at: number) {
    const { imports: i, importErrors: e } = this.#t
    const d = this.#d
    return d.transaction(function* (db) {
      yield* d.insertMany(db, e, errors)
      const [job] = yield* run(db.update(i).set({ ...counts, heartbeatAt: at }).where(eq(i.id, id)).returning({ cancelRequested: i.cancelRequested }))
      return job !== undefined && !job.cancelRequested
    })
  }

  async finishImport(id: string, state: 'completed' | 'failed' | 'cancelled', error: string | null, at: number) {
    const i = this.#t.imports
    const [job] = await this.#db.update(i).set({ state, error, finishedAt: at, heartbeatAt: at }).where(eq(i.id, id)).returning()
    return job as ImportRecord
  }

  cancelImport(tenantId: string, id: string, at: number) {
    const i = this.#t.imports
    const d = this.#d
    return d.transaction(function* (db): Steps<ImportRecord | null> {
      const [job] = yield* run(d.forUpdate(db.select().from(i).where(and(eq(i.tenantId, tenantId), eq(i.id, id)))))
      if (!job) return null
      if (job.state === 'queued') {
        const [done] = yield* run(db.update(i).set({ state: 'cancelled', cancelRequested: true, finishedAt: at }).where(eq(i.id, id)).returning())
        return done as ImportRecord
      }
      if (job.state === 'running') {
        const [asked] = yield* run(db.update(i).set({ cancelRequested: true }).where(eq(i.id, id)).returning())
        return asked as ImportRecord
      }
      return job as ImportRecord
    })
  }

  async listImportErrors(importId: string, afterLine: number, limit: number) {
    const e = this.#t.importErrors
    return (await this.#db
      .select()
      .from(e)
      .where(and(eq(e.importId, importId), gt(e.line, afterLine)))
      .orderBy(asc(e.line))
      .limit(limit)) as ImportErrorRecord[]
  }

  async failStaleImports(before: number, at: number) {
    const i = this.#t.imports
    const failed = await this.#db
      .update(i)
      .set({ state: 'failed', finishedAt: at, error: 'the server running the import stopped; rows applied so far stay, and running the file again changes nothing twice' })
      .where(and(eq(i.state, 'running'), lt(i.heartbeatAt, before)))
      .returning({ id: i.id })
    return failed.length
  }

  async pruneMail(before: number, tenantIds?: readonly string[]) {
    const m = this.#t.mailOutbox
    const gone = await this.#db
      .delete(m)
      .where(and(isNotNull(m.doneAt), lt(m.doneAt, before), tenantIds === undefined ? undefined : inArray(m.tenantId, [...tenantIds])))
      .returning({ id: m.id })
    return gone.length
  }

  // ---- the console's people ----

  async createConsoleUser(user: NewConsoleUser) {
    const u = this.#t.consoleUsers
    const made = await this.#db.insert(u).values(user).onConflictDoNothing().returning({ id: u.id })
    return made.length > 0
  }

  async getConsoleUser(tenantId: string, id: string) {
    const u = this.#t.consoleUsers
    const [row] = await this.#db.select().from(u).where(and(eq(u.tenantId, tenantId), eq(u.id, id)))
    return row ? toUser(row) : null
  }

  async findConsoleUserByEmail(email: string) {
    const u = this.#t.consoleUsers
    const [row] = await this.#db.select().from(u).where(eq(u.email, email.trim().toLowerCase()))
    return row ? { ...toUser(row), passwordHash: row.passwordHash } : null
  }

  async listConsoleUsers(tenantId: string) {
    const u = this.#t.consoleUsers
    const rows = await this.#db.select().from(u).where(eq(u.tenantId, tenantId)).orderBy(asc(u.createdAt), asc(u.id))
    return rows.map(toUser)
  }

  changeConsoleRole(tenantId: string, id: string, role: ConsoleRole, at: number) {
    const u = this.#t.consoleUsers
    return this.#d.transaction((db) =>
      this.#changePerson(db, tenantId, id, role === 'owner', function* () {
        const [row] = yield* run(db.update(u).set({ role, updatedAt: at }).where(and(eq(u.tenantId, tenantId), eq(u.id, id))).returning())
        return toUser(row!)
      }),
    )
  }

  deleteConsoleUser(tenantId: string, id: string) {
    const { consoleUsers: u, consoleSessions: s } = this.#t
    return this.#d.transaction((db) =>
      this.#changePerson(db, tenantId, id, false, function* () {
        const [row] = yield* run(db.delete(u).where(and(eq(u.tenantId, tenantId), eq(u.id, id))).returning())
        yield* run(db.delete(s).where(eq(s.userId, id)))
        return toUser(row!)
      }),
    )
  }

  /**
   * A change to a user that may leave them no owner (`staysOwner` false): under the tenant's
   * people lock, so two owners demoting each other at once cannot both succeed.
   */
  *#changePerson(db: Db, tenantId: string, id: string, staysOwner: boolean, change: () => Steps<ConsoleUserRecord>): Steps<PeopleChange> {
    const u = this.#t.consoleUsers
    yield* this.#d.lock(db, `people:${tenantId}`)
    const [row] = yield* run(db.select({ role: u.role }).from(u).where(and(eq(u.tenantId, tenantId), eq(u.id, id))))
    if (!row) return { kind: 'not_found' }
    if (row.role === 'owner' && !staysOwner) {
      const owners = yield* run(db.select({ id: u.id }).from(u).where(and(eq(u.tenantId, tenantId), eq(u.role, 'owner'))).limit(2))
      if (owners.length < 2) return { kind: 'last_owner' }
    }
    return { kind: 'done', user: yield* change() }
  }

  setConsolePassword(tenantId: string, id: string, passwordHash: string, at: number, keepSession?: string) {
    const { consoleUsers: u, consoleSessions: s } = this.#t
    return this.#d.transaction(function* (db) {
      const done = yield* run(db.update(u).set({ passwordHash, updatedAt: at }).where(and(eq(u.tenantId, tenantId), eq(u.id, id))).returning({ id: u.id }))
      if (done.length === 0) return false
      yield* run(db.delete(s).where(and(eq(s.userId, id), keepSession === undefined ? undefined : ne(s.hash, keepSession))))
      return true
    })
  }

  async createSession(session: SessionRecord) {
    await this.#db.insert(this.#t.consoleSessions).values(session)
  }

  async getSession(hash: string) {
    const { consoleSessions: s, consoleUsers: u, tenants: t } = this.#t
    const [row] = await this.#db
      .select({ session: s, user: u, tenant: t })
      .from(s)
      .innerJoin(u, eq(u.id, s.userId))
      .innerJoin(t, eq(t.id, u.tenantId))
      .where(eq(s.hash, hash))
    return row ? { session: row.session, user: toUser(row.user), tenant: row.tenant } : null
  }

  async touchSession(hash: string, at: number) {
    const s = this.#t.consoleSessions
    await this.#db.update(s).set({ lastSeenAt: at }).where(and(eq(s.hash, hash), lt(s.lastSeenAt, at)))
  }

  async deleteSession(hash: string) {
    const s = this.#t.consoleSessions
    await this.#db.delete(s).where(eq(s.hash, hash))
  }

  createInvitation(invitation: InvitationRecord, mail: NewMail) {
    const { consoleInvitations: i, mailOutbox } = this.#t
    return this.#d.transaction(function* (db) {
      // One pending invitation an address and tenant: inviting again replaces it (its mail, if not sent yet, is withdrawn).
      yield* run(db.delete(i).where(and(eq(i.tenantId, invitation.tenantId), eq(i.email, invitation.email), isNull(i.acceptedAt))))
      yield* run(db.insert(i).values({ ...invitation, hash: null }))
      yield* run(db.insert(mailOutbox).values(mailRow(mail)))
    })
  }

  async getInvitation(id: string) {
    const i = this.#t.consoleInvitations
    const [row] = await this.#db.select().from(i).where(eq(i.id, id))
    return row ? toInvitation(row) : null
  }

  async listInvitations(tenantId: string, at: number) {
    const i = this.#t.consoleInvitations
    const rows = await this.#db
      .select()
      .from(i)
      .where(and(eq(i.tenantId, tenantId), isNull(i.acceptedAt), gt(i.expiresAt, at)))
      .orderBy(asc(i.createdAt), asc(i.id))
    return rows.map(toInvitation)
  }

  async deleteInvitation(tenantId: string, id: string) {
    const i = this.#t.consoleInvitations
    const gone = await this.#db
      .delete(i)
      .where(and(eq(i.tenantId, tenantId), eq(i.id, id), isNull(i.acceptedAt)))
      .returning({ id: i.id })
    return gone.length > 0
  }

  async setInvitationToken(id: string, hash: string, at: number) {
    const i = this.#t.consoleInvitations
    const done = await this.#db
      .update(i)
      .set({ hash })
      .where(and(eq(i.id, id), isNull(i.acceptedAt), gt(i.expiresAt, at)))
      .returning({ id: i.id })
    return done.length > 0
  }

  acceptInvitation(hash: string, at: number, user: { id: string; name: string | null; passwordHash: string }) {
    const { consoleInvitations: i, consoleUsers: u } = this.#t
    const d = this.#d
    return d.transaction(function* (db): Steps<ConsoleUserRecord | null> {
      const [found] = yield* run(d.forUpdate(db.select().from(i).where(and(eq(i.hash, hash), isNull(i.acceptedAt), gt(i.expiresAt, at)))))
      if (!found) return null
      const record = { id: user.id, tenantId: found.tenantId, email: found.email, name: user.name, role: found.role, passwordHash: user.passwordHash, createdAt: at, updatedAt: at }
      const made = yield* run(db.insert(u).values(record).onConflictDoNothing().returning({ id: u.id }))
      if (made.length === 0) throw new ConsoleEmailTaken()
      yield* run(db.update(i).set({ acceptedAt: at, hash: null }).where(eq(i.id, found.id)))
      return toUser(record)
    })
  }
}

/** The outbox row of a mail, due at once. */
function mailRow({ at, ...mail }: NewMail) {
  return { ...mail, createdAt: at, nextAttemptAt: at }
}

const toUser = ({ passwordHash: _hash, ...user }: NewConsoleUser | (ConsoleUserRecord & { passwordHash: string | null })): ConsoleUserRecord => user

const toInvitation = ({ hash: _hash, ...invitation }: InvitationRecord & { hash: string | null }): InvitationRecord => invitation

/** The order of ids in both databases: by code point (SQLite's BINARY, PostgreSQL's C collations), as UTF-8 bytes compare. */
const byCodePoints = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
