/**
 * The screenshots of docs/console.md: the real server (demo on, a temporary SQLite file), the
 * built console, headless Chromium signed in as the demo owner. Each page on a phone (390 px)
 * and a desktop (1280 px) in English, the main pages in Traditional Chinese, the Import page
 * (empty, then with a check's report) in every locale, and one in dark mode. Run
 * `npm run build -w @heed/console && npm run screenshots -w @heed/console`.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'
import { chromiumPath } from '../../../scripts/chromium.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const out = join(root, 'docs/screenshots/')
mkdirSync(out, { recursive: true })
const executablePath = chromiumPath()

const port = await new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number }
    srv.close(() => resolve(port))
  })
})
const base = `http://localhost:${port}`
const work = mkdtempSync(join(tmpdir(), 'heed-console-shots-'))
const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  cwd: join(root, 'packages/api'),
  env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${join(work, 'heed.db')}`, HEED_PUBLIC_URL: base, HEED_DEMO: '1', HEED_DEMO_FILE: join(work, 'demo.json'), MERCHANT_PORT: String(port + 1) },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let log = ''
server.stdout.on('data', (d) => (log += d))
server.stderr.on('data', (d) => (log += d))

/** The file the Import page checks: new subscribers, one already as in the file, one who stays unsubscribed, two bad rows. */
const SAMPLE_CSV = [
  'id,email,locale,status,topic:sales,topic:new-arrivals,consentedAt,consentSource',
  'cust_2001,anna.kivi@example.com,et,subscribed,yes,yes,2026-03-02T10:00:00Z,checkout',
  'cust_2002,ben.hart@example.com,en,subscribed,no,yes,2026-03-02T11:30:00Z,checkout',
  'cust_1006,jonas.berg@example.com,en,subscribed,yes,,,',
  'cust_2003,not-an-email,en,,yes,,,',
  'cust_2004,mei.lin@example.com,zh-Hant,,maybe,yes,,',
  'cust_2005,tom.saar@example.com,et,,yes,no,2026-03-03T08:15:00Z,trade fair',
].join('\r\n')

/** Checks SAMPLE_CSV on the Import page ("Check first") and waits for its report. */
async function checkSample(page: Page) {
  await page.locator('#import-file').setInputFiles({ name: 'spring-signups.csv', mimeType: 'text/csv', buffer: Buffer.from(SAMPLE_CSV) })
  await page.locator('heed-import form button[type=button]').click()
  await page.locator('#job tbody tr').first().waitFor()
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none', '--force-color-profile=srgb'] })
try {
  for (let i = 0; !/listening on/.test(log); i++) {
    if (i > 300 || server.exitCode !== null) throw new Error(`the server did not start:\n${log}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const [, email, password] = log.match(/sign in as (\S+@\S+) \/ (\S+)/) ?? []
  if (!email || !password) throw new Error(`no console sign-in printed:\n${log}`)

  const PAGES: Array<[name: string, path: string, prepare?: (page: Page) => Promise<void>]> = [
    ['sign-in', '/console/sign-in'],
    ['subscribers', '/console/subscribers'],
    ['subscriber', '/console/subscribers/cust_1001'],
    ['topics', '/console/topics'],
    ['settings', '/console/settings', (page) => page.locator('heed-preferences').getByRole('heading').first().waitFor()],
    ['ledger', '/console/ledger', async (page) => {
      await page.locator('heed-console').getByRole('button', { name: /Verify|驗證/ }).click()
      await page.locator('#head-hash').waitFor()
    }],
    ['keys', '/console/keys'],
    ['people', '/console/people'],
    ['webhooks', '/console/webhooks'],
    ['import', '/console/import'],
    ['import-report', '/console/import', async (page) => {
      await checkSample(page)
      if (page.viewportSize()!.width < 600) await page.locator('#job').evaluate((el) => el.scrollIntoView())
    }],
  ]

  const run = async (opts: { locale: string; lang: string; width: number; dark?: boolean; only?: string[]; suffix: string }) => {
    const phone = opts.width < 600
    const ctx = await browser.newContext({
      baseURL: base,
      locale: opts.locale,
      timezoneId: 'Europe/Tallinn',
      colorScheme: opts.dark ? 'dark' : 'light',
      reducedMotion: 'reduce',
      viewport: { width: opts.width, height: phone ? 844 : 900 },
      deviceScaleFactor: 1,
    })
    const page = await ctx.newPage()
    for (const [name, path, prepare] of PAGES) {
      if (opts.only && !opts.only.includes(name)) continue
      if (name !== 'sign-in' && !(await ctx.cookies()).length) {
        await page.goto('/console/sign-in')
        await page.locator('#email').fill(email)
        await page.locator('#password').fill(password)
        await page.locator('#password').press('Enter')
        await page.locator('heed-console nav').waitFor()
      }
      await page.goto(path)
      await page.waitForLoadState('networkidle')
      await page.locator('heed-console main h1').first().waitFor()
      await prepare?.(page)
      await page.waitForTimeout(300)
      const file = `${out}console-${name}-${opts.suffix}.png`
      await page.screenshot({ path: file, fullPage: !phone })
      console.log(`wrote ${file.slice(root.length)}`)
    }
    await ctx.close()
  }

  await run({ locale: 'en-GB', lang: 'en', width: 1280, suffix: 'desktop-en' })
  await run({ locale: 'en-GB', lang: 'en', width: 390, suffix: 'phone-en' })
  await run({ locale: 'zh-TW', lang: 'zh-Hant', width: 1280, only: ['subscribers', 'settings', 'import', 'import-report'], suffix: 'desktop-zh-hant' })
  await run({ locale: 'zh-TW', lang: 'zh-Hant', width: 390, only: ['subscriber', 'import', 'import-report'], suffix: 'phone-zh-hant' })
  await run({ locale: 'zh-CN', lang: 'zh-Hans', width: 1280, only: ['import', 'import-report'], suffix: 'desktop-zh-hans' })
  await run({ locale: 'zh-CN', lang: 'zh-Hans', width: 390, only: ['import', 'import-report'], suffix: 'phone-zh-hans' })
  await run({ locale: 'et-EE', lang: 'et', width: 1280, only: ['import', 'import-report'], suffix: 'desktop-et' })
  await run({ locale: 'et-EE', lang: 'et', width: 390, only: ['import', 'import-report'], suffix: 'phone-et' })
  await run({ locale: 'et-EE', lang: 'et', width: 1280, dark: true, only: ['topics'], suffix: 'desktop-dark-et' })
} finally {
  await browser.close()
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  rmSync(work, { recursive: true, force: true })
}
