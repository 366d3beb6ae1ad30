import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertProblem, putStandardTopics, setup, type Harness, type TenantHandle } from './harness.ts'
import { asSubscriber, bare, getMe, snapshot, subscriberWithLink, type Link } from './links-helpers.ts'

const SHOP = 'https://shop.acme.example'
const BETA_SHOP = 'https://beta-store.example'
const EVIL = 'https://evil.example'

const vary = (res: { headers: Headers }) => (res.headers.get('vary') ?? '').split(',').map((s) => s.trim().toLowerCase())

describe('CORS on the subscriber API', () => {
  let h: Harness
  let beta: TenantHandle
  let link: Link
  before(async () => {
    h = await setup({ tenant: { allowedOrigins: [SHOP] }, env: { HEED_PUBLIC_URL: 'https://heed.acme.example' } })
    await putStandardTopics(h)
    link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com' })
    beta = await h.createTenant({ allowedOrigins: [BETA_SHOP] })
  })
  after(() => h.close())

  const preflight = (origin: string, method = 'PATCH') =>
    bare(h, 'OPTIONS', '/v1/me', undefined, {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    })

  test('a preflight from an allowed origin echoes it, allows Authorization, says Vary: Origin and never credentials', async () => {
    const res = await preflight(SHOP)
    assert.ok(res.status === 204 || res.status === 200, `status ${res.status}`)
    assert.equal(res.headers.get('access-control-allow-origin'), SHOP)
    assert.ok(vary(res).includes('origin'), `Vary: ${res.headers.get('vary')}`)
    assert.equal(res.headers.get('access-control-allow-credentials'), null)
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/i)
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/)
  })

  test('a preflight for POST /v1/me/unsubscribe from an allowed origin is allowed', async () => {
    const res = await bare(h, 'OPTIONS', '/v1/me/unsubscribe', undefined, { origin: SHOP, 'access-control-request-method': 'POST' })
    assert.equal(res.headers.get('access-control-allow-origin'), SHOP)
  })

  test('a preflight from an unlisted origin gets no Access-Control-Allow-Origin', async () => {
    const res = await preflight(EVIL)
    assert.ok(res.status < 500)
    assert.equal(res.headers.get('access-control-allow-origin'), null)
    assert.equal(res.headers.get('access-control-allow-credentials'), null)
    assert.ok(vary(res).includes('origin'))
  })

  test('a preflight never answers "*" or "null"', async () => {
    for (const origin of ['null', '*', SHOP + '.evil.example', 'http://shop.acme.example', SHOP + ':8443']) {
      const acao = (await preflight(origin)).headers.get('access-control-allow-origin')
      assert.ok(acao === null, `${origin}: got ACAO ${acao}`)
    }
  })

  test('a GET from an allowed origin works and echoes the origin, without credentials', async () => {
    const res = await getMe(h, link.token, { origin: SHOP })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.headers.get('access-control-allow-origin'), SHOP)
    assert.ok(vary(res).includes('origin'))
    assert.equal(res.headers.get('access-control-allow-credentials'), null)
  })

  test('a PATCH from an allowed origin works', async () => {
    const res = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { topics: { news: { subscribed: true } } }, { origin: SHOP })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.headers.get('access-control-allow-origin'), SHOP)
  })

  test('a GET without Origin (same-origin or server-side) works and says Vary: Origin', async () => {
    const res = await getMe(h, link.token)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('access-control-allow-origin'), null)
    assert.ok(vary(res).includes('origin'))
  })

  test("the server's own origin (the hosted /p page) may call /v1/me", async () => {
    const res = await getMe(h, link.token, { origin: 'https://heed.acme.example' })
    assert.equal(res.status, 200, res.text)
  })

  test('a GET from an origin listed only by ANOTHER tenant is a 403 with no Access-Control-Allow-Origin', async () => {
    const res = await getMe(h, link.token, { origin: BETA_SHOP })
    assertProblem(res, 403)
    assert.equal(res.headers.get('access-control-allow-origin'), null)
    assert.equal(res.headers.get('access-control-allow-credentials'), null)
  })

  test("a write from another tenant's origin is refused and changes nothing", async () => {
    const before = await snapshot(h, 'mia')
    const patch = await asSubscriber(h, 'PATCH', '/v1/me', link.token, { status: 'unsubscribed' }, { origin: BETA_SHOP })
    assertProblem(patch, 403)
    assert.equal(patch.headers.get('access-control-allow-origin'), null)
    const unsub = await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {}, { origin: BETA_SHOP })
    assertProblem(unsub, 403)
    assert.deepEqual(await snapshot(h, 'mia'), before)
  })

  test('a GET from an origin no tenant lists is a 403 with no Access-Control-Allow-Origin and changes nothing', async () => {
    const before = await snapshot(h, 'mia')
    const res = await getMe(h, link.token, { origin: EVIL })
    assertProblem(res, 403)
    assert.equal(res.headers.get('access-control-allow-origin'), null)
    assertProblem(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, {}, { origin: EVIL }), 403)
    assert.deepEqual(await snapshot(h, 'mia'), before)
  })

  test("the other tenant's own links work from its own origin", async () => {
    const theirs = await subscriberWithLink(beta, 'bo', {})
    const res = await getMe(h, theirs.token, { origin: BETA_SHOP })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.headers.get('access-control-allow-origin'), BETA_SHOP)
    const cross = await getMe(h, theirs.token, { origin: SHOP })
    assertProblem(cross, 403)
    assert.equal(cross.headers.get('access-control-allow-origin'), null)
  })

  test('a refused token from an allowed origin still carries CORS headers, so the widget can read the 401', async () => {
    const res = await getMe(h, 'garbage', { origin: SHOP })
    assertProblem(res, 401)
    assert.equal(res.headers.get('access-control-allow-origin'), SHOP)
    assert.equal(res.headers.get('access-control-allow-credentials'), null)
  })

  describe('POST /v1/me/origin: why the widget got no answer', () => {
    const ask = (token: string, origin?: string, type = 'text/plain') => bare(h, 'POST', '/v1/me/origin', token, { 'content-type': type, ...(origin ? { origin } : {}) })

    test('from a site the tenant does not list: allowed false, with the exact origin to add, readable by any site', async () => {
      const before = await snapshot(h, 'mia')
      const res = await ask(link.token, EVIL)
      assert.equal(res.status, 200, res.text)
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
      assert.equal(res.headers.get('access-control-allow-credentials'), null)
      const body = JSON.parse(res.text) as { origin: string; allowed: boolean; detail: string }
      assert.equal(body.origin, EVIL)
      assert.equal(body.allowed, false)
      assert.match(body.detail, new RegExp(`add exactly "${EVIL.replaceAll('.', '\\.')}"`))
      assert.match(body.detail, /console\/settings/)
      // It says nothing about the subscriber, and changes nothing.
      assert.doesNotMatch(res.text, /mia/)
      assert.deepEqual(await snapshot(h, 'mia'), before)
    })

    test("from another tenant's site: also not allowed for this link", async () => {
      const body = JSON.parse((await ask(link.token, BETA_SHOP)).text) as { allowed: boolean }
      assert.equal(body.allowed, false)
    })

    test('from a listed site, the own origin, or with no Origin: allowed', async () => {
      for (const origin of [SHOP, 'https://heed.acme.example', undefined]) {
        const body = JSON.parse((await ask(link.token, origin)).text) as { allowed: boolean }
        assert.equal(body.allowed, true, String(origin))
      }
    })

    test('a token that is not valid gets allowed null, never a guess', async () => {
      const body = JSON.parse((await ask('garbage', EVIL)).text) as { allowed: boolean | null }
      assert.equal(body.allowed, null)
    })

    test('anything but text/plain is a 415', async () => {
      assertProblem(await ask(JSON.stringify({ token: link.token }), EVIL, 'application/json'), 415)
    })

    test('a body longer than any token is a 413', async () => {
      assertProblem(await ask('x'.repeat(5000), EVIL), 413)
    })
  })

  test('the tenant API (API keys) answers no CORS for the shop origin', async () => {
    const res = await h.req('GET', '/v1/tenant', undefined, { headers: { origin: SHOP } })
    assert.equal(res.headers.get('access-control-allow-origin'), null)
  })
})
