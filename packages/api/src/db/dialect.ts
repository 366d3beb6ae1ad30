import type { SQL } from 'drizzle-orm'
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core'
import type { Decision } from '@heed/shared'
import type * as schema from './schema.pg.ts'
import type { DecisionData, DispatchRequest, ReaderSpec, ReserveResult } from './store.ts'

/**
 * What differs between SQLite and PostgreSQL, behind one small interface; the queries that
 * are the same on both live once, in repository.ts.
 *
 * The repository is typed against the PostgreSQL schema and drizzle's PostgreSQL database.
 * Both schemas declare the same tables, columns and row types, and drizzle's builders have
 * the same method names on both dialects, so the SQLite adapter hands over its database and
 * tables cast to these types, once, at its boundary. Builders only PostgreSQL has (`for`,
 * `execute`) are used in postgres.ts alone; the repository reaches them through `lock` and
 * `forUpdate`.
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>
export type Tables = typeof schema

/** A transaction body: yields drizzle queries (through `run`) and returns its result. */
export type Steps<T> = Generator<PromiseLike<unknown>, T, unknown>

/** One query of a transaction body: `const rows = yield* run(db.select()…)`. */
export function* run<T>(query: PromiseLike<T>): Generator<PromiseLike<T>, T, unknown> {
  return (yield query) as T
}

export interface Dialect {
  readonly name: 'sqlite' | 'postgres'
  readonly db: Db
  readonly tables: Tables
  /** The underlying connection or pool, for tests that tamper with rows directly. */
  readonly raw: unknown

  /**
   * Runs a body of queries as one transaction. SQLite runs it synchronously inside an
   * IMMEDIATE transaction, so no other statement of this connection can come between its
   * queries; PostgreSQL awaits each query inside `db.transaction`.
   */
  transaction<T>(body: (db: Db) => Steps<T>): Promise<T>
  /** After an erasure: whatever the database keeps of deleted content on its own is cleared (SQLite's WAL; PostgreSQL leaves dead rows to VACUUM). */
  scrub(): void | Promise<void>
  /** A transaction-scoped lock on `key` (PostgreSQL advisory lock); SQLite's writers are serialised already. */
  lock(db: Db, key: string): Steps<void>
  /** The select with its rows locked until the transaction ends (PostgreSQL `FOR UPDATE`). */
  forUpdate<Q>(select: Q): Q
  /**
   * Writes many rows of `table`, all with the same keys (an import's batch); with `upsertOn`
   * (the keys of a unique index), a row whose key exists replaces it. SQLite runs one cached
   * prepared statement a row, PostgreSQL several hundred rows a statement.
   */
  insertMany(db: Db, table: PgTable, rows: readonly object[], upsertOn?: readonly string[]): Steps<void>

  /**
   * Gives each subscriber among `ids` who has caps and no recent list (`subscribers.recent`,
   * db/recent.ts) one, built from the dispatches table after `since`, unless that passes
   * RECENT_MAX. Runs in the transaction that wrote their rows, which holds their locks, so no
   * dispatch of theirs can be recorded between the read and the write.
   */
  keepRecentFromTable(db: Db, tenantId: string, ids: readonly string[], since: number): Steps<void>

  /**
   * True when the subscriber gets the topic `key` by their own choice (`topics` holds
   * `{[key]: {subscribed}}`), or by `byDefault` when they made none: JSON text read with
   * `json_extract` on SQLite, jsonb with `->` on PostgreSQL.
   */
  getsTopic(topics: PgColumn, key: string, byDefault: boolean): SQL

  /**
   * `column` compared and ordered by code point, whatever the database's collation: lists
   * page by it and an id-prefix search is a range of it. SQLite's text is binary already; on
   * PostgreSQL it is the column `COLLATE "C"` (the indexes the list walks are built on it).
   */
  byCodePoint(column: PgColumn): SQL

  /** The hot read: subscribers with their recent dispatches, topics and required topic keys, in one statement. */
  readDecisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): DecisionData | Promise<DecisionData>
  /** Check-and-record in one transaction, grouped with the reserves that arrive alongside it. */
  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult>
  /** True when some tenant lists this origin. */
  isKnownOrigin(origin: string): Promise<boolean>
  /** What a worker thread opens to read this database; null when it cannot (in-memory SQLite). */
  readerSpec(): ReaderSpec | null
  /** One trivial query, answered when the database is reachable. */
  ping(): Promise<void>
  close(): Promise<void>
}
