import en from './en.ts'
import et from './et.ts'
import zhHans from './zh-Hans.ts'
import zhHant from './zh-Hant.ts'
import type { LocaleCode, Translation } from './index.ts'

/** Every locale's strings at once, for tests and tools; the widget loads them one by one (index.ts). */
export const TRANSLATIONS = { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant, et } as const satisfies Record<LocaleCode, Translation>
