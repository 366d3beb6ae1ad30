import { randomInt } from 'node:crypto'
import type { SubscriberPatch, TenantSettings, TopicPreference } from '@heed/shared'
import type { SubscriberRecord, TopicRecord } from '../db/store.ts'
import type { FieldError } from '../http/errors.ts'

/**
 * A subscriber that does not exist yet: subscribed, every preference at its default. The
 * link version starts at a random number, so links of an erased person with the same id
 * never match the record made when they are imported again.
 */
export function blankSubscriber(id: string, at: number): SubscriberRecord {
  return {
    id,
    email: null,
    locale: null,
    timezone: null,
    status: 'subscribed',
    channels: {},
    topics: {},
    cap: null,
    quietHours: null,
    pausedUntil: null,
    linkVersion: randomInt(1, 2 ** 30),
    createdAt: at,
    updatedAt: at,
  }
}

/**
 * Field errors of a patch that zod cannot see alone: channels the tenant does not have,
 * topics that do not exist, required topics turned off.
 */
export function patchErrors(patch: SubscriberPatch, settings: TenantSettings, topics: readonly TopicRecord[]): FieldError[] {
  const errors: FieldError[] = []
  const channels = new Set(settings.channels)
  const byKey = new Map(topics.map((t) => [t.key, t]))
  const checkChannels = (switches: Record<string, boolean> | undefined, at: string) => {
    for (const ch of Object.keys(switches ?? {})) {
      if (!channels.has(ch)) errors.push({ pointer: `${at}/${ch}`, detail: `"${ch}" is not one of this tenant's channels (${settings.channels.join(', ')})` })
    }
  }
  const checkCapChannel = (channel: string | undefined, at: string) => {
    if (channel !== undefined && !channels.has(channel)) errors.push({ pointer: `${at}/channel`, detail: `"${channel}" is not one of this tenant's channels` })
  }
  checkChannels(patch.channels, '/channels')
  checkCapChannel(patch.cap?.channel, '/cap')
  for (const [key, pref] of Object.entries(patch.topics ?? {})) {
    const topic = byKey.get(key)
    if (!topic) {
      errors.push({ pointer: `/topics/${key}`, detail: `no topic "${key}"; create it with PUT /v1/topics/${key} first` })
      continue
    }
    if (!pref) continue
    if (topic.required && (pref.subscribed === false || Object.values(pref.channels ?? {}).includes(false))) {
      errors.push({ pointer: `/topics/${key}`, detail: `"${key}" is a required (transactional) topic and cannot be turned off` })
    }
    checkChannels(pref.channels, `/topics/${key}/channels`)
    checkCapChannel(pref.cap?.channel ?? undefined, `/topics/${key}/cap`)
  }
  return errors
}

function mergeTopic(current: TopicPreference | undefined, patch: NonNullable<NonNullable<SubscriberPatch['topics']>[string]>): TopicPreference | undefined {
  const next: TopicPreference = { ...current }
  if (patch.subscribed !== undefined) next.subscribed = patch.subscribed
  if (patch.channels !== undefined) next.channels = { ...current?.channels, ...patch.channels }
  if (patch.cap === null) delete next.cap
  else if (patch.cap !== undefined) next.cap = patch.cap
  return Object.keys(next).length === 0 ? undefined : next
}

/** Applies a partial state: what is given changes, what is left out stays, `null` clears. */
export function applyPatch(current: SubscriberRecord, patch: SubscriberPatch): SubscriberRecord {
  const next: SubscriberRecord = { ...current, channels: { ...current.channels }, topics: { ...current.topics } }
  if (patch.email !== undefined) next.email = patch.email === null ? null : patch.email.trim().toLowerCase()
  if (patch.locale !== undefined) next.locale = patch.locale
  if (patch.timezone !== undefined) next.timezone = patch.timezone
  if (patch.status !== undefined) next.status = patch.status
  if (patch.channels) Object.assign(next.channels, patch.channels)
  for (const [key, pref] of Object.entries(patch.topics ?? {})) {
    const merged = pref === null ? undefined : mergeTopic(current.topics[key], pref)
    if (merged === undefined) delete next.topics[key]
    else next.topics[key] = merged
  }
  if (patch.cap !== undefined) next.cap = patch.cap
  if (patch.quietHours !== undefined) next.quietHours = patch.quietHours
  if (patch.pausedUntil !== undefined) next.pausedUntil = patch.pausedUntil === null ? null : Date.parse(patch.pausedUntil)
  return next
}
