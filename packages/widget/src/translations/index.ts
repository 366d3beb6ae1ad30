import en from './en.ts'
import et from './et.ts'
import zhHans from './zh-Hans.ts'
import zhHant from './zh-Hant.ts'
import type { Translation } from './translation.ts'

export type { Translation } from './translation.ts'
export { plural } from './translation.ts'

/** Every locale the widget ships, all in the one bundle (about 1 kB gzip each). */
export const TRANSLATIONS = { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant, et } as const satisfies Record<string, Translation>
export type LocaleCode = keyof typeof TRANSLATIONS

/**
 * The supported locale a BCP 47 tag asks for, or null: `zh-TW` and `zh-HK` give zh-Hant,
 * `zh` and `zh-CN` give zh-Hans (through the likely script `Intl.Locale#maximize` adds).
 */
export function matchLocale(tag: string | null | undefined): LocaleCode | null {
  if (!tag) return null
  try {
    const l = new Intl.Locale(tag).maximize()
    if (l.language === 'zh') return l.script === 'Hant' ? 'zh-Hant' : 'zh-Hans'
    if (l.language === 'en' || l.language === 'et') return l.language
  } catch {
    // not a language tag
  }
  return null
}

/** The first of the candidates (most wanted first) the widget speaks; English when none. */
export function resolveLocale(candidates: Iterable<string | null | undefined>): LocaleCode {
  for (const c of candidates) {
    const m = matchLocale(c)
    if (m) return m
  }
  return 'en'
}
