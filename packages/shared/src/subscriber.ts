import type { Cap, MePatch, QuietHours, SubscriberStatus, Topic, TopicPreference } from './schemas.ts'
import { MONTH_MS, WEEK_MS } from './time.ts'

/**
 * Rules over a subscriber's preferences that the API and the widget both apply: how a patch
 * changes them, and the pause and "send me less" presets. No zod: the widget ships this.
 */

/**
 * The preference fields of a subscriber's state, whoever holds them. `Pause` is how the pause
 * instant is held: epoch ms in the API's record, an ISO string in the `/v1/me` view.
 */
export interface Preferences<Pause> {
  locale: string | null
  timezone: string | null
  status: SubscriberStatus
  channels: Record<string, boolean>
  topics: Record<string, TopicPreference>
  cap: Cap | null
  quietHours: QuietHours | null
  pausedUntil: Pause | null
}

/** Every preference at its default: subscribed, nothing switched off, no cap, quiet hours or pause. */
export const defaultPreferences = (): Preferences<never> => ({
  locale: null,
  timezone: null,
  status: 'subscribed',
  channels: {},
  topics: {},
  cap: null,
  quietHours: null,
  pausedUntil: null,
})

/** An own property only: topic and channel keys are user data, `constructor` is a valid slug. */
export const own = <T>(r: Readonly<Record<string, T>> | undefined, k: string): T | undefined =>
  r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined

/**
 * Applies a partial state: what is given changes, what is left out stays, `null` clears. A
 * topic's channels merge with the ones it has; a topic left with no preference of its own goes
 * back to the topic's default. `pause` turns the patch's ISO instant into the way `current`
 * holds it.
 */
export function applyPatch<Pause, S extends Preferences<Pause>>(current: S, patch: MePatch, pause: (iso: string) => Pause): S {
  const next: S = { ...current, channels: { ...current.channels, ...patch.channels }, topics: { ...current.topics } }
  if (patch.locale !== undefined) next.locale = patch.locale
  if (patch.timezone !== undefined) next.timezone = patch.timezone
  if (patch.status !== undefined) next.status = patch.status
  for (const [key, pref] of Object.entries(patch.topics ?? {})) {
    const cur: TopicPreference = { ...own(current.topics, key) }
    if (pref !== null) {
      if (pref.subscribed !== undefined) cur.subscribed = pref.subscribed
      if (pref.channels !== undefined) cur.channels = { ...cur.channels, ...pref.channels }
      if (pref.cap === null) delete cur.cap
      else if (pref.cap !== undefined) cur.cap = pref.cap
    }
    if (pref === null || Object.keys(cur).length === 0) delete next.topics[key]
    else next.topics[key] = cur
  }
  if (patch.cap !== undefined) next.cap = patch.cap
  if (patch.quietHours !== undefined) next.quietHours = patch.quietHours
  if (patch.pausedUntil !== undefined) next.pausedUntil = patch.pausedUntil === null ? null : pause(patch.pausedUntil)
  return next
}

/** How long the "pause a week" choice pauses. */
export const PAUSE_WEEK_MS = WEEK_MS
/** How long the "pause a month" choice pauses: 30 days, whatever the calendar month. */
export const PAUSE_MONTH_MS = MONTH_MS

/** A pause of `ms` (PAUSE_WEEK_MS, PAUSE_MONTH_MS) starting at `at`, as a patch. */
export const pauseFor = (ms: number, at: number) => ({ pausedUntil: new Date(at + ms).toISOString() }) satisfies MePatch

/** The "at most one a week" choice, as a patch. */
export const ONE_A_WEEK = { cap: { max: 1, per: 'week' } } as const satisfies MePatch

/** "Send me less instead" of leaving: subscribed (again), with a pause or a cap. */
export const lessInstead = (patch: MePatch): MePatch => ({ status: 'subscribed', ...patch })

// ---- views of the state ------------------------------------------------------------------

type Switches = Pick<Preferences<unknown>, 'channels' | 'topics'>
type TopicRules = Pick<Topic, 'key' | 'defaultSubscribed' | 'required'> & { channels: readonly string[] }

/** Whether the subscriber gets a topic at all: required topics always, else their choice, else the topic's default. */
export const topicOn = (s: Switches, t: TopicRules): boolean => t.required || (own(s.topics, t.key)?.subscribed ?? t.defaultSubscribed)

/** A channel's global switch (missing = on). */
export const channelOn = (s: Switches, channel: string): boolean => own(s.channels, channel) ?? true

/** A topic's own switch for one of its channels (missing = on; off for a channel the topic does not use). */
export const topicChannelOn = (s: Switches, t: TopicRules, channel: string): boolean =>
  t.channels.includes(channel) && (own(own(s.topics, t.key)?.channels, channel) ?? true)

/** The topic's own cap, if the subscriber set one. */
export const topicCap = (s: Switches, t: TopicRules): Cap | null => own(s.topics, t.key)?.cap ?? null
