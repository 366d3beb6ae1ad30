import { HeedPreferences } from './components/preference-center/preference-center.ts'

/**
 * Registers `<heed-preferences>`. Guarded: a page may load widget.js twice (two tags, two
 * versions), and a second `customElements.define` of the same name would throw.
 */
export const TAG = 'heed-preferences'

if (!customElements.get(TAG)) customElements.define(TAG, HeedPreferences)

declare global {
  interface HTMLElementTagNameMap {
    'heed-preferences': HeedPreferences
  }
}

export { HeedPreferences }
