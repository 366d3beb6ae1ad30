import type {
  ApiKeyRole,
  ConsentEventType,
  ConsentSource,
  ConsoleRole,
  Decision,
  LocalizedText,
  TenantSettings,
} from '@heed/shared'
import type { EngineSubscriber, EngineTopic, PastDispatch } from '@heed/shared'
import type { Preferences } from '@heed/shared/subscriber'
import type { ConsentProof, StoredEvent } from './ledger.ts'

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
  /** An import's job and the row's consent proof. */
  proof?: ConsentProof | null
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
export type ReaderSpec = { sqlite: string; synchronous?: 'NORMAL' | 'FULL' } | { postgres: string; timeoutMs: number }

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
export type MailKind = 'new-link' | 'invitation'

/** How a mail of the outbox ended: sent, or why not (`withdrawn`: the invitation was deleted, accepted or expired first). */
export type MailOutcome = 'sent' | 'no-subscriber' | 'duplicate' | 'gave-up' | 'withdrawn'

/** A mail promised by a request, to be sent after it commits (mail/outbox.ts). */
export interface NewMail {
  id: string
  tenantId: string
  kind: MailKind
  /** The address the request named; kept only until the sender resolves it. */
  address: string
  /** What the mail is about besides a subscriber: the invitation's id. */
  ref?: string | null
  /** The language of the page the request came from. */
  locale: string | null
  at: number
}

/** A webhook endpoint of a tenant (webhooks/). */
export interface WebhookEndpointRecord {
  id: string
  tenantId: string
  url: string
  description: string | null
  /** The event types it wants; null for all. */
  eventTypes: string[] | null
  enabled: boolean
  /** Why Heed turned it off (`gone`: it answered 410; `failing`: 5 days of failed attempts). */
  disabledReason: string | null
  secret: string
  previousSecret: string | null
  previousSecretUntil: number | null
  failingSince: number | null
  createdAt: number
  updatedAt: number
}

/** A delivery a deliverer has claimed: the message, and where and with which secrets it goes. */
export interface WebhookClaim {
  id: string
  tenantId: string
  messageId: string
  body: string
  createdAt: number
  /** Counting this one. */
  attempts: number
  endpoint: Pick<WebhookEndpointRecord, 'id' | 'url' | 'secret' | 'previousSecret' | 'previousSecretUntil'>
}

/** One attempt to deliver a message to an endpoint. */
export interface WebhookAttemptRecord {
  id: string
  tenantId: string
  endpointId: string
  messageId: string
  at: number
  status: number | null
  latencyMs: number
  error: string | null
}

/** What an attempt leads to: done (delivered or given up), or another attempt at `nextAttemptAt`. */
export interface WebhookSettlement {
  deliveryId: string
  attempt: WebhookAttemptRecord
  outcome: 'delivered' | 'failed' | 'retry'
  nextAttemptAt?: number
  /** Turns the endpoint off, with this reason. */
  disable?: 'gone'
  /** A failure turns the endpoint off (`failing`) when its failures began at or before this instant. */
  failingCutoff?: number
}

/** A row of the mail outbox. */
export interface MailRecord {
  id: string
  tenantId: string
  kind: MailKind
  address: string | null
  subscriberId: string | null
  ref: string | null
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

/**
 * Which subscribers a list shows, one keyset page at a time (ordered by id). Every filter
 * given must hold.
 */
export interface SubscriberListQuery {
  status?: 'subscribed' | 'unsubscribed'
  /** Subscribers who get this topic: their own choice, or `defaultSubscribed` when they made none. */
  topic?: { key: string; defaultSubscribed: boolean }
  /** An id that starts with this text (exact case), or the e-mail address equal to it in any case. */
  q?: string
  /** True: paused at `now` (`pausedUntil > now`); false: not paused. */
  paused?: boolean
  /** The stored `has_caps` flag: the subscriber or a topic of theirs has a cap. */
  hasCaps?: boolean
  /** The instant `paused` is judged at. */
  now: number
  /** Only ids after this one (the `next` of the previous page). */
  after?: string
  /** Subscribers per page. */
  limit: number
}

/**
 * Which consent events of a tenant, in which order: every filter given must hold. `after` and
 * `before` bound `seq` (exclusive), so the last `seq` of a page, passed back as `after` (asc) or
 * `before` (desc), starts the next page on the `(tenant_id, seq)` key.
 */
export interface EventListQuery {
  subscriberId?: string
  type?: ConsentEventType
  source?: ConsentSource
  /** `asc` (default): oldest first; `desc`: newest first. */
  order?: 'asc' | 'desc'
  /** Only events with a greater `seq`. */
  after?: number
  /** Only events with a smaller `seq`. */
  before?: number
  /** Events per page. */
  limit: number
}

/** A person who runs a tenant in the console. */
export interface ConsoleUserRecord {
  id: string
  tenantId: string
  /** Lower case. */
  email: string
  name: string | null
  role: ConsoleRole
  createdAt: number
  updatedAt: number
}

export interface NewConsoleUser extends ConsoleUserRecord {
  /** scrypt's, in the format of console/passwords.ts. */
  passwordHash: string
}

/** A console sign-in: the cookie holds a random token, this its SHA-256. */
export interface SessionRecord {
  hash: string
  userId: string
  tenantId: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  userAgent: string | null
}

/** An owner's invitation of a colleague, pending until accepted or deleted or past `expiresAt`. */
export interface InvitationRecord {
  id: string
  tenantId: string
  /** Lower case. */
  email: string
  role: ConsoleRole
  /** The key or user that invited; null when the operator did (a tenant's first owner). */
  invitedBy: string | null
  createdAt: number
  expiresAt: number
  acceptedAt: number | null
}

/** A tenant's first owner, made with the tenant: a user who can sign in, or an invitation and the mail carrying it. */
export type FirstOwner = { user: NewConsoleUser } | { invitation: InvitationRecord; mail: NewMail }

/** The address is a console user already (an address is one person across Heed). */
export class ConsoleEmailTaken extends Error {
  constructor() {
    super('this address is a console user already')
  }
}

/** What a role change or a removal did; never the last owner of a tenant. */
export type PeopleChange = { kind: 'done'; user: ConsoleUserRecord } | { kind: 'not_found' } | { kind: 'last_owner' }

/** A pure change to a subscriber, applied inside the store's transaction. */
export type SubscriberChange = (current: SubscriberRecord | null) => SubscriberRecord

/** One subscriber of a bulk change: `change` returns the next state, or null to leave them as they are. */
export interface BulkSubscriberChange {
  id: string
  change: (current: SubscriberRecord | null) => SubscriberRecord | null
  proof?: ConsentProof
}

export type ImportMode = 'upsert' | 'createOnly' | 'updateOnly'
export type ImportState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'

/** What an import did so far, row by row. */
export interface ImportCounts {
  read: number
  created: number
  updated: number
  unchanged: number
  skipped: number
  failed: number
  /** Rows held back from opting someone back in (they were still applied otherwise). */
  kept: number
}

export interface ImportRecord extends ImportCounts {
  id: string
  tenantId: string
  state: ImportState
  mode: ImportMode
  dryRun: boolean
  format: 'csv' | 'ndjson'
  fileName: string | null
  actor: string | null
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  heartbeatAt: number | null
  cancelRequested: boolean
  /** Why the whole job failed. */
  error: string | null
}

export interface ImportErrorRecord {
  importId: string
  line: number
  subscriberId: string | null
  column: string | null
  reason: string
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  /** Fires once a transaction that queued webhook deliveries has committed. */
  readonly webhooksQueued: { listen(listener: () => void): () => void }
  close(): Promise<void>
  /** What the batch worker thread opens to read this database; null when it cannot (in-memory SQLite). */
  readerSpec(): ReaderSpec | null
  /** Resolves once the database has answered a trivial query: readiness. */
  ping(): Promise<void>

  /**
   * Creates the tenant with its first key and, when given, its first console owner (a user with
   * a password, or an invitation and its mail); false when the id is taken. Throws
   * ConsoleEmailTaken, creating nothing, when the owner's address is a console user already.
   */
  createTenant(tenant: TenantRecord, key: NewApiKey, people?: FirstOwner): Promise<boolean>
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
  /** Deleted topics whose key has not been used again, the latest deleted first. */
  listDeletedTopics(tenantId: string): Promise<Array<TopicRecord & { deletedAt: number }>>
  /** Brings a deleted topic back as it was; null when no deleted topic has this key. */
  restoreTopic(tenantId: string, key: string, at: number): Promise<TopicRecord | null>

  getSubscriber(tenantId: string, id: string): Promise<SubscriberRecord | null>
  /**
   * A page of the tenant's subscribers matching the query, in id order; `next` is the id to
   * pass as `after` for the following page, null on the last one.
   */
  listSubscribers(tenantId: string, query: SubscriberListQuery): Promise<{ subscribers: SubscriberRecord[]; next: string | null }>
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

  /** Those of these subscribers that exist, in no particular order. */
  getSubscribers(tenantId: string, ids: readonly string[]): Promise<SubscriberRecord[]>
  /**
   * changeSubscriber for many, in one transaction and in the order given: each change gets the
   * current state, locked, and a consent event (with its proof) when the state it returns
   * differs. One entry per change: whether it created the subscriber and whether it changed.
   */
  changeSubscribers(tenantId: string, changes: readonly BulkSubscriberChange[], ctx: ChangeContext): Promise<Array<{ created: boolean; changed: boolean }>>

  /** What decisions for these subscribers and topics need (ids may repeat), with each capped subscriber's dispatches after `since`. */
  decisionData(tenantId: string, subscriberIds: readonly string[], topicKeys: readonly string[], since: number): Promise<DecisionData>
  /** Check-and-record in one transaction; `decide` is the pure engine bound to the request. */
  reserve(tenantId: string, req: DispatchRequest, decide: (data: DecisionData) => Decision): Promise<ReserveResult>

  listEvents(tenantId: string, query: EventListQuery): Promise<ConsentEventRecord[]>
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
  /** True when the tenant's suppression list has any entry (an import skips hashing its rows when not). */
  hasSuppressions(tenantId: string): Promise<boolean>
  /** Those of these suppression hashes that are on the tenant's list. */
  suppressedAmong(tenantId: string, hashes: readonly string[]): Promise<string[]>
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

  createWebhook(endpoint: WebhookEndpointRecord): Promise<void>
  listWebhooks(tenantId: string): Promise<WebhookEndpointRecord[]>
  getWebhook(tenantId: string, id: string): Promise<WebhookEndpointRecord | null>
  /** Changes an endpoint; null when the tenant has none with this id. */
  updateWebhook(tenantId: string, id: string, change: Partial<Pick<WebhookEndpointRecord, 'url' | 'description' | 'eventTypes' | 'enabled' | 'disabledReason' | 'secret' | 'previousSecret' | 'previousSecretUntil' | 'failingSince'>>, at: number): Promise<WebhookEndpointRecord | null>
  /** Deletes an endpoint with what it was still owed. */
  deleteWebhook(tenantId: string, id: string): Promise<boolean>
  /**
   * Deliveries due by `now` (of enabled endpoints), taken for `leaseMs` and their attempts
   * counted in one statement, so two deliverers (two processes on one PostgreSQL too) never
   * send the same attempt.
   */
  claimWebhookDeliveries(now: number, leaseMs: number, limit: number, busyEndpoints?: readonly string[]): Promise<WebhookClaim[]>
  /**
   * Sends messages to an endpoint again: one (`messageId`, whatever became of it), or every one
   * written since `since` that it wants and did not get (failed, or written while it was off),
   * at most `limit`. How many were queued; null when the tenant has no such endpoint, and 0 for
   * an unknown message.
   */
  replayWebhook(tenantId: string, endpointId: string, which: { messageId: string } | { since: number }, at: number, limit: number): Promise<number | null>
  /** Hands claimed deliveries back unsent, as if never claimed. */
  releaseWebhookDeliveries(ids: readonly string[]): Promise<void>
  /**
   * Deletes webhook messages written before `before`, with their deliveries (whatever became of
   * them) and attempts made before it, a few thousand rows a statement; how many rows went.
   */
  pruneWebhooks(before: number): Promise<number>
  /** Records an attempt and what follows from it, in one transaction. */
  settleWebhookDelivery(settlement: WebhookSettlement): Promise<void>
  /** An endpoint's attempts, newest first. */
  listWebhookAttempts(tenantId: string, endpointId: string, limit: number, before?: number): Promise<WebhookAttemptRecord[]>
  /**
   * The tenant's subscriber with this e-mail address (trimmed; stored addresses are lower
   * case), the most recently updated when several share it.
   */
  findSubscriberByEmail(tenantId: string, email: string): Promise<SubscriberRecord | null>
  /** True when a mail of this kind was sent to this subscriber at or after `since`. */
  mailSentSince(tenantId: string, subscriberId: string, kind: MailKind, since: number): Promise<boolean>
  // ---- imports (SPEC F10) ----

  createImport(job: ImportRecord): Promise<void>
  getImport(tenantId: string, id: string): Promise<ImportRecord | null>
  /** The tenant's imports, the latest first. */
  listImports(tenantId: string, limit: number): Promise<ImportRecord[]>
  /** Marks a queued import running; false when it was cancelled first. */
  startImport(id: string, at: number): Promise<boolean>
  /** Writes the counts and the heartbeat and adds `errors`; false when a cancel has been asked for. */
  recordImportProgress(id: string, counts: ImportCounts, errors: readonly ImportErrorRecord[], at: number): Promise<boolean>
  finishImport(id: string, state: 'completed' | 'failed' | 'cancelled', error: string | null, at: number): Promise<ImportRecord>
  /** Cancels a queued import at once and asks a running one to stop; null when the tenant has no such import. */
  cancelImport(tenantId: string, id: string, at: number): Promise<ImportRecord | null>
  /** An import's rejected and skipped rows, by line, after `afterLine`. */
  listImportErrors(importId: string, afterLine: number, limit: number): Promise<ImportErrorRecord[]>
  /** Fails running imports whose heartbeat stopped before `before` (their process is gone); how many. */
  failStaleImports(before: number, at: number): Promise<number>

  /** Deletes mails done before `before` (of these tenants only, when given); how many went. */
  pruneMail(before: number, tenantIds?: readonly string[]): Promise<number>

  // ---- the console's people ----

  /** False when the address is a console user already. */
  createConsoleUser(user: NewConsoleUser): Promise<boolean>
  getConsoleUser(tenantId: string, id: string): Promise<ConsoleUserRecord | null>
  /** The user with this (lower-case) address, with their password hash, in any tenant. */
  findConsoleUserByEmail(email: string): Promise<(ConsoleUserRecord & { passwordHash: string | null }) | null>
  listConsoleUsers(tenantId: string): Promise<ConsoleUserRecord[]>
  /** Changes a user's role; refuses to leave the tenant without an owner. */
  changeConsoleRole(tenantId: string, id: string, role: ConsoleRole, at: number): Promise<PeopleChange>
  /** Removes a user and ends their sessions; refuses to remove the tenant's last owner. */
  deleteConsoleUser(tenantId: string, id: string): Promise<PeopleChange>
  /** Sets a user's password hash and ends their sessions, all but `keepSession` (a hash) when given. */
  setConsolePassword(tenantId: string, id: string, passwordHash: string, at: number, keepSession?: string): Promise<boolean>

  createSession(session: SessionRecord): Promise<void>
  /** The session with this hash, its user and their tenant; null when any of them is gone. */
  getSession(hash: string): Promise<{ session: SessionRecord; user: ConsoleUserRecord; tenant: TenantRecord } | null>
  touchSession(hash: string, at: number): Promise<void>
  deleteSession(hash: string): Promise<void>

  /** Adds the invitation (replacing the tenant's pending ones for the same address) and its mail, in one transaction. */
  createInvitation(invitation: InvitationRecord, mail: NewMail): Promise<void>
  getInvitation(id: string): Promise<InvitationRecord | null>
  /** Invitations of the tenant not accepted and not expired at `at`. */
  listInvitations(tenantId: string, at: number): Promise<InvitationRecord[]>
  deleteInvitation(tenantId: string, id: string): Promise<boolean>
  /**
   * Stores the hash of a freshly mailed token on a pending invitation, replacing any earlier one;
   * false when the invitation is no longer pending (deleted, accepted or expired at `at`).
   */
  setInvitationToken(id: string, hash: string, at: number): Promise<boolean>
  /**
   * Accepts the pending invitation whose token has this hash: creates its user (with `user`'s id,
   * name and password) and clears the hash, in one transaction. Null when no pending invitation
   * has it; ConsoleEmailTaken is thrown when its address became a user meanwhile.
   */
  acceptInvitation(hash: string, at: number, user: { id: string; name: string | null; passwordHash: string }): Promise<ConsoleUserRecord | null>
}
