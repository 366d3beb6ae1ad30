import en from './en.ts'
import type { Translation } from './translation.ts'

export type { Translation } from './translation.ts'
export { plural } from './translation.ts'

/** Every locale the widget speaks. */
export const LOCALES = ['en', 'zh-Hans', 'zh-Hant', 'et'] as const
export type LocaleCode = (typeof LOCALES)[number]

/**
 * English is in widget.js (the fallback, and what most first loads need); each other locale
 * is its own chunk, loaded when someone needs it (about 2 kB gzip each). All four, loaded at
 * once, are `all.ts` (tests and tools).
 */
const LOADERS: Record<Exclude<LocaleCode, 'en'>, () => Promise<{ default: Translation }>> = {
  'zh-Hans': () => import('./zh-Hans.ts'),
  'zh-Hant': () => import('./zh-Hant.ts'),
  et: () => import('./et.ts'),
}
export const ENGLISH: Translation = en
const loaded = new Map<LocaleCode, Translation>([['en', en]])
const loading = new Map<LocaleCode, Promise<Translation>>()

/** A locale's strings when they are here (English always is). */
export const translation = (code: LocaleCode): Translation | undefined => loaded.get(code)

/** Loads a locale's strings; one that cannot load (offline) is English from then on. */
export function loadTranslation(code: LocaleCode): Promise<Translation> {
  const have = loaded.get(code)
  if (have) return Promise.resolve(have)
  let pending = loading.get(code)
  if (!pending) {
    pending = LOADERS[code as Exclude<LocaleCode, 'en'>]().then(
      (m) => m.default,
      () => en,
    )
    pending.then((t) => {
      loaded.set(code, t)
      loading.delete(code)
    })
    loading.set(code, pending)
  }
  return pending
}

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
