/// <reference types="mocha" />
/**
 * The widget's words in the browser: every locale has every key English has, and Estonian's
 * "paused until" reads right with the dates this browser's Intl writes. (The script check of
 * the Chinese locales, and the vocabulary shared with the hosted pages, are in the API's
 * test/words.test.ts, which reads these files too.)
 */
import { expect } from '@open-wc/testing'
import { TRANSLATIONS } from '../src/translations/all.ts'

/** Where `other` lacks a key of `reference`, has one it does not, or has a value of another kind. */
function shapeProblems(reference: unknown, other: unknown, where: string): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : typeof v)
  if (kind(reference) !== kind(other)) return [`${where}: ${kind(other)}, not ${kind(reference)} as in English`]
  if (typeof reference !== 'object' || reference === null) return []
  const r = reference as Record<string, unknown>
  const o = other as Record<string, unknown>
  return [
    ...Object.keys(r).flatMap((k) => (k in o ? shapeProblems(r[k], o[k], `${where}.${k}`) : [`${where}.${k}: missing`])),
    ...Object.keys(o).filter((k) => !(k in r)).map((k) => `${where}.${k}: not in English`),
  ]
}

describe('words', () => {
  it('every locale has every key English has, with values of the same kind', () => {
    for (const [code, t] of Object.entries(TRANSLATIONS)) {
      expect(shapeProblems(TRANSLATIONS.en, t, code), code).to.deep.equal([])
      expect(t.$code).to.equal(code)
    }
  })

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
