import { formatInstant } from '@heed/shared/time'
import { canonicalJson } from './ledger.ts'
import type { SubscriberRecord } from './store.ts'

/** The part of a subscriber that is consent or preference: what consent events record. */
export function consentView(s: SubscriberRecord) {
  return {
    email: s.email,
    locale: s.locale,
    timezone: s.timezone,
    status: s.status,
    channels: s.channels,
    topics: s.topics,
    cap: s.cap,
    quietHours: s.quietHours,
    pausedUntil: s.pausedUntil === null ? null : formatInstant(s.pausedUntil),
  }
}

export function consentChanged(before: SubscriberRecord | null, after: SubscriberRecord): boolean {
  return before === null || canonicalJson(consentView(before)) !== canonicalJson(consentView(after))
}
