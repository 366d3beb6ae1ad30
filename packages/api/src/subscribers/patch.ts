import { randomInt } from 'node:crypto'
import type { SubscriberPatch, TenantSettings } from '@heed/shared/schemas'
import { applyPatch as applyPreferencesPatch, defaultPreferences } from '@heed/shared/subscriber'
import type { Store, SubscriberRecord, TenantRecord, TopicRecord } from '../db/store.ts'
import { ApiError, type FieldError } from '../http/errors.ts'

/**
 * A subscriber that does not exist yet: subscribed, every preference at its default. The
 * link version starts at a random number, so links of an erased person with the same id
 * never match the record made when they are imported again.
 */
export function blankSubscriber(id: string, at: number): SubscriberRecord {
  const linkVersion = randomInt(1, 2 ** 30)
  return {
    id,
    email: null,
    ...defaultPreferences(),
    linkVersion,
    linkFloor: linkVersion,
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

/** Refuses, naming every field, a patch the tenant's topics and channels do not allow. */
export async function refuseInvalidPatch(store: Pick<Store, 'listTopics'>, tenant: TenantRecord, patch: SubscriberPatch): Promise<void> {
  const errors = patchErrors(patch, tenant.settings, patch.topics ? await store.listTopics(tenant.id) : [])
  if (errors.length === 0) return
  const first = errors[0]!
  throw new ApiError('validation', `${first.pointer.slice(1).replaceAll('/', '.')}: ${first.detail}`, { errors })
}

/**
 * Applies a partial state: what is given changes, what is left out stays, `null` clears (the
 * shared rule the widget also shows, plus the email only the API may set).
 */
export function applyPatch(current: SubscriberRecord, { email, ...patch }: SubscriberPatch): SubscriberRecord {
  const next = applyPreferencesPatch(current, patch, Date.parse)
  if (email !== undefined) next.email = email === null ? null : email.trim().toLowerCase()
  return next
}
