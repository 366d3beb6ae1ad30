import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertInstant, assertProblem, HOUR, putStandardTopics, setup, T0, type Harness, type TenantHandle } from './harness.ts'
import { SLOW_HASHES, userWithRole, type SignedIn } from './console-helpers.ts'
import { allEvents, asSubscriber, bare, getMe, hmacSign, oneClick, parts, postForm, secretOf, subscriberWithLink, withoutNonce, type Link } from './links-helpers.ts'

/**
 * The preview token (POST /v1/tenant/preview-link): what the console's settings preview shows
 * the real widget with. /v1/me answers it like a new subscriber's link and stores nothing;
 * it opens nothing else, and a link token is never taken for one (nor the other way round).
 */

const TENANT = {
  name: 'Acme Outdoor',
  channels: ['email', 'sms'],
  defaultLocale: 'et',
  defaultTimezone: 'Europe/Tallinn',
  branding: { accentColor: '#aa3300', logoUrl: 'https://cdn.acme.example/logo.png' },
  frequencyOptions: [{ max: 1, per: 'week' }, { max: 2, per: 'month' }],
  allowedOrigins: ['https://shop.acme.example'],
}
const PLENTY = { HEED_RATE_LIMIT_PER_IP: '1000000', HEED_RATE_LIMIT_PER_TOKEN: '1000000' }

interface Preview {
  token: string
  expiresAt: string
}

/** POST /v1/tenant/preview-link with the tenant's admin key, asserting a 201. */
async function mintPreview(t: TenantHandle): Promise<Preview> {
  const res = await t.req('POST', '/v1/tenant/preview-link')
  assert.equal(res.status, 201, `POST /v1/tenant/preview-link: ${res.text}`)
  return res.body
}

/** Everything a tenant's data shows: its subscribers (the console's list) and its consent events. */
async function stored(t: TenantHandle): Promise<{ subscribers: unknown[]; events: number }> {
  const list = await t.req('GET', '/v1/subscribers?limit=100')
  assert.equal(list.status, 200, list.text)
  assert.ok(Array.isArray(list.body.items), list.text)
  return { subscribers: list.body.items, events: (await allEvents(t)).length }
}

/** The answers to a token on /v1/me, /p and /u, for comparing one refused token with another. */
async function answers(h: Harness, token: string) {
  const me = await getMe(h, token)
  const p = await bare(h, 'GET', `/p/${encodeURIComponent(token)}`)
  const u = await bare(h, 'GET', `/u/${encodeURIComponent(token)}`)
  const page = (r: typeof p) => `${r.status} ${r.headers.get('content-type')}\n${withoutNonce(r.text)}`
  return { me: `${me.status} ${me.headers.get('www-authenticate')}\n${me.text}`, p: page(p), u: page(u) }
}

describe('POST /v1/tenant/preview-link', () => {
  let h: Harness
  let viewer: SignedIn
  let editor: SignedIn
  before(async () => {
    h = await setup({ tenant: TENANT, env: { ...SLOW_HASHES, ...PLENTY } })
    viewer = await userWithRole(h, h, 'viewer')
    editor = await userWithRole(h, h, 'editor')
  })
  after(() => h.close())

  test('an admin key mints a one-hour preview token', async () => {
    const res = await h.req('POST', '/v1/tenant/preview-link')
    assert.equal(res.status, 201, res.text)
    assert.deepEqual(Object.keys(res.body).sort(), ['expiresAt', 'token'])
    assertInstant(res.body.expiresAt, T0 + HOUR)
    const { header, payload } = parts(res.body.token)
    assert.equal(header.typ, 'heed-preview+jwt')
    assert.equal(header.alg, 'HS256')
    assert.equal(payload.tid, h.id)
    assert.equal(payload.sub, 'heed:preview')
    assert.equal(payload.ver, undefined)
    assert.equal(payload.exp, T0 / 1000 + 3600)
  })

  test('a console viewer mints one too (read is enough), and so does an editor', async () => {
    for (const user of [viewer, editor]) {
      const res = await user.req('POST', '/v1/tenant/preview-link')
      assert.equal(res.status, 201, `${user.user.role}: ${res.text}`)
      assert.equal((await getMe(h, res.body.token)).status, 200)
    }
  })

  test('a sender key may not (it reads no settings): 403', async () => {
    const sender = await h.mintKey('sender')
    const problem = assertProblem(await h.req('POST', '/v1/tenant/preview-link', undefined, { key: sender.secret }), 403)
    assert.match(problem.detail, /yours is "sender"/)
  })

  test('without credentials, or with a link or preview token as the key, a 401', async () => {
    const link = await subscriberWithLink(h, 'mia', {})
    const preview = await mintPreview(h)
    for (const key of [null, link.token, preview.token]) {
      assertProblem(await h.req('POST', '/v1/tenant/preview-link', undefined, { key }), 401, String(key))
    }
  })

  test('a viewer’s request from another origin is refused like every cookie request that may change something', async () => {
    assertProblem(await viewer.req('POST', '/v1/tenant/preview-link', undefined, { origin: 'https://evil.example' }), 403)
  })

  test('minting stores nothing: no subscriber, no event', async () => {
    const before = await stored(h)
    await mintPreview(h)
    await viewer.req('POST', '/v1/tenant/preview-link')
    assert.deepEqual(await stored(h), before)
  })

  test('the settings themselves still need the settings permission to change', async () => {
    assertProblem(await viewer.req('PATCH', '/v1/tenant', { name: 'Taken over' }), 403)
    assert.equal((await viewer.req('GET', '/v1/tenant')).status, 200)
  })

  test('it is in /openapi.json with its answer', async () => {
    const doc = (await h.raw('GET', '/openapi.json')).body
    const op = doc.paths['/v1/tenant/preview-link']?.post
    assert.ok(op, 'POST /v1/tenant/preview-link is documented')
    assert.ok(op.responses['201'], 'with its 201')
  })
})

describe('/v1/me with a preview token', () => {
  let h: Harness
  let preview: Preview
  let link: Link
  before(async () => {
    h = await setup({ tenant: TENANT, env: PLENTY })
    await putStandardTopics(h)
    link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com', topics: { news: { subscribed: true } } })
    preview = await mintPreview(h)
  })
  after(() => h.close())

  test('GET answers the tenant and topics as for a real subscriber, with a new subscriber’s unsaved defaults', async () => {
    const res = await getMe(h, preview.token)
    assert.equal(res.status, 200, res.text)
    const real = (await getMe(h, link.token)).body
    assert.deepEqual(res.body.tenant, real.tenant)
    assert.deepEqual(res.body.topics, real.topics)
    assert.deepEqual(res.body.subscriber, {
      id: 'heed:preview',
      email: null,
      locale: 'et',
      timezone: 'Europe/Tallinn',
      status: 'subscribed',
      channels: {},
      topics: {},
      cap: null,
      quietHours: null,
      pausedUntil: null,
    })
    assertInstant(res.body.link.expiresAt, preview.expiresAt)
  })

  test('PATCH answers the change by the same rule, and nothing is stored: no subscriber, no event', async () => {
    const preview = await mintPreview(h)
    const before = await stored(h)
    const pausedUntil = '2026-06-01T00:00:00.000Z'
    const change = {
      topics: { news: { subscribed: true, channels: { sms: false }, cap: { max: 1, per: 'week' } }, promo: { subscribed: false } },
      channels: { sms: false },
      cap: { max: 2, per: 'month' },
      quietHours: { start: '22:00', end: '08:00' },
      pausedUntil,
      locale: 'zh-Hant',
      timezone: 'Asia/Taipei',
    }
    const res = await asSubscriber(h, 'PATCH', '/v1/me', preview.token, change)
    assert.equal(res.status, 200, res.text)
    const s = res.body.subscriber
    assert.deepEqual(s.topics, { news: { subscribed: true, channels: { sms: false }, cap: { max: 1, per: 'week' } }, promo: { subscribed: false } })
    assert.deepEqual(s.channels, { sms: false })
    assert.deepEqual(s.cap, { max: 2, per: 'month' })
    assert.deepEqual(s.quietHours, { start: '22:00', end: '08:00' })
    assertInstant(s.pausedUntil, pausedUntil)
    assert.equal(s.locale, 'zh-Hant')
    assert.equal(s.timezone, 'Asia/Taipei')
    assert.equal(s.id, 'heed:preview')
    assert.deepEqual(await stored(h), before)
    assertProblem(await h.req('GET', `/v1/subscribers/${encodeURIComponent('heed:preview')}`), 404)
    // The preview shows its own change on the next read, as a subscriber's page would; a new
    // preview token starts from a new subscriber's defaults.
    assert.deepEqual((await getMe(h, preview.token)).body.subscriber, s)
    assert.deepEqual((await getMe(h, (await mintPreview(h)).token)).body.subscriber.topics, {})
  })

  test('a second change builds on the first, as on a subscriber’s own page, and is still stored nowhere', async () => {
    const preview = await mintPreview(h)
    const before = await stored(h)
    const first = await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { topics: { news: { subscribed: true } } })
    assert.equal(first.status, 200, first.text)
    const second = await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { cap: { max: 1, per: 'week' } })
    assert.equal(second.status, 200, second.text)
    assert.deepEqual(second.body.subscriber.topics, { news: { subscribed: true } }, 'the first change is still there')
    assert.deepEqual(second.body.subscriber.cap, { max: 1, per: 'week' })
    // A refused change leaves what the preview showed.
    assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { topics: { nope: { subscribed: true } } }), '/topics/nope')
    assert.deepEqual((await getMe(h, preview.token)).body.subscriber, second.body.subscriber)
    // Another preview (another console page) has its own.
    const other = await mintPreview(h)
    assert.deepEqual((await asSubscriber(h, 'PATCH', '/v1/me', other.token, { channels: { sms: false } })).body.subscriber.topics, {})
    assert.deepEqual((await getMe(h, preview.token)).body.subscriber, second.body.subscriber)
    assert.deepEqual(await stored(h), before)
  })

  test('PATCH is validated like a subscriber’s: required topics, unknown topics, channels, the e-mail', async () => {
    const before = await stored(h)
    assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { topics: { receipts: { subscribed: false } } }), '/topics/receipts')
    assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { topics: { nope: { subscribed: true } } }), '/topics/nope')
    assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { channels: { push: false } }), '/channels/push')
    assertProblem(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { email: 'x@example.com' }), 400)
    assertFieldError(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { cap: { max: 0, per: 'week' } }), '/cap/max')
    assert.deepEqual(await stored(h), before)
  })

  test('POST /v1/me/unsubscribe answers unsubscribed and writes nothing', async () => {
    const preview = await mintPreview(h)
    const before = await stored(h)
    const res = await asSubscriber(h, 'POST', '/v1/me/unsubscribe', preview.token, { reason: 'Just looking' })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.status, 'unsubscribed')
    assertProblem(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', preview.token, { reason: 'x'.repeat(501) }), 400)
    assert.deepEqual(await stored(h), before)
    assert.equal((await getMe(h, preview.token)).body.subscriber.status, 'unsubscribed', 'the preview shows it')
  })

  test('the real subscriber is untouched by everything done with the preview', async () => {
    const res = await getMe(h, link.token)
    assert.equal(res.body.subscriber.id, 'mia')
    assert.deepEqual(res.body.subscriber.topics, { news: { subscribed: true } })
    assert.equal(res.body.subscriber.status, 'subscribed')
  })

  test('settings saved later show in the same token’s next read', async () => {
    const patched = await h.req('PATCH', '/v1/tenant', { name: 'Acme Outdoor Co', branding: { accentColor: '#0f766e' } })
    assert.equal(patched.status, 200, patched.text)
    const me = (await getMe(h, preview.token)).body
    assert.equal(me.tenant.name, 'Acme Outdoor Co')
    assert.equal(me.tenant.branding.accentColor, '#0f766e')
  })

  test('another tenant’s preview shows that tenant, not this one', async () => {
    const beta = await h.createTenant({ name: 'Beta', defaultLocale: 'en', defaultTimezone: 'UTC' })
    const me = (await getMe(h, (await mintPreview(beta)).token)).body
    assert.equal(me.tenant.id, beta.id)
    assert.equal(me.tenant.name, 'Beta')
    assert.deepEqual(me.topics, [])
    assert.equal(me.subscriber.locale, 'en')
    assert.equal(me.subscriber.timezone, 'UTC')
  })

  test('CORS as for links: the tenant’s own origins may call, an origin it does not list may not', async () => {
    const ok = await getMe(h, preview.token, { origin: 'https://shop.acme.example' })
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.acme.example')
    const own = await getMe(h, preview.token, { origin: new URL(h.config.publicUrl).origin })
    assert.equal(own.status, 200, own.text)
    const beta = await h.createTenant({ allowedOrigins: ['https://beta-store.example'] })
    assertProblem(await getMe(h, preview.token, { origin: 'https://beta-store.example' }), 403)
    assert.equal((await getMe(h, (await mintPreview(beta)).token, { origin: 'https://shop.acme.example' })).status, 403)
  })
})

describe('a preview token opens nothing but /v1/me, and kinds do not mix', () => {
  let h: Harness
  let preview: Preview
  let link: Link
  let secret: Uint8Array
  let garbage: Awaited<ReturnType<typeof answers>>
  before(async () => {
    h = await setup({ tenant: TENANT, env: PLENTY })
    await putStandardTopics(h)
    link = await subscriberWithLink(h, 'mia', { email: 'mia@example.com' })
    preview = await mintPreview(h)
    secret = await secretOf(h, parts(preview.token).header.kid as string)
    garbage = await answers(h, 'garbage')
  })
  after(() => h.close())

  test('/p and /u answer a preview token exactly as a forged one: no widget, no brand, no unsubscribe', async () => {
    const got = await answers(h, preview.token)
    assert.equal(got.p, garbage.p)
    assert.equal(got.u, garbage.u)
    assert.doesNotMatch(got.p, /<heed-preferences|Acme/)
  })

  test('one-click, "send me less" and Undo with a preview token change nothing and answer as for a forged token', async () => {
    const before = await stored(h)
    const one = await oneClick(h, preview.token)
    assert.equal(one.status, 404)
    assert.equal(withoutNonce(one.text), garbage.u.slice(garbage.u.indexOf('\n') + 1))
    assert.equal((await postForm(h, `/u/${preview.token}/less`, { choice: 'weekly' })).status, 404)
    assert.equal((await postForm(h, `/u/${preview.token}/undo`, {})).status, 404)
    assert.deepEqual(await stored(h), before)
  })

  test('a preview token is no API key: the tenant API answers 401', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/subscribers', undefined],
      ['GET', '/v1/tenant', undefined],
      ['POST', '/v1/links', { subscriberId: 'mia' }],
      ['POST', '/v1/check', { subscriberId: 'mia', topic: 'news' }],
      ['GET', '/v1/events', undefined],
    ] as const) {
      assertProblem(await h.req(method, path, body, { key: preview.token }), 401, `${method} ${path}`)
    }
  })

  test('the preview’s claims signed as a link are refused on /v1/me, /p and /u (no subscriber, no version)', async () => {
    const { header, payload } = parts(preview.token)
    const asLink = hmacSign({ ...header, typ: 'heed-link+jwt' }, payload, secret)
    assert.deepEqual(await answers(h, asLink), garbage)
    // Even with a version and a real subscriber's id it needs that subscriber's version: still refused.
    const withVer = hmacSign({ ...header, typ: 'heed-link+jwt' }, { ...payload, ver: 0 }, secret)
    assert.equal((await getMe(h, withVer)).status, 401)
  })

  test('a real link signed as a preview is refused on /v1/me: a preview speaks for no subscriber', async () => {
    const { header, payload } = parts(link.token)
    const asPreview = hmacSign({ ...header, typ: 'heed-preview+jwt' }, payload, secret)
    assert.equal((await answers(h, asPreview)).me, garbage.me)
    const noVer = hmacSign({ ...header, typ: 'heed-preview+jwt' }, { ...payload, ver: undefined }, secret)
    assert.equal((await answers(h, noVer)).me, garbage.me)
  })

  test('the real link still reads its own subscriber, and is not answered as a preview', async () => {
    const res = await getMe(h, link.token)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.id, 'mia')
    assert.equal(res.body.subscriber.email, 'm***@example.com')
  })

  test('a preview forged, re-signed or living longer than an hour is refused with the same 401', async () => {
    const { header, payload } = parts(preview.token)
    const s = parts(preview.token).s
    const flipped = `${parts(preview.token).h}.${parts(preview.token).p}.${s.slice(0, 5)}${s[5] === 'A' ? 'B' : 'A'}${s.slice(6)}`
    const forged: [string, string][] = [
      ['a bad signature', flipped],
      ['alg none', `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${parts(preview.token).p}.`],
      ['a day long', hmacSign(header, { ...payload, exp: (payload.iat as number) + 86_400 }, secret)],
      ['another sub', hmacSign(header, { ...payload, sub: 'mia' }, secret)],
      ['another tenant claimed', hmacSign(header, { ...payload, tid: 'someone-else' }, secret)],
      ['issued in the future', hmacSign(header, { ...payload, iat: (payload.iat as number) + 3600, exp: (payload.exp as number) + 3600 }, secret)],
    ]
    for (const [name, token] of forged) assert.equal((await answers(h, token)).me, garbage.me, name)
  })

  test('an expired preview is refused with the same 401; it works until its exp', async () => {
    const exp = Date.parse(preview.expiresAt)
    try {
      h.clock.now = exp - 1000
      assert.equal((await getMe(h, preview.token)).status, 200)
      h.clock.now = exp
      assert.equal((await answers(h, preview.token)).me, garbage.me)
      assertProblem(await asSubscriber(h, 'PATCH', '/v1/me', preview.token, { status: 'unsubscribed' }), 401)
      assertProblem(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', preview.token, {}), 401)
    } finally {
      h.clock.now = T0
    }
  })

  test('retiring the signing key ends its previews at once', async () => {
    const fresh = await mintPreview(h)
    assert.equal((await getMe(h, fresh.token)).status, 200)
    const rotated = await h.req('POST', '/v1/signing-keys/rotate', { retireAfterSeconds: 0 })
    assert.equal(rotated.status, 201, rotated.text)
    assert.equal((await answers(h, fresh.token)).me, garbage.me)
    assert.equal((await getMe(h, (await mintPreview(h)).token)).status, 200, 'a new preview is signed with the new key')
  })
})

describe('preview tokens are rate-limited like links', () => {
  let h: Harness
  before(async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_TOKEN: '3' } })
  })
  after(() => h.close())

  test('the 4th request with one preview token in a minute is a 429 with Retry-After; a new token still works', async () => {
    const preview = await mintPreview(h)
    for (let i = 0; i < 3; i++) assert.equal((await getMe(h, preview.token)).status, 200)
    const limited = await getMe(h, preview.token)
    assertProblem(limited, 429)
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/)
    assert.equal((await getMe(h, (await mintPreview(h)).token)).status, 200)
  })
})
