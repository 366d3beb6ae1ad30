import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createApp } from '../src/app.ts'
import { putStandardTopics, setup, type Harness } from './harness.ts'
import { bare, getMe, oneClick, snapshot, subscriberWithLink, withoutNonce, type Link } from './links-helpers.ts'

const TENANT = { name: 'Acme Outdoor', branding: { accentColor: '#aa3300', logoUrl: 'https://cdn.acme.example/logo.png' } }

/** The page's security headers, whatever page it is. */
function assertPageHeaders(res: { headers: Headers }, what: string) {
  const csp = res.headers.get('content-security-policy')
  assert.ok(csp, `${what}: Content-Security-Policy`)
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]))
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src')
  assert.ok(scriptSrc, `${what}: script-src or default-src in ${csp}`)
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'https:', 'http:']) {
    assert.ok(!scriptSrc.includes(bad), `${what}: script-src must not allow ${bad}: ${csp}`)
  }
  assert.ok(directives.has('default-src'), `${what}: default-src set`)
  assert.ok(!(directives.get('style-src') ?? []).includes("'unsafe-inline'"), `${what}: style-src without 'unsafe-inline'`)
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors 'none'`)
  assert.deepEqual(directives.get('base-uri'), ["'none'"], `${what}: base-uri 'none'`)
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`)
  assert.equal(res.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`)
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`)
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${what}: Content-Type`)
  assert.equal(res.headers.get('set-cookie'), null, `${what}: no cookie`)
}

/** No inline script at all: every <script> has a src (strict CSP would block inline ones). */
function assertNoInlineScript(html: string, what: string) {
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) assert.match(tag, /\ssrc="/, `${what}: inline script ${tag}`)
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${what}: inline event handler`)
  assert.doesNotMatch(html, /javascript:/i, `${what}: javascript: URL`)
}

describe('GET /u/:token (unsubscribe page)', () => {
  let h: Harness
  let link: Link
  before(async () => {
    h = await setup({ tenant: TENANT })
    await putStandardTopics(h)
    link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com' })
  })
  after(() => h.close())

  test('is a page with the security headers: strict CSP, no referrer, no-store, nosniff', async () => {
    const res = await bare(h, 'GET', `/u/${link.token}`)
    assert.equal(res.status, 200, res.text)
    assertPageHeaders(res, '/u')
  })

  test('has a real <form method="post"> to /u/TOKEN with the hidden List-Unsubscribe=One-Click field and a submit button', async () => {
    const { text } = await bare(h, 'GET', `/u/${link.token}`)
    const form = text.match(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/)
    assert.ok(form, 'a <form method="post">')
    assert.equal(form[1], `/u/${link.token}`)
    assert.match(form[2]!, /<input type="hidden" name="List-Unsubscribe" value="One-Click">/)
    assert.match(form[2]!, /<button[^>]*type="submit"[^>]*>Unsubscribe from all<\/button>/)
  })

  test('offers "send me less" choices: pause a month, at most one a week, manage topics', async () => {
    const { text } = await bare(h, 'GET', `/u/${link.token}`)
    assert.match(text, new RegExp(`<form method="post" action="/u/${link.token}/less">`))
    assert.match(text, /name="choice" value="pause-month"/)
    assert.match(text, /name="choice" value="weekly"/)
    assert.match(text, new RegExp(`href="/p/${link.token}"`))
  })

  test('uses no script at all (nothing submits the form but the person)', async () => {
    const { text } = await bare(h, 'GET', `/u/${link.token}`)
    assert.doesNotMatch(text, /<script/i)
    assertNoInlineScript(text, '/u')
  })

  test('shows the brand and the masked email, never the full address', async () => {
    const { text } = await bare(h, 'GET', `/u/${link.token}`)
    assert.match(text, /Acme Outdoor/)
    assert.match(text, /m\*\*\*@example\.com/)
    assert.doesNotMatch(text, /mia@example\.com/)
    assert.match(text, /src="https:\/\/cdn\.acme\.example\/logo\.png"/)
  })

  test('after unsubscribing it says so and offers Undo as a POST form', async () => {
    const l = await subscriberWithLink(h, 'gone', {})
    await oneClick(h, l.token)
    const { text } = await bare(h, 'GET', `/u/${l.token}`)
    assert.match(text, /You are unsubscribed/)
    assert.match(text, new RegExp(`<form method="post" action="/u/${l.token}/undo">`))
  })

  test('follows the Accept-Language of the browser when the subscriber has no locale', async () => {
    const res = await bare(h, 'GET', `/u/${link.token}`, undefined, { 'accept-language': 'et-EE,et;q=0.9' })
    assert.match(res.text, /<html lang="et">/)
  })
})

describe('GET /p/:token (preferences page)', () => {
  let h: Harness
  let link: Link
  before(async () => {
    h = await setup({ tenant: TENANT })
    await putStandardTopics(h)
    link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com', locale: 'zh-Hant' })
  })
  after(() => h.close())

  test('is a page with the security headers: strict CSP, no referrer, no-store, nosniff', async () => {
    const res = await bare(h, 'GET', `/p/${link.token}`)
    assert.equal(res.status, 200, res.text)
    assertPageHeaders(res, '/p')
  })

  test('contains <heed-preferences> with the token and loads /widget.js as a module from this origin', async () => {
    const { text, headers } = await bare(h, 'GET', `/p/${link.token}`)
    assert.match(text, new RegExp(`<heed-preferences[^>]*token="${link.token}"`))
    assert.match(text, /<script type="module" src="\/widget\.js"><\/script>/)
    assertNoInlineScript(text, '/p')
    const csp = headers.get('content-security-policy')!
    assert.match(csp, /script-src 'self'/)
    assert.match(csp, /connect-src 'self'/, 'the widget may call the API on this origin')
  })

  test('shows the tenant brand and speaks the subscriber locale', async () => {
    const { text } = await bare(h, 'GET', `/p/${link.token}`)
    assert.match(text, /Acme Outdoor/)
    assert.match(text, /<html lang="zh-Hant">/)
    assert.match(text, /lang="zh-Hant" heading-level="1"><\/heed-preferences>/)
  })

  test('without JavaScript it still offers the way out (a link to /u)', async () => {
    const { text } = await bare(h, 'GET', `/p/${link.token}`)
    assert.match(text, new RegExp(`<noscript>[\\s\\S]*href="/u/${link.token}"[\\s\\S]*</noscript>`))
  })
})

describe('a GET never changes anything', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('GET /u/:token, many times, leaves the state and the event count identical', async () => {
    const link = await subscriberWithLink(h, 'scan-u', { email: 'scan@example.com' })
    const before = await snapshot(h, 'scan-u')
    for (let i = 0; i < 20; i++) assert.equal((await bare(h, 'GET', `/u/${link.token}`)).status, 200)
    assert.deepEqual(await snapshot(h, 'scan-u'), before)
    assert.equal(JSON.parse(before.subscriber).status, 'subscribed')
  })

  test('GET /p/:token, many times, leaves the state and the event count identical', async () => {
    const link = await subscriberWithLink(h, 'scan-p', {})
    const before = await snapshot(h, 'scan-p')
    for (let i = 0; i < 20; i++) assert.equal((await bare(h, 'GET', `/p/${link.token}`)).status, 200)
    assert.deepEqual(await snapshot(h, 'scan-p'), before)
  })

  test('HEAD, and GETs of /u/:token/less and /u/:token/undo with a query (what a scanner might try) change nothing', async () => {
    const link = await subscriberWithLink(h, 'scan-x', { status: 'unsubscribed' })
    const before = await snapshot(h, 'scan-x')
    await bare(h, 'HEAD', `/u/${link.token}`)
    await bare(h, 'GET', `/u/${link.token}?List-Unsubscribe=One-Click`)
    await bare(h, 'GET', `/u/${link.token}/less?choice=weekly`)
    await bare(h, 'GET', `/u/${link.token}/undo`)
    await bare(h, 'GET', `/p/${link.token}?status=subscribed`)
    assert.deepEqual(await snapshot(h, 'scan-x'), before)
  })

  test('the link still works for the person after scanners fetched it', async () => {
    const link = await subscriberWithLink(h, 'scan-y', {})
    for (let i = 0; i < 10; i++) await bare(h, 'GET', `/u/${link.token}`)
    assert.equal((await getMe(h, link.token)).status, 200)
  })
})

describe('invalid links', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('get one friendly "no longer valid" page with the page headers, a 404, and nothing about why', async () => {
    const res = await bare(h, 'GET', '/u/not-a-token')
    assert.equal(res.status, 404)
    assertPageHeaders(res, 'invalid /u')
    assert.match(res.text, /This link is no longer valid/)
    assert.doesNotMatch(res.text, /<form/i, 'no form to submit')
    const p = await bare(h, 'GET', '/p/not-a-token')
    assert.equal(withoutNonce(p.text), withoutNonce(res.text), '/p and /u show the same page')
  })

  test('the invalid-link page speaks the browser language', async () => {
    const res = await bare(h, 'GET', '/u/not-a-token', undefined, { 'accept-language': 'zh-TW' })
    assert.equal(res.status, 404)
    assert.match(res.text, /<html lang="zh-Hant">/)
  })
})

describe('GET /widget.js', () => {
  test('is served with Cross-Origin-Resource-Policy: cross-origin so any shop may load it', async () => {
    const h = await setup()
    const dir = mkdtempSync(join(tmpdir(), 'heed-widget-'))
    try {
      const file = join(dir, 'widget.js')
      writeFileSync(file, 'export {}\n')
      const app = createApp({ store: h.store, config: h.config, now: () => h.clock.now }, { widgetFile: file })
      const res = await app.request('/widget.js')
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin')
      assert.match(res.headers.get('content-type') ?? '', /javascript/)
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
      assert.equal(await res.text(), 'export {}\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await h.close()
    }
  })

  test('its parts are served from beside it the same way, cached for good; nothing else is', async () => {
    const h = await setup()
    const dir = mkdtempSync(join(tmpdir(), 'heed-widget-'))
    try {
      mkdirSync(join(dir, 'widget'))
      writeFileSync(join(dir, 'widget.js'), 'import("./widget/quiet-editor-Ab3_x9Zq.js")\n')
      writeFileSync(join(dir, 'widget', 'quiet-editor-Ab3_x9Zq.js'), 'export const part = 1\n')
      writeFileSync(join(dir, 'secret.txt'), 'no')
      const app = createApp({ store: h.store, config: h.config, now: () => h.clock.now }, { widgetFile: join(dir, 'widget.js') })
      const res = await app.request('/widget/quiet-editor-Ab3_x9Zq.js')
      assert.equal(res.status, 200)
      assert.equal(await res.text(), 'export const part = 1\n')
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin')
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/)
      assert.match(res.headers.get('cache-control') ?? '', /immutable/)
      for (const path of ['/widget/missing-Ab3_x9Zq.js', '/widget/..%2Fsecret.txt', '/widget/%2E%2E%2Fwidget.js', '/widget/quiet-editor.js']) {
        const refused = await app.request(path)
        assert.equal(refused.status, 404, path)
        assert.match(refused.headers.get('content-type') ?? '', /problem\+json/)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await h.close()
    }
  })
})
