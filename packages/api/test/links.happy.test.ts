import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, DAY, putStandardTopics, putSubscriber, setup, T0, uid, type Harness } from './harness.ts'
import { getMe, mintLink, parts } from './links-helpers.ts'

const PUBLIC_URL = 'https://prefs.acme.example'
const NINETY_DAYS = 90 * 86_400

describe('POST /v1/links', () => {
  let h: Harness
  before(async () => {
    h = await setup({ env: { HEED_PUBLIC_URL: `${PUBLIC_URL}/` } })
    await putStandardTopics(h)
    await putSubscriber(h, 'mia', { email: 'Mia@Example.com' })
  })
  after(() => h.close())

  test('answers 201 with a token, /p and /u URLs under HEED_PUBLIC_URL and the one-click headers', async () => {
    const res = await h.req('POST', '/v1/links', { subscriberId: 'mia' })
    assert.equal(res.status, 201, res.text)
    const link = res.body
    assert.deepEqual(Object.keys(link).sort(), ['expiresAt', 'headers', 'preferencesUrl', 'token', 'unsubscribeUrl'])
    assert.match(link.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWS')
    // The trailing slash of HEED_PUBLIC_URL does not double up.
    assert.equal(link.preferencesUrl, `${PUBLIC_URL}/p/${link.token}`)
    assert.equal(link.unsubscribeUrl, `${PUBLIC_URL}/u/${link.token}`)
    assert.deepEqual(link.headers, {
      'List-Unsubscribe': `<${PUBLIC_URL}/u/${link.token}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    })
  })

  test('expiresAt is now + the tenant linkTtlSeconds, 90 days by default', async () => {
    const link = await mintLink(h, 'mia')
    assertInstant(link.expiresAt, T0 + 90 * DAY)
    assert.equal(parts(link.token).payload.exp, T0 / 1000 + NINETY_DAYS)
  })

  test("a tenant's own linkTtlSeconds sets the default lifetime", async () => {
    const other = await h.createTenant({ linkTtlSeconds: 120 * 86_400 })
    await putSubscriber(other, 'ola', {})
    const link = await mintLink(other, 'ola')
    assertInstant(link.expiresAt, T0 + 120 * DAY)
  })

  test('a shorter ttlSeconds gives a shorter link that works until then and not after', async () => {
    const link = await mintLink(h, 'mia', { ttlSeconds: 3600 })
    assertInstant(link.expiresAt, T0 + 3_600_000)
    try {
      h.clock.now = T0 + 3_599_000
      assert.equal((await getMe(h, link.token)).status, 200)
      h.clock.now = T0 + 3_600_000
      assert.equal((await getMe(h, link.token)).status, 401)
    } finally {
      h.clock.now = T0
    }
  })

  test('ttlSeconds equal to the tenant linkTtlSeconds is accepted', async () => {
    const link = await mintLink(h, 'mia', { ttlSeconds: NINETY_DAYS })
    assertInstant(link.expiresAt, T0 + 90 * DAY)
  })

  test('the JWT header names the key (kid) and HS256, with the link typ', async () => {
    const { header } = parts((await mintLink(h, 'mia')).token)
    assert.equal(header.alg, 'HS256')
    assert.equal(typeof header.kid, 'string')
    assert.ok((header.kid as string).length > 0)
    assert.equal(typeof header.typ, 'string')
  })

  test('the JWT carries sub = subscriber id, tid, ver, iss, aud, iat, exp, jti and never the email', async () => {
    const link = await mintLink(h, 'mia')
    const { payload } = parts(link.token)
    assert.equal(payload.sub, 'mia')
    assert.equal(payload.tid, h.id)
    assert.equal(typeof payload.ver, 'number')
    assert.equal(payload.iss, PUBLIC_URL)
    assert.ok(payload.aud, 'aud is set')
    assert.equal(payload.iat, T0 / 1000)
    assert.equal(typeof payload.jti, 'string')
    const decoded = Buffer.from(link.token.split('.')[0]!, 'base64url').toString() + Buffer.from(link.token.split('.')[1]!, 'base64url').toString()
    assert.doesNotMatch(decoded, /example\.com/i, 'no email in the token')
    assert.doesNotMatch(link.preferencesUrl, /example\.com|mia@/i, 'no email in the URL')
  })

  test('every link gets its own token id (jti)', async () => {
    const a = parts((await mintLink(h, 'mia')).token).payload.jti
    const b = parts((await mintLink(h, 'mia')).token).payload.jti
    assert.notEqual(a, b)
  })

  test('URLs stay under 2,000 characters with a 128-character subscriber id and a 64-character tenant id', async () => {
    const t = await h.createTenant({ id: `t${'x'.repeat(55)}${uid()}`.slice(0, 64) })
    assert.equal(t.id.length, 64)
    for (const id of ['a'.repeat(128), '字'.repeat(128), '"'.repeat(128)]) {
      assert.equal(id.length, 128)
      await putSubscriber(t, id, { email: `${'m'.repeat(60)}@example.com` })
      const link = await mintLink(t, id)
      assert.ok(link.preferencesUrl.length < 2000, `preferencesUrl is ${link.preferencesUrl.length} chars`)
      assert.ok(link.unsubscribeUrl.length < 2000, `unsubscribeUrl is ${link.unsubscribeUrl.length} chars`)
      assert.ok(link.headers['List-Unsubscribe']!.length < 2000)
      assert.equal(parts(link.token).payload.sub, id)
    }
  })

  test('a sender key may mint links', async () => {
    const sender = await h.mintKey('sender')
    const res = await h.req('POST', '/v1/links', { subscriberId: 'mia' }, { key: sender.secret })
    assert.equal(res.status, 201, res.text)
  })

  test('a freshly minted link opens /v1/me for that subscriber', async () => {
    const res = await getMe(h, (await mintLink(h, 'mia')).token)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.subscriber.id, 'mia')
  })
})

describe('POST /v1/links without HEED_PUBLIC_URL', () => {
  test('builds URLs on the server default public URL', async () => {
    const h = await setup({ env: { HEED_PUBLIC_URL: undefined, PORT: '8787' } })
    try {
      await putSubscriber(h, 's1', {})
      const link = await mintLink(h, 's1')
      assert.equal(link.unsubscribeUrl, `http://localhost:8787/u/${link.token}`)
      assert.equal(parts(link.token).payload.iss, 'http://localhost:8787')
    } finally {
      await h.close()
    }
  })
})
