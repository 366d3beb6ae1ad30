import type { QuietHours } from '@heed/shared/schemas'
import type { QuietText } from './translations/quiet.ts'

/** Quiet hours in words and the week as the locale sees it: pure, no DOM (test/quiet.test.ts). */

// 1970-01-04 was a Sunday (day 0, as `days` counts).
const SUNDAY = Date.UTC(1970, 0, 4)
const DAY = 86_400_000

/** The locale's first day of the week, 0 = Sunday (its likely region's: en → US → Sunday). */
export function firstDay(locale: string): number {
  try {
    const l = new Intl.Locale(locale).maximize() as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } }
    const info = l.getWeekInfo?.() ?? l.weekInfo
    if (info) return info.firstDay % 7
  } catch {
    // no week data in this browser
  }
  return 1
}

/** The seven days in the locale's week order, with short and long names. */
export function weekdays(locale: string): Array<{ day: number; short: string; long: string }> {
  const name = (weekday: 'short' | 'long') => new Intl.DateTimeFormat(locale, { weekday, timeZone: 'UTC' })
  const short = name('short')
  const long = name('long')
  const first = firstDay(locale)
  return Array.from({ length: 7 }, (_, i) => {
    const day = (first + i) % 7
    return { day, short: short.format(SUNDAY + day * DAY), long: long.format(SUNDAY + day * DAY) }
  })
}

/** "9:00 PM" from "21:00", as the locale writes a time of day. */
export function clock(time: string, locale: string): string {
  const [h, m] = time.split(':').map(Number)
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(Date.UTC(1970, 0, 1, h, m))
}

/**
 * The days in words, null for every day: runs of three or more in the locale's week order
 * become ranges ("Monday to Friday"), the rest a list ("Saturday and Sunday").
 */
export function describeDays(days: readonly number[] | undefined, locale: string, t: QuietText): string | null {
  if (days === undefined || new Set(days).size === 7) return null
  let week = weekdays(locale)
  // A run across the week's end (the weekend, where the week starts on Sunday) is kept whole.
  if (days.includes(week[0]!.day) && days.includes(week[6]!.day)) {
    const gap = week.findIndex((d) => !days.includes(d.day))
    week = [...week.slice(gap), ...week.slice(0, gap)]
  }
  const parts: string[] = []
  let run: typeof week = []
  const close = () => {
    if (run.length >= 3) parts.push(t.dayRange(run[0]!.long, run[run.length - 1]!.long))
    else parts.push(...run.map((d) => d.long))
    run = []
  }
  for (const d of week) {
    if (days.includes(d.day)) run.push(d)
    else close()
  }
  close()
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(parts)
}

/** A stored rule as the person would say it: "All day on Saturday and Sunday", "Every day, 9:00 PM to 8:00 AM the next day". */
export function describeQuiet(q: QuietHours, locale: string, t: QuietText): string {
  const days = describeDays(q.days, locale, t)
  if (q.start === q.end) {
    const week = weekdays(locale)
    return t.quietAllDayRule(days ?? t.dayRange(week[0]!.long, week[6]!.long))
  }
  return t.quietRule(days, clock(q.start, locale), clock(q.end, locale), q.end < q.start)
}

/** Why quiet hours cannot be saved as they are, or null (the API's rule, in the person's words). */
export function quietError(q: QuietHours, t: QuietText): string | null {
  if (q.days?.length === 0) return t.quietNoDays
  return q.start === q.end && (q.days === undefined || q.days.length === 7) ? t.quietAlways : null
}
