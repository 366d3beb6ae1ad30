/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing'
import type { HeedPreferences } from '../src/index.ts'
import type { Translation } from '../src/translations/index.ts'
import { TRANSLATIONS } from '../src/translations/all.ts'
import { QUIET_TEXT } from '../src/translations/quiet.ts'
import { REASON_TEXT } from '../src/translations/reason.ts'
import { admin, after, apiUrl, buttonNamed, mount, root, settled, subscriber } from './helpers.ts'
import { waitUntil } from '@open-wc/testing'

const SAMPLES = ['Trailhead Outfitters', 'email', 'sms', 'push', 'account', 'shopping', 'content', 'Sales and offers']

/** Every UI string of a locale, with functions called on sample arguments (which are left out). */
function strings(t: object): string[] {
  const out: string[] = []
  const add = (v: unknown) => {
    if (typeof v === 'string') out.push(v)
    else if (typeof v === 'function') {
      if (v.length === 2) for (const per of ['day', 'week', 'month']) for (const n of [1, 3]) out.push(v(n, per))
      else for (const arg of SAMPLES) out.push(String(v(arg)))
    } else if (v && typeof v === 'object') Object.values(v).forEach(add)
  }
  for (const [key, value] of Object.entries(t)) if (!key.startsWith('$')) add(value)
  return out.filter((x) => x !== 'null' && !SAMPLES.includes(x))
}

/** All text a person or a screen reader gets from the widget: text, labels, options. */
function shownText(el: HeedPreferences): string {
  const r = root(el)
  const parts = [r.querySelector('.base')?.textContent ?? '']
  for (const node of r.querySelectorAll('[aria-label], [title], [placeholder]')) {
    parts.push(node.getAttribute('aria-label') ?? '', node.getAttribute('title') ?? '', node.getAttribute('placeholder') ?? '')
  }
  return parts.join('\n').replace(/\s+/g, ' ')
}

/** A locale's strings, the parts loaded on demand (quiet hours, the reason form) included. */
const everything = (code: keyof typeof TRANSLATIONS) => [...strings(TRANSLATIONS[code]), ...strings(QUIET_TEXT[code]), ...strings(REASON_TEXT[code])]

function expectNoEnglish(el: HeedPreferences, t: Translation) {
  const text = shownText(el)
  const own = new Set(everything(t.$code as keyof typeof TRANSLATIONS))
  const leftovers = everything('en').filter((s) => s.length >= 3 && !own.has(s) && text.includes(s))
  expect(leftovers, `English left in ${t.$code}`).to.deep.equal([])
}

const LOCALES = ['zh-Hans', 'zh-Hant', 'et'] as const

describe('<heed-preferences> locales', () => {
  for (const code of LOCALES) {
    it(`${code}: every state renders in ${code}, with no English left`, async () => {
      const t = TRANSLATIONS[code]
      const { id, token } = await subscriber({
        locale: code,
        topics: { sales: { subscribed: true, cap: { max: 1, per: 'week' } } },
        quietHours: { start: '22:00', end: '07:00' },
        cap: { max: 3, per: 'week' },
        pausedUntil: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      })
      const el = await mount({ token })
      await waitUntil(() => root(el).querySelector('#quiet-rule'), 'the quiet-hours editor did not load', { timeout: 5000 })
      expect(root(el).querySelector('.base')!.getAttribute('lang')).to.equal(code)
      expect(shownText(el)).to.include(t.title)
      expect(shownText(el)).to.include(t.capLabel(3, 'week'))
      expectNoEnglish(el, t)

      // Unsubscribed, with the reason form.
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, t.unsubscribeAll).click())
      await waitUntil(() => root(el).querySelector('#reason-details'), 'the reason form did not load', { timeout: 5000 })
      expect(shownText(el)).to.include(t.unsubscribedTitle)
      expect(shownText(el)).to.include(REASON_TEXT[code].reasonDetails)
      expectNoEnglish(el, t)

      // Unsubscribe mode.
      const confirm = await mount({ token, mode: 'unsubscribe' })
      expectNoEnglish(confirm, t)

      // Expired link.
      await admin('POST', `/v1/subscribers/${id}/revoke-links`)
      const expired = await mount({ token, lang: code })
      expect(shownText(expired)).to.include(t.expiredTitle)
      expectNoEnglish(expired, t)
    })
  }

  it('picks the language: lang attribute, then the subscriber, then the page, then the tenant', async () => {
    const api = await apiUrl()
    const et = await subscriber({ locale: 'et' })
    expect(root(await mount({ token: et.token })).querySelector('.base')!.getAttribute('lang')).to.equal('et')
    expect(root(await mount({ token: et.token, lang: 'zh-TW' })).querySelector('.base')!.getAttribute('lang')).to.equal('zh-Hant')

    const none = await subscriber({ locale: null })
    const wrap = await fixture<HTMLDivElement>(html`<div lang="zh-CN"><heed-preferences api=${api} token=${none.token}></heed-preferences></div>`)
    const inPage = await settled(wrap.querySelector('heed-preferences')!)
    expect(root(inPage).querySelector('.base')!.getAttribute('lang')).to.equal('zh-Hans')
    expect(root(inPage).textContent).to.include('促销与优惠')
  })

  it('switches language when lang changes, with dates and times through Intl', async () => {
    const { token } = await subscriber({ pausedUntil: '2031-03-05T12:00:00Z', timezone: 'Asia/Taipei' })
    const el = await mount({ token, lang: 'en' })
    const notice = () => root(el).querySelector('[part~="notice"]')!.textContent!
    expect(notice()).to.include('March 5, 2031')
    el.lang = 'zh-Hant'
    await el.updateComplete
    expect(notice()).to.include('2031年3月5日')
    el.lang = 'et'
    await el.updateComplete
    expect(notice()).to.include('5. märtsini 2031')
  })

  it('translates category keys and their English names; other categories show as written', async () => {
    const a = `cat-a-${Date.now()}`
    const b = `cat-b-${Date.now()}`
    await admin('PUT', `/v1/topics/${a}`, { name: 'A', category: 'Your account', order: 90 })
    await admin('PUT', `/v1/topics/${b}`, { name: 'B', category: 'weekly_digest', order: 91 })
    try {
      const { token } = await subscriber({ locale: 'et' })
      const el = await mount({ token })
      const headings = [...root(el).querySelectorAll('.cat')].map((h) => h.textContent?.trim())
      expect(headings).to.deep.equal(['Sinu konto', 'Ostlemine', 'Lood ja juhendid', 'Sinu konto', 'Weekly digest'])
    } finally {
      await admin('DELETE', `/v1/topics/${a}`)
      await admin('DELETE', `/v1/topics/${b}`)
    }
  })

  it('topic texts fall back to the tenant default locale', async () => {
    const key = `en-only-${Date.now()}`
    await admin('PUT', `/v1/topics/${key}`, { name: { en: 'Only in English' }, category: 'shopping', order: 98 })
    try {
      const { token } = await subscriber({ locale: 'et' })
      const el = await mount({ token })
      expect(root(el).textContent).to.include('Only in English')
    } finally {
      await admin('DELETE', `/v1/topics/${key}`)
    }
  })
})
