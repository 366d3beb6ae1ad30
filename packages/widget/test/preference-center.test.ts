/// <reference types="mocha" />
import { expect, waitUntil } from '@open-wc/testing'
import { emulateMedia, setViewport } from '@web/test-runner-commands'
import {
  admin,
  after,
  alertText,
  apiUrl,
  buttonNamed,
  expectNoAxeViolations,
  mount,
  pageOrigin,
  root,
  statusText,
  stored,
  subscriber,
  switchFor,
} from './helpers.ts'

describe('<heed-preferences>', () => {
  describe('accessibility (axe-core: WCAG 2.0–2.2 A/AA, target-size on)', () => {
    it('finds no violations when loaded', async () => {
      const { token } = await subscriber({ topics: { sales: { subscribed: true } }, quietHours: { start: '22:00', end: '07:00' }, cap: { max: 3, per: 'week' } })
      const el = await mount({ token })
      await expect(el).to.be.accessible()
      await expectNoAxeViolations(el)
    })

    it('finds no violations when unsubscribed', async () => {
      const { token } = await subscriber()
      const el = await mount({ token })
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      await el.updateComplete
      expect(root(el).querySelector('[part~="unsubscribed"]')).to.exist
      await expectNoAxeViolations(el)
    })

    it('finds no violations on the expired-link message', async () => {
      const { id, token } = await subscriber()
      await admin('POST', `/v1/subscribers/${id}/revoke-links`)
      const el = await mount({ token })
      expect(root(el).querySelector('[part~="error"]')).to.exist
      await expectNoAxeViolations(el)
    })

    it('finds no violations in unsubscribe mode, paused, and in dark mode', async () => {
      const { token } = await subscriber({ pausedUntil: new Date(Date.now() + 3 * 86_400_000).toISOString() })
      const confirm = await mount({ token, mode: 'unsubscribe' })
      await expectNoAxeViolations(confirm)
      // A page that allows dark mode (as the hosted page does) on a system that prefers it.
      document.documentElement.style.colorScheme = 'light dark'
      document.body.style.background = 'Canvas'
      await emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' })
      try {
        const full = await mount({ token })
        expect(root(full).querySelector('[part~="notice"]')).to.exist
        expect(getComputedStyle(root(full).querySelector('.group')!).backgroundColor).to.equal('rgb(29, 33, 37)')
        await expectNoAxeViolations(full)
      } finally {
        await emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })
        document.documentElement.style.colorScheme = ''
        document.body.style.background = ''
      }
    })
  })

  describe('showing preferences', () => {
    it('groups topics by category, with descriptions, and locks required ones with a reason', async () => {
      const { token } = await subscriber()
      const el = await mount({ token, lang: 'en' })
      const r = root(el)
      const categories = [...r.querySelectorAll('.cat')].map((h) => h.textContent?.trim())
      expect(categories).to.deep.equal(['Your account', 'Shopping', 'Stories and guides'])
      expect(r.textContent).to.include('Receipts, shipping and delivery notices.')
      const required = switchFor(el, 'Order updates')
      expect(required.getAttribute('aria-checked')).to.equal('true')
      expect(required.getAttribute('aria-disabled')).to.equal('true')
      expect(r.getElementById(required.getAttribute('aria-describedby')!.split(' ')[1]!)?.textContent).to.include('Always on')
      // No pre-ticked boxes: topics are off unless the merchant holds consent.
      expect(switchFor(el, 'Sales and offers').getAttribute('aria-checked')).to.equal('false')
      expect(r.textContent).to.include('For s***@example.com')
    })

    it('shows a channel matrix and global channel switches when the tenant has two channels', async () => {
      const { token } = await subscriber({ topics: { sales: { subscribed: true } } })
      const el = await mount({ token })
      const group = root(el).querySelector('[role="group"][aria-label="Channels for Sales and offers"]')
      expect(group).to.exist
      expect([...group!.querySelectorAll('[role="checkbox"]')].map((c) => c.textContent?.trim())).to.deep.equal(['Email', 'SMS'])
      expect(switchFor(el, 'Email').getAttribute('aria-checked')).to.equal('true')
      expect(switchFor(el, 'SMS').getAttribute('aria-checked')).to.equal('true')
    })

    it('has no channel matrix and no frequency choice for a one-channel tenant without caps', async () => {
      const { token } = await subscriber({}, 'single')
      const el = await mount({ token })
      expect(root(el).querySelector('[role="checkbox"]')).to.equal(null)
      expect(root(el).querySelector('[role="radiogroup"]')).to.equal(null)
      expect(switchFor(el, 'News')).to.exist
    })

    it('uses the tenant accent, and --heed-accent overrides it', async () => {
      const { token } = await subscriber({ topics: { sales: { subscribed: true } } })
      const el = await mount({ token })
      const on = switchFor(el, 'Sales and offers')
      expect(getComputedStyle(on).backgroundColor).to.equal('rgb(15, 118, 110)')
      el.style.setProperty('--heed-accent', '#7c3aed')
      expect(getComputedStyle(on).backgroundColor).to.equal('rgb(124, 58, 237)')
    })

    it('keeps text on the accent readable: black on a light accent, white on a dark one', async () => {
      const { token } = await subscriber({ status: 'unsubscribed' })
      const el = await mount({ token })
      const primary = buttonNamed(el, 'Subscribe again')
      const black = ['rgb(0, 0, 0)', 'oklch(0 0 0)']
      const white = ['rgb(255, 255, 255)', 'oklch(1 0 0)']
      expect(white).to.include(getComputedStyle(primary).color)
      el.style.setProperty('--heed-accent', '#facc15')
      expect(black).to.include(getComputedStyle(primary).color)
      el.style.setProperty('--heed-accent-fg', '#123456')
      expect(getComputedStyle(primary).color).to.equal('rgb(18, 52, 86)')
    })
  })

  describe('saving (real API)', () => {
    it('toggling a topic changes the stored state and says "Saved"', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token })
      const sw = switchFor(el, 'Sales and offers')
      const detail = await after(el, 'heed-change', () => sw.click())
      expect(detail.change).to.deep.equal({ topics: { sales: { subscribed: true } } })
      expect((await stored(id)).topics.sales?.subscribed).to.equal(true)
      await el.updateComplete
      expect(statusText(el)).to.equal('Saved')
      expect(switchFor(el, 'Sales and offers').getAttribute('aria-checked')).to.equal('true')
      await after(el, 'heed-change', () => switchFor(el, 'Sales and offers').click())
      expect((await stored(id)).topics.sales?.subscribed).to.equal(false)
    })

    it('saves quick successive changes in order', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token })
      switchFor(el, 'Sales and offers').click()
      await el.updateComplete
      switchFor(el, 'New arrivals').click()
      await el.updateComplete
      switchFor(el, 'Sales and offers').click()
      await waitUntil(() => statusText(el) === 'Saved', 'not saved', { timeout: 5000 })
      const s = await stored(id)
      expect(s.topics.sales?.subscribed).to.equal(false)
      expect(s.topics['new-arrivals']?.subscribed).to.equal(true)
    })

    it('a topic channel, a global channel, the frequency and a topic cap are stored', async () => {
      const { id, token } = await subscriber({ topics: { sales: { subscribed: true } } })
      const el = await mount({ token })
      const r = root(el)
      const smsChip = [...r.querySelectorAll<HTMLButtonElement>('[aria-label="Channels for Sales and offers"] [role="checkbox"]')].find((c) => c.textContent?.trim() === 'SMS')!
      await after(el, 'heed-change', () => smsChip.click())
      expect((await stored(id)).topics.sales?.channels).to.deep.equal({ sms: false })

      await after(el, 'heed-change', () => switchFor(el, 'Email').click())
      expect((await stored(id)).channels).to.deep.equal({ email: false })

      const weekly = [...r.querySelectorAll<HTMLLabelElement>('[role="radiogroup"] label')].find((l) => l.textContent?.includes('At most 1 message a week'))!
      await after(el, 'heed-change', () => weekly.querySelector('input')!.click())
      expect((await stored(id)).cap).to.deep.equal({ max: 1, per: 'week' })

      const select = r.querySelector<HTMLSelectElement>('#cap-sales')!
      select.value = '1/day'
      await after(el, 'heed-change', () => select.dispatchEvent(new Event('change')))
      expect((await stored(id)).topics.sales?.cap).to.deep.equal({ max: 1, per: 'day' })
    })

    it('quiet hours turn on in the subscriber zone, change, and refuse an empty window', async () => {
      const { id, token } = await subscriber({ timezone: null })
      const el = await mount({ token })
      const r = root(el)
      await after(el, 'heed-change', () => switchFor(el, 'Quiet hours').click())
      await waitUntil(() => r.querySelector('#quiet-start'), 'the quiet-hours editor did not load', { timeout: 5000 })
      let s = await stored(id)
      expect(s.quietHours).to.deep.equal({ start: '21:00', end: '08:00' })
      expect(s.timezone).to.equal(Intl.DateTimeFormat().resolvedOptions().timeZone)

      const start = r.querySelector<HTMLInputElement>('#quiet-start')!
      start.value = '22:30'
      await after(el, 'heed-change', () => start.dispatchEvent(new Event('change')))
      expect((await stored(id)).quietHours).to.deep.equal({ start: '22:30', end: '08:00' })

      await waitUntil(() => r.querySelector('heed-zone-picker')?.shadowRoot?.querySelector('select'), 'no time zone picker')
      const zone = r.querySelector('heed-zone-picker')!.shadowRoot!.querySelector<HTMLSelectElement>('select')!
      zone.value = 'Asia/Taipei'
      await after(el, 'heed-change', () => zone.dispatchEvent(new Event('change')))
      expect((await stored(id)).timezone).to.equal('Asia/Taipei')

      const end = r.querySelector<HTMLInputElement>('#quiet-end')!
      end.value = '22:30'
      end.dispatchEvent(new Event('change'))
      await el.updateComplete
      expect(r.querySelector('#quiet-error')?.textContent).to.include('would stop every message')
      // Shown as the whole day it would be, with the way out beside it.
      expect(r.querySelector<HTMLInputElement>('#quiet-all-day')!.checked).to.equal(true)
      expect(r.querySelector('#quiet-all-day')!.getAttribute('aria-invalid')).to.equal('true')
      s = await stored(id)
      expect(s.quietHours).to.deep.equal({ start: '22:30', end: '08:00' })
    })

    it('pauses for a week, shows until when, and resumes', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token })
      const before = Date.now()
      await after(el, 'heed-change', () => buttonNamed(el, '1 week').click())
      const until = Date.parse((await stored(id)).pausedUntil!)
      expect(until - before).to.be.within(7 * 86_400_000 - 5000, 7 * 86_400_000 + 60_000)
      await el.updateComplete
      const notice = root(el).querySelector('[part~="notice"]')!
      expect(notice.textContent).to.match(/Paused until .*20\d\d/)
      await after(el, 'heed-change', () => buttonNamed(el, 'Resume now').click())
      expect((await stored(id)).pausedUntil).to.equal(null)
    })

    it('pauses until a chosen date, from midnight in the subscriber zone', async () => {
      const { id, token } = await subscriber({ timezone: 'Asia/Taipei' })
      const el = await mount({ token })
      const input = root(el).querySelector<HTMLInputElement>('#pause-date')!
      const date = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10)
      input.value = date
      input.dispatchEvent(new Event('input'))
      await el.updateComplete
      await after(el, 'heed-change', () => buttonNamed(el, 'Pause').click())
      expect((await stored(id)).pausedUntil).to.equal(new Date(`${date}T00:00:00+08:00`).toISOString())
    })
  })

  describe('quiet hours: days, whole days, and the rule in words', () => {
    const editor = async (el: Awaited<ReturnType<typeof mount>>) => {
      await waitUntil(() => root(el).querySelector('#quiet-rule'), 'the quiet-hours editor did not load', { timeout: 5000 })
      return root(el)
    }
    const day = (el: Awaited<ReturnType<typeof mount>>, name: string) => root(el).querySelector<HTMLButtonElement>(`.day[aria-label="${name}"]`)!

    it('"never at weekends" reads as what it is, not "12:00 AM to 12:00 AM"', async () => {
      const { token } = await subscriber({ quietHours: { start: '00:00', end: '00:00', days: [0, 6] } })
      const r = await editor(await mount({ token }))
      expect(r.querySelector('#quiet-rule')!.textContent).to.equal('All day on Saturday and Sunday')
      expect(r.querySelector<HTMLInputElement>('#quiet-all-day')!.checked).to.equal(true)
      // No times to misread while the whole day is quiet.
      expect(r.querySelector('#quiet-start')).to.equal(null)
    })

    it('describes evenings, weekdays and a night that ends the next day in each language', async () => {
      const { token } = await subscriber({ quietHours: { start: '22:00', end: '07:00', days: [1, 2, 3, 4, 5] } })
      const r = await editor(await mount({ token }))
      expect(r.querySelector('#quiet-rule')!.textContent).to.equal('Monday to Friday, 10:00 PM to 7:00 AM the next day')
      const et = await editor(await mount({ token, lang: 'et' }))
      expect(et.querySelector('#quiet-rule')!.textContent).to.equal('esmaspäev–reede: 22:00–7:00 (järgmisel päeval)')
      const zh = await editor(await mount({ token, lang: 'zh-Hant' }))
      expect(zh.querySelector('#quiet-rule')!.textContent).to.equal('星期一至星期五 下午10:00 至隔天 上午7:00')
    })

    it('offers the days in the locale’s week order with its own names', async () => {
      const { token } = await subscriber({ quietHours: { start: '21:00', end: '08:00' } })
      const names = async (lang: string) => [...(await editor(await mount({ token, lang }))).querySelectorAll('.day')].map((d) => d.getAttribute('aria-label'))
      expect(await names('et')).to.deep.equal(['esmaspäev', 'teisipäev', 'kolmapäev', 'neljapäev', 'reede', 'laupäev', 'pühapäev'])
      // Taiwan's week starts on Sunday; the visible names are the short ones.
      const zh = await editor(await mount({ token, lang: 'zh-Hant' }))
      expect(zh.querySelector('.day')!.getAttribute('aria-label')).to.equal('星期日')
      expect(zh.querySelector('.day')!.textContent).to.equal('週日')
    })

    it('saves chosen days, and every day again drops the list', async () => {
      const { id, token } = await subscriber({ quietHours: { start: '21:00', end: '08:00' } })
      const el = await mount({ token })
      await editor(el)
      await after(el, 'heed-change', () => day(el, 'Saturday').click())
      expect((await stored(id)).quietHours).to.deep.equal({ start: '21:00', end: '08:00', days: [0, 1, 2, 3, 4, 5] })
      expect(day(el, 'Saturday').getAttribute('aria-checked')).to.equal('false')
      expect(root(el).querySelector('#quiet-rule')!.textContent).to.equal('Sunday to Friday, 9:00 PM to 8:00 AM the next day')
      await after(el, 'heed-change', () => day(el, 'Saturday').click())
      expect((await stored(id)).quietHours).to.deep.equal({ start: '21:00', end: '08:00' })
    })

    it('"All day" starts with the weekend, and refuses all day on every day with a reason, saving nothing', async () => {
      const { id, token } = await subscriber({ quietHours: { start: '21:00', end: '08:00' } })
      const el = await mount({ token })
      const r = await editor(el)
      await after(el, 'heed-change', () => r.querySelector<HTMLInputElement>('#quiet-all-day')!.click())
      expect((await stored(id)).quietHours).to.deep.equal({ start: '00:00', end: '00:00', days: [0, 6] })
      await waitUntil(() => statusText(el) === 'Saved', 'no Saved')
      for (const name of ['Monday', 'Tuesday', 'Wednesday', 'Thursday']) await after(el, 'heed-change', () => day(el, name).click())
      day(el, 'Friday').click()
      await el.updateComplete
      expect(r.querySelector('#quiet-error')!.textContent).to.include('would stop every message')
      // The earlier "Saved" is gone: this change was not saved.
      expect(statusText(el)).to.equal('')
      expect((await stored(id)).quietHours?.days).to.deep.equal([0, 1, 2, 3, 4, 6])
      // The icon sits beside its message, on the same line.
      const [icon, text] = [r.querySelector('#quiet-error svg')!, r.querySelector('#quiet-error span')!]
      expect(Math.abs(icon.getBoundingClientRect().top - text.getBoundingClientRect().top)).to.be.below(8)
    })

    it('refuses no day at all with its own reason', async () => {
      const { id, token } = await subscriber({ quietHours: { start: '21:00', end: '08:00', days: [3] } })
      const el = await mount({ token })
      await editor(el)
      day(el, 'Wednesday').click()
      await el.updateComplete
      expect(root(el).querySelector('#quiet-error')!.textContent).to.include('Choose at least one day')
      expect(day(el, 'Wednesday').getAttribute('aria-describedby')).to.equal('quiet-error')
      expect((await stored(id)).quietHours).to.deep.equal({ start: '21:00', end: '08:00', days: [3] })
    })

    it('finds no axe violations with the day picker and time zones open', async () => {
      const { token } = await subscriber({ quietHours: { start: '00:00', end: '00:00', days: [0, 6] } })
      const el = await mount({ token })
      await editor(el)
      await expectNoAxeViolations(el)
    })
  })

  describe('what a choice that is greyed out or limited says', () => {
    it('a channel turned off everywhere says why its chip is greyed out', async () => {
      const { token } = await subscriber({ topics: { sales: { subscribed: true } }, channels: { sms: false } })
      const el = await mount({ token })
      const sms = [...root(el).querySelectorAll<HTMLButtonElement>('[aria-label="Channels for Sales and offers"] [role="checkbox"]')].find((c) => c.textContent?.trim() === 'SMS')!
      expect(sms.disabled).to.equal(true)
      const why = root(el).getElementById(sms.getAttribute('aria-describedby')!)
      expect(why?.textContent).to.equal('SMS is turned off for every topic under Channels.')
      await expectNoAxeViolations(el)
    })

    it('a topic without its own limit names the overall one instead of "No limit"', async () => {
      const { token } = await subscriber({ topics: { sales: { subscribed: true } }, cap: { max: 3, per: 'week' } })
      const el = await mount({ token })
      const first = root(el).querySelector<HTMLSelectElement>('#cap-sales')!.options[0]!
      expect(first.textContent).to.equal('Overall limit (at most 3 messages a week)')
      const none = await subscriber({ topics: { sales: { subscribed: true } } })
      const free = await mount({ token: none.token })
      expect(root(free).querySelector<HTMLSelectElement>('#cap-sales')!.options[0]!.textContent).to.equal('No limit')
    })
  })

  describe('language', () => {
    it('the element’s lang wins, then the subscriber’s saved language, then the page’s', async () => {
      const { token } = await subscriber({ locale: 'et' })
      const title = (el: Awaited<ReturnType<typeof mount>>) => root(el).querySelector('[role="heading"]')?.textContent
      // The page says English (<html lang="en">), the subscriber saved Estonian: Estonian.
      expect(title(await mount({ token }))).to.equal('Sõnumite eelistused')
      // The element says English: English, whatever the subscriber saved.
      expect(title(await mount({ token, lang: 'en' }))).to.equal('Message preferences')
      // No saved language: the page's.
      const plain = await subscriber({ locale: null })
      document.documentElement.lang = 'zh-TW'
      try {
        expect(title(await mount({ token: plain.token }))).to.equal('訊息偏好設定')
      } finally {
        document.documentElement.lang = 'en'
      }
    })
  })

  describe('the status toast', () => {
    it('on a phone, never covers the control being changed', async () => {
      await setViewport({ width: 360, height: 640 })
      const spacer = document.createElement('div')
      spacer.style.height = '2000px'
      try {
        const { token } = await subscriber({ topics: { sales: { subscribed: true } } })
        const el = await mount({ token })
        document.body.append(spacer)
        const select = root(el).querySelector<HTMLSelectElement>('#cap-sales')!
        // Bring the control to the very bottom of the screen, where the toast appears.
        window.scrollBy(0, select.getBoundingClientRect().bottom - window.innerHeight + 2)
        select.focus()
        select.value = '1/day'
        await after(el, 'heed-change', () => select.dispatchEvent(new Event('change')))
        await waitUntil(() => root(el).querySelector('.toast'), 'no toast')
        await el.updateComplete
        const toast = root(el).querySelector('.toast')!.getBoundingClientRect()
        const control = select.getBoundingClientRect()
        expect(control.bottom <= toast.top || control.top >= toast.bottom, `control ${control.top}–${control.bottom}, toast ${toast.top}–${toast.bottom}`).to.equal(true)
      } finally {
        spacer.remove()
        window.scrollTo(0, 0)
        await setViewport({ width: 800, height: 600 })
      }
    })
  })

  describe('dark mode pinned on a light page', () => {
    it('--heed-surface gives the widget its own dark surface, so its light text stays readable', async () => {
      const { token } = await subscriber()
      const el = await mount({ token })
      el.style.colorScheme = 'dark'
      el.style.setProperty('--heed-surface', '#15181b')
      try {
        const base = root(el).querySelector('.base')!
        expect(getComputedStyle(base).backgroundColor).to.equal('rgb(21, 24, 27)')
        expect(getComputedStyle(base).color).to.equal('rgb(236, 238, 240)')
        await expectNoAxeViolations(el)
      } finally {
        el.style.colorScheme = ''
      }
    })
  })

  describe('unsubscribe', () => {
    it('unsubscribes in one click, then Undo subscribes again', async () => {
      const { id, token } = await subscriber({ topics: { sales: { subscribed: true } } })
      const el = await mount({ token })
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      expect((await stored(id)).status).to.equal('unsubscribed')
      await el.updateComplete
      const card = root(el).querySelector('[part~="unsubscribed"]')!
      expect(card.textContent).to.include('You are unsubscribed')
      expect(card.textContent).to.include('Messages about your orders and account still arrive.')
      // Focus moves to the confirmation so keyboard and screen reader users know what happened.
      expect(root(el).activeElement?.id).to.equal('done-title')
      await after(el, 'heed-change', () => buttonNamed(el, 'Undo').click())
      const s = await stored(id)
      expect(s.status).to.equal('subscribed')
      expect(s.topics.sales?.subscribed).to.equal(true)
      await el.updateComplete
      expect(switchFor(el, 'Sales and offers').getAttribute('aria-checked')).to.equal('true')
    })

    it('offers "hear less instead": a month of pause or one a week, each resubscribing', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token })
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      await el.updateComplete
      await after(el, 'heed-change', () => buttonNamed(el, 'At most one a week').click())
      let s = await stored(id)
      expect(s.status).to.equal('subscribed')
      expect(s.cap).to.deep.equal({ max: 1, per: 'week' })

      await el.updateComplete
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      await el.updateComplete
      await after(el, 'heed-change', () => buttonNamed(el, 'Pause for a month').click())
      s = await stored(id)
      expect(s.status).to.equal('subscribed')
      expect(Date.parse(s.pausedUntil!) - Date.now()).to.be.within(29 * 86_400_000, 31 * 86_400_000)
    })

    it('asks for an optional reason and sends it', async () => {
      const { token } = await subscriber()
      const el = await mount({ token })
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      await waitUntil(() => root(el).querySelector('.reason'), 'the reason form did not load', { timeout: 5000 })
      const send = buttonNamed(el, 'Send')
      expect(send.disabled).to.equal(true)
      const radio = [...root(el).querySelectorAll<HTMLLabelElement>('.reason label')].find((l) => l.textContent?.includes('Too many messages'))!
      radio.querySelector('input')!.click()
      await el.updateComplete
      expect(send.disabled).to.equal(false)
      send.click()
      await waitUntil(() => statusText(el) === 'Thank you for telling us.', 'reason not sent', { timeout: 5000 })
      expect(alertText(el)).to.equal('')
      expect(root(el).querySelector('.reason')).to.equal(null)
    })

    it('stores the reason in the consent ledger', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token })
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      await waitUntil(() => root(el).querySelector('.reason'), 'the reason form did not load', { timeout: 5000 })
      ;[...root(el).querySelectorAll<HTMLLabelElement>('.reason label')].find((l) => l.textContent?.includes('Too many messages'))!.querySelector('input')!.click()
      await el.updateComplete
      buttonNamed(el, 'Send').click()
      await waitUntil(() => statusText(el) === 'Thank you for telling us.', 'reason not sent', { timeout: 5000 })
      const events = await admin<{ data: Array<{ reason: string | null }> }>('GET', `/v1/events?subscriberId=${id}`)
      expect(events.body.data.map((e) => e.reason)).to.include('too_many')
    })

    it('takes the reason in the person’s own words too, with or without a choice', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token })
      await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      await waitUntil(() => root(el).querySelector('#reason-details'), 'the reason form did not load', { timeout: 5000 })
      const details = root(el).querySelector<HTMLTextAreaElement>('#reason-details')!
      // Labelled, so a screen reader names it.
      expect(root(el).querySelector('label[for="reason-details"]')?.textContent).to.include('Anything you would like to add')
      details.value = '  Daily was too much for me  '
      details.dispatchEvent(new Event('input'))
      await el.updateComplete
      expect(buttonNamed(el, 'Send').disabled).to.equal(false)
      buttonNamed(el, 'Send').click()
      await waitUntil(() => statusText(el) === 'Thank you for telling us.', 'reason not sent', { timeout: 5000 })
      const events = await admin<{ data: Array<{ reason: string | null }> }>('GET', `/v1/events?subscriberId=${id}`)
      expect(events.body.data.map((e) => e.reason)).to.include('other: Daily was too much for me')
    })

    it('mode="unsubscribe" asks once, acts in one click, and can show every preference', async () => {
      const { id, token } = await subscriber()
      const el = await mount({ token, mode: 'unsubscribe' })
      expect(root(el).textContent).to.include('Unsubscribe from Trailhead Outfitters?')
      expect(root(el).querySelector('[role="switch"]')).to.equal(null)
      buttonNamed(el, 'Choose topics instead').click()
      await el.updateComplete
      expect(switchFor(el, 'Sales and offers')).to.exist

      const again = await mount({ token, mode: 'unsubscribe' })
      await after(again, 'heed-unsubscribe', () => buttonNamed(again, 'Unsubscribe from all').click())
      expect((await stored(id)).status).to.equal('unsubscribed')
    })

    it('a subscriber who left earlier sees "Subscribe again"', async () => {
      const { id, token } = await subscriber({ status: 'unsubscribed' })
      const el = await mount({ token })
      await after(el, 'heed-change', () => buttonNamed(el, 'Subscribe again').click())
      expect((await stored(id)).status).to.equal('subscribed')
    })
  })

  describe('failures', () => {
    it('a failed save rolls back and says why', async () => {
      const key = `gone-${Date.now()}`
      await admin('PUT', `/v1/topics/${key}`, { name: 'Soon gone', category: 'shopping', order: 99 })
      const { id, token } = await subscriber()
      const el = await mount({ token })
      await admin('DELETE', `/v1/topics/${key}`)
      const sw = switchFor(el, 'Soon gone')
      const error = await after(el, 'heed-error', () => sw.click())
      expect(error.status).to.equal(400)
      expect(error.change).to.deep.equal({ topics: { [key]: { subscribed: true } } })
      await el.updateComplete
      expect(switchFor(el, 'Soon gone').getAttribute('aria-checked')).to.equal('false')
      expect(alertText(el)).to.include('Not saved')
      expect(alertText(el)).to.include('Your previous choice is back.')
      expect((await stored(id)).topics[key]).to.equal(undefined)
    })

    it('a refused frequency change puts the previous choice back', async () => {
      const { id, token } = await subscriber({ cap: { max: 3, per: 'week' } })
      const el = await mount({ token })
      const radio = (label: string) =>
        [...root(el).querySelectorAll<HTMLLabelElement>('[role="radiogroup"] label')].find((l) => l.textContent?.trim() === label)!.querySelector('input')!
      // The merchant takes this page off the tenant's allowedOrigins while it is open.
      await admin('PATCH', '/v1/tenant', { allowedOrigins: [] })
      try {
        await after(el, 'heed-error', () => radio('At most 1 message a day').click())
        await el.updateComplete
        expect(radio('At most 3 messages a week').checked).to.equal(true)
        expect(radio('At most 1 message a day').checked).to.equal(false)
        expect(alertText(el)).to.include('Your previous choice is back.')
      } finally {
        await admin('PATCH', '/v1/tenant', { allowedOrigins: [await pageOrigin()] })
      }
      expect((await stored(id)).cap).to.deep.equal({ max: 3, per: 'week' })
    })

    it('a refused topic cap puts the previous choice back in the select', async () => {
      const key = `capped-${Date.now()}`
      await admin('PUT', `/v1/topics/${key}`, { name: 'Capped', category: 'shopping', order: 97 })
      const { token } = await subscriber({ topics: { [key]: { subscribed: true, cap: { max: 1, per: 'week' } } } })
      const el = await mount({ token })
      await admin('DELETE', `/v1/topics/${key}`)
      const select = root(el).querySelector<HTMLSelectElement>(`#cap-${key}`)!
      select.value = '1/day'
      await after(el, 'heed-error', () => select.dispatchEvent(new Event('change')))
      await el.updateComplete
      expect(select.value).to.equal('1/week')
    })

    it('a revoked link shows a clear message, on load and on the next save', async () => {
      const { id, token } = await subscriber()
      const open = await mount({ token })
      await admin('POST', `/v1/subscribers/${id}/revoke-links`)
      const error = await after(open, 'heed-error', () => switchFor(open, 'Sales and offers').click())
      expect(error.status).to.equal(401)
      await open.updateComplete
      expect(root(open).querySelector('[part~="error"]')?.textContent).to.include('This link has expired')

      const later = await mount({ token })
      expect(root(later).querySelector('[part~="error"]')?.textContent).to.include('This link has expired')
      expect(root(later).querySelector('button')).to.equal(null)
    })

    it('an unreachable API gets a message and Try again', async () => {
      const { token } = await subscriber()
      const el = await mount({ token, api: 'http://localhost:9' })
      const error = root(el).querySelector('[part~="error"]')!
      expect(error.textContent).to.include('Your preferences could not load')
      expect(error.textContent).to.include('Check your connection')
      const retry = buttonNamed(el, 'Try again')
      expect(retry.closest('[part~="error"]')).to.equal(error)
      el.api = await apiUrl()
      await waitUntil(() => root(el).querySelector('[role="switch"]'), 'did not load after the api was fixed', { timeout: 5000 })
    })

    it('no token at all explains where to find the link', async () => {
      sessionStorage.removeItem('heed:token')
      const el = await mount({ token: '' })
      expect(root(el).querySelector('[part~="error"]')?.textContent).to.include('Open this page from your email')
    })

    it('a page not in the tenant allowedOrigins: a neutral message for the person, the exact fix for the developer', async () => {
      const { token } = await subscriber({}, 'elsewhere')
      const error = console.error
      const logged: string[] = []
      console.error = (...args: unknown[]) => logged.push(args.join(' '))
      try {
        const el = await mount({ token })
        const box = root(el).querySelector('[part~="error"]')!
        expect(box.textContent).to.include('Preferences can’t be shown here')
        expect(box.textContent).to.not.include('connection')
        // Not a network failure: no "Try again" loop.
        expect(root(el).querySelector('button')).to.equal(null)
        const origin = await pageOrigin()
        expect(logged.some((l) => l.includes(`add exactly "${origin}"`) && l.includes('/console/settings'))).to.equal(true, logged.join('\n'))
      } finally {
        console.error = error
      }
    })
  })
})
