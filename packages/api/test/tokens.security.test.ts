import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { generateKeyPair } from 'jose'
import { assertProblem, putStandardTopics, putSubscriber, setup, T0, type Harness, type TenantHandle } from './harness.ts'
import {
  asSubscriber,
  b64url,
  bare,
  getMe,
  hmacSign,
  joseSign,
  mintLink,
  oneClick,
  parts,
  secretOf,
  snapshot,
  subscriberWithLink,
  withoutNonce,
  type Link,
} from './links-helpers.ts'

/**
 * Every way a link token can be refused must look the same from outside: the same 401 on
 * the subscriber API and the same "no longer valid" page on /p and /u. Forged tokens are
 * built from a genuine one (same claims), so only the one thing under test differs.
 */

interface Answers {
  me: string
  p: string
  u: string
}

describe('link token attacks', () => {
  let h: Harness
  let other: TenantHandle
  let good: Link
  let header: Record<string, unknown>
  let payload: Record<string, unknown>
  let secret: Uint8Array
  let otherSecret: Uint8Array
  let otherKid: string
  let es256: CryptoKey
  let revoked: string
  let erased: string
  let reference: Answers
  let signedReference: Answers

  const answers = async (token: string): Promise<Answers> => {
    const me = await getMe(h, token)
    const path = encodeURIComponent(token)
    const p = await bare(h, 'GET', `/p/${path}`)
    const u = await bare(h, 'GET', `/u/${path}`)
    const page = (r: typeof p) => `${r.status} ${r.headers.get('content-type')} ${r.headers.get('cache-control')}\n${withoutNonce(r.text)}`
    return {
      me: `${me.status} ${me.headers.get('content-type')} ${me.headers.get('www-authenticate')}\n${me.text}`,
      p: page(p),
      u: page(u),
    }
  }

  before(async () => {
    // Many refusals from one client in one test run: the rate limit has its own tests.
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: '1000000', HEED_RATE_LIMIT_PER_TOKEN: '1000000' } })
    await putStandardTopics(h)
    good = await subscriberWithLink(h, 'mia', { email: 'mia@example.com' })
    ;({ header, payload } = parts(good.token))
    secret = await secretOf(h, header.kid as string)

    other = await h.createTenant()
    // The same subscriber id in the other tenant, so only the key and the claims differ.
    const otherLink = await subscriberWithLink(other, 'mia', { email: 'mia@example.com' })
    otherKid = parts(otherLink.token).header.kid as string
    otherSecret = await secretOf(h, otherKid)

    es256 = (await generateKeyPair('ES256')).privateKey

    revoked = (await subscriberWithLink(h, 'rev', {})).token
    const r = await h.req('POST', '/v1/subscribers/rev/revoke-links')
    assert.equal(r.status, 200, r.text)

    erased = (await subscriberWithLink(h, 'gone', { email: 'gone@example.com' })).token
    const d = await h.req('DELETE', '/v1/subscribers/gone')
    assert.equal(d.status, 204, d.text)

    reference = await answers('garbage')
    signedReference = await answers(erased)
    assert.match(reference.me, /^401 application\/problem\+json/)
    assert.match(reference.p, /^404 text\/html/)
  })
  after(() => h.close())

  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
  const resign = (hdr: object, claims: object) => hmacSign({ ...header, ...hdr }, { ...payload, ...claims }, secret)

  /**
   * Each refused token, and whether it is correctly signed with this tenant's key: those get
   * the tenant's dead-end page (brand and new-link form), all alike; the others the page that
   * says to ask the sender. No page tells one refusal from another within its group.
   */
  const attacks: [string, () => Promise<string> | string, 'signed'?][] = [
    ['a bad signature (one character flipped)', () => { const { h: hd, p, s } = parts(good.token); return `${hd}.${p}.${flip(s, 5)}` }],
    ['a changed payload under the original signature', () => { const { h: hd, s } = parts(good.token); return `${hd}.${b64url({ ...payload, sub: 'rev' })}.${s}` }],
    ['alg "none" with the same claims and no signature', () => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`],
    ['alg "none" keeping the original signature', () => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.${parts(good.token).s}`],
    ['alg "NONE" spelled in capitals', () => `${b64url({ ...header, alg: 'NONE' })}.${b64url(payload)}.`],
    ['HS384 re-signed with the right secret', () => hmacSign({ ...header, alg: 'HS384' }, payload, secret, 'HS384')],
    ['HS512 re-signed with the right secret', () => hmacSign({ ...header, alg: 'HS512' }, payload, secret, 'HS512')],
    ['ES256 signed under the right kid (HS/ES confusion)', () => joseSign({ ...header, alg: 'ES256' } as any, payload, es256)],
    ['HS256 header over an ES256 signature', async () => { const es = parts(await joseSign({ ...header, alg: 'ES256' } as any, payload, es256)); return `${b64url(header)}.${es.p}.${es.s}` }],
    ["another tenant's key claiming this tenant (tid, aud)", () => hmacSign({ ...header, kid: otherKid }, payload, otherSecret)],
    ["another tenant's key under this tenant's kid", () => hmacSign(header, payload, otherSecret)],
    ["this tenant's key claiming another tenant", () => resign({}, { tid: other.id, aud: `heed:${other.id}` })],
    ['another kind (typ changed, correctly signed)', () => resign({ typ: 'heed-confirm+jwt' }, {})],
    ['plain "JWT" typ, correctly signed', () => resign({ typ: 'JWT' }, {})],
    ['no typ header, correctly signed', () => { const { typ: _t, ...rest } = header; return hmacSign(rest, payload, secret) }],
    ['no exp claim, correctly signed', () => { const { exp: _e, ...rest } = payload; return hmacSign(header, rest, secret) }],
    ['no ver claim, correctly signed', () => { const { ver: _v, ...rest } = payload; return hmacSign(header, rest, secret) }],
    ['ver as a string, correctly signed', () => resign({}, { ver: String(payload.ver) }), 'signed'],
    ['a ver ahead of the subscriber, correctly signed', () => resign({}, { ver: (payload.ver as number) + 1 }), 'signed'],
    ['another issuer, correctly signed', () => resign({}, { iss: 'https://evil.example' })],
    ['another audience, correctly signed', () => resign({}, { aud: 'heed:someone-else' })],
    ['a subscriber that does not exist, correctly signed', () => resign({}, { sub: 'nobody' }), 'signed'],
    ['the email as sub, correctly signed', () => resign({}, { sub: 'mia@example.com' }), 'signed'],
    ['an erased subscriber', () => erased, 'signed'],
    ['an unknown kid, signed with the right secret', () => resign({ kid: 'sig_doesnotexist0000' }, {})],
    ['no kid, signed with the right secret', () => { const { kid: _k, ...rest } = header; return hmacSign(rest, payload, secret) }],
    ['a kid that is SQL', () => resign({ kid: "' OR 1=1 --" }, {})],
    ['a 5,000-character kid', () => resign({ kid: 'k'.repeat(5000) }, {})],
    ['garbage', () => 'not-a-token'],
    ['empty payload and signature segments', () => `${parts(good.token).h}..`],
    ['an empty header segment', () => { const { p, s } = parts(good.token); return `.${p}.${s}` }],
    ['two segments', () => { const { h: hd, p } = parts(good.token); return `${hd}.${p}` }],
    ['four segments', () => `${good.token}.${parts(good.token).s}`],
    ['segments that are not base64url JSON', () => 'eyJhbGciOi.!!!.###'],
    ['a 5,000-character string', () => 'a'.repeat(5000)],
    ['a 5,000-character three-part token', () => `${parts(good.token).h}.${'a'.repeat(5000)}.${parts(good.token).s}`],
    ['a JSON array header', () => `${b64url('[]')}.${b64url(payload)}.${parts(good.token).s}`],
    ['the same signature spelled with unused bits set in its last character', () => {
      const { h: hd, p, s } = parts(good.token)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      return `${hd}.${p}.${s.slice(0, -1)}${alphabet[alphabet.indexOf(s.at(-1)!) ^ 1]}`
    }],
    ['the signature with "=" padding', () => `${good.token}=`],
    ['a space inside the signature', () => { const { h: hd, p, s } = parts(good.token); return `${hd}.${p}.${s.slice(0, 10)} ${s.slice(10)}` }],
    ['exp 1e20, correctly signed', () => resign({}, { exp: 1e20 }), 'signed'],
    ['iat a day ahead, correctly signed', () => resign({}, { iat: T0 / 1000 + 86_400 }), 'signed'],
    ['an audience array naming this tenant and another, correctly signed', () => resign({}, { aud: [payload.aud, `heed:${other.id}`] }), 'signed'],
  ]

  for (const [name, make, signed] of attacks) {
    test(`${name}: the same 401 on /v1/me and the same ${signed ? "tenant's dead-end" : 'invalid-link'} page on /p and /u`, async () => {
      const token = await make()
      assert.notEqual(token, good.token)
      const got = await answers(token)
      const ref = signed ? signedReference : reference
      assert.equal(got.me, reference.me, 'GET /v1/me')
      assert.equal(got.p, ref.p, 'GET /p/:token')
      assert.equal(got.u, ref.u, 'GET /u/:token')
    })
  }

  test("the tenant's dead-end page has its brand and the new-link form; the other, neither", () => {
    for (const page of [signedReference.p, signedReference.u]) {
      assert.match(page, /^404 text\/html/)
      assert.match(page, /<span class="brand">Acme<\/span>/)
      assert.match(page, new RegExp(`action="/links/new"[\\s\\S]*name="tenant" value="${h.id}"`))
      assert.doesNotMatch(page, /mia|gone@|<heed-preferences/)
    }
    for (const page of [reference.p, reference.u]) {
      assert.doesNotMatch(page, /Acme|\/links\/new/)
      assert.match(page, /contact the sender/)
    }
  })

  test('an empty token, empty segments and a missing Authorization header get the same 401 as a forged token', async () => {
    for (const auth of ['Bearer ', 'Bearer', '', 'Bearer ..', 'Bearer ...', `Basic ${good.token}`, `Bearer ${good.token} extra`]) {
      const res = await h.raw('GET', '/v1/me', undefined, { auth })
      assert.equal(`${res.status} ${res.headers.get('content-type')} ${res.headers.get('www-authenticate')}\n${res.text}`, reference.me, JSON.stringify(auth))
    }
    const none = await h.raw('GET', '/v1/me')
    assert.equal(`${none.status} ${none.headers.get('content-type')} ${none.headers.get('www-authenticate')}\n${none.text}`, reference.me)
  })

  test('an expired or revoked link gets the same 401 on /v1/me; /p and /u offer only unsubscribing and a new link (links.stale.test.ts)', async () => {
    const expired = resign({}, { iat: T0 / 1000 - 100 * 86_400, exp: T0 / 1000 - 1 })
    for (const [name, token] of [['expired', expired], ['revoked', revoked]] as const) {
      const got = await answers(token)
      assert.equal(got.me, reference.me, `${name}: GET /v1/me`)
      // /p: the tenant's dead-end page, with the one thing an old link may do, unsubscribe.
      assert.match(got.p, /^404 text\/html/, name)
      assert.match(got.p, /<input type="hidden" name="List-Unsubscribe" value="One-Click">/, name)
      assert.match(got.p, /action="\/links\/new"/, name)
      assert.doesNotMatch(got.p, /\/less|\/undo|<heed-preferences|mia@/, name)
      assert.match(got.u, /^200 text\/html/, name)
      assert.match(got.u, /This link is old/, name)
      assert.doesNotMatch(got.u, /\/less|\/undo|\/p\//, name)
    }
  })

  test('the refusal says nothing about why (no "expired", "signature", "revoked", "kid")', async () => {
    const problem = assertProblem(await getMe(h, 'garbage'), 401)
    assert.doesNotMatch(JSON.stringify(problem), /expire|signature|revok|kid|alg|tenant|erase/i)
    assert.doesNotMatch(reference.p, /expire[sd]?\b|signature|revok|erase/i)
  })

  test('no refused token can change anything: POST /u one-click, /u/less, /u/undo, PATCH /v1/me, POST /v1/me/unsubscribe', async () => {
    const before = await snapshot(h, 'mia')
    for (const [name, make, signed] of attacks) {
      const token = await make()
      const path = encodeURIComponent(token)
      const one = await oneClick(h, path)
      const ref = signed ? signedReference : reference
      assert.equal(one.status, 404, `${name}: one-click`)
      assert.equal(withoutNonce(one.text), ref.u.slice(ref.u.indexOf('\n') + 1), `${name}: one-click page`)
      assert.equal((await bare(h, 'POST', `/u/${path}/less`, 'choice=weekly', { 'content-type': 'application/x-www-form-urlencoded' })).status, 404, name)
      assert.equal((await bare(h, 'POST', `/u/${path}/undo`, '', { 'content-type': 'application/x-www-form-urlencoded' })).status, 404, name)
      assertProblem(await asSubscriber(h, 'PATCH', '/v1/me', token, { status: 'unsubscribed' }), 401, `${name}: PATCH`)
      assertProblem(await asSubscriber(h, 'POST', '/v1/me/unsubscribe', token, {}), 401, `${name}: unsubscribe`)
    }
    assert.deepEqual(await snapshot(h, 'mia'), before)
    assert.equal(JSON.parse(before.subscriber).status, 'subscribed')
  })

  test('the genuine link still works after every attack', async () => {
    const res = await getMe(h, good.token)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.id, 'mia')
    assert.equal((await bare(h, 'GET', `/u/${good.token}`)).status, 200)
  })
})

describe('link expiry and revocation', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('a link works until its exp and is refused from exp on, with the same answer as a forged one', async () => {
    const link = await subscriberWithLink(h, 'exp', {})
    const forged = await getMe(h, 'garbage')
    const forgedPage = await bare(h, 'GET', '/p/garbage')
    const exp = Date.parse(link.expiresAt)
    try {
      h.clock.now = exp - 1000
      assert.equal((await getMe(h, link.token)).status, 200)
      assert.equal((await bare(h, 'GET', `/p/${link.token}`)).status, 200)
      h.clock.now = exp
      const me = await getMe(h, link.token)
      assert.equal(me.status, 401)
      assert.equal(me.text, forged.text)
      // The page no longer shows preferences; it wears the brand and offers a new link.
      const p = await bare(h, 'GET', `/p/${link.token}`)
      assert.equal(p.status, 404)
      assert.notEqual(withoutNonce(p.text), withoutNonce(forgedPage.text))
      assert.match(p.text, /action="\/links\/new"/)
      assert.doesNotMatch(p.text, /<heed-preferences/)
      h.clock.now = exp + 365 * 86_400_000
      assert.equal((await getMe(h, link.token)).status, 401)
    } finally {
      h.clock.now = T0
    }
  })

  test('revoke-links refuses every earlier link (but for unsubscribing: links.stale.test.ts) and new links issued afterwards work', async () => {
    await putSubscriber(h, 'rv', {})
    const first = await mintLink(h, 'rv')
    const second = await mintLink(h, 'rv', { ttlSeconds: 3600 })
    const res = await h.req('POST', '/v1/subscribers/rv/revoke-links')
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriberId, 'rv')
    const forged = await getMe(h, 'garbage')
    for (const old of [first, second]) {
      const me = await getMe(h, old.token)
      assert.equal(me.status, 401)
      assert.equal(me.text, forged.text)
      assert.equal((await bare(h, 'GET', `/p/${old.token}`)).status, 404)
      assert.equal((await bare(h, 'POST', `/u/${old.token}/less`, 'choice=weekly', { 'content-type': 'application/x-www-form-urlencoded' })).status, 404)
    }
    assert.equal((await h.req('GET', '/v1/subscribers/rv')).body.status, 'subscribed', 'a revoked link changes nothing but by unsubscribing')
    const fresh = await mintLink(h, 'rv')
    assert.equal((await getMe(h, fresh.token)).status, 200)
    assert.equal((await bare(h, 'GET', `/u/${fresh.token}`)).status, 200)
  })

  test('revoking again refuses the links issued in between', async () => {
    await putSubscriber(h, 'rv2', {})
    await h.req('POST', '/v1/subscribers/rv2/revoke-links')
    const between = await mintLink(h, 'rv2')
    assert.equal((await getMe(h, between.token)).status, 200)
    await h.req('POST', '/v1/subscribers/rv2/revoke-links')
    assert.equal((await getMe(h, between.token)).status, 401)
  })

  test("revoking one subscriber's links leaves everyone else's working", async () => {
    const a = await subscriberWithLink(h, 'keep-a', {})
    await putSubscriber(h, 'kill-b', {})
    await h.req('POST', '/v1/subscribers/kill-b/revoke-links')
    assert.equal((await getMe(h, a.token)).status, 200)
  })

  test('revoke-links of an unknown subscriber is a 404; without a key a 401', async () => {
    assertProblem(await h.req('POST', '/v1/subscribers/nobody/revoke-links'), 404)
    assertProblem(await h.raw('POST', '/v1/subscribers/keep-a/revoke-links'), 401)
  })

  test('revoke-links is not a consent change: it writes no consent event and keeps the state', async () => {
    const link = await subscriberWithLink(h, 'rv3', { topics: { news: { subscribed: true } } })
    const before = await snapshot(h, 'rv3')
    await h.req('POST', '/v1/subscribers/rv3/revoke-links')
    const afterSnap = await snapshot(h, 'rv3')
    assert.equal(afterSnap.events, before.events)
    const { updatedAt: _a, ...was } = JSON.parse(before.subscriber)
    const { updatedAt: _b, ...now } = JSON.parse(afterSnap.subscriber)
    assert.deepEqual(now, was)
    assert.equal((await getMe(h, link.token)).status, 401)
  })
})
