/**
 * The whole loop, as a newcomer would run it, in real Chromium:
 * the demo server and the merchant site start; the sender example sends a campaign; a
 * preferences link taken from a sent .eml opens the widget, where a topic is turned off and
 * quiet hours are set; the sender's next runs respect both; a one-click POST to the
 * List-Unsubscribe URL of another message unsubscribes; the merchant page shows the widget.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { chromium, type Browser } from 'playwright-core'
import { chromiumPath } from '../scripts/chromium.js'
import { freePort, waitUntilUp } from './processes.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// No browser fails the file at once, saying what to do (scripts/chromium.js): never a skip.
const CHROMIUM = chromiumPath()

interface Proc {
  child: ChildProcess
  output: () => string
}

function start(cwd: string, script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(ROOT, cwd), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return { child, output: () => out }
}

/** Runs the sender example once; returns its printed summary. */
async function send(api: string, key: string, out: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'send.ts', '--api', api, '--key', key, '--out', out, '--quiet', ...args], {
      cwd: join(ROOT, 'examples/sender'),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let text = ''
    child.stdout.on('data', (d) => (text += d))
    child.stderr.on('data', (d) => (text += d))
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`sender exited ${code}:\n${text}`))))
  })
}

const outcomeOf = (summary: string, subscriberId: string) => {
  const line = summary.split('\n').find((l) => l.startsWith(`${subscriberId} `))
  assert.ok(line, `no line for ${subscriberId} in:\n${summary}`)
  return line.replace(/\s+/g, ' ').trim()
}

const header = (eml: string, name: string) => eml.match(new RegExp(`^${name}: (.*)$`, 'm'))?.[1]?.trim()

describe('the whole loop: sender, email link, widget, one-click, merchant page', () => {
  const work = mkdtempSync(join(tmpdir(), 'heed-e2e-'))
  let apiPort: number
  let merchantPort: number
  let api: string
  let adminKey: string
  let senderKey: string
  let heed: Proc
  let merchant: Proc
  let browser: Browser

  before(async () => {
    apiPort = await freePort()
    merchantPort = await freePort()
    api = `http://localhost:${apiPort}`
    const demoFile = join(work, 'demo.json')
    // The demo allows the merchant site's origin on MERCHANT_PORT, and both read HEED_DEMO_FILE.
    heed = start('packages/api', 'src/server.ts', {
      PORT: String(apiPort),
      DATABASE_URL: `file:${join(work, 'heed.db')}`,
      HEED_PUBLIC_URL: api,
      HEED_DEMO: '1',
      HEED_DEMO_FILE: demoFile,
      MERCHANT_PORT: String(merchantPort),
    })
    await waitUntilUp(`${api}/healthz`, heed.child, heed.output)
    adminKey = heed.output().match(/HEED_KEY=(heed_ak_\S+)/)?.[1] ?? ''
    assert.ok(adminKey, `the demo printed no admin key:\n${heed.output()}`)
    senderKey = JSON.parse(readFileSync(demoFile, 'utf8')).senderKey
    const merchantOrigin = `http://localhost:${merchantPort}`
    merchant = start('examples/merchant-site', 'server.ts', { HEED_DEMO_FILE: demoFile, MERCHANT_PORT: String(merchantPort) })
    await waitUntilUp(`${merchantOrigin}/style.css`, merchant.child, merchant.output)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
  })

  after(async () => {
    await browser?.close()
    for (const p of [merchant, heed]) {
      if (p && p.child.exitCode === null) {
        const exited = new Promise((r) => p.child.once('exit', r))
        p.child.kill('SIGTERM')
        await exited
      }
    }
    rmSync(work, { recursive: true, force: true })
  })

  const check = async (subscriberId: string, topic: string) => {
    const res = await fetch(`${api}/v1/check`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ subscriberId, topic }),
    })
    return (await res.json()) as { allowed: boolean; reason: string }
  }

  // Daytime in Rome (cust_1007's zone) for the first runs; 23:00 there for the quiet-hours run.
  const DAY_RUN = '2031-03-04T10:00:00Z'
  const NIGHT_RUN = '2031-03-06T22:00:00Z'

  test('a campaign goes out with Heed links; the customer turns a topic off and sets quiet hours; the next runs obey', async () => {
    const out1 = join(work, 'out1')
    const first = await send(api, senderKey, out1, ['--campaign', 'spring', '--topic', 'sales', '--at', DAY_RUN])
    assert.match(outcomeOf(first, 'cust_1007'), /sent/)
    assert.match(outcomeOf(first, 'cust_1006'), /dropped unsubscribed/)
    assert.match(outcomeOf(first, 'cust_9999'), /dropped unknown_subscriber/)

    const eml = readFileSync(join(out1, 'spring.cust_1007.eml'), 'utf8')
    assert.equal(header(eml, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click')
    const prefsUrl = eml.match(/Choose what we send you: (\S+)/)?.[1]
    assert.ok(prefsUrl?.startsWith(`${api}/p/`), `no preferences link in:\n${eml}`)

    const page = await browser.newPage()
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text())
    })
    await page.goto(prefsUrl!)

    const sales = page.getByRole('switch', { name: 'Sales and offers' })
    await sales.waitFor({ timeout: 10_000 })
    assert.equal(await sales.getAttribute('aria-checked'), 'true')
    await sales.click()
    await page.getByRole('status').filter({ hasText: /Saved/ }).waitFor({ timeout: 10_000 })

    const quiet = page.getByRole('switch', { name: 'Quiet hours' })
    assert.equal(await quiet.getAttribute('aria-checked'), 'false')
    await quiet.click()
    await page.getByRole('status').filter({ hasText: /Saved/ }).waitFor({ timeout: 10_000 })
    assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '21:00')
    assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), '08:00')
    assert.deepEqual(violations, [])
    await page.close()

    // Next campaign on the topic they turned off: dropped for them.
    const second = await send(api, senderKey, join(work, 'out2'), ['--campaign', 'spring-2', '--topic', 'sales', '--at', DAY_RUN])
    assert.match(outcomeOf(second, 'cust_1007'), /dropped topic_opted_out/)
    // A topic they still want, sent at 23:00 their time: deferred until quiet hours end at 08:00.
    const third = await send(api, senderKey, join(work, 'out3'), ['--campaign', 'arrivals', '--topic', 'new-arrivals', '--at', NIGHT_RUN])
    assert.match(outcomeOf(third, 'cust_1007'), /deferred quiet_hours until 2031-03-07T07:00:00/)
    const schedule = JSON.parse(readFileSync(join(work, 'out3', 'schedule.json'), 'utf8')) as Array<{ subscriberId: string; retryAt: string }>
    assert.equal(schedule.find((s) => s.subscriberId === 'cust_1007')?.retryAt, '2031-03-07T07:00:00.000Z')
  })

  test('the one-click POST to a message’s List-Unsubscribe URL unsubscribes, with no cookie and no redirect', async () => {
    const eml = readFileSync(join(work, 'out1', 'spring.cust_1009.eml'), 'utf8')
    const target = header(eml, 'List-Unsubscribe')?.match(/^<(.+)>$/)?.[1]
    assert.ok(target, `no List-Unsubscribe in:\n${eml}`)
    assert.equal((await check('cust_1009', 'sales')).reason, 'ok')
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    })
    assert.ok(res.status >= 200 && res.status < 300, `status ${res.status}`)
    assert.equal(res.headers.get('location'), null)
    assert.equal(res.headers.get('set-cookie'), null)
    assert.equal((await check('cust_1009', 'sales')).reason, 'unsubscribed')
  })

  test('an old link is no dead end: its page e-mails a new link (an .eml in the data folder without SMTP), which opens the widget', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${api}${path}`, { method, headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) })
    assert.equal((await call('PUT', '/v1/subscribers/e2e-old', { email: 'old.reader@example.com', locale: 'en' })).status, 201)
    const old = (await (await call('POST', '/v1/links', { subscriberId: 'e2e-old' })).json()) as { token: string }

    // The hosted page is open while the link is revoked (a forwarded mail): the next change is
    // refused, and the page shows the form it carried hidden.
    const page = await browser.newPage()
    await page.goto(`${api}/p/${old.token}`)
    const arrivals = page.getByRole('switch', { name: 'New arrivals' })
    await arrivals.waitFor({ timeout: 10_000 })
    assert.equal((await call('POST', '/v1/subscribers/e2e-old/revoke-links')).status, 200)
    assert.equal(await page.locator('#link-gone').isVisible(), false)
    await arrivals.click()
    await page.locator('#link-gone').waitFor({ state: 'visible', timeout: 10_000 })

    // Reloading the old link: its page (a 404) asks for the address and promises nothing.
    const reloaded = await page.goto(`${api}/p/${old.token}`)
    assert.equal(reloaded?.status(), 404)
    await page.getByLabel('Your e-mail address').fill('old.reader@example.com')
    await page.getByRole('button', { name: 'E-mail me a new link' }).click()
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor({ timeout: 10_000 })
    assert.doesNotMatch(await page.content(), /old\.reader/)

    // The server writes the mail as an .eml file under its data folder (DATABASE_URL's folder).
    const mailDir = join(work, 'mail')
    let eml = ''
    for (let i = 0; i < 100 && !eml; i++) {
      const file = existsSync(mailDir) ? readdirSync(mailDir).find((f) => f.endsWith('.eml')) : undefined
      if (file) eml = readFileSync(join(mailDir, file), 'utf8')
      else await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(eml, `no .eml in ${mailDir}:\n${heed.output()}`)
    assert.match(eml, /^To: old\.reader@example\.com$/m)
    // Quoted-printable soft line breaks and escapes undone, as a mail client would.
    const body = eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    const fresh = body.match(new RegExp(`${api}/p/([A-Za-z0-9_.-]+)`))?.[1]
    assert.ok(fresh && fresh !== old.token, `no new link in:\n${eml}`)
    await page.goto(`${api}/p/${fresh}`)
    await page.getByRole('switch', { name: 'New arrivals' }).waitFor({ timeout: 10_000 })
    await page.close()
  })

  test('the merchant’s “My account” page, on another origin, shows the widget for its logged-in customer', async () => {
    const page = await browser.newPage()
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text())
    })
    await page.goto(`http://localhost:${merchantPort}/account`)
    // cust_1001 reads Estonian, but the shop is an English page and says so on the element
    // (lang="en"), which wins: the widget speaks the page's language.
    const arrivals = page.getByRole('switch', { name: 'New arrivals' })
    await arrivals.waitFor({ timeout: 10_000 })
    assert.equal(await arrivals.getAttribute('aria-checked'), 'true')
    assert.equal(await page.getByRole('heading', { name: 'Message preferences' }).count(), 1)
    assert.deepEqual(violations, [])
    await page.close()
  })
})
