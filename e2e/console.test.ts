/**
 * The merchant console in real Chromium against the real server (demo on, temp SQLite), signed
 * in with the demo owner's printed sign-in: sign-in and its one error; a lost session; the
 * shell by keyboard alone in every locale; topics (create, delete, restore after a reload,
 * reorder) and the settings
 * preview's real widget, which stores nothing; the subscriber list (search, filters, "Load
 * more", empty); a subscriber found by e-mail, changed (the ledger shows it), given a fresh
 * link, erased; API keys; the chain verified; the ledger newest first, "Load older" and
 * filtered by the API; a viewer invited by mail who can change nothing
 * (the API refuses) but sees the settings preview; a form on another site or origin that
 * posts to the API with the owner's session is refused; a webhook endpoint added on its page
 * receives a signed change, which is sent again from the page; a CSV checked first, then
 * imported from the Import page (progress, counts, rejected rows by line and as a CSV, the
 * exports), a viewer seeing no upload form; axe (WCAG 2.2 AA) on every page in
 * every locale, at 1280 and 360 px (the Import page with a check's report too), where Tab also
 * reaches every control of every page, each showing focus; and no CSP violation anywhere.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { Webhook } from 'standardwebhooks'
import { TRANSLATIONS } from '../packages/console/src/translations/index.ts'
import { chromiumPath } from '../scripts/chromium.js'
import { freePort, waitUntilUp } from './processes.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// No browser fails the file at once, saying what to do (scripts/chromium.js): never a skip.
const CHROMIUM = chromiumPath()
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

describe('the merchant console', () => {
  const work = mkdtempSync(join(tmpdir(), 'heed-console-'))
  let api: string
  let heed: ChildProcess
  let out = ''
  let adminKey: string
  let owner: { email: string; password: string }
  let browser: Browser
  let ownerState: Awaited<ReturnType<BrowserContext['storageState']>>
  const cspViolations: string[] = []

  before(async () => {
    const port = await freePort()
    api = `http://localhost:${port}`
    heed = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: join(ROOT, 'packages/api'),
      env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${join(work, 'heed.db')}`, HEED_PUBLIC_URL: api, HEED_DEMO: '1', HEED_DEMO_FILE: join(work, 'demo.json'), MERCHANT_PORT: String(await freePort()), HEED_WEBHOOK_ALLOW_PRIVATE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    heed.stdout!.on('data', (d) => (out += d))
    heed.stderr!.on('data', (d) => (out += d))
    await waitUntilUp(`${api}/healthz`, heed, () => out)
    adminKey = out.match(/HEED_KEY=(heed_ak_\S+)/)?.[1] ?? ''
    const printed = out.match(/sign in as (\S+@\S+) \/ (\S+)/)
    assert.ok(adminKey && printed, `the demo printed no admin key or console sign-in:\n${out}`)
    owner = { email: printed[1]!, password: printed[2]! }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] })
    // One sign-in shared by the tests (sign-ins are rate-limited per address); the tests about
    // signing in and out sign in on their own.
    const ctx = await context('en-US', undefined, false)
    await signIn(await ctx.newPage())
    ownerState = await ctx.storageState()
    await ctx.close()
  })

  after(async () => {
    await browser?.close()
    if (heed && heed.exitCode === null) {
      const exited = new Promise((r) => heed.once('exit', r))
      heed.kill('SIGTERM')
      await exited
    }
    rmSync(work, { recursive: true, force: true })
  })

  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(api + path, { method, headers: { Authorization: `Bearer ${adminKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) })
    return { status: res.status, body: res.status === 204 ? null : await res.json() }
  }

  /** A browser context in a locale (navigator.languages picks the console's language), signed in as the owner unless told not to be. */
  async function context(locale: string, viewport = { width: 1280, height: 900 }, signedIn = true): Promise<BrowserContext> {
    const ctx = await browser.newContext({ locale, viewport, baseURL: api, ...(signedIn ? { storageState: ownerState } : {}) })
    // The test runner's compiler names inner functions through a helper the page lacks.
    await ctx.addInitScript({ content: 'globalThis.__name = (f) => f' })
    ctx.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
    })
    return ctx
  }

  /** The page has its heading and has stopped loading. */
  async function ready(page: Page) {
    await page.waitForLoadState('networkidle')
    await page.locator('heed-console main h1').first().waitFor()
  }

  /** Signs in through the form; unless told the attempt fails, waits for the signed-in shell. */
  async function signIn(page: Page, email = owner.email, password = owner.password, fails = false) {
    await page.goto('/console')
    await page.locator('#email').waitFor()
    await page.locator('#email').fill(email)
    await page.locator('#password').fill(password)
    await page.locator('form button[type=submit]').click()
    if (!fails) await page.locator('heed-console nav').waitFor()
  }

  /**
   * Tab from the top of the page until focus comes round again: every control on the page
   * (links, buttons, fields, inside shadow roots too, the preview widget's included) must have
   * been reached, each showing a focus outline.
   */
  async function tabReachesEverything(page: Page, where: string) {
    const controls = await page.evaluate(() => {
      const all: Element[] = []
      const walk = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('*')) {
          all.push(el)
          if (el.shadowRoot) walk(el.shadowRoot)
        }
      }
      walk(document)
      const interactive = all.filter(
        (el) =>
          el.matches('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])') &&
          !(el as HTMLButtonElement).disabled &&
          !el.closest('[inert]') &&
          (el as HTMLElement).getClientRects().length > 0 &&
          getComputedStyle(el).visibility !== 'hidden',
      )
      // Radio buttons are one stop per group.
      const seenGroups = new Set<string>()
      let n = 0
      for (const el of interactive) {
        const radio = el instanceof HTMLInputElement && el.type === 'radio' ? el.name : null
        if (radio && seenGroups.has(radio)) continue
        if (radio) seenGroups.add(radio)
        el.setAttribute('data-tab-probe', radio ? `radio:${radio}` : String(n++))
      }
      return [...new Set(interactive.map((el) => el.getAttribute('data-tab-probe')).filter((x): x is string => x !== null))]
    })
    assert.ok(controls.length >= 3, `${where}: only ${controls.length} controls found`)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    const reached = new Set<string>()
    for (let i = 0; i < controls.length * 2 + 10; i++) {
      await page.keyboard.press('Tab')
      const f = await page.evaluate(() => {
        let el: Element | null = document.activeElement
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
        if (!el || el === document.body) return null
        const probe = el.getAttribute('data-tab-probe') ?? (el instanceof HTMLInputElement && el.type === 'radio' ? `radio:${el.name}` : null)
        return { probe, outline: getComputedStyle(el).outlineStyle, shadow: getComputedStyle(el).boxShadow, label: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}[${el.getAttribute('type') ?? ''}] ${el.getAttribute('aria-label') ?? (el as HTMLElement).innerText?.trim().slice(0, 30) ?? ''} in ${(el.getRootNode() as ShadowRoot).host?.tagName.toLowerCase() ?? 'document'}` }
      })
      if (!f) {
        if (reached.size > 0) break
        continue
      }
      if (f.probe && reached.has(f.probe) && reached.size >= controls.length) break
      if (f.probe) reached.add(f.probe)
      // A date or time field shows focus on its highlighted segment (the browser's own).
      assert.ok(f.outline !== 'none' || f.shadow !== 'none' || /\[(date|time)\]/.test(f.label), `${where}: no visible focus on ${f.label}`)
    }
    const missed = controls.filter((c) => !reached.has(c))
    const names = await page.evaluate((ids) => {
      const out: string[] = []
      const walk = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('[data-tab-probe]')) if (ids.includes(el.getAttribute('data-tab-probe')!)) out.push(el.outerHTML.slice(0, 120))
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot)
      }
      walk(document)
      return out
    }, missed)
    assert.deepEqual(names, [], `${where}: not reached by Tab`)
  }

  async function axe(page: Page, where: string) {
    await ready(page)
    await page.evaluate(AXE)
    const violations = await page.evaluate(async (tags) => {
      const w = window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ passes: unknown[]; violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown; failureSummary: string }> }> }> } }
      const result = await w.axe.run(document, { runOnly: { type: 'tag', values: tags }, rules: { 'target-size': { enabled: true } } })
      return {
        passes: result.passes.length,
        violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary}`) })),
      }
    }, WCAG)
    assert.deepEqual(violations.violations, [], `${where}: ${JSON.stringify(violations.violations, null, 2)}`)
    assert.ok(violations.passes >= 5, `${where}: axe checked almost nothing`)
  }

  test('the shell is served with a strict CSP and is never cached; assets are cached for good', async () => {
    const res = await fetch(`${api}/console/subscribers/cust_1001`)
    assert.equal(res.status, 200)
    const csp = res.headers.get('content-security-policy') ?? ''
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
    const html = await res.text()
    const asset = html.match(/\/console\/assets\/[\w.-]+\.js/)?.[0]
    assert.ok(asset, html)
    const js = await fetch(api + asset)
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.match(js.headers.get('cache-control') ?? '', /immutable/)
    assert.equal((await fetch(`${api}/console/assets/nothing-here.js`)).status, 404)
  })

  test('a wrong password gets one clear error; the right one opens the console', async () => {
    const ctx = await context('en-US', undefined, false)
    const page = await ctx.newPage()
    await signIn(page, owner.email, 'not-the-password', true)
    await page.getByRole('alert').filter({ hasText: 'That e-mail and password do not match an account.' }).waitFor()
    await signIn(page, 'nobody@example.com', 'whatever-it-is', true)
    await page.getByRole('alert').filter({ hasText: 'That e-mail and password do not match an account.' }).waitFor()
    await axe(page, 'sign-in (en)')
    await signIn(page)
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor()
    assert.match(page.url(), /\/console\/subscribers$/)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.locator('#email').waitFor()
    await ctx.close()
  })

  test('a session that ends sends the console back to sign-in, saying why', async () => {
    const ctx = await context('en-US', undefined, false)
    const page = await ctx.newPage()
    await signIn(page)
    await ready(page)
    // Signed out elsewhere (another tab): the next call answers 401.
    assert.equal(await page.evaluate(() => fetch('/v1/session', { method: 'DELETE' }).then((r) => r.status)), 204)
    await page.locator('heed-console nav').getByRole('link', { name: 'Topics' }).click()
    await page.locator('#email').waitFor()
    await page.getByText('Your session has ended. Please sign in again.').first().waitFor()
    assert.match(page.url(), /\/console\/sign-in$/)
    await ctx.close()
  })

  for (const [locale, lang] of [
    ['en-US', 'en'],
    ['zh-CN', 'zh-Hans'],
    ['zh-TW', 'zh-Hant'],
    ['et-EE', 'et'],
  ] as const) {
  test(`the shell works by keyboard alone: skip link, navigation, a page's actions (${lang})`, async () => {
    const t = TRANSLATIONS[lang]!
    const ctx = await context(locale)
    const page = await ctx.newPage()
    // A fresh load: focus starts at the top of the document.
    await page.goto('/console/subscribers')
    await ready(page)
    await page.keyboard.press('Tab')
    const focused = () => page.evaluate(() => {
      let el: Element | null = document.activeElement
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
      return { tag: el?.tagName.toLowerCase(), text: (el as HTMLElement | null)?.innerText?.trim(), id: el?.id, outline: el ? getComputedStyle(el).outlineStyle : '' }
    })
    const first = await focused()
    assert.equal(first.text, t.skipToContent, JSON.stringify(first))
    await page.keyboard.press('Enter')
    assert.equal((await focused()).id, 'main')
    // From the top again: skip link, language, sign out, then the navigation.
    await page.locator('heed-console').evaluate((el) => (el.shadowRoot!.querySelector('.skip') as HTMLElement).focus())
    const seen: string[] = []
    for (let i = 0; i < 10 && !seen.includes(t.navTopics); i++) {
      await page.keyboard.press('Tab')
      const f = await focused()
      assert.notEqual(f.outline, 'none', `no visible focus on ${JSON.stringify(f)}`)
      seen.push(f.text ?? f.tag ?? '')
    }
    assert.ok(seen.includes(t.navTopics), seen.join(' | '))
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: t.topicsTitle, level: 1 }).waitFor()
    assert.match(page.url(), /\/console\/topics$/)
    assert.equal((await focused()).id, 'main', 'focus moves to the new page')
    // The page's own actions by keyboard: a topic's "Edit" opens the form with focus in it,
    // and its "Cancel" closes it.
    await page.getByRole('button', { name: new RegExp(`^${t.edit}: `) }).first().focus()
    await page.keyboard.press('Enter')
    await page.locator('#topic-form').waitFor()
    for (let i = 0; i < 40 && (await focused()).tag !== 'input'; i++) await page.waitForTimeout(25)
    assert.equal((await focused()).tag, 'input', 'focus moves into the form')
    await page.getByRole('button', { name: t.cancel, exact: true }).focus()
    await page.keyboard.press('Enter')
    await page.locator('#topic-form').waitFor({ state: 'detached' })
    await ctx.close()
  })
  }

  test('a topic created in the console shows in the settings preview', async () => {
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    await page.goto('/console/subscribers')
    await ready(page)
    await page.goto('/console/topics')
    await ready(page)
    await page.getByRole('button', { name: 'New topic' }).click()
    await page.locator('#key').fill('gear-care')
    await page.getByLabel('Name (English)').fill('Gear care tips')
    await page.getByLabel('Name (繁體中文)').fill('裝備保養小技巧')
    await page.getByLabel('Category').fill('content')
    await page.getByLabel('Required (transactional)').check()
    await page.getByText('A required topic is always allowed').waitFor()
    await page.getByLabel('Required (transactional)').uncheck()
    await page.getByRole('button', { name: 'Create topic' }).click()
    await page.locator('li.topic', { hasText: 'Gear care tips' }).waitFor()
    const created = await adminCall('GET', '/v1/topics')
    assert.ok(created.body.data.some((t: { key: string }) => t.key === 'gear-care'))
    // Delete, then put it back.
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Delete: Gear care tips' }).click()
    await page.getByText('“Gear care tips” was deleted.').waitFor()
    await page.locator('ol.topics li.topic', { hasText: 'Gear care tips' }).waitFor({ state: 'detached' })
    // After a reload the deleted topic is still offered back, from the API.
    await page.reload()
    await ready(page)
    const deleted = page.getByRole('region', { name: 'Deleted topics' })
    await deleted.getByText('Gear care tips').waitFor()
    await deleted.getByRole('button', { name: 'Restore “Gear care tips”' }).click()
    await page.getByText('“Gear care tips” is back.').waitFor()
    await page.locator('ol.topics li.topic', { hasText: 'Gear care tips' }).waitFor()
    await deleted.waitFor({ state: 'detached' })
    assert.ok((await adminCall('GET', '/v1/topics')).body.data.some((t: { key: string }) => t.key === 'gear-care'))
    // Keyboard reorder: move it up one place.
    await page.getByRole('button', { name: 'Move “Gear care tips” up' }).click()
    await page.getByText('Order saved').waitFor()
    await page.goto('/console/settings')
    await ready(page)
    await page.locator('heed-preferences').getByText('Gear care tips').waitFor({ timeout: 15_000 })
    // A change in the preview is answered, and stored nowhere: no subscriber, no consent event.
    const eventsBefore = (await adminCall('GET', '/v1/events/verify')).body.count
    const gearCare = page.locator('heed-preferences').getByRole('switch', { name: 'Gear care tips' })
    assert.equal(await gearCare.getAttribute('aria-checked'), 'false')
    await gearCare.click()
    await page.locator('heed-preferences').getByRole('status').filter({ hasText: /Saved/ }).waitFor({ timeout: 10_000 })
    assert.equal(await gearCare.getAttribute('aria-checked'), 'true')
    assert.equal((await adminCall('GET', '/v1/events/verify')).body.count, eventsBefore)
    assert.deepEqual((await adminCall('GET', '/v1/subscribers?q=heed')).body.items, [])
    // The accent colour reaches the preview as it is typed; a bad origin is refused next to its field.
    await page.locator('#accent-hex').fill('#7c3aed')
    assert.equal(await page.locator('heed-preferences').evaluate((el) => (el as HTMLElement).style.getPropertyValue('--heed-accent')), '#7c3aed')
    await page.getByLabel('Allowed origins').fill('shop.example')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('#origins-error').filter({ hasText: '“shop.example” is not an origin' }).waitFor()
    await page.getByLabel('Allowed origins').fill('https://shop.example')
    await page.getByLabel('Brand name').fill('Demo Outfitters Co')
    await page.getByRole('button', { name: 'Save' }).click()
    // The settings form's own status, not the preview widget's "Saved" toast, which may still show.
    await page.getByRole('group', { name: 'Settings' }).getByRole('status').filter({ hasText: 'Saved' }).waitFor()
    const tenant = await adminCall('GET', '/v1/tenant')
    assert.deepEqual(tenant.body.allowedOrigins, ['https://shop.example'])
    assert.equal(tenant.body.branding.accentColor, '#7c3aed')
    await page.locator('heed-preferences').getByText(/Demo Outfitters Co/).first().waitFor()
    await ctx.close()
  })

  test('the subscriber list searches, filters, pages with "Load more" and says when nothing matches', async () => {
    for (let i = 1; i <= 55; i++) assert.ok([200, 201].includes((await adminCall('PUT', `/v1/subscribers/bulk_${String(i).padStart(4, '0')}`, { email: `bulk${i}@example.com` })).status))
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    await page.goto('/console/subscribers')
    await ready(page)
    await page.getByLabel('Search by id or e-mail').fill('bulk_')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('50 shown').waitFor()
    await page.getByRole('button', { name: 'Load more' }).click()
    await page.getByText('55 shown').waitFor()
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0)
    assert.match(page.url(), /[?&]q=bulk_/, 'the search stays in the address')
    await page.getByLabel('Search by id or e-mail').fill('')
    await page.locator('#status').selectOption('unsubscribed')
    await page.getByRole('link', { name: 'cust_1006' }).waitFor()
    assert.equal(await page.getByRole('link', { name: 'cust_1001' }).count(), 0)
    await page.locator('#status').selectOption('')
    await page.getByLabel('Search by id or e-mail').fill('nobody-by-this-name')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('No subscribers match.').waitFor()
    await ctx.close()
  })

  test('find a subscriber by e-mail, change them, see the ledger event, then erase them', async () => {
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    await page.goto('/console/subscribers')
    await ready(page)
    await page.getByLabel('Search by id or e-mail').fill('SOFIA.ROSSI@example.com')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('1 shown').waitFor()
    await page.getByRole('link', { name: 'cust_1007' }).click()
    await page.getByRole('heading', { name: 'cust_1007', level: 1 }).waitFor()
    await page.locator('#status').selectOption('unsubscribed')
    await page.locator('#timezone').fill('Europe/Tallinn')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved', { exact: true }).waitFor()
    const after = await adminCall('GET', '/v1/subscribers/cust_1007')
    assert.equal(after.body.status, 'unsubscribed')
    assert.equal(after.body.timezone, 'Europe/Tallinn')
    // A bad time zone is shown next to its field.
    await page.locator('#timezone').fill('Mars/Olympus')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('#tz-error').filter({ hasText: /time zone/ }).waitFor()
    // The ledger shows the change, made through the API by this session.
    await page.goto('/console/ledger?subscriberId=cust_1007')
    await ready(page)
    await page.locator('tbody tr', { hasText: 'cust_1007' }).filter({ hasText: 'status: subscribed → unsubscribed' }).waitFor()
    // Erase: the button waits for the id. First a fresh link, then every link revoked.
    await page.goto('/console/subscribers/cust_1007')
    await ready(page)
    await page.locator('ol.timeline li', { hasText: 'status: subscribed → unsubscribed' }).waitFor()
    await page.getByRole('button', { name: 'Copy a fresh preferences link' }).click()
    const link = await page.locator('#link').inputValue()
    assert.match(link, /\/p\/[\w-]+\.[\w-]+\.[\w-]+$/)
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Revoke links' }).click()
    await page.getByText('Earlier links no longer work.').waitFor()
    const erase = page.getByRole('button', { name: 'Erase subscriber' })
    assert.equal(await erase.isDisabled(), true)
    await page.getByLabel('Type “cust_1007” to confirm').fill('cust_1007')
    await erase.click()
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor()
    assert.equal((await adminCall('GET', '/v1/subscribers/cust_1007')).status, 404)
    await ctx.close()
  })

  test('an API key is shown once, works, and stops working when revoked', async () => {
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    await page.goto('/console/subscribers')
    await page.goto('/console/keys')
    await ready(page)
    await page.getByLabel('Name').fill('Newsletter ESP')
    await page.locator('#key-role').selectOption('sender')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = await page.locator('#secret').inputValue()
    assert.match(secret, /^heed_sk_/)
    const check = () => fetch(`${api}/v1/check`, { method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ subscriberId: 'cust_1001', topic: 'sales' }) })
    assert.equal((await check()).status, 200)
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Revoke: Newsletter ESP' }).click()
    await page.locator('tr', { hasText: 'Newsletter ESP' }).getByText('revoked').waitFor()
    assert.equal((await check()).status, 401)
    await page.goto('/console/keys')
    await ready(page)
    assert.equal(await page.locator('#secret').count(), 0, 'the secret is not shown again')
    await ctx.close()
  })

  test('verify the ledger: the result and the head hash', async () => {
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    await page.goto('/console/subscribers')
    await ready(page)
    await page.goto('/console/ledger')
    await ready(page)
    await page.getByRole('button', { name: 'Verify chain' }).click()
    await page.getByText(/The chain is intact: [\d,]+ events\./).waitFor()
    const head = await page.locator('#head-hash').innerText()
    const verified = await adminCall('GET', '/v1/events/verify')
    assert.equal(head, verified.body.head)
    await ctx.close()
  })

  test('the ledger shows the newest events first, loads older ones, and filters through the API', async () => {
    // More events than one page (the tests before may have written some), then the two newest:
    // created, then changed, through the API.
    const before: number = (await adminCall('GET', '/v1/events/verify')).body.count
    for (let i = before; i < 60; i++) assert.equal((await adminCall('PUT', `/v1/subscribers/ledger_fill_${i}`, {})).status, 201)
    assert.equal((await adminCall('PUT', '/v1/subscribers/ledger_e2e', {})).status, 201)
    assert.equal((await adminCall('PUT', '/v1/subscribers/ledger_e2e', { locale: 'et' })).status, 200)
    const total: number = (await adminCall('GET', '/v1/events/verify')).body.count
    assert.ok(total > 50, `more events than one page (${total})`)
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    const eventCalls: URL[] = []
    page.on('request', (r) => {
      const url = new URL(r.url())
      if (url.pathname === '/v1/events') eventCalls.push(url)
    })
    await page.goto('/console/subscribers')
    await ready(page)
    await page.goto('/console/ledger')
    await ready(page)
    const rows = page.locator('tbody tr')
    const seqs = async () => (await rows.locator('td:first-child').allInnerTexts()).map((s) => Number(s.replaceAll(',', '')))
    await page.getByText('50 shown', { exact: true }).waitFor()
    assert.deepEqual((await seqs()).slice(0, 2), [total, total - 1])
    await rows.first().filter({ hasText: 'ledger_e2e' }).filter({ hasText: 'Preferences changed' }).waitFor()
    await rows.nth(1).filter({ hasText: 'ledger_e2e' }).filter({ hasText: 'Created' }).waitFor()
    // "Load older" asks for the events before the last one shown.
    await page.getByRole('button', { name: 'Load older' }).click()
    await page.getByText(`${Math.min(total, 100)} shown`, { exact: true }).waitFor()
    assert.equal(eventCalls.at(-1)!.searchParams.get('before'), String(total - 49))
    const shown = await seqs()
    assert.deepEqual(shown, Array.from({ length: shown.length }, (_, i) => total - i), 'newest first, each event once')
    // Type and source go to the API; the rows are what it answered.
    const filtered = page.waitForResponse((r) => new URL(r.url()).searchParams.get('source') === 'import')
    await page.locator('#type').selectOption('subscriber.created')
    await page.locator('#source').selectOption('import')
    await filtered
    const imports = (await adminCall('GET', '/v1/events?type=subscriber.created&source=import&order=desc&limit=50')).body.data as Array<{ seq: number }>
    assert.ok(imports.length > 0)
    await page.getByText(`${imports.length} shown`, { exact: true }).waitFor()
    assert.deepEqual(await seqs(), imports.map((e) => e.seq))
    const last = eventCalls.at(-1)!
    assert.equal(last.searchParams.get('type'), 'subscriber.created')
    assert.equal(last.searchParams.get('source'), 'import')
    assert.equal(last.searchParams.get('order'), 'desc')
    assert.match(page.url(), /[?&]type=subscriber\.created/, 'the filters stay in the address')
    await page.locator('#source').selectOption('one_click')
    await page.getByText('No events.').waitFor()
    // By subscriber, newest first, then oldest first.
    await page.locator('#type').selectOption('')
    await page.locator('#source').selectOption('')
    await page.getByLabel('Subscriber id').fill('ledger_e2e')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('2 shown', { exact: true }).waitFor()
    assert.deepEqual(await seqs(), [total, total - 1])
    await page.locator('#order').selectOption('asc')
    await rows.first().filter({ hasText: 'Created' }).waitFor()
    assert.deepEqual(await seqs(), [total - 1, total])
    assert.equal(await page.getByRole('button', { name: /Load (older|newer)/ }).count(), 0)
    await ctx.close()
  })

  test('an owner invites a viewer, who joins by the mailed link and cannot change anything', async () => {
    const ownerCtx = await context('en-US')
    const page = await ownerCtx.newPage()
    await page.goto('/console/subscribers')
    await page.goto('/console/people')
    await ready(page)
    await page.getByLabel('E-mail').fill('vera.viewer@example.com')
    await page.getByLabel('Role').selectOption('viewer')
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByText('An invitation was sent to vera.viewer@example.com.').waitFor()
    await page.locator('td', { hasText: 'vera.viewer@example.com' }).waitFor()
    await ownerCtx.close()

    // The invitation mail, written as an .eml file under the data folder (no SMTP configured).
    let link = ''
    for (let i = 0; i < 100 && !link; i++) {
      const dir = join(work, 'mail')
      for (const file of existsSync(dir) ? readdirSync(dir) : []) {
        const text = readFileSync(join(dir, file), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=')
        if (!text.includes('vera.viewer@example.com')) continue
        link = text.match(/\/console\/accept#token=([\w-]+)/)?.[0] ?? ''
      }
      if (!link) await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(link, 'no invitation mail')

    const ctx = await context('en-US', undefined, false)
    const viewer = await ctx.newPage()
    await viewer.goto(link)
    await viewer.getByRole('heading', { name: 'Join the console' }).waitFor()
    assert.equal(new URL(viewer.url()).hash, '', 'the token leaves the address bar')
    await axe(viewer, 'accept (en)')
    await viewer.getByLabel('Your name').fill('Vera Viewer')
    await viewer.getByLabel('Password (at least 12 characters)').fill('a long enough passphrase')
    await viewer.getByRole('button', { name: 'Join' }).click()
    await viewer.getByText('Vera Viewer (viewer)').waitFor()
    await viewer.goto('/console/topics')
    await ready(viewer)
    await viewer.getByText('You can look but not change anything here (viewer).').waitFor()
    assert.equal(await viewer.getByRole('button', { name: 'New topic' }).count(), 0)
    await viewer.goto('/console/subscribers/cust_1001')
    await ready(viewer)
    await viewer.getByRole('button', { name: 'Download export' }).waitFor()
    assert.equal(await viewer.getByRole('button', { name: 'Save' }).count(), 0)
    assert.equal(await viewer.getByRole('button', { name: 'Erase subscriber' }).count(), 0)
    // The settings preview works for a viewer too: it needs nothing a viewer may not do.
    await viewer.goto('/console/settings')
    await ready(viewer)
    await viewer.locator('heed-preferences').getByRole('switch').first().waitFor({ timeout: 15_000 })
    assert.equal(await viewer.getByRole('button', { name: 'Save' }).count(), 0)
    // Imports: the exports and the history, no upload form, and a line saying why.
    await viewer.goto('/console/import')
    await ready(viewer)
    await viewer.getByText('Only owners and editors can import files; you can download the exports and see past imports.').waitFor()
    assert.equal(await viewer.locator('#import-file').count(), 0)
    assert.equal(await viewer.getByRole('button', { name: 'Import', exact: true }).count(), 0)
    await viewer.getByRole('link', { name: 'Export subscribers (CSV)' }).waitFor()
    await viewer.getByRole('heading', { name: 'Recent imports' }).waitFor()
    assert.equal(await viewer.evaluate(() => fetch('/v1/subscribers/export?format=ndjson').then((r) => r.status)), 200)
    assert.equal(await viewer.evaluate(() => fetch('/v1/imports').then((r) => r.status)), 200)
    assert.equal(
      await viewer.evaluate(() => fetch('/v1/imports?dryRun=true', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'id\nsneaky\n' }).then((r) => r.status)),
      403,
    )
    // The API is the authority: the same session is refused when it tries anyway.
    for (const [path, body] of [
      ['/v1/topics/sneaky', { name: 'Sneaky' }],
      ['/v1/subscribers/cust_1001', { status: 'unsubscribed' }],
    ] as const) {
      const status = await viewer.evaluate(
        ([p, b]) => fetch(p, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) }).then((r) => r.status),
        [path, body] as const,
      )
      assert.equal(status, 403, path)
    }
    await ctx.close()
  })

  test('an owner adds a webhook endpoint, a change reaches it signed, and its delivery is sent again from the page', async () => {
    const got: Array<{ body: string; headers: Record<string, string> }> = []
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        got.push({ body: Buffer.concat(chunks).toString('utf8'), headers: { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) } })
        res.end()
      })
    })
    const port = await freePort()
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve))
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    try {
      await page.goto('/console/webhooks')
      await ready(page)
      await page.getByLabel('URL').fill(`http://127.0.0.1:${port}/heed`)
      await page.getByLabel('Description').fill('CRM sync')
      await page.getByLabel('subscriber.unsubscribed').check()
      await page.getByRole('button', { name: 'Add endpoint' }).click()
      const secret = await page.locator('#webhook-secret').inputValue()
      assert.match(secret, /^whsec_/)
      await page.getByText('CRM sync').waitFor()
      // A change of the kind it asked for reaches it, signed with the secret the page showed once.
      assert.equal((await adminCall('PUT', '/v1/subscribers/cust_1002', { status: 'unsubscribed' })).status, 200)
      for (let i = 0; i < 100 && got.length === 0; i++) await page.waitForTimeout(100)
      assert.equal(got.length, 1)
      const message = new Webhook(secret).verify(got[0]!.body, got[0]!.headers) as { type: string; data: { subscriberId: string } }
      assert.equal(message.type, 'subscriber.unsubscribed')
      assert.equal(message.data.subscriberId, 'cust_1002')
      // Its delivery is listed, and sent again from the page with the same webhook-id.
      await page.getByRole('button', { name: `Deliveries: http://127.0.0.1:${port}/heed` }).click()
      const attempts = page.getByRole('region', { name: /Recent deliveries/ })
      await attempts.getByText('200').waitFor()
      await axe(page, 'webhooks with an endpoint and its deliveries (en)')
      await attempts.getByRole('button', { name: `Send again: ${got[0]!.headers['webhook-id']}` }).click()
      await page.getByText('Queued: it goes out in a moment.').waitFor()
      for (let i = 0; i < 100 && got.length < 2; i++) await page.waitForTimeout(100)
      assert.equal(got.length, 2)
      assert.equal(got[1]!.headers['webhook-id'], got[0]!.headers['webhook-id'])
      // Turned off from the page, it gets nothing more.
      await page.getByRole('button', { name: `Turn off: http://127.0.0.1:${port}/heed` }).click()
      await page.getByText('off', { exact: true }).waitFor()
      assert.equal((await adminCall('PUT', '/v1/subscribers/cust_1002', { status: 'subscribed' })).status, 200)
      assert.equal((await adminCall('PUT', '/v1/subscribers/cust_1002', { status: 'unsubscribed' })).status, 200)
      await page.waitForTimeout(1500)
      assert.equal(got.length, 2)
    } finally {
      await ctx.close()
      receiver.close()
    }
  })

  test('an owner checks a CSV first, imports the same file, reads its rejected rows by line and downloads them; the subscribers exist', async () => {
    const csv = 'id,email,topic:sales,topic:gift-cards\r\nimp_good,Good.Buyer@example.com,yes,\r\nimp_bad,not-an-email,yes,\r\nimp_topic,topic@example.com,,yes\r\n'
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    await page.goto('/console/subscribers')
    await ready(page)
    await page.locator('heed-console nav').getByRole('link', { name: 'Import & export' }).click()
    await page.getByRole('heading', { name: 'Import and export', level: 1 }).waitFor()
    assert.match(page.url(), /\/console\/import$/)
    // No file yet: said next to the field, which gets the focus.
    await page.getByRole('button', { name: 'Check first' }).click()
    await page.locator('#import-file-error').filter({ hasText: 'Choose a file first.' }).waitFor()
    await page.getByLabel('File (CSV or NDJSON)').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
    await page.locator('#import-file-error').filter({ hasText: '“notes.txt” is not a CSV or NDJSON file' }).waitFor()
    await page.getByLabel('File (CSV or NDJSON)').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    assert.equal(await page.getByRole('radio', { name: 'Create and update' }).isChecked(), true)
    // The first answer about the job says it is running, so the progress shows before the end.
    let held = false
    await page.route(/\/v1\/imports\/[\w-]+$/, async (route) => {
      if (route.request().method() !== 'GET' || held) return route.fallback()
      held = true
      const res = await route.fetch()
      await route.fulfill({ response: res, json: { ...(await res.json()), state: 'running', read: 2, finishedAt: null } })
    })
    const posts: URL[] = []
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/imports') posts.push(new URL(r.url()))
    })
    await page.getByRole('button', { name: 'Check first' }).click()
    const check = page.getByRole('region', { name: 'Check of “customers.csv”' })
    await check.getByText('2 rows read so far').waitFor()
    assert.equal(await check.getByLabel('Progress').evaluate((el) => el.tagName.toLowerCase()), 'progress')
    await check.getByText('Check finished: 3 rows read. Nothing was changed.').waitFor()
    assert.equal(posts[0]!.searchParams.get('dryRun'), 'true')
    assert.equal(posts[0]!.searchParams.get('mode'), 'upsert')
    assert.equal(posts[0]!.searchParams.get('fileName'), 'customers.csv')
    const count = (region: typeof check, words: string) => region.locator('ul.counts li', { hasText: words }).locator('.n').innerText()
    assert.equal(await count(check, 'would be created'), '1')
    assert.equal(await count(check, 'would fail'), '2')
    await page.locator('[role=status][aria-live=polite]').filter({ hasText: 'Check finished: 3 rows read.' }).waitFor()
    assert.equal((await adminCall('GET', '/v1/subscribers/imp_good')).status, 404, 'a check writes nothing')
    // The same file, for real, without choosing it again.
    await check.getByRole('button', { name: 'Import this file' }).click()
    const run = page.getByRole('region', { name: 'Import of “customers.csv”' })
    await run.getByText('Import finished: 3 rows read.').waitFor()
    assert.equal(posts.length, 2)
    assert.equal(posts[1]!.searchParams.get('dryRun'), 'false')
    assert.equal(await count(run, 'created'), '1')
    assert.equal(await count(run, 'failed'), '2')
    assert.equal(await count(run, 'kept opted out'), '0')
    // The rejected rows by line, as the API lists them.
    const rows = run.locator('tbody tr')
    await rows.nth(1).waitFor()
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())))
    const latest = (await adminCall('GET', '/v1/imports')).body.data[0] as { id: string; dryRun: boolean }
    assert.equal(latest.dryRun, false)
    const listed = (await adminCall('GET', `/v1/imports/${latest.id}/errors`)).body.data as Array<{ line: number; subscriberId: string | null; column: string | null; reason: string }>
    assert.deepEqual(cells, listed.map((e) => [String(e.line), e.subscriberId ?? '—', e.column ?? '—', e.reason]))
    assert.deepEqual(cells.map((c) => c.slice(0, 2)), [['3', 'imp_bad'], ['4', 'imp_topic']])
    await axe(page, 'import with a report (en)')
    // The errors as CSV, downloaded through the link.
    const [download] = await Promise.all([page.waitForEvent('download'), run.getByRole('link', { name: 'Download errors (CSV)' }).click()])
    const errorsCsv = readFileSync(await download.path(), 'utf8').split('\r\n')
    assert.equal(errorsCsv[0], 'line,subscriberId,column,reason')
    assert.match(errorsCsv[1]!, /^3,imp_bad,email,/)
    assert.match(errorsCsv[2]!, /^4,imp_topic,/)
    assert.match(errorsCsv[2]!, /gift-cards/)
    // What the import wrote, through the API: the good row only.
    const good = await adminCall('GET', '/v1/subscribers/imp_good')
    assert.equal(good.status, 200)
    assert.equal(good.body.email, 'good.buyer@example.com')
    assert.equal(good.body.topics.sales.subscribed, true)
    assert.equal((await adminCall('GET', '/v1/subscribers/imp_bad')).status, 404)
    assert.equal((await adminCall('GET', '/v1/subscribers/imp_topic')).status, 404)
    // Both jobs are in the history, the check marked so; the export has the new subscriber.
    const history = page.getByRole('region', { name: 'Recent imports' })
    await history.locator('tbody tr', { hasText: 'customers.csv' }).filter({ hasText: 'check' }).waitFor()
    assert.ok((await history.locator('tbody tr', { hasText: 'customers.csv' }).count()) >= 2)
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export subscribers (CSV)' }).click()])
    const exportCsv = readFileSync(await exported.path(), 'utf8')
    assert.match(exportCsv, /^id,/)
    assert.match(exportCsv, /\nimp_good,good\.buyer@example\.com,/)
    const [ledger] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export ledger (NDJSON)' }).click()])
    const lastEvent = JSON.parse(readFileSync(await ledger.path(), 'utf8').trim().split('\n').at(-1)!)
    assert.equal(lastEvent.subscriberId, 'imp_good')
    assert.equal(lastEvent.source, 'import')
    await ctx.close()
  })

  test('a form on another site or origin cannot use the owner’s session to change anything', async () => {
    // A change that takes no body, so a plain form can ask for it: revoking a subscriber's links.
    const target = `${api}/v1/subscribers/cust_1001/revoke-links`
    const attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(`<!doctype html><title>Prize</title><form method="post" action="${target}"><button>Claim your prize</button></form>`)
    })
    const port = await freePort()
    await new Promise<void>((resolve) => attacker.listen(port, resolve))
    const link = (await adminCall('POST', '/v1/links', { subscriberId: 'cust_1001' })).body.token as string
    const linkWorks = async () => (await fetch(`${api}/v1/me`, { headers: { Authorization: `Bearer ${link}` } })).status === 200
    assert.ok(await linkWorks())
    const ctx = await context('en-US')
    const page = await ctx.newPage()
    try {
      // 127.0.0.1 is another site than localhost: the SameSite=Strict cookie stays home (401).
      // localhost on another port is the same site, another origin: the cookie goes along and
      // the Origin check refuses it (403).
      for (const [origin, status] of [
        [`http://127.0.0.1:${port}`, 401],
        [`http://localhost:${port}`, 403],
      ] as const) {
        await page.goto(`${origin}/`)
        const [response] = await Promise.all([page.waitForResponse(target), page.getByRole('button', { name: 'Claim your prize' }).click()])
        assert.equal(response.status(), status, origin)
      }
      assert.ok(await linkWorks(), 'the links were not revoked')
      // The same form on the console's own origin is a request the console could make: allowed.
      await page.goto('/console/subscribers')
      const own = await page.evaluate((url) => fetch(url, { method: 'POST' }).then((r) => r.status), target)
      assert.equal(own, 200)
      assert.ok(!(await linkWorks()), 'revoked from the console’s own origin')
    } finally {
      await ctx.close()
      attacker.close()
    }
  })

  for (const [locale, lang, width] of [
    ['en-US', 'en', 1280],
    ['zh-TW', 'zh-Hant', 360],
    ['zh-CN', 'zh-Hans', 1280],
    ['et-EE', 'et', 360],
  ] as const) {
    test(`axe finds nothing on any page (${lang}, ${width} px)`, async () => {
      // A deleted topic, so the Topics page shows its "Deleted topics" list too.
      await adminCall('PUT', '/v1/topics/old-catalog', { name: { en: 'Old catalogue', 'zh-Hans': '旧目录', 'zh-Hant': '舊目錄', et: 'Vana kataloog' } })
      await adminCall('DELETE', '/v1/topics/old-catalog')
      const fresh = await context(locale, { width, height: 900 }, false)
      const signInPage = await fresh.newPage()
      await signInPage.goto('/console/sign-in')
      await axe(signInPage, `sign-in (${lang})`)
      await fresh.close()
      const ctx = await context(locale, { width, height: 900 })
      const page = await ctx.newPage()
      await page.goto('/console/subscribers')
      await ready(page)
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang)
      const t = TRANSLATIONS[lang]!
      const noOverflow = async (where: string) => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        assert.ok(overflow <= 0, `${where} is ${overflow} px wider than the ${width} px window`)
      }
      for (const path of ['/subscribers', '/subscribers/cust_1001', '/topics', '/settings', '/ledger', '/keys', '/people', '/webhooks', '/import']) {
        await page.goto(`/console${path}`)
        if (path === '/settings') await page.locator('heed-preferences').waitFor()
        await axe(page, `${path} (${lang})`)
        await tabReachesEverything(page, `${path} (${lang})`)
        await noOverflow(`${path} (${lang})`)
      }
      // The import page again with a check's report: its counts, rejected rows and actions.
      await page.locator('#import-file').setInputFiles({ name: `check-${lang}.csv`, mimeType: 'text/csv', buffer: Buffer.from('id,email\nimp_axe,axe@example.com\nimp_axe_bad,nope\n') })
      await page.getByRole('button', { name: t.importCheck, exact: true }).click()
      await page.locator('#job .success').waitFor()
      await page.locator('#job tbody tr').first().waitFor()
      await axe(page, `/import with a report (${lang})`)
      // Tab from the top of a fresh load: the report again, opened from the history.
      await page.reload()
      await ready(page)
      await page.getByRole('button', { name: t.importShowNamed(`check-${lang}.csv`) }).evaluate((b: HTMLElement) => b.click())
      await page.locator('#job tbody tr').first().waitFor()
      await tabReachesEverything(page, `/import with a report (${lang})`)
      await noOverflow(`/import with a report (${lang})`)
      await ctx.close()
    })
  }

  test('the strict CSP refused nothing the console did', () => {
    assert.deepEqual(cspViolations, [])
  })
})
