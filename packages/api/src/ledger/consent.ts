import { canonicalJson } from './chain.ts'
import type { SubscriberRecord } from '../db/store.ts'

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
    pausedUntil: s.pausedUntil === null ? null : new Date(s.pausedUntil).toISOString(),
  }
}

export function consentChanged(before: SubscriberRecord | null, after: SubscriberRecord): boolean {
  return before === null || canonicalJson(consentView(before)) !== canonicalJson(consentView(after))
}
