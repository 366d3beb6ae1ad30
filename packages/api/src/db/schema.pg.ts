import type { RecentDispatch } from './recent.ts'
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import type { Cap, LocalizedText, QuietHours, TenantSettings, TopicPreference } from '@heed/shared'
import type { ConsentProof } from './ledger.ts'

/**
 * PostgreSQL schema: the same tables and columns as schema.sqlite.ts. Instants are bigint
 * epoch milliseconds (read as JS numbers), structured values jsonb.
 */

const ms = (name: string) => bigint(name, { mode: 'number' })

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  settings: jsonb('settings').$type<TenantSettings>().notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
})

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    role: text('role', { enum: ['admin', 'sender'] }).notNull(),
    name: text('name'),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    createdAt: ms('created_at').notNull(),
    revokedAt: ms('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.hash), index('api_keys_tenant_idx').on(t.tenantId)],
)

export const topics = pgTable(
  'topics',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    key: text('key').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    description: jsonb('description').$type<LocalizedText>(),
    category: text('category').notNull(),
    channels: jsonb('channels').$type<string[]>().notNull(),
    defaultSubscribed: boolean('default_subscribed').notNull(),
    required: boolean('required').notNull(),
    order: integer('sort_order').notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    deletedAt: ms('deleted_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
)

export const subscribers = pgTable(
  'subscribers',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: text('id').notNull(),
    email: text('email'),
    locale: text('locale'),
    timezone: text('timezone'),
    status: text('status', { enum: ['subscribed', 'unsubscribed'] }).notNull(),
    channels: jsonb('channels').$type<Record<string, boolean>>().notNull(),
    topics: jsonb('topics').$type<Record<string, TopicPreference>>().notNull(),
    cap: jsonb('cap').$type<Cap>(),
    quietHours: jsonb('quiet_hours').$type<QuietHours>(),
    pausedUntil: ms('paused_until'),
    hasCaps: boolean('has_caps').notNull().default(false),
    /**
     * The subscriber's dispatches after `recentFrom`, as [topic, channel, at] (see
     * db/recent.ts): a decision reads them with the row instead of the dispatches table.
     * Null when not known (then the table is read); kept by check-and-reserve.
     */
    recent: jsonb('recent').$type<RecentDispatch[]>(),
    recentFrom: ms('recent_from'),
    linkVersion: integer('link_version').notNull().default(0),
    /**
     * The link version the record was created with: a link whose version lies between this and
     * `linkVersion` was issued to this record (a stale link of it may still unsubscribe); one
     * outside was issued to an earlier record under the same id, before an erasure.
     */
    linkFloor: integer('link_floor').notNull().default(0),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    unsubscribedAt: ms('unsubscribed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('subscribers_email_idx').on(t.tenantId, t.email),
    // The console's search: an address in any case of letters.
    index('subscribers_email_lower_idx').on(t.tenantId, sql`lower(${t.email})`),
    // The list pages in code-point order of ids whatever the database's collation, and its
    // status and has-caps filters walk only the subscribers they name.
    index('subscribers_list_idx').on(t.tenantId, sql`(${t.id} COLLATE "C")`),
    index('subscribers_list_status_idx').on(t.tenantId, t.status, sql`(${t.id} COLLATE "C")`),
    index('subscribers_list_caps_idx').on(t.tenantId, t.hasCaps, sql`(${t.id} COLLATE "C")`),
  ],
)

export const dispatches = pgTable(
  'dispatches',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subscriberId: text('subscriber_id').notNull(),
    topic: text('topic').notNull(),
    channel: text('channel').notNull(),
    messageId: text('message_id').notNull(),
    at: ms('at').notNull(),
    enforced: boolean('enforced').notNull(),
    decision: jsonb('decision').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('dispatches_message_idx').on(t.tenantId, t.messageId),
    index('dispatches_subscriber_at_idx').on(t.tenantId, t.subscriberId, t.at),
  ],
)

export const consentEvents = pgTable(
  'consent_events',
  {
    tenantId: text('tenant_id').notNull(),
    seq: integer('seq').notNull(),
    id: text('id').notNull(),
    subscriberId: text('subscriber_id'),
    type: text('type').notNull(),
    source: text('source').notNull(),
    actor: text('actor'),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
    userAgent: text('user_agent'),
    /** An import's consent proof: the job, and when, where and how the person consented. */
    proof: jsonb('proof').$type<ConsentProof>(),
    at: ms('at').notNull(),
    contentHash: text('content_hash').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    erasedAt: ms('erased_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.seq] }),
    uniqueIndex('consent_events_id_idx').on(t.id),
    index('consent_events_subscriber_idx').on(t.tenantId, t.subscriberId, t.seq),
  ],
)

export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    secret: text('secret').notNull(),
    createdAt: ms('created_at').notNull(),
    retiresAt: ms('retires_at'),
  },
  (t) => [index('signing_keys_tenant_idx').on(t.tenantId, t.createdAt)],
)

export const suppressions = pgTable(
  'suppressions',
  {
    tenantId: text('tenant_id').notNull(),
    hash: text('hash').notNull(),
    kind: text('kind', { enum: ['id', 'email'] }).notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.hash] })],
)

/**
 * Heed's own mail, written in the transaction that promises it and sent after it commits
 * (mail/outbox.ts). A request for a new link is kept with the address it named until the
 * sender resolves it; the address is cleared then, whether or not it belonged to anyone.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    kind: text('kind', { enum: ['new-link', 'invitation'] }).notNull(),
    /** The address a request named; null once resolved. */
    address: text('address'),
    subscriberId: text('subscriber_id'),
    /** What the mail is about besides a subscriber: the invitation's id. */
    ref: text('ref'),
    /** The language of the page the request came from, when the subscriber has none. */
    locale: text('locale'),
    createdAt: ms('created_at').notNull(),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    /** A sender holds the row until then; another may take it after. */
    claimedUntil: ms('claimed_until'),
    attempts: integer('attempts').notNull().default(0),
    doneAt: ms('done_at'),
    /** sent | no-subscriber | duplicate | gave-up */
    outcome: text('outcome'),
    lastError: text('last_error'),
  },
  (t) => [index('mail_outbox_due_idx').on(t.doneAt, t.nextAttemptAt), index('mail_outbox_subscriber_idx').on(t.tenantId, t.subscriberId, t.kind, t.createdAt)],
)

/**
 * People who run a tenant in the console (console/). An address is one person across Heed,
 * in one tenant. The password hash is scrypt's (console/passwords.ts); null until the person
 * has accepted their invitation and chosen a password.
 */
export const consoleUsers = pgTable(
  'console_users',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Lower case. */
    email: text('email').notNull(),
    name: text('name'),
    role: text('role', { enum: ['owner', 'editor', 'viewer'] }).notNull(),
    passwordHash: text('password_hash'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [uniqueIndex('console_users_email_idx').on(t.email), index('console_users_tenant_idx').on(t.tenantId)],
)

/** Console sign-ins: the cookie carries a random token, the table only its hash. */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    /** SHA-256 of the cookie's token, hex. */
    hash: text('hash').primaryKey(),
    userId: text('user_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    createdAt: ms('created_at').notNull(),
    /** Refreshed as the session is used; idle past the idle limit, it ends. */
    lastSeenAt: ms('last_seen_at').notNull(),
    /** The absolute end, whatever the use. */
    expiresAt: ms('expires_at').notNull(),
    userAgent: text('user_agent'),
  },
  (t) => [index('console_sessions_user_idx').on(t.userId)],
)

/** An owner's invitation of a colleague: a one-time link, by e-mail, to choose a password. */
export const consoleInvitations = pgTable(
  'console_invitations',
  {
    id: text('id').primaryKey(),
    /**
     * SHA-256 of the link's token, hex: set by the mail sender as it sends the link (the token
     * itself is never stored), replaced if it sends again; null once accepted.
     */
    hash: text('hash'),
    tenantId: text('tenant_id').notNull(),
    /** Lower case. */
    email: text('email').notNull(),
    role: text('role', { enum: ['owner', 'editor', 'viewer'] }).notNull(),
    invitedBy: text('invited_by'),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    acceptedAt: ms('accepted_at'),
  },
  (t) => [uniqueIndex('console_invitations_hash_idx').on(t.hash), index('console_invitations_tenant_idx').on(t.tenantId, t.email)],
)

/**
 * Webhook endpoints (webhooks/): where a tenant's consent and topic events are sent, signed
 * with `secret` (and, while a rotation overlaps, `previous_secret` too).
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    url: text('url').notNull(),
    description: text('description'),
    /** The event types it wants; null for every type. */
    eventTypes: jsonb('event_types').$type<string[]>(),
    enabled: boolean('enabled').notNull(),
    /** Why Heed turned it off: `gone` (it answered 410) or `failing` (5 days of failures). */
    disabledReason: text('disabled_reason'),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretUntil: ms('previous_secret_until'),
    /** When its current run of failed attempts began; null after a success. */
    failingSince: ms('failing_since'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [index('webhook_endpoints_tenant_idx').on(t.tenantId)],
)

/** One outgoing message per event, the exact body every endpoint receives (written with the change). */
export const webhookMessages = pgTable(
  'webhook_messages',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    /** Whom it is about, so that an erasure takes their messages too. */
    subscriberId: text('subscriber_id'),
    type: text('type').notNull(),
    body: text('body').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [
    index('webhook_messages_tenant_idx').on(t.tenantId, t.createdAt),
    index('webhook_messages_subscriber_idx').on(t.tenantId, t.subscriberId),
    // Pruning, by age.
    index('webhook_messages_created_idx').on(t.createdAt),
  ],
)

/** A message owed to one endpoint: the outbox the deliverer claims from. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    /** `<message id>:<endpoint id>`. */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    messageId: text('message_id').notNull(),
    /** When its message was written (a replay too): pruning goes by it. */
    createdAt: ms('created_at').notNull(),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    /** A deliverer holds the row until then; another may take it after. */
    claimedUntil: ms('claimed_until'),
    attempts: integer('attempts').notNull().default(0),
    doneAt: ms('done_at'),
    /** delivered | failed */
    outcome: text('outcome'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.doneAt, t.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    index('webhook_deliveries_created_idx').on(t.createdAt),
  ],
)

/** Every attempt to send a message to an endpoint, for `GET /v1/webhooks/{id}/deliveries`. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    messageId: text('message_id').notNull(),
    at: ms('at').notNull(),
    status: integer('status'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
  },
  (t) => [index('webhook_attempts_endpoint_idx').on(t.endpointId, t.at), index('webhook_attempts_at_idx').on(t.at)],
)

/** An import job: its options, where it is and what it did so far (SPEC F10). */
export const imports = pgTable(
  'imports',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    /** queued | running | completed | failed | cancelled */
    state: text('state').notNull(),
    mode: text('mode').notNull(),
    dryRun: boolean('dry_run').notNull(),
    /** csv | ndjson */
    format: text('format').notNull(),
    fileName: text('file_name'),
    actor: text('actor'),
    createdAt: ms('created_at').notNull(),
    startedAt: ms('started_at'),
    finishedAt: ms('finished_at'),
    /** Written as it runs; a running job whose process has gone stops being updated. */
    heartbeatAt: ms('heartbeat_at'),
    cancelRequested: boolean('cancel_requested').notNull(),
    read: integer('read').notNull(),
    created: integer('created').notNull(),
    updated: integer('updated').notNull(),
    unchanged: integer('unchanged').notNull(),
    skipped: integer('skipped').notNull(),
    failed: integer('failed').notNull(),
    /** Rows held back from opting someone back in. */
    kept: integer('kept').notNull(),
    /** Why the whole job failed. */
    error: text('error'),
  },
  (t) => [index('imports_tenant_idx').on(t.tenantId, t.createdAt)],
)

/** Each row an import rejected or skipped: where, which column and why. */
export const importErrors = pgTable(
  'import_errors',
  {
    importId: text('import_id').notNull(),
    line: integer('line').notNull(),
    subscriberId: text('subscriber_id'),
    column: text('column'),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line] })],
)
