/**
 * widget.js: an ES module that loads alone and defines `<heed-preferences>`; nothing else is
 * needed on the page (no framework, no stylesheet, no inline script). The other locales and
 * the editors few people open load on demand from beside it (see vite.config.ts).
 */
export { HeedPreferences, TAG } from './heed-preferences.ts'
export { HeedApiError } from './api.ts'
export type { HeedChangeDetail, HeedChangeEvent, HeedErrorDetail, HeedErrorEvent, HeedUnsubscribeDetail, HeedUnsubscribeEvent } from './events.ts'
export type { Translation } from './translations/index.ts'
