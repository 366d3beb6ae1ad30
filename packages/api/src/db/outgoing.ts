import type { ConsentEventType } from '@heed/shared/schemas'
import type { SuppressionEntry, TopicRecord } from './store.ts'

/**
 * The webhook messages Heed sends, written in the same transaction as the change they tell of
 * (the outbox, webhook_messages): one per consent event of the ledger, one per topic change.
 * The body is `{type, timestamp, data}`, as the Standard Webhooks format suggests; its bytes
 * are signed and sent as they are stored.
 */

export const SUBSCRIBER_EVENT_TYPES = [
  'subscriber.created',
  'subscriber.updated',
  'subscriber.unsubscribed',
  'subscriber.resubscribed',
  'subscriber.reason_given',
  'subscriber.erased',
] as const
export const TOPIC_EVENT_TYPES = ['topic.created', 'topic.updated', 'topic.deleted'] as const
export const WEBHOOK_EVENT_TYPES = [...SUBSCRIBER_EVENT_TYPES, ...TOPIC_EVENT_TYPES] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

export interface OutgoingMessage {
  id: string
  subscriberId: string | null
  type: WebhookEventType
  body: string
}

/**
 * Tells listeners, after the transaction commits, that webhook messages were queued, so this
 * process's deliverer sends them at once instead of at its next poll. Other processes' writes
 * are found by their poll. A listener's failure is not the writer's.
 */
export class QueuedSignal {
  readonly #listeners = new Set<() => void>()

  listen(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  fire(): void {
    for (const listener of this.#listeners) {
      try {
        listener()
      } catch {
        // A wake that failed is made up for by the poll.
      }
    }
  }
}

type Status = { status?: unknown } | null

/**
 * What a ledger event is called outside: an update that unsubscribes or subscribes again is
 * `subscriber.unsubscribed` or `subscriber.resubscribed`, so a receiver acting on those alone
 * need not compare states.
 */
export function webhookTypeOf(type: ConsentEventType, before: unknown, after: unknown): WebhookEventType {
  if (type !== 'subscriber.updated') return type
  const was = (before as Status)?.status
  const is = (after as Status)?.status
  if (was === 'subscribed' && is === 'unsubscribed') return 'subscriber.unsubscribed'
  if (was === 'unsubscribed' && is === 'subscribed') return 'subscriber.resubscribed'
  return 'subscriber.updated'
}

/**
 * The message of a consent event: its id is the event's, so a receiver can match it to the
 * ledger, and `seq` orders a tenant's messages. An erasure's says whom it was about only by
 * the hashed suppression entries.
 */
export function consentMessage(
  event: { id: string; tenantId: string; seq: number; at: number; type: ConsentEventType; subscriberId: string | null; source: string; reason: string | null; before: unknown; after: unknown },
  suppressed?: readonly SuppressionEntry[],
): OutgoingMessage {
  const type = webhookTypeOf(event.type, event.before, event.after)
  const at = new Date(event.at).toISOString()
  const data = {
    eventId: event.id,
    seq: event.seq,
    tenantId: event.tenantId,
    subscriberId: event.subscriberId,
    at,
    source: event.source,
    reason: event.reason,
    before: event.before ?? null,
    after: event.after ?? null,
    ...(type === 'subscriber.erased' ? { suppression: (suppressed ?? []).map((s) => ({ kind: s.kind, hash: s.hash })) } : {}),
  }
  return { id: event.id, subscriberId: event.subscriberId, type, body: JSON.stringify({ type, timestamp: at, data }) }
}

/** The message of a topic created (or restored), changed or deleted. */
export function topicMessage(id: string, tenantId: string, type: 'topic.created' | 'topic.updated' | 'topic.deleted', topic: TopicRecord, at: number): OutgoingMessage {
  const timestamp = new Date(at).toISOString()
  const { key, name, description, category, channels, defaultSubscribed, required, order } = topic
  const data = { tenantId, at: timestamp, topic: { key, name, description, category, channels, defaultSubscribed, required, order } }
  return { id, subscriberId: null, type, body: JSON.stringify({ type, timestamp, data }) }
}
