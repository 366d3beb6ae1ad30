/**
 * Time-zone arithmetic through `Intl` only, no date library.
 *
 * "Local ms" is a wall-clock reading written as if it were UTC epoch milliseconds:
 * 2026-03-08 01:30 in New York is `Date.UTC(2026, 2, 8, 1, 30)`. Local ms order like wall
 * clocks do, so quiet hours are plain interval checks on them; a zone's offset is
 * `local ms − instant`.
 *
 * One `Intl.DateTimeFormat` is kept per zone and the offset is memoised per (zone, minute):
 * every modern tz transition falls on a whole minute, so the offset is constant inside one.
 * Dates, weekdays and times of day are then derived arithmetically (civil-from-days), so the
 * expensive `formatToParts` runs about once per zone and minute, not once per call.
 */

export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000
export const WEEK_MS = 7 * DAY_MS
/** A "month" of caps, pauses and history: 30 days, whatever the calendar says. */
export const MONTH_MS = 30 * DAY_MS

/** Upper bound of memoised offsets per zone; the map is simply cleared when it is reached. */
const MAX_OFFSETS_PER_ZONE = 4096

interface ZoneCache {
  format: Intl.DateTimeFormat
  offsets: Map<number, number>
  /** The minute asked last and its offset: batches ask about one instant many times. */
  lastBucket: number
  lastOffset: number
}

const zones = new Map<string, ZoneCache>()
/**
 * Zone names are case-insensitive to `Intl`, so valid spellings are nearly endless: past this
 * many distinct ones the cache starts over, and memory stays bounded whatever is asked.
 */
const MAX_ZONES = 1024

function zoneCache(zone: string): ZoneCache {
  let cache = zones.get(zone)
  if (cache === undefined) {
    // Throws a RangeError for a zone this runtime does not know; nothing is cached then.
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    cache = { format, offsets: new Map(), lastBucket: Number.NaN, lastOffset: 0 }
    if (zones.size >= MAX_ZONES) zones.clear()
    zones.set(zone, cache)
  }
  return cache
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12); Howard Hinnant's algorithm. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

/** The proleptic Gregorian date (month 1–12) of a count of days since 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day }
}

/** Day of the week of a count of days since 1970-01-01 (a Thursday); 0 = Sunday. */
export function weekdayFromDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7
}

function computeOffset(format: Intl.DateTimeFormat, instant: number): number {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {}
  for (const { type, value } of format.formatToParts(instant)) parts[type] = value
  const n = (type: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second') => Number(parts[type])
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - n('year') : n('year')
  const local = daysFromCivil(year, n('month'), n('day')) * DAY_MS + (n('hour') % 24) * HOUR_MS + n('minute') * MINUTE_MS + n('second') * 1000
  return local - Math.floor(instant / 1000) * 1000
}

/** The zone's offset from UTC at `instant`, in ms (local − UTC; New York in winter: −18,000,000). */
export function zoneOffset(zone: string, instant: number): number {
  const cache = zoneCache(zone)
  const bucket = Math.floor(instant / MINUTE_MS)
  if (bucket === cache.lastBucket) return cache.lastOffset
  let offset = cache.offsets.get(bucket)
  if (offset === undefined) {
    offset = computeOffset(cache.format, bucket * MINUTE_MS)
    if (cache.offsets.size >= MAX_OFFSETS_PER_ZONE) cache.offsets.clear()
    cache.offsets.set(bucket, offset)
  }
  cache.lastBucket = bucket
  cache.lastOffset = offset
  return offset
}

/** The wall clock of `instant` in `zone`, as local ms. */
export function toLocalMs(zone: string, instant: number): number {
  return instant + zoneOffset(zone, instant)
}

export interface WallClock {
  year: number
  /** 1–12 */
  month: number
  /** 1–31 */
  day: number
  /** 0 = Sunday … 6 = Saturday */
  weekday: number
  hour: number
  minute: number
  second: number
  millisecond: number
  /** The same reading as local ms. */
  localMs: number
  /** ms from UTC (local − UTC) in force at the instant. */
  offset: number
}

/** Splits local ms into date, weekday and time of day. */
export function wallClockFromLocalMs(localMs: number, offset = 0): WallClock {
  const days = Math.floor(localMs / DAY_MS)
  let rest = localMs - days * DAY_MS
  const hour = Math.floor(rest / HOUR_MS)
  rest -= hour * HOUR_MS
  const minute = Math.floor(rest / MINUTE_MS)
  rest -= minute * MINUTE_MS
  const second = Math.floor(rest / 1000)
  return {
    ...civilFromDays(days),
    weekday: weekdayFromDays(days),
    hour,
    minute,
    second,
    millisecond: rest - second * 1000,
    localMs,
    offset,
  }
}

/** The wall clock of `instant` (epoch ms) in the IANA `zone`. */
export function wallClock(zone: string, instant: number): WallClock {
  const offset = zoneOffset(zone, instant)
  return wallClockFromLocalMs(instant + offset, offset)
}

/**
 * The first instant in (`from`, `to`] whose offset differs from the offset at `from`, or null
 * when the offset at `to` is the same (more than one transition inside the span is not looked
 * for: keep spans to a day or so). Binary search over whole minutes. `before` may be passed
 * when the caller already knows the offset at `from`.
 */
export function nextOffsetChange(zone: string, from: number, to: number, before = zoneOffset(zone, from)): number | null {
  if (to <= from || zoneOffset(zone, to) === before) return null
  let lo = Math.floor(from / MINUTE_MS) + 1
  let hi = Math.floor(to / MINUTE_MS)
  if (lo > hi) return to // a transition off the whole minute (pre-1970 local mean times)
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (zoneOffset(zone, mid * MINUTE_MS) === before) lo = mid + 1
    else hi = mid
  }
  return lo * MINUTE_MS
}

/**
 * The earliest instant whose wall clock in `zone` reads `localMs` or later: the instant itself
 * on an ordinary day, the first of the two on a fall-back day when the reading occurs twice,
 * and the transition instant when the reading is skipped by a spring-forward (02:30 in New
 * York on 2026-03-08 gives 03:00 EDT, 07:00Z).
 */
export function fromLocalMs(zone: string, localMs: number): number {
  const before = zoneOffset(zone, localMs - DAY_MS)
  const after = zoneOffset(zone, localMs + DAY_MS)
  const early = localMs - before
  if (before === after || toLocalMs(zone, early) === localMs) return early
  const late = localMs - after
  if (toLocalMs(zone, late) === localMs) return late
  // Skipped: the clock jumped forward over it; the jump happens between `late` and `early`.
  return nextOffsetChange(zone, Math.min(late, early), Math.max(late, early)) ?? early
}

/** `fromLocalMs` from calendar fields (month 1–12). */
export function fromWallClock(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  const local = daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millisecond
  return fromLocalMs(zone, local)
}

/**
 * The instant a calendar date ("2026-06-01") begins in `zone`: its midnight, read with the
 * offset in force just after it (two offset look-ups, none of fromLocalMs's searching: the
 * widget ships this).
 */
export function startOfDate(zone: string, date: string): number {
  const midnight = Date.parse(`${date}T00:00:00Z`)
  return midnight - zoneOffset(zone, midnight - zoneOffset(zone, midnight))
}

/** The calendar date ("2026-06-01") in `zone` at `instant`. */
export const dateIn = (zone: string, instant: number): string => new Date(toLocalMs(zone, instant)).toISOString().slice(0, 10)

/** Minutes after midnight of a 24-hour "HH:MM". */
export function parseClockTime(hhmm: string): number {
  const hours = (hhmm.charCodeAt(0) - 48) * 10 + (hhmm.charCodeAt(1) - 48)
  const minutes = (hhmm.charCodeAt(3) - 48) * 10 + (hhmm.charCodeAt(4) - 48)
  return hours * 60 + minutes
}

const PAD2 = /* @__PURE__ */ Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'))
const PAD3 = /* @__PURE__ */ Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))

/**
 * `new Date(instant).toISOString()`, about ten times faster for years 0000–9999 (a batch
 * answer formats up to 10,000 of them); other years and invalid instants go to `Date`.
 */
export function formatInstant(instant: number): string {
  const days = Math.floor(instant / DAY_MS)
  const { year, month, day } = civilFromDays(days)
  if (!(year >= 0 && year <= 9999) || !Number.isInteger(instant)) return new Date(instant).toISOString()
  let rest = instant - days * DAY_MS
  const hour = Math.floor(rest / HOUR_MS)
  rest -= hour * HOUR_MS
  const minute = Math.floor(rest / MINUTE_MS)
  rest -= minute * MINUTE_MS
  const second = Math.floor(rest / 1000)
  return (
    PAD2[Math.floor(year / 100)]! + PAD2[year % 100]! + '-' + PAD2[month]! + '-' + PAD2[day]! +
    'T' + PAD2[hour]! + ':' + PAD2[minute]! + ':' + PAD2[second]! + '.' + PAD3[rest - second * 1000]! + 'Z'
  )
}
