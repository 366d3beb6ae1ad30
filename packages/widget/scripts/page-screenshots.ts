import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import puppeteer, { type Page } from 'puppeteer-core'
import { chromiumPath } from '../../../scripts/chromium.js'
import { seedTenant, startApi } from './heed-api.js'

/**
 * Screenshots of the hosted unsubscribe pages as people meet them, made with headless Chromium
 * against a real API: the answer to "Pause for a month" and the page of someone already
 * unsubscribed in every locale on a phone, the same answer on a desktop, and an old link's page
 * with its "e-mail me a new link" form. Any request of a page that fails or answers 4xx (a
 * favicon, say) stops the script. Run `npm run screenshots -w @heed/widget`.
 */

const out = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
mkdirSync(out, { recursive: true })
const executablePath = chromiumPath()

const phone = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const desktop = { width: 1200, height: 760 }
const LOCALES = [
  ['en', 'en-GB'],
  ['zh-Hans', 'zh-CN'],
  ['zh-Hant', 'zh-TW'],
  ['et', 'et'],
] as const

const api = await startApi()
const browser = await puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none', '--force-color-profile=srgb'] })
try {
  const key = await seedTenant(api, [api.url])
  let n = 0
  /** A subscriber in `locale` and a live link of theirs. */
  const person = async (locale: string, state: Record<string, unknown> = {}) => {
    const id = `p${++n}`
    await api.call('PUT', `/v1/subscribers/${id}`, { email: `${id}@example.com`, locale, timezone: 'Europe/Tallinn', ...state }, key)
    return { id, token: (await api.call('POST', '/v1/links', { subscriberId: id }, key)).body.token as string }
  }

  const shoot = async (name: string, path: string, view: typeof phone | typeof desktop, lang: string, act?: (page: Page) => Promise<void>) => {
    const page = await browser.newPage()
    const failed: string[] = []
    page.on('requestfailed', (r) => failed.push(`${r.url()} failed`))
    page.on('response', (r) => {
      // Only a form's own answer may be a 4xx (an old link's page is a 404 by design).
      if (r.status() >= 400 && r.request().resourceType() !== 'document') failed.push(`${r.url()} ${r.status()}`)
    })
    await page.setViewport({ deviceScaleFactor: 1, ...view })
    await page.setExtraHTTPHeaders({ 'Accept-Language': lang })
    await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }])
    await page.goto(api.url + path, { waitUntil: 'networkidle0' })
    if (act) await act(page)
    if (failed.length) throw new Error(`${name}: ${failed.join(', ')}`)
    await page.screenshot({ path: `${out}${name}.png`, fullPage: true })
    await page.close()
    console.log(`screenshots: ${name}.png`)
  }
  /** Clicks the page's button whose value is `value` (a real form submit) and waits for the answer. */
  const press = (selector: string) => async (page: Page) => {
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(selector)])
  }

  for (const [locale, lang] of LOCALES) {
    const slug = locale.toLowerCase()
    const less = await person(locale)
    await shoot(`pages-less-${slug}`, `/u/${less.token}`, phone, lang, press('button[value="pause-month"]'))
    const out = await person(locale, { status: 'unsubscribed' })
    await shoot(`pages-unsubscribed-${slug}`, `/u/${out.token}`, phone, lang)
  }
  const wide = await person('en')
  await shoot('pages-less-desktop-en', `/u/${wide.token}`, desktop, 'en-GB', press('button[value="weekly"]'))

  // An old link: revoked here (an expired one looks the same), then the new-link form sent.
  const old = await person('zh-Hant')
  await api.call('POST', `/v1/subscribers/${old.id}/revoke-links`, {}, key)
  await shoot('pages-old-link-en', `/u/${old.token}`, desktop, 'en-GB')
  await shoot('pages-old-link-zh-hant', `/p/${old.token}`, phone, 'zh-TW')
  await shoot('pages-new-link-sent-et', `/p/${old.token}`, phone, 'et', async (page) => {
    await page.type('#new-link-email', `${old.id}@example.com`)
    await press('#new-link button[type="submit"]')(page)
  })
} finally {
  await browser.close()
  await api.stop()
}
