import type {
  ApiKeyRole,
  ConsentSource,
  Decision,
  LocalizedText,
  TenantSettings,
} from '@heed/shared'
import type { EngineSubscriber, EngineTopic, PastDispatch } from '@heed/shared'
import type { Preferences } from '@heed/shared/subscriber'
import type { StoredEvent } from './ledger.ts'

/**
 * The data layer. Routes talk to this interface only; one repository (repository.ts) implements
 * it over a SQLite or PostgreSQL dialect, so the same routes and the same test suite run on
 * both. Instants are epoch ms.
 */

export interface TenantRecord {
  id: string
  settings: TenantSettings
  createdAt: number
  updatedAt: number
}

export interface ApiKeyRecord {
  id: string
  tenantId: string
  role: ApiKeyRole
  name: string | null
  prefix: string
  createdAt: number
  revokedAt: number | null
}

export interface NewApiKey extends ApiKeyRecord {
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  hash: string
}

export interface TopicRecord {
  key: string
  name: LocalizedText
  description: LocalizedText | null
  category: string
  channels: string[]
  defaultSubscribed: boolean
  required: boolean
  order: number
  createdAt: number
  updatedAt: number
}

/** A subscriber as stored: the shared preference fields (the pause as epoch ms) and what only the API holds. */
export interface SubscriberRecord extends Preferences<number> {
  id: string
  email: string | null
  linkVersion: number
  /** The version the record started at: links from `linkFloor` to `linkVersion` were issued to it. */
  linkFloor: number
  createdAt: number
  updatedAt: number
}

/** Who changed consent, how and when: becomes a consent event. */
export interface ChangeContext {
  source: ConsentSource
  actor: string | null
  userAgent: string | null
  reason?: string | null
  at: number
  /** Suppression hashes to lift in the same transaction (the person opted back in). */
  unsuppress?: readonly string[]
}

export type ConsentEventRecord = StoredEvent

export interface SigningKeyRecord {
  kid: string
  tenantId: string
  /** HMAC-SHA256 key, base64url. */
  secret: string
  createdAt: number
  retiresAt: number | null
}

export interface SuppressionEntry {
  hash: string
  kind: 'id' | 'email'
}

export interface DispatchRecord {
  subscriberId: string
  topic: string
  channel: string
  messageId: string
  at: number
  enforced: boolean
  decision: Decision
  createdAt: number
}

/** What the decision engine needs for a set of checks, loaded set-based in a few queries. */
export interface DecisionData {
  subscribers: Map<string, EngineSubscriber>
  topics: Map<string, EngineTopic>
  /** Every dispatch since the given instant, per subscriber with caps; the engine decides which count. */
  history: Map<string, PastDispatch[]>
  /** The tenant's required topic keys, deleted topics included: their dispatches never count toward caps. */
  requiredTopics: ReadonlySet<string>
}

/** A serialisable description of a database another thread can open for reading (`openReader` in db/open.ts). */
export type ReaderSpec = { sqlite: string } | { postgres: string; timeoutMs: number }

export interface DispatchRequest {
  subscriberId: string
  topic: string
  channel: string
  messageId: string
  at: number
  enforce: boolean
}

export type ReserveResult =
  | { kind: 'recorded'; decision: Decision }
  | { kind: 'refused'; decision: Decision }
  | { kind: 'replayed'; decision: Decision }
  | { kind: 'conflict' }

/** What Heed mails by itself (F7); each kind has its own message. */
export type MailKind = 'new-link'

/** How a mail of the outbox ended: sent, or why not. */
export type MailOutcome = 'sent' | 'no-subscriber' | 'duplicate' | 'gave-up'

/** A mail promised by a request, to be sent after it commits (mail/outbox.ts). */
export interface NewMail {
  id: string
  tenantId: string
  kind: MailKind
  /** The address the request named; kept only until the sender resolves it. */
  address: string
  /** The language of the page the request came from. */
  locale: string | null
  at: number
}

/** A row of the mail outbox. */
export interface MailRecord {
  id: string
  tenantId: string
  kind: MailKind
  address: string | null
  subscriberId: string | null
  locale: string | null
  createdAt: number
  nextAttemptAt: number
  claimedUntil: number | null
  /** Claims so far, this one included. */
  attempts: number
  doneAt: number | null
  outcome: MailOutcome | null
  lastError: string | null
}

/** A pure change to a subscriber, applied inside the store's transaction. */
export type SubscriberChange = (current: SubscriberRecord | null) => SubscriberRecord

export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  close(): Promise<void>
  /** What the batch worker thread opens to read this database; null when it cannot (in-memory SQLite). */
  readerSpec(): ReaderSpec | null
  /** Resolves once the database has answered a trivial query: readiness. */
  ping(): Promise<void>

  createTenant(tenant: TenantRecord, key: NewApiKey): Promise<boolean>
  getTenant(id: string): Promise<TenantRecord | null>
  updateTenant(id: string, settings: TenantSettings, at: number): Promise<TenantRecord | null>
  /** The active key with this hash and its tenant. */
  authenticate(hash: string): Promise<{ key: ApiKeyRecord; tenant: TenantRecord } | null>

  createApiKey(key: NewApiKey): Promise<void>
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>
  revokeApiKey(tenantId: string, id: string, at: number): Promise<ApiKeyRecord | null>

  putTopic(tenantId: string, topic: TopicRecord): Promise<{ topic: TopicRecord; created: boolean }>
  getTopic(tenantId: string, key: string): Promise<TopicRecord | null>
  listTopics(tenantId: string): Promise<TopicRecord[]>
  deleteTopic(tenantId: string, key: string, at: number): Promise<boolean>

  getSubscriber(tenantId: string, id: string): Promise<SubscriberRecord | null>
  /**
   * Reads the subscriber, applies `change`, writes the result and appends a consent event
   * when the consent state differs, all in one transaction.
   */
  changeSubscriber(
    tenantId: string,
    id: string,
    change: SubscriberChange,
    ctx: ChangeContext,
  ): Promise<{ subscriber: SubscriberRecord; created: boolean; changed: boolean }>

  decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): Promise<DecisionData>
  /** Check-and-record in one transaction; `decide` is the pure engine bound to the request. */
  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult>

  listEvents(tenantId: string, opts: { subscriberId?: string; after?: number; limit: number }): Promise<ConsentEventRecord[]>
  listDispatches(tenantId: string, subscriberId: string): Promise<DispatchRecord[]>

  /** The key new links are signed with; made on first use. */
  currentSigningKey(tenantId: string, at: number): Promise<SigningKeyRecord>
  getSigningKey(kid: string): Promise<SigningKeyRecord | null>
  /** Adds `key` as the current key; earlier keys stop verifying at `retireAt`. */
  rotateSigningKey(key: SigningKeyRecord, retireAt: number): Promise<void>
  /** Every link issued so far to this subscriber stops working. */
  revokeLinks(tenantId: string, subscriberId: string, at: number): Promise<SubscriberRecord | null>

  /** True when any of these suppression hashes is on the tenant's list. */
  isSuppressed(tenantId: string, hashes: readonly string[]): Promise<boolean>
  /**
   * Erasure: deletes the subscriber and their dispatches, strips their events' content
   * (the chain stays verifiable), adds the suppression entries and logs the erasure.
   */
  eraseSubscriber(tenantId: string, id: string, suppress: readonly SuppressionEntry[], ctx: ChangeContext): Promise<boolean>

  /** True when some tenant lists this origin (CORS preflights carry no token). */
  isKnownOrigin(origin: string): Promise<boolean>

  /** Adds a mail to the outbox, due at once. */
  enqueueMail(mail: NewMail): Promise<void>
  /**
   * Takes up to `limit` due mails (not done, due by `now`, unclaimed or their claim lapsed),
   * of these tenants only when `tenantIds` is given: each is held until `now + leaseMs` and
   * its attempts counted, in one statement, so two senders (two processes on one PostgreSQL
   * too) never take the same row at once.
   */
  claimMail(now: number, leaseMs: number, limit: number, tenantIds?: readonly string[]): Promise<MailRecord[]>
  /** Marks a mail done with its outcome (and the last error, when given up) and forgets the address it named. */
  finishMail(id: string, done: { at: number; outcome: MailOutcome; subscriberId: string | null; error?: string }): Promise<void>
  /** Releases a mail whose attempt failed, to be tried again at `nextAttemptAt`. */
  retryMail(id: string, retry: { at: number; error: string; nextAttemptAt: number }): Promise<void>
  /**
   * The tenant's subscriber with this e-mail address (trimmed; stored addresses are lower
   * case), the most recently updated when several share it.
   */
  findSubscriberByEmail(tenantId: string, email: string): Promise<SubscriberRecord | null>
  /** True when a mail of this kind was sent to this subscriber at or after `since`. */
  mailSentSince(tenantId: string, subscriberId: string, kind: MailKind, since: number): Promise<boolean>
  /** Deletes mails done before `before` (of these tenants only, when given); how many went. */
  pruneMail(before: number, tenantIds?: readonly string[]): Promise<number>
}
