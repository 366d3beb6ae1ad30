import type { ApiKey, ConsentEvent, Subscriber, Tenant, Topic } from '@heed/shared/schemas'
import { formatInstant as iso } from '@heed/shared/time'
import { consentView } from '../db/consent.ts'
import type { ApiKeyRecord, ConsentEventRecord, DispatchRecord, SubscriberRecord, TenantRecord, TopicRecord } from '../db/store.ts'

/** Records as the API shows them: instants as ISO 8601 strings, secrets never. */

/** An instant as the API writes it: ISO 8601 in UTC with milliseconds. */
export { iso }
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))

export const tenantView = (t: TenantRecord): Tenant => ({
  id: t.id,
  ...t.settings,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
})

export const apiKeyView = (k: ApiKeyRecord): ApiKey => ({
  id: k.id,
  role: k.role,
  name: k.name,
  prefix: k.prefix,
  createdAt: iso(k.createdAt),
  revokedAt: isoOrNull(k.revokedAt),
})

export const topicView = (t: TopicRecord): Topic => ({
  key: t.key,
  name: t.name,
  description: t.description,
  category: t.category,
  channels: t.channels,
  defaultSubscribed: t.defaultSubscribed,
  required: t.required,
  order: t.order,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
})

/** The subscriber as the API shows it: the consent view the ledger records, with its id and dates. */
export const subscriberView = (s: SubscriberRecord): Subscriber => ({
  id: s.id,
  ...consentView(s),
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
})

export const eventView = (e: ConsentEventRecord): ConsentEvent => ({
  id: e.id,
  seq: e.seq,
  subscriberId: e.subscriberId,
  type: e.type as ConsentEvent['type'],
  source: e.source as ConsentEvent['source'],
  actor: e.actor,
  before: e.before,
  after: e.after,
  reason: e.reason,
  userAgent: e.userAgent,
  proof: e.proof ?? null,
  at: iso(e.at),
  hash: e.hash,
  erased: e.erasedAt !== null,
})

export const dispatchView = (d: DispatchRecord) => ({
  messageId: d.messageId,
  topic: d.topic,
  channel: d.channel,
  at: iso(d.at),
  enforced: d.enforced,
  decision: d.decision,
})
