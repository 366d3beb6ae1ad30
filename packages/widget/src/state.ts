import type { Cap, LocalizedText, MePatch, MeResponse, MeTopic } from '@heed/shared/schemas'
import { applyPatch as applyPreferencesPatch, own } from '@heed/shared/subscriber'

/** Pure helpers over the /v1/me view: no DOM, no I/O, unit-tested in test/state.test.ts. */

export type Me = MeResponse
export type SubscriberState = MeResponse['subscriber']

/** The state after a patch, by the rule `PATCH /v1/me` applies (for optimistic display). */
export const applyPatch = (s: SubscriberState, p: MePatch): SubscriberState => applyPreferencesPatch(s, p, (iso) => new Date(iso).toISOString())

export const capKey = (cap: Pick<Cap, 'max' | 'per'> | null | undefined): string => (cap ? `${cap.max}/${cap.per}` : '')

export const isPaused = (s: SubscriberState, now: number): boolean => s.pausedUntil !== null && Date.parse(s.pausedUntil) > now

const scriptKey = (tag: string): string => {
  try {
    const l = new Intl.Locale(tag).maximize()
    return `${l.language}-${l.script ?? ''}`
  } catch {
    return tag.toLowerCase()
  }
}

/**
 * A localized text in `locale`, else in `fallback` (the tenant's default locale), else English,
 * else any: exact tag first, then the same language and script (`zh-TW` serves `zh-Hant`).
 */
export function pickText(text: LocalizedText | null | undefined, locale: string, fallback: string): string | null {
  if (!text) return null
  const entries = Object.entries(text)
  for (const want of [locale, fallback, 'en']) {
    const exact = own(text, want)
    if (exact) return exact
    const key = scriptKey(want)
    const near = entries.find(([tag]) => scriptKey(tag) === key)
    if (near) return near[1]
  }
  return entries[0]?.[1] ?? null
}

/** Topics grouped by category, in topic order, each group in the order its first topic comes. */
export function byCategory(topics: readonly MeTopic[]): Array<[category: string, topics: MeTopic[]]> {
  const groups = new Map<string, MeTopic[]>()
  const sorted = [...topics].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key))
  for (const t of sorted) {
    const list = groups.get(t.category)
    if (list) list.push(t)
    else groups.set(t.category, [t])
  }
  return [...groups]
}

// ---- time --------------------------------------------------------------------------------

/** The browser's IANA zone, or UTC. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

/** IANA zones this browser knows, with `current` in the list. */
export function timeZones(current: string): string[] {
  let zones: string[] = []
  try {
    zones = Intl.supportedValuesOf('timeZone')
  } catch {
    // an old browser: offer the current zone and UTC
  }
  const set = new Set(zones)
  if (!set.has('UTC')) zones = ['UTC', ...zones]
  if (!set.has(current) && current !== 'UTC') zones = [current, ...zones]
  return zones
}

// ---- the link token ----------------------------------------------------------------------

const STORAGE_KEY = 'heed:token'

/**
 * The link token from the page's address — `/p/:token`, `?token=`, `#token=` — and the address
 * to show instead, without it (null when the address stays: a `/p/:token` path is the hosted
 * page's own address, reloading it must work). A token found in the query or fragment is kept
 * in sessionStorage so a reload of the same tab still works.
 */
export function tokenFromLocation(loc: Pick<Location, 'pathname' | 'search' | 'hash' | 'href'>): { token: string; cleanUrl: string | null } | null {
  const path = loc.pathname.match(/\/p\/([A-Za-z0-9._~-]{16,})\/?$/)
  if (path) return { token: path[1]!, cleanUrl: null }
  const url = new URL(loc.href)
  const fromQuery = url.searchParams.get('token')
  if (fromQuery) {
    url.searchParams.delete('token')
    return { token: fromQuery, cleanUrl: url.href }
  }
  const hash = new URLSearchParams(loc.hash.replace(/^#/, ''))
  const fromHash = hash.get('token')
  if (fromHash) {
    hash.delete('token')
    const rest = hash.toString()
    url.hash = rest ? `#${rest}` : ''
    return { token: fromHash, cleanUrl: url.href }
  }
  return null
}

/** Reads the token from the address bar, removes it from there, and remembers it for this tab. */
export function takeTokenFromPage(): string | null {
  const found = tokenFromLocation(location)
  try {
    if (found) {
      if (found.cleanUrl !== null) {
        history.replaceState(history.state, '', found.cleanUrl)
        sessionStorage.setItem(STORAGE_KEY, found.token)
      }
      return found.token
    }
    return sessionStorage.getItem(STORAGE_KEY)
  } catch {
    // storage or history refused (sandboxed frame): the token still works for this view
    return found?.token ?? null
  }
}
