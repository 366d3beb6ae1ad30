import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import puppeteer, { type Page } from 'puppeteer-core'
import { chromiumPath } from '../../../scripts/chromium.js'
import { seedTenant, startApi } from './heed-api.js'

/**
 * The README's screenshots, made with headless Chromium against a real API serving the built
 * widget on its hosted page (/p/:token): desktop English, mobile zh-Hant, the unsubscribe flow
 * (mode="unsubscribe" and the panel after one click), and dark mode in Estonian. Run `npm run build -w @heed/widget && npm run screenshots -w @heed/widget`.
 */

const out = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
mkdirSync(out, { recursive: true })
const executablePath = chromiumPath()

const api = await startApi()
try {
  const key = await seedTenant(api, [api.url])
  const person = async (id: string, state: Record<string, unknown>) => {
    await api.call('PUT', `/v1/subscribers/${id}`, { email: `${id}@example.com`, timezone: 'Europe/Tallinn', ...state }, key)
    const link = await api.call('POST', '/v1/links', { subscriberId: id }, key)
    return `${api.url}/p/${link.body.token}`
  }
  const rich = {
    topics: { 'new-arrivals': { subscribed: true }, sales: { subscribed: true, channels: { sms: false }, cap: { max: 1, per: 'week' } } },
    cap: { max: 3, per: 'week' },
    quietHours: { start: '21:00', end: '08:00' },
  }
  type View = { width: number; height: number; deviceScaleFactor?: number; isMobile?: boolean; hasTouch?: boolean }
  interface Shot {
    view: View
    /** Browser language (native time and date fields follow it) and time zone. */
    lang: string
    zone: string
    dark?: boolean
    prepare?: (page: Page) => Promise<void>
  }
  const shoot = async (name: string, url: string, shot: Shot) => {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none', '--force-color-profile=srgb', `--lang=${shot.lang}`],
      env: { ...process.env, LANG: `${shot.lang.replace('-', '_')}.UTF-8`, LANGUAGE: shot.lang.replace('-', '_') },
    })
    const page = await browser.newPage()
    await page.setViewport({ deviceScaleFactor: 1, ...shot.view })
    await page.emulateTimezone(shot.zone)
    await page.emulateMediaFeatures([
      { name: 'prefers-color-scheme', value: shot.dark ? 'dark' : 'light' },
      { name: 'prefers-reduced-motion', value: 'reduce' },
    ])
    await page.goto(url, { waitUntil: 'networkidle0' })
    await page.waitForFunction(() => document.querySelector('heed-preferences')?.shadowRoot?.querySelector('[role="switch"], [part~="unsubscribed"]'))
    // Quiet hours on: their editor is a part loaded on demand.
    await page.waitForFunction(() => {
      const root = document.querySelector('heed-preferences')!.shadowRoot!
      return root.querySelector('[aria-labelledby="h-quiet"][aria-checked="true"]') === null || root.querySelector('#quiet-rule') !== null
    })
    if (shot.prepare) await shot.prepare(page)
    await page.waitForNetworkIdle({ idleTime: 200 })
    await new Promise((r) => setTimeout(r, 300))
    await page.screenshot({ path: `${out}${name}.png`, fullPage: true })
    await browser.close()
    console.log(`screenshots: ${name}.png`)
  }
  const click = (text: string) => async (page: Page) => {
    await page.evaluate((t) => {
      const root = document.querySelector('heed-preferences')!.shadowRoot!
      ;[...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === t)!.click()
    }, text)
    await page.waitForFunction(() => document.querySelector('heed-preferences')?.shadowRoot?.querySelector('[part~="unsubscribed"]'))
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  }

  const desktop = { width: 1200, height: 900 }
  await shoot('desktop-en', await person('ada', { ...rich, locale: 'en' }), { view: desktop, lang: 'en-GB', zone: 'Europe/Tallinn' })
  await shoot('mobile-zh-hant', await person('mei', { ...rich, locale: 'zh-Hant', timezone: 'Asia/Taipei' }), {
    view: { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    lang: 'zh-TW',
    zone: 'Asia/Taipei',
  })
  await shoot('unsubscribe-flow', await person('sam', { ...rich, locale: 'en' }), { view: { width: 1200, height: 860 }, lang: 'en-GB', zone: 'Europe/Tallinn', prepare: click('Unsubscribe from all') })
  await shoot('unsubscribe-confirm', await person('lee', { ...rich, locale: 'en' }), {
    view: { width: 1200, height: 620 },
    lang: 'en-GB',
    zone: 'Europe/Tallinn',
    prepare: async (page) => {
      await page.evaluate(() => {
        document.querySelector('heed-preferences')!.setAttribute('mode', 'unsubscribe')
      })
    },
  })
  // Quiet hours by day: "never at weekends" in words, the locale's week, searchable zones.
  const phone = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
  const weekends = { quietHours: { start: '00:00', end: '00:00', days: [0, 6] }, channels: { sms: false }, topics: rich.topics, cap: rich.cap }
  const quietOnly = (page: Page) =>
    page.evaluate(() => {
      const root = document.querySelector('heed-preferences')!.shadowRoot!
      root.querySelector('[aria-labelledby="h-quiet"]')!.closest('section')!.scrollIntoView()
    })
  await shoot('quiet-days-desktop-en', await person('ava', { ...weekends, locale: 'en' }), { view: desktop, lang: 'en-US', zone: 'America/New_York' })
  await shoot('quiet-days-phone-et', await person('kati', { ...weekends, locale: 'et', quietHours: { start: '22:00', end: '07:00', days: [1, 2, 3, 4, 5] } }), { view: phone, lang: 'et', zone: 'Europe/Tallinn', prepare: quietOnly })
  await shoot('quiet-days-phone-zh-hant', await person('yu', { ...weekends, locale: 'zh-Hant', timezone: 'Asia/Taipei' }), {
    view: phone,
    lang: 'zh-TW',
    zone: 'Asia/Taipei',
    prepare: async (page) => {
      await quietOnly(page)
      // Searching the zones in the person's language.
      await page.evaluate(() => {
        const picker = document.querySelector('heed-preferences')!.shadowRoot!.querySelector('heed-zone-picker')!.shadowRoot!
        const search = picker.querySelector('input')!
        search.value = '台北'
        search.dispatchEvent(new Event('input'))
      })
    },
  })
  await shoot('dark-et', await person('mari', { ...rich, locale: 'et', pausedUntil: new Date(Date.now() + 9 * 86_400_000).toISOString() }), { view: desktop, lang: 'et', zone: 'Europe/Tallinn', dark: true })
} finally {
  await api.stop()
}
