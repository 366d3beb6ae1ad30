/// <reference types="mocha" />
/**
 * The widget's words with the dates this browser's Intl writes: Estonian's "paused until".
 * (Every locale's keys, the script check of the Chinese locales and the vocabulary shared with
 * the hosted pages are in the API's test/words.test.ts, which reads these files too.)
 */
import { expect } from '@open-wc/testing'
import { TRANSLATIONS } from '../src/translations/all.ts'

describe('words', () => {
  it('et: "paused until" puts the month in the terminative, with the dates this browser writes', () => {
    const months = ['jaanuarini', 'veebruarini', 'märtsini', 'aprillini', 'maini', 'juunini', 'juulini', 'augustini', 'septembrini', 'oktoobrini', 'novembrini', 'detsembrini']
    for (const zoneName of [false, true]) {
      // As the widget formats an instant (preference-center.ts, #formatInstant).
      const format = new Intl.DateTimeFormat('et', {
        year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'Europe/Tallinn',
        ...(zoneName ? { timeZoneName: 'short' as const } : {}),
      })
      for (const [i, month] of months.entries()) {
        const text = TRANSLATIONS.et.pausedUntil(format.format(Date.UTC(2026, i, 20, 10, 5)))
        expect(text).to.match(new RegExp(`^Peatatud kuni 20\\. ${month} 2026 kell 1[23]:05${zoneName ? ' \\S' : '$'}`))
      }
    }
  })
})
