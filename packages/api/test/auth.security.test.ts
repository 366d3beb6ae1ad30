import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { assertProblem, putStandardTopics, putSubscriber, ROOT_TOKEN, setup, uid, type Harness } from './harness.ts'

/** Every tenant-key route, with a body that would pass validation. */
const ADMIN_ROUTES: [string, string, unknown?][] = [
  ['GET', '/v1/tenant'],
  ['PATCH', '/v1/tenant', { name: 'Taken over' }],
  ['POST', '/v1/api-keys', { role: 'admin' }],
  ['GET', '/v1/api-keys'],
  ['PUT', '/v1/topics/hijack', { name: 'Hijack' }],
  ['GET', '/v1/topics'],
  ['DELETE', '/v1/topics/news'],
]
const SENDER_ROUTES: [string, string, unknown?][] = [
  ['PUT', '/v1/subscribers/s1', { email: 'a@example.com' }],
  ['GET', '/v1/subscribers/s1'],
  ['POST', '/v1/check', { subscriberId: 's1', topic: 'news' }],
  ['POST', '/v1/check/batch', { checks: [{ subscriberId: 's1', topic: 'news' }] }],
  ['POST', '/v1/dispatches', { subscriberId: 's1', topic: 'news', messageId: 'm-auth' }],
]

describe('API key authentication', () => {
  let h: Harness
  let revoked: string
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
    const k = await h.mintKey('sender')
    const del = await h.req('DELETE', `/v1/api-keys/${k.id}`)
    assert.equal(del.status, 200, del.text)
    revoked = k.secret
  })
  after(() => h.close())

  test('a missing key, a malformed header, a forged key and a revoked key get the same 401 problem', async () => {
    const forged = `heed_ak_${'A'.repeat(32)}`
    const variants: [string, { key?: string | null; auth?: string }][] = [
      ['missing', { key: null }],
      ['not Bearer', { auth: `Basic ${Buffer.from('a:b').toString('base64')}` }],
      ['Bearer without a key', { auth: 'Bearer ' }],
      ['two words', { auth: `Bearer ${h.adminKey} extra` }],
      ['forged', { key: forged }],
      ['admin secret with one character changed', { key: h.adminKey.slice(0, -1) + (h.adminKey.endsWith('A') ? 'B' : 'A') }],
      ['revoked', { key: revoked }],
      ['root token used as an API key', { key: ROOT_TOKEN }],
    ]
    const bodies = new Set<string>()
    for (const [name, opts] of variants) {
      for (const [method, path, body] of [...ADMIN_ROUTES, ...SENDER_ROUTES]) {
        const res = await h.raw(method, path, body, opts)
        assertProblem(res, 401, `${name} on ${method} ${path}:`)
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/i, `${name}: WWW-Authenticate`)
        bodies.add(res.text)
      }
    }
    assert.equal(bodies.size, 1, `every 401 body is identical, got ${[...bodies].join('\n')}`)
  })

  test('a 401 on a write changes nothing', async () => {
    await h.raw('PATCH', '/v1/tenant', { name: 'Taken over' }, { key: revoked })
    await h.raw('PUT', '/v1/subscribers/intruder', { email: 'x@example.com' }, { key: null })
    assert.equal((await h.req('GET', '/v1/tenant')).body.name, 'Acme')
    assert.equal((await h.req('GET', '/v1/subscribers/intruder')).status, 404)
  })

  test('the scheme name is case-insensitive ("bearer")', async () => {
    const res = await h.raw('GET', '/v1/tenant', undefined, { auth: `bearer ${h.adminKey}` })
    assert.equal(res.status, 200, res.text)
  })

  for (const [method, path, body] of ADMIN_ROUTES) {
    test(`a sender key gets 403 on ${method} ${path}`, async () => {
      const sender = await h.mintKey('sender')
      const res = await h.req(method, path, body, { key: sender.secret })
      const problem = assertProblem(res, 403)
      assert.match(problem.detail, /admin/)
    })
  }

  test('a sender key gets 403 on DELETE /v1/api-keys/:id and the key stays active', async () => {
    const sender = await h.mintKey('sender')
    const other = await h.mintKey('sender')
    assertProblem(await h.req('DELETE', `/v1/api-keys/${other.id}`, undefined, { key: sender.secret }), 403)
    const check = await h.req('POST', '/v1/check', { subscriberId: 'x', topic: 'news' }, { key: other.secret })
    assert.equal(check.status, 200, 'the other key still works')
  })

  test('a sender key on POST /v1/admin/tenants gets 401: that route takes only the root token', async () => {
    const sender = await h.mintKey('sender')
    assertProblem(await h.raw('POST', '/v1/admin/tenants', { name: 'X' }, { key: sender.secret }), 401)
  })

  test('a 403 on a write changes nothing', async () => {
    const sender = await h.mintKey('sender')
    await h.req('PATCH', '/v1/tenant', { name: 'Sender was here' }, { key: sender.secret })
    await h.req('PUT', '/v1/topics/sender-topic', { name: 'S' }, { key: sender.secret })
    assert.equal((await h.req('GET', '/v1/tenant')).body.name, 'Acme')
    assert.equal((await h.req('GET', '/v1/topics/sender-topic')).status, 404)
  })

  for (const [method, path, body] of SENDER_ROUTES) {
    test(`a sender key may use ${method} ${path}`, async () => {
      const sender = await h.mintKey('sender')
      await putSubscriber(h, 's1', { topics: { news: { subscribed: true } } })
      const res = await h.req(method, path, body, { key: sender.secret })
      assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`)
    })
  }
})

describe('root token (POST /v1/admin/tenants)', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('a wrong root token gets 401 and creates nothing', async () => {
    const id = uid('t-')
    for (const auth of [`Bearer ${ROOT_TOKEN}x`, `Bearer ${ROOT_TOKEN.slice(0, -1)}`, 'Bearer nope', '', ROOT_TOKEN]) {
      const res = await h.raw('POST', '/v1/admin/tenants', { id, name: 'X' }, { auth })
      assertProblem(res, 401, `Authorization "${auth}":`)
    }
    const res = await h.raw('POST', '/v1/admin/tenants', { id, name: 'X' })
    assertProblem(res, 401, 'no Authorization:')
    assert.equal(await h.store.getTenant(id), null)
  })

  test("a tenant's admin key is not the root token: 401 on POST /v1/admin/tenants", async () => {
    assertProblem(await h.req('POST', '/v1/admin/tenants', { id: uid('t-'), name: 'X' }), 401)
  })

  test('the root token is not an API key: 401 on GET /v1/tenant', async () => {
    assertProblem(await h.raw('GET', '/v1/tenant', undefined, { root: true }), 401)
  })

  test('a root 401 does not reveal whether the admin API is on', async () => {
    const wrong = await h.raw('POST', '/v1/admin/tenants', { name: 'X' }, { auth: 'Bearer wrong-token-0123456789' })
    assertProblem(wrong, 401)
    assert.ok(!wrong.text.includes(ROOT_TOKEN))
  })
})

describe('admin API off', () => {
  test('with HEED_ADMIN_TOKEN unset, POST /v1/admin/tenants refuses every token and creates nothing', async () => {
    const h = await setup()
    try {
      const config = loadConfig({ HEED_DEMO: '0', DATABASE_URL: h.config.DATABASE_URL })
      assert.equal(config.HEED_ADMIN_TOKEN, undefined)
      const app = createApp({ store: h.store, config })
      const id = uid('t-')
      for (const auth of [undefined, `Bearer ${ROOT_TOKEN}`, 'Bearer ', 'Bearer undefined']) {
        const res = await app.request('/v1/admin/tenants', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth === undefined ? {} : { authorization: auth }) },
          body: JSON.stringify({ id, name: 'X' }),
        })
        assert.ok([401, 403, 404].includes(res.status), `Authorization ${auth}: got ${res.status}`)
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/)
      }
      assert.equal(await h.store.getTenant(id), null)
      // Tenant keys keep working.
      const me = await app.request('/v1/tenant', { headers: { authorization: `Bearer ${h.adminKey}` } })
      assert.equal(me.status, 200)
    } finally {
      await h.close()
    }
  })

  test('HEED_ADMIN_TOKEN set to an empty string counts as unset', async () => {
    assert.equal(loadConfig({ HEED_ADMIN_TOKEN: '', HEED_DEMO: '0' }).HEED_ADMIN_TOKEN, undefined)
  })
})
