import { fileURLToPath } from 'node:url'
import { getTableColumns, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { HISTORY_LOOKBACK_MS, recordsDispatch, type Decision } from '@heed/shared'
import {
  decisionDataFromRows,
  replayOrConflict,
  settle,
  type DecisionReadRow,
  type DecisionRest,
  type PendingReserve,
  type PriorDispatch,
  type ReserveOutcome,
} from './common.ts'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import { keptRecent, RECENT_MAX } from './recent.ts'
import { run, type Db, type Dialect, type Steps } from './dialect.ts'
import { DatabaseUnavailable, DEFAULT_DATABASE_TIMEOUT_MS } from './availability.ts'
import { Repository } from './repository.ts'
import * as schema from './schema.pg.ts'
import type { DecisionData, DispatchRequest, ReserveResult } from './store.ts'

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/pg', import.meta.url))

/** Two 32-bit keys for pg_advisory locks: one namespace for Heed, one per purpose/tenant. */
const LOCK_NAMESPACE = 0x48454544 // "HEED"

export interface PostgresOptions {
  /** Connections in this process's pool. */
  poolSize?: number
  /** How long a request waits for the database (see availability.ts); connecting gives up sooner or at the same time. */
  timeoutMs?: number
}

/**
 * Opens a PostgreSQL store and runs migrations under an advisory lock, so any number of
 * processes may start at once.
 */
/** Rows one statement of a bulk write carries (about 20 parameters a row; PostgreSQL allows 65,535). */
const BULK_ROWS = 500

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Repository> {
  // One connection holds the session lock while it migrates; other processes wait for it.
  const migrator = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await migrator`SELECT pg_advisory_lock(${LOCK_NAMESPACE}, 0)`
    await migrate(drizzle(migrator, { schema }), { migrationsFolder: MIGRATIONS })
  } finally {
    await migrator.end({ timeout: 5 })
  }
  return openPostgresReader(url, options.poolSize ?? 10, options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS)
}

/** A store on an already migrated database: the batch worker thread's, with a pool of its own. */
export function openPostgresReader(url: string, poolSize: number, timeoutMs: number): Repository {
  return new Repository(new PostgresDialect(connect(url, poolSize, timeoutMs), url, timeoutMs))
}

function connect(url: string, poolSize: number, timeoutMs: number, name = 'heed') {
  return postgres(url, {
    max: poolSize,
    onnotice: () => {},
    // A database that does not accept the connection within the bound is unreachable.
    connect_timeout: timeoutMs / 1000,
    // After a failed connection the next attempt comes within 0.2 s, however many
    // failed before (postgres.js's default grows to 20 s): when the database returns,
    // requests succeed again within a second.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 0.2),
    connection: {
      application_name: name,
      // No statement of Heed's outlives twice the bound a request waits for it, and no
      // transaction whose process went quiet (a partition) keeps its row locks from the
      // other processes for longer than that either.
      statement_timeout: 2 * timeoutMs,
      idle_in_transaction_session_timeout: 2 * timeoutMs,
    },
  })
}

const jsonList = (values: readonly string[]) => JSON.stringify([...new Set(values)])

/** Reserves decided in one transaction, at most. */
const MAX_GROUP = 256

/** A recorded dispatch found by its messageId. */
type PriorRow = PriorDispatch & { message_id: string }

/** The dispatches recorded under these messageIds. */
const recordedUnder = (c: postgres.Sql | postgres.TransactionSql, tenantId: string, messageIds: readonly string[]) =>
  c<PriorRow[]>`
    SELECT message_id, subscriber_id, topic, channel, decision FROM dispatches
    WHERE tenant_id = ${tenantId} AND message_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${jsonList(messageIds)}::jsonb)))`

/** Runs a transaction body, awaiting each of its queries in turn. */
async function runAwaiting<T>(steps: Steps<T>): Promise<T> {
  for (let next = steps.next(); ; ) {
    if (next.done) return next.value
    next = steps.next(await next.value)
  }
}

class PostgresDialect implements Dialect {
  readonly name = 'postgres'
  readonly db: Db
  readonly tables = schema
  readonly #client: postgres.Sql
  readonly #url: string
  readonly #timeoutMs: number

  constructor(client: postgres.Sql, url: string, timeoutMs: number) {
    this.#client = client
    this.#url = url
    this.#timeoutMs = timeoutMs
    this.db = drizzle(client, { schema })
  }

  get raw(): postgres.Sql {
    return this.#client
  }

  readerSpec() {
    return { postgres: this.#url, timeoutMs: this.#timeoutMs }
  }

  /** A connection of its own, so the answer says whether PostgreSQL answers, not how long the pool's queue is. */
  #pinger: postgres.Sql | null = null

  async ping() {
    this.#pinger ??= connect(this.#url, 1, this.#timeoutMs, 'heed-probe')
    await this.#pinger`SELECT 1`
  }

  async close() {
    await Promise.all([this.#client.end({ timeout: 5 }), this.#pinger?.end({ timeout: 1 })])
  }

  transaction<T>(body: (db: Db) => Steps<T>): Promise<T> {
    return this.db.transaction((tx) => runAwaiting(body(tx)))
  }

  /**
   * Nothing at once: PostgreSQL keeps the erased rows' old versions as dead tuples until VACUUM
   * (autovacuum, or `VACUUM` run by the operator; the README says what to run).
   */
  scrub() {}

  /** Serialises a tenant's ledger appends (key: the tenant id) or signing-key changes (`sig:` + tenant id). */
  *lock(db: Db, key: string): Steps<void> {
    yield* run(db.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${key}))`))
  }

  forUpdate<Q>(select: Q): Q {
    return (select as Q & { for(strength: 'update'): Q }).for('update')
  }

  *keepRecentFromTable(db: Db, tenantId: string, ids: readonly string[], since: number): Steps<void> {
    if (ids.length === 0) return
    // A statement of its own after the rows were locked: under READ COMMITTED it sees every
    // dispatch committed before it, and a reserve of these subscribers waits for the locks.
    const theirs = sql`d.tenant_id = s.tenant_id AND d.subscriber_id = s.id AND d.at > ${since}`
    yield* run(
      db.execute(sql`
        UPDATE subscribers s SET
          recent = (SELECT coalesce(jsonb_agg(jsonb_build_array(d.topic, d.channel, d.at) ORDER BY d.at), '[]'::jsonb) FROM dispatches d WHERE ${theirs}),
          recent_from = ${since}
        WHERE s.tenant_id = ${tenantId} AND s.id = ANY(ARRAY(SELECT jsonb_array_elements_text(${jsonList(ids)}::jsonb)))
          AND s.has_caps AND s.recent_from IS NULL
          AND (SELECT count(*) FROM dispatches d WHERE ${theirs}) <= ${RECENT_MAX}`),
    )
  }

  *insertMany(db: Db, table: PgTable, rows: readonly object[], upsertOn?: readonly string[]): Steps<void> {
    if (rows.length === 0) return
    const columns = getTableColumns(table)
    const keys = Object.keys(rows[0]!)
    // `SET col = excluded.col` for the rest: each row of the statement writes its own values.
    const set = Object.fromEntries(keys.filter((k) => !upsertOn?.includes(k)).map((k) => [k, sql.raw(`excluded."${columns[k]!.name}"`)]))
    for (let i = 0; i < rows.length; i += BULK_ROWS) {
      const insert = db.insert(table).values(rows.slice(i, i + BULK_ROWS) as never)
      yield* run(upsertOn ? insert.onConflictDoUpdate({ target: upsertOn.map((k) => columns[k]!), set }) : insert)
    }
  }


  /**
   * Everything a set of decisions needs, in one round trip. The hot paths (check, reserve) use
   * postgres.js's own tagged templates, which it prepares once per connection; drizzle's
   * `execute` sends an unnamed statement that PostgreSQL parses and plans on every call.
   */
  async #decisionData(q: postgres.Sql | postgres.TransactionSql, tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): Promise<DecisionData> {
    const ids = jsonList(subscriberIds)
    const keys = jsonList(topicKeys)
    // One row per subscriber, its JSON text (a SubscriberTuple, as SQLite's read gives), then
    // one row (its subscriber NULL) with the rest: the topics and the required topic keys. One
    // statement, so one snapshot. Many small texts, not one json_agg of every subscriber: for
    // 10,000 subscribers PostgreSQL spent about three times as long building that text, and
    // this process received and parsed it in one piece (see docs/performance.md).
    const rows = await q<Array<{ subscriber: string | null; rest: DecisionRest | null }>>`
      SELECT format('[%s,%s,%s,%s,%s,%s,%s,%s,%s]', to_json(s.id), to_json(s.status), coalesce(to_json(s.timezone)::text, 'null'), s.channels, s.topics,
          coalesce(s.cap::text, 'null'), coalesce(s.quiet_hours::text, 'null'), coalesce(s.paused_until::text, 'null'),
          -- A subscriber with caps brings their dispatches after "since" from their own row when
          -- it keeps them from early enough (db/recent.ts), else from the dispatches table.
          CASE WHEN NOT s.has_caps THEN 'null' WHEN s.recent_from <= ${since} THEN coalesce(s.recent::text, '[]') ELSE (
            SELECT coalesce(jsonb_agg(jsonb_build_array(d.topic, d.channel, d.at)), '[]'::jsonb)::text FROM dispatches d
            WHERE d.tenant_id = s.tenant_id AND d.subscriber_id = s.id AND d.at > ${since}
          ) END) AS subscriber, NULL::jsonb AS rest
        -- "= ANY(ARRAY(…))" is an index condition whatever the planner guesses of the list's
        -- length; a join against the list's rows was planned as a scan of every subscriber
        -- of the tenant while the table was small, which grows with the table.
        FROM subscribers s WHERE s.tenant_id = ${tenantId} AND s.id = ANY(ARRAY(SELECT jsonb_array_elements_text(${ids}::jsonb)))
      UNION ALL
      SELECT NULL, jsonb_build_object(
        'tops', (SELECT jsonb_agg(jsonb_build_array(key, channels, default_subscribed::int, required::int)) FROM topics
          WHERE tenant_id = ${tenantId} AND deleted_at IS NULL
            AND key = ANY(ARRAY(SELECT jsonb_array_elements_text(${keys}::jsonb)))),
        'required', (SELECT jsonb_agg(key) FROM topics WHERE tenant_id = ${tenantId} AND required))`.values()
    // .values(): each row as an array, in the columns' order.
    return decisionDataFromRows(rows as unknown as DecisionReadRow[])
  }

  getsTopic(topics: PgColumn, key: string, byDefault: boolean) {
    return sql`coalesce((${topics} -> ${key}::text ->> 'subscribed')::boolean, ${sql.raw(byDefault ? 'true' : 'false')})`
  }

  byCodePoint(column: PgColumn) {
    return sql`(${column} COLLATE "C")`
  }

  readDecisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number) {
    return this.#decisionData(this.#client, tenantId, subscriberIds, topicKeys, since)
  }

  /**
   * Check-and-reserve with group commit. A tenant's reserves that arrive in the same turn of
   * the event loop, or while its previous group is at work, share one transaction on one
   * connection, in four round trips:
   *
   * 1. BEGIN.
   * 2. The row locks of all their subscribers (in id order, so groups never deadlock), the
   *    messageId lookup and the decision read, sent together. PostgreSQL still runs them one
   *    after another: every read starts after the locks are held.
   * 3. Each reserve is decided in arrival order, seeing the ones before it (a dispatch recorded
   *    for a subscriber counts against the caps of the next reserve of that subscriber; a
   *    repeated messageId replays or conflicts). Then one INSERT of the recorded dispatches.
   * 4. COMMIT.
   *
   * Every answer waits for COMMIT, and a failed statement or a lost connection fails the whole
   * group with nothing recorded. (BEGIN and COMMIT used to ride along with the statements
   * around them on a connection taken with `reserve()`; postgres.js loses track of such a
   * connection when it drops, which left a process without connections after a database
   * restart. `begin()` hands a dropped connection back to the pool; see docs/performance.md.)
   */
  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult> {
    return new Promise((resolve, reject) => {
      let waiting = this.#pendingReserves.get(tenantId)
      if (!waiting) this.#pendingReserves.set(tenantId, (waiting = []))
      waiting.push({ req, decide, resolve, reject, until: performance.now() + this.#timeoutMs })
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
  #flushReserves(tenantId: string): void {
    const waiting = this.#pendingReserves.get(tenantId)
    if (!waiting || this.#reserving.has(tenantId)) return
    // Reserves whose caller has been answered 503 by now are not recorded after the fact.
    const now = performance.now()
    const group = waiting.splice(0, MAX_GROUP).filter((p) => {
      if ((p.until ?? Infinity) > now) return true
      p.reject(new DatabaseUnavailable(`no answer within ${this.#timeoutMs} ms`))
      return false
    })
    if (waiting.length === 0) this.#pendingReserves.delete(tenantId)
    if (group.length === 0) return this.#flushReserves(tenantId)
    this.#reserving.add(tenantId)
    // A group that outlives the bound (its connection gone quiet) no longer holds back the
    // next: its callers have been answered 503 by then, and row locks keep groups of the same
    // subscribers apart whatever runs at once.
    let done = false
    const next = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      this.#reserving.delete(tenantId)
      this.#flushReserves(tenantId)
    }
    const timer = setTimeout(next, this.#timeoutMs)
    void this.#reserveGroup(tenantId, group).finally(next)
  }

  async #reserveGroup(tenantId: string, group: readonly PendingReserve[]) {
    const subscriberIds = [...new Set(group.map((p) => p.req.subscriberId))].sort()
    const topicKeys = group.map((p) => p.req.topic)
    const messageIds = group.map((p) => p.req.messageId)
    const since = Math.min(...group.map((p) => p.req.at)) - HISTORY_LOOKBACK_MS
    const outcomes: ReserveOutcome[] = []
    const inserts: Array<[string, string, string, string, number, boolean, Decision]> = []
    let missing = new Set<string>()
    try {
      // `begin` sends BEGIN, runs the body on one connection and sends COMMIT (ROLLBACK when
      // the body throws); a connection lost on the way rejects it. postgres.js sends a query
      // when it is first awaited or executed: `execute()` fixes the order, so the reads go out
      // behind the locks, together.
      await this.#client.begin(async (tx) => {
        const locked = tx`
          SELECT 1 FROM subscribers
          WHERE tenant_id = ${tenantId} AND id = ANY(ARRAY(SELECT jsonb_array_elements_text(${jsonList(subscriberIds)}::jsonb)))
          ORDER BY id FOR UPDATE`.execute()
        const earlier = recordedUnder(tx, tenantId, messageIds).execute()
        const [, priors, data] = await Promise.all([locked, earlier, this.#decisionData(tx, tenantId, subscriberIds, topicKeys, since)])

        // Subscribers whose history was read (those with caps): their rows keep it (db/recent.ts).
        const withHistory = new Set(data.history.keys())
        const recorded = new Map<string, PriorDispatch>(priors.map((r) => [r.message_id, r]))
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
          if (!recordsDispatch(decision, req.enforce)) {
            outcomes.push({ ok: true, value: { kind: 'refused', decision } })
            continue
          }
          recorded.set(req.messageId, { subscriber_id: req.subscriberId, topic: req.topic, channel: req.channel, decision })
          inserts.push([req.subscriberId, req.topic, req.channel, req.messageId, req.at, req.enforce, decision])
          // The next reserves of this subscriber see it; the engine decides whether it counts.
          const history = data.history.get(req.subscriberId)
          const dispatch = { topic: req.topic, channel: req.channel, at: req.at }
          if (history) history.push(dispatch)
          else data.history.set(req.subscriberId, [dispatch])
          outcomes.push({ ok: true, value: { kind: 'recorded', decision } })
        }
        if (inserts.length === 0) return
        const inserted = await tx<{ message_id: string }[]>`
          INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at)
          SELECT ${tenantId}, r->>0, r->>1, r->>2, r->>3, (r->>4)::bigint, (r->>5)::boolean, r->6, ${Date.now()}
          FROM jsonb_array_elements(${JSON.stringify(inserts)}::jsonb) AS r
          ON CONFLICT DO NOTHING RETURNING message_id`
        missing = new Set(inserts.map((r) => r[3]))
        for (const r of inserted) missing.delete(r.message_id)
        // Each subscriber with a dispatch recorded here keeps its recent list; one whose
        // dispatch another process committed first (missing) is cleared: what this group
        // read no longer holds, and the table is read until their next dispatch.
        const lost = new Set(inserts.filter((r) => missing.has(r[3])).map((r) => r[0]))
        const rows = [...new Set(inserts.map((r) => r[0]))].map((id) => {
          const kept = withHistory.has(id) && !lost.has(id) ? keptRecent(data.history.get(id)!, [], since) : { recent: null, recentFrom: null }
          return [id, kept.recent, kept.recentFrom] as const
        })
        await tx`
          UPDATE subscribers s SET recent = NULLIF(r->1, 'null'::jsonb), recent_from = (r->>2)::bigint
          FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS r
          WHERE s.tenant_id = ${tenantId} AND s.id = r->>0`
      })
    } catch (error) {
      // Nothing of the group is committed: every reserve in it fails.
      for (const p of group) p.reject(error)
      return
    }
    if (missing.size > 0) await this.#answerTheirs(tenantId, group, outcomes, missing)
    settle(group, outcomes)
  }

  /**
   * The reserves whose INSERT found their messageId taken: another process committed it
   * first. They answer with what it recorded: a replay when it is the same dispatch.
   */
  async #answerTheirs(tenantId: string, group: readonly PendingReserve[], outcomes: ReserveOutcome[], missing: ReadonlySet<string>) {
    // Those recorded here, and those of the group that replayed or conflicted with them.
    const mine = (req: DispatchRequest, i: number) => {
      const o = outcomes[i]!
      return o.ok && o.value.kind !== 'refused' && missing.has(req.messageId)
    }
    try {
      const theirs = await recordedUnder(this.#client, tenantId, [...missing])
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

  async isKnownOrigin(origin: string) {
    const rows = await this.#client`SELECT 1 FROM tenants WHERE settings->'allowedOrigins' ? ${origin} LIMIT 1`
    return rows.length > 0
  }
}
