import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { SIGN_IN_PER_ADDRESS } from '../src/console/session.routes.ts'
import { SESSION_IDLE_MS, SESSION_MAX_MS } from '../src/http/session.ts'
import { assertProblem, HOUR, MINUTE, setup, type Harness } from './harness.ts'
import { email, PASSWORD, sessionToken, signIn, signInRequest, userWithRole, SLOW_HASHES, withCookie } from './console-helpers.ts'

describe('console sign-in', () => {
  let h: Harness
  before(async () => {
    h = await setup({ env: SLOW_HASHES })
  })
  after(() => h.close())

  test('signing in answers the user and tenant and sets the session cookie; GET /v1/session answers the same', async () => {
    const owner = await userWithRole(h, h, 'owner')
    const me = await owner.req('GET', '/v1/session')
    assert.equal(me.status, 200, me.text)
    assert.deepEqual(me.body, { user: { id: owner.user.id, email: owner.user.email, name: null, role: 'owner' }, tenant: { id: h.id, name: 'Acme' } })
  })

  test('the address is matched in any case of letters and surrounding spaces', async () => {
    const address = email('casey')
    await userWithRole(h, h, 'viewer', address)
    const res = await signInRequest(h, `  ${address.toUpperCase()} `, PASSWORD)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.user.email, address)
  })

  test('the cookie is HttpOnly, SameSite=Strict, Path=/, lives 7 days and is not Secure on http', async () => {
    const address = email()
    await userWithRole(h, h, 'editor', address)
    const res = await signInRequest(h, address, PASSWORD)
    const cookie = res.headers.get('set-cookie') ?? ''
    assert.match(cookie, /^heed_session=[A-Za-z0-9_-]{43};/)
    assert.match(cookie, /; HttpOnly/)
    assert.match(cookie, /; SameSite=Strict/)
    assert.match(cookie, /; Path=\//)
    assert.match(cookie, new RegExp(`; Max-Age=${SESSION_MAX_MS / 1000}`))
    assert.doesNotMatch(cookie, /Secure/)
  })

  test('a wrong password and an unknown address get the same 401', async () => {
    const address = email()
    await userWithRole(h, h, 'viewer', address)
    const wrong = await signInRequest(h, address, 'not the password at all')
    const unknown = await signInRequest(h, email('nobody'), 'not the password at all')
    assertProblem(wrong, 401)
    assertProblem(unknown, 401)
    assert.equal(wrong.text, unknown.text)
    assert.equal(sessionToken(wrong), null)
    assert.equal(sessionToken(unknown), null)
  })

  test('a sign-in naming another site in Origin is refused', async () => {
    const address = email()
    await userWithRole(h, h, 'viewer', address)
    assertProblem(await signInRequest(h, address, PASSWORD, { origin: 'https://evil.example' }), 403)
  })

  test('sign-out ends the session and clears the cookie; the old cookie then gets 401', async () => {
    const user = await userWithRole(h, h, 'viewer')
    const out = await user.req('DELETE', '/v1/session')
    assert.equal(out.status, 204, out.text)
    assert.match(out.headers.get('set-cookie') ?? '', /^heed_session=;.*Max-Age=0/)
    assertProblem(await user.req('GET', '/v1/session'), 401)
    assertProblem(await user.req('GET', '/v1/topics'), 401)
    // Signing out again is harmless.
    assert.equal((await user.req('DELETE', '/v1/session')).status, 204)
  })

  test('no cookie, or a cookie nobody was given, gets 401', async () => {
    assertProblem(await h.raw('GET', '/v1/session'), 401)
    assertProblem(await withCookie(h, 'A'.repeat(43))('GET', '/v1/session'), 401)
    assertProblem(await withCookie(h, 'A'.repeat(43))('GET', '/v1/topics'), 401)
  })

  test('a session idle for 8 hours ends; used within, it lives on', async () => {
    const start = h.clock.now
    try {
      const user = await userWithRole(h, h, 'viewer')
      h.clock.now += SESSION_IDLE_MS - MINUTE
      assert.equal((await user.req('GET', '/v1/session')).status, 200, 'used just before the idle limit')
      h.clock.now += SESSION_IDLE_MS - MINUTE
      assert.equal((await user.req('GET', '/v1/topics')).status, 200, 'the use refreshed it')
      h.clock.now += SESSION_IDLE_MS
      assertProblem(await user.req('GET', '/v1/session'), 401)
      h.clock.now = start + 2 * HOUR
      assertProblem(await user.req('GET', '/v1/session'), 401, 'an ended session was deleted, not only refused')
    } finally {
      h.clock.now = start
    }
  })

  test('a session ends 7 days after sign-in however much it is used', async () => {
    const start = h.clock.now
    try {
      const user = await userWithRole(h, h, 'viewer')
      // Used every 6 hours: never idle for long.
      for (let at = start + 6 * HOUR; at < start + SESSION_MAX_MS; at += 6 * HOUR) {
        h.clock.now = at
        assert.equal((await user.req('GET', '/v1/session')).status, 200, `${(at - start) / HOUR} h after sign-in`)
      }
      h.clock.now = start + SESSION_MAX_MS - MINUTE
      assert.equal((await user.req('GET', '/v1/session')).status, 200)
      h.clock.now = start + SESSION_MAX_MS
      assertProblem(await user.req('GET', '/v1/session'), 401)
    } finally {
      h.clock.now = start
    }
  })

  test('too many sign-in attempts for one address get 429 with Retry-After, even with the right password', async () => {
    const address = email()
    await userWithRole(h, h, 'viewer', address)
    // userWithRole signed in once already.
    for (let i = 1; i < SIGN_IN_PER_ADDRESS; i++) assertProblem(await signInRequest(h, address, 'wrong password!'), 401, `attempt ${i + 1}`)
    const limited = await signInRequest(h, address, PASSWORD)
    assertProblem(limited, 429)
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/)
    // Another address is not held back.
    await userWithRole(h, h, 'viewer')
    const start = h.clock.now
    try {
      h.clock.now += MINUTE
      assert.equal((await signInRequest(h, address, PASSWORD)).status, 200, 'a minute later it works again')
    } finally {
      h.clock.now = start
    }
  })

  test('changing one’s password ends the other sessions, keeps this one, and the new password works', async () => {
    const address = email()
    const first = await userWithRole(h, h, 'editor', address)
    const second = await signIn(h, address)
    const wrong = await first.req('PUT', '/v1/session/password', { current: 'not my password', new: 'a brand new password' })
    assertProblem(wrong, 400)
    assertProblem(await first.req('PUT', '/v1/session/password', { current: PASSWORD, new: 'short' }), 400)
    assert.equal((await first.req('PUT', '/v1/session/password', { current: PASSWORD, new: 'a brand new password' })).status, 204)
    assert.equal((await first.req('GET', '/v1/session')).status, 200, 'this session stays')
    assertProblem(await second.req('GET', '/v1/session'), 401, 'the other one ended')
    assertProblem(await signInRequest(h, address, PASSWORD), 401)
    assert.equal((await signInRequest(h, address, 'a brand new password')).status, 200)
  })

  test('sign-in validates its body', async () => {
    assertProblem(await h.raw('POST', '/v1/session', { email: 'x@example.com' }), 400)
    assertProblem(await h.raw('POST', '/v1/session', { email: 'x@example.com', password: 'p', extra: 1 }), 400)
  })
})

describe('console sign-in over https', () => {
  let h: Harness
  before(async () => {
    h = await setup({ env: { ...SLOW_HASHES, HEED_PUBLIC_URL: 'https://heed.example' } })
  })
  after(() => h.close())

  test('the cookie is Secure when the public URL is https', async () => {
    const address = email()
    await userWithRole(h, h, 'viewer', address)
    const res = await signInRequest(h, address, PASSWORD)
    assert.equal(res.status, 200, res.text)
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/)
  })
})
