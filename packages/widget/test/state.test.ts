/// <reference types="mocha" />
import { expect } from '@open-wc/testing'
import type { MeTopic } from '@heed/shared/schemas'
import { defaultPreferences } from '@heed/shared/subscriber'
import { applyPatch, byCategory, pickText, tokenFromLocation, type SubscriberState } from '../src/state.ts'
import { matchLocale, resolveLocale } from '../src/translations/index.ts'
import { TRANSLATIONS } from '../src/translations/all.ts'

const base: SubscriberState = { id: 's1', email: null, ...defaultPreferences() }
const topic = (key: string, more: Partial<MeTopic> = {}): MeTopic => ({
  key,
  name: { en: key },
  description: null,
  category: 'general',
  channels: ['email', 'sms'],
  defaultSubscribed: false,
  required: false,
  order: 0,
  ...more,
})

describe('widget state helpers', () => {
  it('applyPatch merges like PATCH /v1/me: given fields change, null clears', () => {
    const s1 = applyPatch(base, { topics: { sales: { subscribed: true, channels: { sms: false } } }, channels: { email: false } })
    expect(s1.topics.sales).to.deep.equal({ subscribed: true, channels: { sms: false } })
    const s2 = applyPatch(s1, { topics: { sales: { channels: { email: true }, cap: { max: 1, per: 'week' } } }, pausedUntil: '2030-01-01T00:00:00+02:00' })
    expect(s2.topics.sales).to.deep.equal({ subscribed: true, channels: { sms: false, email: true }, cap: { max: 1, per: 'week' } })
    expect(s2.pausedUntil).to.equal('2029-12-31T22:00:00.000Z')
    expect(s2.channels).to.deep.equal({ email: false })
    const s3 = applyPatch(s2, { topics: { sales: null }, pausedUntil: null })
    expect(s3.topics).to.deep.equal({})
    expect(s3.pausedUntil).to.equal(null)
    expect(base.topics).to.deep.equal({})
  })

  it('pickText: the locale, the same script, the tenant default, then anything', () => {
    const text = { en: 'Sales', 'zh-TW': '促銷', 'zh-Hans': '促销', et: 'Allahindlused' }
    expect(pickText(text, 'zh-Hant', 'en')).to.equal('促銷')
    expect(pickText(text, 'zh-Hans', 'en')).to.equal('促销')
    expect(pickText({ et: 'Uudised', de: 'Neuigkeiten' }, 'zh-Hant', 'et')).to.equal('Uudised')
    expect(pickText({ de: 'Neuigkeiten' }, 'en', 'et')).to.equal('Neuigkeiten')
    expect(pickText(null, 'en', 'en')).to.equal(null)
  })

  it('groups topics by category in topic order', () => {
    const groups = byCategory([topic('c', { category: 'b', order: 3 }), topic('a', { category: 'a', order: 1 }), topic('b', { category: 'b', order: 2 })])
    expect(groups.map(([c, ts]) => [c, ts.map((t) => t.key)])).to.deep.equal([
      ['a', ['a']],
      ['b', ['b', 'c']],
    ])
  })

  it('finds the token in /p/:token, ?token= and #token=, and the address without it', () => {
    const tok = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'
    const at = (href: string) => {
      const u = new URL(href)
      return tokenFromLocation({ href, pathname: u.pathname, search: u.search, hash: u.hash })
    }
    expect(at(`https://heed.example/p/${tok}`)).to.deep.equal({ token: tok, cleanUrl: null })
    expect(at(`https://shop.example/prefs?a=1&token=${tok}&b=2`)).to.deep.equal({ token: tok, cleanUrl: 'https://shop.example/prefs?a=1&b=2' })
    expect(at(`https://shop.example/prefs#token=${tok}`)).to.deep.equal({ token: tok, cleanUrl: 'https://shop.example/prefs' })
    expect(at('https://shop.example/prefs')).to.equal(null)
  })

  it('matches locales: zh-TW and zh-HK to zh-Hant, zh and zh-CN to zh-Hans, English last', () => {
    expect(matchLocale('zh-TW')).to.equal('zh-Hant')
    expect(matchLocale('zh-HK')).to.equal('zh-Hant')
    expect(matchLocale('zh')).to.equal('zh-Hans')
    expect(matchLocale('zh-CN')).to.equal('zh-Hans')
    expect(matchLocale('et-EE')).to.equal('et')
    expect(matchLocale('de')).to.equal(null)
    expect(matchLocale('not a tag!')).to.equal(null)
    expect(resolveLocale(['', 'de', 'et', 'en'])).to.equal('et')
    expect(resolveLocale([null, undefined])).to.equal('en')
  })

  it('every locale has every string (checked by the type) and plural forms through Intl.PluralRules', () => {
    const en = TRANSLATIONS.en
    for (const [code, t] of Object.entries(TRANSLATIONS)) {
      expect(Object.keys(t).sort(), code).to.deep.equal(Object.keys(en).sort())
    }
    expect(en.capLabel(1, 'day')).to.equal('At most 1 message a day')
    expect(en.capLabel(3, 'week')).to.equal('At most 3 messages a week')
    expect(TRANSLATIONS.et.capLabel(1, 'day')).to.equal('Kuni 1 sõnum päevas')
    expect(TRANSLATIONS.et.capLabel(2, 'month')).to.equal('Kuni 2 sõnumit kuus')
    expect(TRANSLATIONS['zh-Hant'].capLabel(3, 'week')).to.equal('每週最多 3 則')
  })
})
