import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { assertFieldError, assertInstant, assertProblem, DAY, putSubscriber, setup, T0, type Harness } from './harness.ts'
import { bare, getMe, mintLink, parts } from './links-helpers.ts'

const kidOf = (token: string) => parts(token).header.kid as string

describe('POST /v1/signing-keys/rotate', () => {
  let h: Harness
  beforeEach(async () => {
    h = await setup()
    await putSubscriber(h, 'mia', { email: 'mia@example.com' })
  })
  afterEach(() => h.close())

  const rotate = async (body?: unknown) => {
    const res = await h.req('POST', '/v1/signing-keys/rotate', body)
    assert.equal(res.status, 201, res.text)
    return res.body as { kid: string; createdAt: string; previousKeysRetireAt: string }
  }

  test('new links carry the new kid and old links keep working', async () => {
    const old = await mintLink(h, 'mia')
    h.clock.now = T0 + 1000
    const rotated = await rotate()
    assert.equal(typeof rotated.kid, 'string')
    assert.notEqual(rotated.kid, kidOf(old.token))
    const fresh = await mintLink(h, 'mia')
    assert.equal(kidOf(fresh.token), rotated.kid)
    assert.equal((await getMe(h, old.token)).status, 200, 'old link via /v1/me')
    assert.equal((await bare(h, 'GET', `/u/${old.token}`)).status, 200, 'old link via /u')
    assert.equal((await getMe(h, fresh.token)).status, 200, 'new link')
  })

  test('by default earlier keys retire after the tenant linkTtlSeconds', async () => {
    h.clock.now = T0 + 1000
    const rotated = await rotate()
    assertInstant(rotated.createdAt, T0 + 1000)
    assertInstant(rotated.previousKeysRetireAt, T0 + 1000 + 90 * DAY)
  })

  test('with the default, old links stop working once linkTtlSeconds have passed since the rotation', async () => {
    // Links are minted under a 90-day lifetime; the tenant then shortens it to 60 days and
    // rotates, so the old key retires (rotation + 60 d) before the old links expire (90 d).
    const old = await mintLink(h, 'mia')
    const patched = await h.req('PATCH', '/v1/tenant', { linkTtlSeconds: 60 * 86_400 })
    assert.equal(patched.status, 200, patched.text)
    h.clock.now = T0 + 1000
    const rotated = await rotate()
    assertInstant(rotated.previousKeysRetireAt, T0 + 1000 + 60 * DAY)
    h.clock.now = T0 + 1000 + 60 * DAY - 1000
    assert.equal((await getMe(h, old.token)).status, 200, 'just before retirement')
    const fresh = await mintLink(h, 'mia')
    h.clock.now = T0 + 1000 + 60 * DAY
    assert.equal((await getMe(h, old.token)).status, 401, 'at retirement')
    assert.equal((await bare(h, 'GET', `/p/${old.token}`)).status, 404)
    assert.equal((await getMe(h, fresh.token)).status, 200, 'links of the new key still work')
  })

  test('{retireAfterSeconds: 0} stops old links at once with the usual refusal; new links work', async () => {
    const old = await mintLink(h, 'mia')
    const forged = await getMe(h, 'garbage')
    h.clock.now = T0 + 1000
    const rotated = await rotate({ retireAfterSeconds: 0 })
    assertInstant(rotated.previousKeysRetireAt, T0 + 1000)
    const me = await getMe(h, old.token)
    assert.equal(me.status, 401)
    assert.equal(me.text, forged.text)
    assert.equal((await bare(h, 'GET', `/u/${old.token}`)).status, 404)
    const fresh = await mintLink(h, 'mia')
    assert.equal(kidOf(fresh.token), rotated.kid)
    assert.equal((await getMe(h, fresh.token)).status, 200)
  })

  test('{retireAfterSeconds: 3600} keeps old links for exactly an hour', async () => {
    const old = await mintLink(h, 'mia')
    h.clock.now = T0 + 1000
    await rotate({ retireAfterSeconds: 3600 })
    h.clock.now = T0 + 1000 + 3_599_000
    assert.equal((await getMe(h, old.token)).status, 200)
    h.clock.now = T0 + 1000 + 3_600_000
    assert.equal((await getMe(h, old.token)).status, 401)
  })

  test('a later rotation with 0 also retires keys an earlier rotation left running', async () => {
    const first = await mintLink(h, 'mia')
    h.clock.now = T0 + 1000
    await rotate()
    const second = await mintLink(h, 'mia')
    h.clock.now = T0 + 2000
    await rotate({ retireAfterSeconds: 0 })
    assert.equal((await getMe(h, first.token)).status, 401)
    assert.equal((await getMe(h, second.token)).status, 401)
    assert.equal((await getMe(h, (await mintLink(h, 'mia')).token)).status, 200)
  })

  test('a later rotation with a longer delay does not bring a retired key back', async () => {
    const first = await mintLink(h, 'mia')
    h.clock.now = T0 + 1000
    await rotate({ retireAfterSeconds: 60 })
    h.clock.now = T0 + 2000
    await rotate({ retireAfterSeconds: 86_400 })
    h.clock.now = T0 + 1000 + 60_000
    assert.equal((await getMe(h, first.token)).status, 401)
  })

  test("rotating one tenant's key leaves another tenant's links working", async () => {
    const other = await h.createTenant()
    await putSubscriber(other, 'ola', {})
    const theirs = await mintLink(other, 'ola')
    h.clock.now = T0 + 1000
    await rotate({ retireAfterSeconds: 0 })
    assert.equal((await getMe(h, theirs.token)).status, 200)
    assert.equal(kidOf((await mintLink(other, 'ola')).token), kidOf(theirs.token))
  })

  test('rotating before any link was issued works and later links use the new key', async () => {
    const rotated = await rotate()
    const link = await mintLink(h, 'mia')
    assert.equal(kidOf(link.token), rotated.kid)
  })

  test('rotating at the same instant the previous key was made still signs new links with the new key', async () => {
    // The harness clock stands still, as two rotations within one millisecond (or a
    // process whose clock is behind another's) would: "current key" must not depend on
    // which random kid sorts last.
    await mintLink(h, 'mia')
    for (let i = 0; i < 8; i++) {
      const rotated = await rotate()
      const link = await mintLink(h, 'mia')
      assert.equal(kidOf(link.token), rotated.kid, `rotation ${i + 1}: new links must use the key just made`)
    }
  })

  test('a sender key gets 403; no key 401', async () => {
    const sender = await h.mintKey('sender')
    assertProblem(await h.req('POST', '/v1/signing-keys/rotate', {}, { key: sender.secret }), 403)
    assertProblem(await h.raw('POST', '/v1/signing-keys/rotate', {}), 401)
  })

  for (const retireAfterSeconds of [-1, 1.5, '0', 401 * 86_400]) {
    test(`retireAfterSeconds ${JSON.stringify(retireAfterSeconds)} is a 400 naming /retireAfterSeconds`, async () => {
      assertFieldError(await h.req('POST', '/v1/signing-keys/rotate', { retireAfterSeconds }), '/retireAfterSeconds')
    })
  }

  test('an unknown field is a 400 and rotates nothing', async () => {
    const before = await mintLink(h, 'mia')
    assertProblem(await h.req('POST', '/v1/signing-keys/rotate', { retireAfter: 0 }), 400)
    assert.equal(kidOf((await mintLink(h, 'mia')).token), kidOf(before.token))
  })
})
