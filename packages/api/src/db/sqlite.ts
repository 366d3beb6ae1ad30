import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { getTableColumns, getTableName, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { HISTORY_LOOKBACK_MS, recordsDispatch, type Decision, type PastDispatch } from '@heed/shared'
import { decisionDataFromRows, replayOrConflict, settle, type DecisionReadRow, type PendingReserve, type ReserveOutcome } from './common.ts'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Db, Dialect, Steps, Tables } from './dialect.ts'
import { keptRecent, RECENT_MAX } from './recent.ts'
import { Repository } from './repository.ts'
import * as schema from './schema.sqlite.ts'
import type { DecisionData, DispatchRequest, ReserveResult } from './store.ts'

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url))

/** Opens (and migrates) a SQLite database: `file:./data/heed.db`, a path, or `:memory:`. */
export function openSqlite(url: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Repository {
  const path = url === ':memory:' || url === 'file::memory:' ? ':memory:' : resolve(url.replace(/^file:/, ''))
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  // In WAL mode, NORMAL writes every commit to the WAL file before the 2xx goes out: it
  // survives a crash or kill -9 of the server; only a power cut or OS crash can lose the
  // last commits. HEED_SQLITE_SYNCHRONOUS=FULL syncs every commit to the disk as well.
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  sqlite.pragma('foreign_keys = ON')
  // Deleted and overwritten content is zeroed in the pages, so an erased person cannot be read
  // back from freed space of the file (see scrub() for the WAL).
  sqlite.pragma('secure_delete = ON')
  tune(sqlite)
  migrate(drizzle(sqlite, { schema }), { migrationsFolder: MIGRATIONS })
  return new Repository(new SqliteDialect(sqlite, path === ':memory:' ? null : path))
}

/**
 * A second, read-only connection to a SQLite file another connection has opened and
 * migrated: the batch worker thread reads through it. In WAL mode it reads beside the
 * writer and every read transaction sees all that was committed before it began.
 */
export function openSqliteReader(path: string): Repository {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true })
  tune(sqlite)
  return new Repository(new SqliteDialect(sqlite, path))
}

function tune(sqlite: Database.Database) {
  sqlite.pragma('busy_timeout = 5000')
  // Read pages through a memory map instead of one read() system call per page missing from
  // SQLite's own cache (2 MiB by default): at 100,000 subscribers and more, most pages miss.
  // SQLite caps the map at its compile-time limit (2 GiB); the pages are the OS's file cache.
  sqlite.pragma('mmap_size = 2147418112')
  sqlite.pragma('cache_size = -65536')
}

/** Runs a transaction body's drizzle queries synchronously, one after another. */
function runNow<T>(steps: Steps<T>): T {
  for (let next = steps.next(); ; ) {
    if (next.done) return next.value
    // better-sqlite3 is synchronous: drizzle's prepared query runs at once through `sync()`.
    const query = next.value as unknown as { prepare?: () => { execute(): { sync(): unknown } } }
    if (typeof query.prepare !== 'function') throw new TypeError('a SQLite transaction yields drizzle queries only')
    next = steps.next(query.prepare().execute().sync())
  }
}

/** A subscriber's (`s`) dispatches after :since:, from the dispatches table. */
const DISPATCHES_AFTER_SINCE = 'FROM dispatches d WHERE d.tenant_id = s.tenant_id AND d.subscriber_id = s.id AND d.at > :since'
/** Those dispatches as a recent list's JSON (db/recent.ts). */
const LIST_AFTER_SINCE = `SELECT json_group_array(json_array(d.topic, d.channel, d.at)) ${DISPATCHES_AFTER_SINCE}`

/**
 * The decision read, one statement (so one snapshot): a row per subscriber, its JSON text (a
 * SubscriberTuple), then one row whose subscriber is NULL with the rest, the topics and the
 * tenant's required topic keys (DecisionReadRow). Many small texts rather than one large one, which would cost the
 * process fresh memory twice (SQLite's buffer and the JavaScript string), at a page fault per
 * 4 KiB. The JSON columns are put in as they are stored (written by this code as JSON), not
 * parsed and written again by json(). A subscriber with caps brings their dispatches after
 * :since: from their own row when it keeps them from early enough (db/recent.ts), else from
 * the dispatches table.
 */
const decisionSql = (subscriberIs: string, topicIs: string) => `
  SELECT format('[%s,%s,%s,%s,%s,%s,%s,%s,%s]',
    json_quote(s.id), json_quote(s.status), json_quote(s.timezone), s.channels, s.topics,
    coalesce(s.cap, 'null'), coalesce(s.quiet_hours, 'null'), json_quote(s.paused_until),
    CASE WHEN NOT s.has_caps THEN 'null' WHEN s.recent_from <= :since THEN s.recent ELSE (${LIST_AFTER_SINCE}) END) AS subscriber, NULL AS rest
  FROM subscribers s WHERE s.tenant_id = :tenant AND s.id ${subscriberIs}
  UNION ALL
  SELECT NULL, json_object(
    'tops', json((SELECT json_group_array(json_array(t.key, json(t.channels), t.default_subscribed, t.required)) FROM topics t
      WHERE t.tenant_id = :tenant AND t.deleted_at IS NULL AND t.key ${topicIs})),
    'required', json((SELECT json_group_array(r.key) FROM topics r WHERE r.tenant_id = :tenant AND r.required)))`

/** Reserves of every tenant share a group here: each carries its tenant. */
type QueuedReserve = PendingReserve & { tenantId: string }

class SqliteDialect implements Dialect {
  readonly name = 'sqlite'
  readonly db: Db
  // Cast once, here: the SQLite tables have the same columns and row types as the PostgreSQL ones.
  readonly tables = schema as unknown as Tables
  readonly #sqlite: Database.Database
  readonly #file: string | null
  /** Prepared bulk-write statements by their text: an import runs the same few a million times. */
  readonly #bulk = new Map<string, Database.Statement>()
  readonly #q
  readonly #reserveGroup: (group: readonly QueuedReserve[], outcomes: ReserveOutcome[]) => void
  /** A recorded dispatch and its subscriber's recent list (with caps: the history read, else cleared), in a savepoint. */
  readonly #recordDispatch: (tenantId: string, req: DispatchRequest, decision: Decision, history: readonly PastDispatch[] | undefined, since: number) => void

  constructor(sqlite: Database.Database, file: string | null) {
    this.#sqlite = sqlite
    this.#file = file
    this.db = drizzle(sqlite, { schema }) as unknown as Db
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
      // Everything a set of decisions needs in one statement, so one consistent snapshot, as
      // JSON texts: a JSON.parse each instead of a JSON.parse per column. Lists go in as JSON
      // (json_each) whatever their length; a lone check, the commonest read, compares with its
      // id and key instead (a fifth faster).
      decision: sqlite.prepare<{ tenant: string; ids: string; keys: string; since: number }, DecisionReadRow>(decisionSql('IN (SELECT value FROM json_each(:ids))', 'IN (SELECT value FROM json_each(:keys))')).raw(),
      lone: sqlite.prepare<{ tenant: string; id: string; key: string; since: number }, DecisionReadRow>(decisionSql('= :id', '= :key')).raw(),
      dispatchByMessage: sqlite.prepare<[string, string], { subscriber_id: string; topic: string; channel: string; decision: string }>(
        'SELECT subscriber_id, topic, channel, decision FROM dispatches WHERE tenant_id = ? AND message_id = ?',
      ),
      insertDispatch: sqlite.prepare(
        `INSERT INTO dispatches (tenant_id, subscriber_id, topic, channel, message_id, at, enforced, decision, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      keepRecent: sqlite.prepare<[string | null, number | null, string, string]>('UPDATE subscribers SET recent = ?, recent_from = ? WHERE tenant_id = ? AND id = ?'),
      keepRecentFromTable: sqlite.prepare<{ tenant: string; ids: string; since: number; max: number }>(`
        UPDATE subscribers AS s SET recent = (${LIST_AFTER_SINCE}), recent_from = :since
        WHERE s.tenant_id = :tenant AND s.id IN (SELECT value FROM json_each(:ids)) AND s.has_caps AND s.recent_from IS NULL
          AND (SELECT count(*) ${DISPATCHES_AFTER_SINCE}) <= :max`),
      forgetRecent: sqlite.prepare<[string, string]>('UPDATE subscribers SET recent = NULL, recent_from = NULL WHERE tenant_id = ? AND id = ? AND recent_from IS NOT NULL'),
      knownOrigin: sqlite.prepare<[string], { one: number }>(
        `SELECT 1 AS one FROM tenants, json_each(tenants.settings, '$.allowedOrigins') o WHERE o.value = ? LIMIT 1`,
      ),
    }
    const q = this.#q
    this.#recordDispatch = sqlite.transaction((tenantId: string, req: DispatchRequest, decision: Decision, history: readonly PastDispatch[] | undefined, since: number) => {
      q.insertDispatch.run(tenantId, req.subscriberId, req.topic, req.channel, req.messageId, req.at, req.enforce ? 1 : 0, JSON.stringify(decision), Date.now())
      if (history) {
        const kept = keptRecent(history, [{ topic: req.topic, channel: req.channel, at: req.at }], since)
        q.keepRecent.run(kept.recent === null ? null : JSON.stringify(kept.recent), kept.recentFrom, tenantId, req.subscriberId)
      } else {
        q.forgetRecent.run(tenantId, req.subscriberId)
      }
    })
  }

  get raw(): Database.Database {
    return this.#sqlite
  }

  async ping() {
    this.#sqlite.prepare('SELECT 1').get()
  }

  readerSpec() {
    // synchronous: 1 is NORMAL, 2 FULL (what a writing thread must keep to as well).
    return this.#file === null ? null : { sqlite: this.#file, synchronous: this.#sqlite.pragma('synchronous', { simple: true }) === 2 ? ('FULL' as const) : ('NORMAL' as const) }
  }

  async close() {
    // Reserves already queued are committed (or failed) before the connection goes.
    this.#flushReserves()
    if (this.#sqlite.open) this.#sqlite.close()
  }

  async transaction<T>(body: (db: Db) => Steps<T>): Promise<T> {
    return this.#sqlite.transaction(() => runNow(body(this.db))).immediate()
  }

  /**
   * After an erasure: copies the WAL into the database file and empties it, so the erased
   * content lives on in neither (with secure_delete, the pages it leaves are zeroed). Waits for
   * readers still on older pages (the batch thread), up to busy_timeout.
   */
  scrub() {
    this.#sqlite.pragma('wal_checkpoint(TRUNCATE)')
  }

  *lock(): Steps<void> {}

  forUpdate<Q>(select: Q): Q {
    return select
  }

  *keepRecentFromTable(_db: Db, tenantId: string, ids: readonly string[], since: number): Steps<void> {
    // Synchronous, on the connection whose IMMEDIATE transaction is open: part of it.
    if (ids.length > 0) this.#q.keepRecentFromTable.run({ tenant: tenantId, ids: JSON.stringify(ids), since, max: RECENT_MAX })
  }

  *insertMany(_db: Db, table: PgTable, rows: readonly object[], upsertOn?: readonly string[]): Steps<void> {
    if (rows.length === 0) return
    // The table is the SQLite schema's (see `tables`): its columns map values as drizzle does (JSON to text, booleans to 0/1).
    const columns = getTableColumns(table) as unknown as Record<string, { name: string; columnType: string; mapToDriverValue(value: unknown): unknown }>
    const keys = Object.keys(rows[0]!)
    const values = rows as ReadonlyArray<Record<string, unknown>>
    const name = (key: string) => `"${columns[key]!.name}"`
    const updates = keys.filter((k) => !upsertOn?.includes(k)).map((k) => `${name(k)} = excluded.${name(k)}`)
    const text =
      `INSERT INTO "${getTableName(table)}" (${keys.map(name).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})` +
      (upsertOn ? ` ON CONFLICT (${upsertOn.map(name).join(', ')}) DO UPDATE SET ${updates.join(', ')}` : '')
    let statement = this.#bulk.get(text)
    if (!statement) this.#bulk.set(text, (statement = this.#sqlite.prepare(text)))
    // Plain text and integer columns take the value as it is; JSON and boolean ones are mapped.
    const mapped = keys.map((k) => (['SQLiteText', 'SQLiteInteger'].includes(columns[k]!.columnType) ? null : columns[k]!))
    const args: unknown[] = new Array(keys.length)
    for (const row of values) {
      for (let i = 0; i < keys.length; i++) {
        const value = row[keys[i]!]
        args[i] = value === null || value === undefined ? null : mapped[i] ? mapped[i]!.mapToDriverValue(value) : value
      }
      statement.run(args)
    }
  }

  /** JSON `true` reads back as 1, `false` as 0, a missing choice as NULL. (Topic keys are slugs: nothing to escape in the path.) */
  getsTopic(topics: PgColumn, key: string, byDefault: boolean) {
    return sql`coalesce(json_extract(${topics}, ${`$."${key}".subscribed`}), ${sql.raw(byDefault ? '1' : '0')}) = 1`
  }

  byCodePoint(column: PgColumn) {
    return sql`${column}`
  }

  readDecisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): DecisionData {
    return decisionDataFromRows(
      subscriberIds.length === 1 && topicKeys.length === 1
        ? this.#q.lone.all({ tenant: tenantId, id: subscriberIds[0]!, key: topicKeys[0]!, since })
        : this.#q.decision.all({ tenant: tenantId, ids: JSON.stringify(subscriberIds), keys: JSON.stringify(topicKeys), since }),
    )
  }

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
    const data = this.readDecisionData(tenantId, [req.subscriberId], [req.topic], since)
    const decision = decide(data)
    if (!recordsDispatch(decision, req.enforce)) return { kind: 'refused', decision }
    // The dispatch and the row's recent list (db/recent.ts) go in together: a savepoint, so
    // a failure undoes both and the rest of the group goes on.
    this.#recordDispatch(tenantId, req, decision, data.history.get(req.subscriberId), since)
    return { kind: 'recorded', decision }
  }

  async isKnownOrigin(origin: string) {
    return this.#q.knownOrigin.get(origin) !== undefined
  }
}
