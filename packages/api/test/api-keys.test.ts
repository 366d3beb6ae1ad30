import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { assertFieldError, assertInstant, assertProblem, setup, T0, type Harness } from './harness.ts'

describe('POST|GET /v1/api-keys, DELETE /v1/api-keys/:id', () => {
  let h: Harness
  beforeEach(async () => {
    h = await setup()
  })
  afterEach(() => h.close())

  test('POST creates a sender key: 201 with the secret, which works for checks', async () => {
    const res = await h.req('POST', '/v1/api-keys', { role: 'sender', name: 'ESP' })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.role, 'sender')
    assert.equal(res.body.name, 'ESP')
    assert.equal(res.body.revokedAt, null)
    assertInstant(res.body.createdAt, T0)
    assert.ok(res.body.secret.startsWith(res.body.prefix))
    const check = await h.req('POST', '/v1/check', { subscriberId: 'x', topic: 'y' }, { key: res.body.secret })
    assert.equal(check.status, 200, check.text)
  })

  test('POST creates an admin key that can manage the tenant', async () => {
    const k = await h.mintKey('admin')
    assert.equal((await h.req('GET', '/v1/tenant', undefined, { key: k.secret })).status, 200)
  })

  test('GET lists every key of the tenant with prefixes and never a secret', async () => {
    const sender = await h.mintKey('sender', 'cron')
    const admin2 = await h.mintKey('admin')
    const res = await h.req('GET', '/v1/api-keys')
    assert.equal(res.status, 200, res.text)
    const ids = res.body.data.map((k: any) => k.id)
    assert.deepEqual(ids.sort(), [h.adminKeyId, sender.id, admin2.id].sort())
    for (const k of res.body.data) {
      assert.equal(k.secret, undefined)
      assert.equal(k.hash, undefined)
      assert.equal(typeof k.prefix, 'string')
    }
    for (const secret of [h.adminKey, sender.secret, admin2.secret]) {
      assert.ok(!res.text.includes(secret), 'no secret appears in the listing')
    }
    assert.equal(res.body.data.find((k: any) => k.id === sender.id).name, 'cron')
  })

  test('GET does not list the keys of another tenant', async () => {
    const other = await h.createTenant()
    const res = await h.req('GET', '/v1/api-keys')
    assert.ok(!res.body.data.some((k: any) => k.id === other.adminKeyId))
  })

  test('a revoked key gets 401 afterwards and is listed with revokedAt', async () => {
    const sender = await h.mintKey('sender')
    assert.equal((await h.req('POST', '/v1/check', { subscriberId: 'x', topic: 'y' }, { key: sender.secret })).status, 200)
    h.clock.now = T0 + 5_000
    const del = await h.req('DELETE', `/v1/api-keys/${sender.id}`)
    assert.equal(del.status, 200, del.text)
    assert.equal(del.body.id, sender.id)
    assertInstant(del.body.revokedAt, T0 + 5_000)
    assertProblem(await h.req('POST', '/v1/check', { subscriberId: 'x', topic: 'y' }, { key: sender.secret }), 401)
    const list = await h.req('GET', '/v1/api-keys')
    assertInstant(list.body.data.find((k: any) => k.id === sender.id).revokedAt, T0 + 5_000)
  })

  test('the last active admin key cannot be revoked: 409, and it keeps working', async () => {
    const res = await h.req('DELETE', `/v1/api-keys/${h.adminKeyId}`)
    assertProblem(res, 409)
    assert.equal((await h.req('GET', '/v1/tenant')).status, 200)
  })

  test('an admin key can be revoked while another admin key is active; then the other is the last', async () => {
    const second = await h.mintKey('admin')
    const res = await h.req('DELETE', `/v1/api-keys/${h.adminKeyId}`, undefined, { key: second.secret })
    assert.equal(res.status, 200, res.text)
    assertProblem(await h.req('GET', '/v1/tenant'), 401)
    assertProblem(await h.req('DELETE', `/v1/api-keys/${second.id}`, undefined, { key: second.secret }), 409)
  })

  test('active sender keys do not count as admin keys for the last-admin rule', async () => {
    await h.mintKey('sender')
    assertProblem(await h.req('DELETE', `/v1/api-keys/${h.adminKeyId}`), 409)
  })

  test('revoking an unknown key id gets 404', async () => {
    assertProblem(await h.req('DELETE', '/v1/api-keys/key_doesnotexist'), 404)
  })

  test("revoking another tenant's key gets 404 and that key keeps working", async () => {
    const other = await h.createTenant()
    const otherSender = await other.mintKey('sender')
    assertProblem(await h.req('DELETE', `/v1/api-keys/${otherSender.id}`), 404)
    assertProblem(await h.req('DELETE', `/v1/api-keys/${other.adminKeyId}`), 404)
    const check = await other.req('POST', '/v1/check', { subscriberId: 'x', topic: 'y' }, { key: otherSender.secret })
    assert.equal(check.status, 200)
  })

  test('each minted key has its own id and secret', async () => {
    const a = await h.mintKey('sender')
    const b = await h.mintKey('sender')
    assert.notEqual(a.secret, b.secret)
    assert.notEqual(a.id, b.id)
  })

  test('POST with an unknown role gets 400 naming /role', async () => {
    assertFieldError(await h.req('POST', '/v1/api-keys', { role: 'owner' }), '/role')
  })

  test('POST without a role gets 400 naming /role', async () => {
    assertFieldError(await h.req('POST', '/v1/api-keys', {}), '/role')
  })
})
