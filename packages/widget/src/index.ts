/**
 * widget.js: one self-contained ES module. Loading it defines `<heed-preferences>`; nothing
 * else is needed on the page (no framework, no stylesheet, no inline script).
 */
export { HeedPreferences, TAG } from './heed-preferences.ts'
export { HeedApiError } from './api.ts'
export type { HeedChangeDetail, HeedChangeEvent, HeedErrorDetail, HeedErrorEvent, HeedUnsubscribeDetail, HeedUnsubscribeEvent } from './events.ts'
export type { Translation } from './translations/index.ts'
