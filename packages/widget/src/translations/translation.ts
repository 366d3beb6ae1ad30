import type { CapPeriod } from '@heed/shared/schemas'

/**
 * Every string the widget shows, one typed object per locale (`en.ts`, `zh-Hans.ts`, …).
 * Functions take what varies; plurals go through `Intl.PluralRules` (see `plural`). Dates,
 * times and weekday names are not here: `Intl.DateTimeFormat` makes them for any locale.
 */
export interface Translation {
  /** BCP 47 tag, used for `lang`, `Intl` and the topics' localized texts. */
  $code: string

  title: string
  intro: (brand: string) => string
  sentTo: (email: string) => string
  loading: string
  saving: string
  saved: string

  topicsHeading: string
  /** Names of common topic categories, by key (`account`, `shopping`, …). */
  categories: Record<string, string>
  requiredWhy: string
  channelsFor: (topic: string) => string
  channelName: (channel: string) => string
  topicFrequency: string

  channelsHeading: string
  channelsIntro: string

  frequencyHeading: string
  frequencyIntro: string
  noLimit: string
  /** A topic's "how often" when the overall cap applies: "Overall limit (at most 3 a week)". */
  overallLimit: (cap: string) => string
  /** Under a topic's channel chips when some are off for every topic. */
  channelOffEverywhere: (channels: string) => string
  /** "At most 3 messages a week". */
  capLabel: (max: number, per: CapPeriod) => string

  quietHeading: string
  quietIntro: string
  quietFrom: string
  quietTo: string
  timeZone: string

  pauseHeading: string
  pauseIntro: string
  pauseWeek: string
  pauseMonth: string
  pauseUntilDate: string
  pauseButton: string
  pausedUntil: (when: string) => string
  resume: string

  unsubscribeAll: string
  unsubscribeAllHint: (brand: string) => string
  unsubscribeQuestion: (brand: string) => string
  unsubscribedTitle: string
  unsubscribedBody: (brand: string) => string
  requiredStillSent: string
  undo: string
  resubscribe: string
  resubscribed: string
  lessInstead: string
  lessPauseMonth: string
  lessWeekly: string
  lessWeeklyDone: string
  chooseTopics: string
  reasonHeading: string
  reasons: Record<'too_many' | 'not_relevant' | 'never_signed_up' | 'other', string>
  reasonSend: string
  reasonThanks: string

  expiredTitle: string
  expiredBody: string
  noTokenTitle: string
  noTokenBody: string
  networkTitle: string
  networkBody: string
  serverBody: string
  retry: string
  /** The page's site is not in the tenant's allowedOrigins (a setup mistake, not the person's). */
  originTitle: string
  originBody: string
  /** An editor that loads on demand could not load. */
  loadFailed: string

  /** A save failed and was rolled back; `why` is one of the `why*` strings. */
  notSaved: (why: string) => string
  whyOffline: string
  whyBusy: string
  whyServer: string
  whyRejected: string
}

/** Picks the plural form of `n` in `locale`, e.g. `plural('en', n, { one: 'message', other: 'messages' })`. */
export function plural(locale: string, n: number, forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }): string {
  return forms[new Intl.PluralRules(locale).select(n)] ?? forms.other
}
