import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertProblem, putStandardTopics, putSubscriber, request, setup, uid, type Harness } from './harness.ts'
import { email, userWithRole, withCookie, SLOW_HASHES, type SignedIn } from './console-helpers.ts'

/** Every change a viewer might try, with a body that would pass validation. */
const CHANGES: [string, string, unknown?][] = [
  ['PATCH', '/v1/tenant', { name: 'Taken over' }],
  ['PUT', '/v1/topics/viewer-topic', { name: 'Viewer' }],
  ['DELETE', '/v1/topics/news'],
  ['POST', '/v1/topics/news/restore'],
  ['PUT', '/v1/subscribers/s1', { email: 'changed@example.com' }],
  ['DELETE', '/v1/subscribers/s1'],
  ['POST', '/v1/subscribers/s1/revoke-links'],
  ['POST', '/v1/links', { subscriberId: 's1' }],
  ['POST', '/v1/check', { subscriberId: 's1', topic: 'news' }],
  ['POST', '/v1/dispatches', { subscriberId: 's1', topic: 'news', messageId: 'm-viewer' }],
  ['POST', '/v1/api-keys', { role: 'admin' }],
  ['POST', '/v1/signing-keys/rotate', {}],
  ['POST', '/v1/users/invitations', { email: 'someone@example.com', role: 'owner' }],
]
const READS = ['/v1/tenant', '/v1/topics', '/v1/topics/news', '/v1/subscribers/s1', '/v1/subscribers/s1/export', '/v1/events', '/v1/events/verify', '/v1/api-keys', '/v1/users']

describe('one authorization rule for keys and console users', () => {
  let h: Harness
  let owner: SignedIn
  let editor: SignedIn
  let viewer: SignedIn
  before(async () => {
    h = await setup({ env: SLOW_HASHES })
    await putStandardTopics(h)
    await putSubscriber(h, 's1', { email: 's1@example.com', topics: { news: { subscribed: true } } })
    owner = await userWithRole(h, h, 'owner')
    editor = await userWithRole(h, h, 'editor')
    viewer = await userWithRole(h, h, 'viewer')
  })
  after(() => h.close())

  for (const path of READS) {
    test(`every console role reads GET ${path}`, async () => {
      for (const user of [owner, editor, viewer]) {
        const res = await user.req('GET', path)
        assert.equal(res.status, 200, `${user.user.role}: ${res.text}`)
      }
    })
  }

  for (const [method, path, body] of CHANGES) {
    test(`a viewer gets 403 from the API on ${method} ${path}`, async () => {
      const problem = assertProblem(await viewer.req(method, path, body), 403)
      assert.match(problem.detail, /yours is "viewer"/)
    })
  }

  test('a viewer’s refused changes changed nothing', async () => {
    for (const [method, path, body] of CHANGES) await viewer.req(method, path, body)
    assert.equal((await h.req('GET', '/v1/tenant')).body.name, 'Acme')
    assert.equal((await h.req('GET', '/v1/topics/news')).status, 200)
    assert.equal((await h.req('GET', '/v1/topics/viewer-topic')).status, 404)
    assert.equal((await h.req('GET', '/v1/subscribers/s1')).body.email, 's1@example.com')
    assert.equal((await h.req('GET', '/v1/users')).body.invitations.length, 0)
  })

  test('an editor changes settings, topics, subscribers and links, and is recorded as the actor', async () => {
    assert.equal((await editor.req('PATCH', '/v1/tenant', { branding: { accentColor: '#0f766e' } })).status, 200)
    assert.equal((await editor.req('PUT', '/v1/topics/editor-topic', { name: 'Editor' })).status, 201)
    const id = uid('s-')
    assert.equal((await editor.req('PUT', `/v1/subscribers/${id}`, { email: `${id}@example.com` })).status, 201)
    assert.equal((await editor.req('POST', '/v1/links', { subscriberId: id })).status, 201)
    const events = await h.req('GET', `/v1/events?subscriberId=${id}`)
    assert.equal(events.body.data[0].actor, editor.user.id)
  })

  test('an editor cannot create or revoke API keys, rotate signing keys, send, or manage people', async () => {
    const refused: [string, string, unknown?][] = [
      ['POST', '/v1/api-keys', { role: 'sender' }],
      ['DELETE', `/v1/api-keys/${h.adminKeyId}`],
      ['POST', '/v1/signing-keys/rotate', {}],
      ['POST', '/v1/check', { subscriberId: 's1', topic: 'news' }],
      ['POST', '/v1/users/invitations', { email: email('invitee'), role: 'viewer' }],
      ['PATCH', `/v1/users/${viewer.user.id}`, { role: 'owner' }],
      ['DELETE', `/v1/users/${viewer.user.id}`],
    ]
    for (const [method, path, body] of refused) {
      const problem = assertProblem(await editor.req(method, path, body), 403, `${method} ${path}`)
      assert.match(problem.detail, /"owner"/, `${method} ${path} names the role it needs`)
    }
  })

  test('an owner may do everything an admin key may', async () => {
    const key = await owner.req('POST', '/v1/api-keys', { role: 'sender', name: 'made by an owner' })
    assert.equal(key.status, 201, key.text)
    assert.equal((await owner.req('POST', '/v1/signing-keys/rotate', { retireAfterSeconds: 86_400 })).status, 201)
    assert.equal((await owner.req('POST', '/v1/check', { subscriberId: 's1', topic: 'news' })).status, 200)
    assert.equal((await owner.req('DELETE', `/v1/api-keys/${key.body.id}`)).status, 200)
  })

  test('a sender key still cannot read what it could not before, nor see people', async () => {
    const sender = await h.mintKey('sender')
    for (const path of ['/v1/tenant', '/v1/topics', '/v1/events', '/v1/api-keys', '/v1/users']) {
      const problem = assertProblem(await h.req('GET', path, undefined, { key: sender.secret }), 403, path)
      assert.match(problem.detail, /admin/)
    }
    assert.equal((await h.req('GET', '/v1/subscribers/s1', undefined, { key: sender.secret })).status, 200)
  })

  test('an admin key reads and manages people', async () => {
    assert.equal((await h.req('GET', '/v1/users')).status, 200)
  })

  test('a role change applies to the very next request', async () => {
    const user = await userWithRole(h, h, 'editor')
    assert.equal((await user.req('PATCH', '/v1/tenant', { name: 'Acme' })).status, 200)
    assert.equal((await owner.req('PATCH', `/v1/users/${user.user.id}`, { role: 'viewer' })).status, 200)
    assertProblem(await user.req('PATCH', '/v1/tenant', { name: 'Acme' }), 403)
  })

  test('a console user acts on their own tenant only', async () => {
    const other = await h.createTenant({ name: 'Other' })
    const theirs = await userWithRole(h, other, 'owner')
    const res = await theirs.req('GET', '/v1/tenant')
    assert.equal(res.body.id, other.id)
    assert.equal((await theirs.req('GET', '/v1/subscribers/s1')).status, 404)
    assertProblem(await theirs.req('PATCH', `/v1/users/${viewer.user.id}`, { role: 'owner' }), 404)
  })

  test('an Authorization header is used alone: a bad key with a good cookie is a 401', async () => {
    const res = await request(h.app, null, 'GET', '/v1/topics', undefined, { auth: 'Bearer heed_ak_forged', headers: { cookie: `heed_session=${owner.token}` } })
    assertProblem(res, 401)
  })
})

describe('CSRF: signed-in changes come from the console’s origin', () => {
  let h: Harness
  let editor: SignedIn
  before(async () => {
    h = await setup({ env: SLOW_HASHES })
    editor = await userWithRole(h, h, 'editor')
  })
  after(() => h.close())

  const change = (n: number) => ['PUT', `/v1/topics/csrf-${n}`, { name: `CSRF ${n}` }] as const

  test('a cookie POST/PUT without Origin (and no Sec-Fetch-Site) gets 403 and changes nothing', async () => {
    const [method, path, body] = change(1)
    const problem = assertProblem(await editor.req(method, path, body, { origin: undefined }), 403)
    assert.match(problem.detail, /origin/i)
    assert.equal((await h.req('GET', path)).status, 404)
  })

  test('a cookie request from a foreign Origin gets 403, whatever the method', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:9999', 'null']) {
      const [method, path, body] = change(2)
      assertProblem(await editor.req(method, path, body, { origin }), 403, origin)
      assertProblem(await editor.req('PATCH', '/v1/tenant', { name: 'Evil' }, { origin }), 403, origin)
      assertProblem(await editor.req('DELETE', '/v1/session', undefined, { origin }), 403, origin)
    }
    assert.equal((await h.req('GET', '/v1/tenant')).body.name, 'Acme')
    assert.equal((await editor.req('GET', '/v1/session')).status, 200, 'still signed in')
  })

  test('Sec-Fetch-Site: cross-site without Origin gets 403; same-origin passes', async () => {
    const [method, path, body] = change(3)
    assertProblem(await editor.req(method, path, body, { origin: undefined, 'sec-fetch-site': 'cross-site' }), 403)
    assert.equal((await editor.req(method, path, body, { origin: undefined, 'sec-fetch-site': 'same-origin' })).status, 201)
  })

  test('the console’s own origin passes', async () => {
    const [method, path, body] = change(4)
    assert.equal((await editor.req(method, path, body)).status, 201)
  })

  test('a cookie GET needs no Origin', async () => {
    assert.equal((await editor.req('GET', '/v1/topics', undefined, { origin: undefined })).status, 200)
    assert.equal((await editor.req('GET', '/v1/topics', undefined, { origin: 'https://evil.example' })).status, 200)
  })

  test('API-key requests are unaffected: no Origin, or any Origin, passes', async () => {
    const [method, path, body] = change(5)
    assert.equal((await h.req(method, path, body)).status, 201)
    assert.equal((await h.req('PATCH', '/v1/tenant', { name: 'Acme' }, { headers: { origin: 'https://evil.example' } })).status, 200)
  })

  test('a cross-site form post to a console route is refused', async () => {
    const res = await withCookie(h, editor.token)('POST', '/v1/users/invitations', 'email=x%40example.com&role=owner', {
      origin: 'https://evil.example',
      'content-type': 'application/x-www-form-urlencoded',
    })
    assert.ok(res.status === 403 || res.status === 415, `${res.status} ${res.text}`)
  })
})
