import type { Translation } from './en.ts'
import en from './en.ts'
import et from './et.ts'
import zhHans from './zh-Hans.ts'
import zhHant from './zh-Hant.ts'

export type { Translation }

export const TRANSLATIONS: Record<string, Translation> = { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant, et }
export const LOCALES = Object.keys(TRANSLATIONS)

const STORAGE_KEY = 'heed-console-locale'

/** The best of our locales for a BCP 47 tag: zh-TW / zh-HK → zh-Hant, zh / zh-CN → zh-Hans. */
export function match(tag: string | null | undefined): string | null {
  if (!tag) return null
  const t = tag.toLowerCase()
  if (t.startsWith('zh')) return /hant|-tw|-hk|-mo/.test(t) ? 'zh-Hant' : 'zh-Hans'
  const lang = t.split('-')[0]
  return LOCALES.find((l) => l.toLowerCase() === lang) ?? null
}

/** The chosen locale, else the browser's, else English. */
export function initialLocale(): string {
  let stored: string | null = null
  try {
    stored = localStorage.getItem(STORAGE_KEY)
  } catch {
    // storage blocked: fall through
  }
  if (stored && TRANSLATIONS[stored]) return stored
  for (const tag of navigator.languages ?? [navigator.language]) {
    const m = match(tag)
    if (m) return m
  }
  return 'en'
}

export function rememberLocale(locale: string) {
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // storage blocked: the choice lasts this visit
  }
}

/** Dates and numbers, always through Intl in the console's locale. */
export const format = (locale: string) => ({
  date: (iso: string | number | Date | null | undefined) =>
    iso == null || iso === '' ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
  day: (iso: string | number | Date) => new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(iso)),
  number: (n: number) => new Intl.NumberFormat(locale).format(n),
  language: (code: string) => {
    try {
      return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code
    } catch {
      return code
    }
  },
})
