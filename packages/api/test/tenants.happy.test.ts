import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertInstant, setup, T0, uid, type Harness } from './harness.ts'

describe('POST /v1/admin/tenants and GET|PATCH /v1/tenant', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('creating a tenant answers 201 with the tenant, its defaults and an admin key secret shown once', async () => {
    const id = uid('shop-')
    const res = await h.raw('POST', '/v1/admin/tenants', { id, name: 'Nordic Shop' }, { root: true })
    assert.equal(res.status, 201, res.text)
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
    const { tenant, apiKey } = res.body
    assert.equal(tenant.id, id)
    assert.equal(tenant.name, 'Nordic Shop')
    assert.deepEqual(tenant.channels, ['email'])
    assert.equal(tenant.defaultTimezone, 'UTC')
    assert.equal(tenant.defaultLocale, 'en')
    assert.deepEqual(tenant.allowedOrigins, [])
    assert.equal(tenant.linkTtlSeconds, 90 * 86_400)
    assert.ok(Array.isArray(tenant.frequencyOptions) && tenant.frequencyOptions.length > 0)
    assertInstant(tenant.createdAt, T0)
    assert.equal(apiKey.role, 'admin')
    assert.equal(typeof apiKey.id, 'string')
    assert.equal(typeof apiKey.secret, 'string')
    assert.ok(apiKey.secret.length >= 32, 'the secret is long enough to be unguessable')
    assert.ok(apiKey.secret.startsWith(apiKey.prefix), 'the display prefix is the start of the secret')
    assert.ok(apiKey.prefix.length < apiKey.secret.length - 16, 'the prefix gives away little of the secret')

    const me = await h.raw('GET', '/v1/tenant', undefined, { key: apiKey.secret })
    assert.equal(me.status, 200, me.text)
    assert.equal(me.body.id, id)
  })

  test('GET /v1/api-keys never shows the secret of the initial key, only its prefix', async () => {
    const res = await h.req('GET', '/v1/api-keys')
    assert.equal(res.status, 200, res.text)
    const initial = res.body.data.find((k: any) => k.id === h.adminKeyId)
    assert.ok(initial, 'the initial admin key is listed')
    assert.equal(initial.role, 'admin')
    assert.equal(initial.prefix, h.created.apiKey.prefix)
    assert.equal(initial.secret, undefined)
    assert.equal(initial.hash, undefined)
    assert.ok(!res.text.includes(h.adminKey), 'the secret appears nowhere in the listing')
  })

  test('a tenant created without an id gets a slug of its name', async () => {
    const name = `Trail Gear ${uid()}`
    const res = await h.raw('POST', '/v1/admin/tenants', { name }, { root: true })
    assert.equal(res.status, 201, res.text)
    assert.match(res.body.tenant.id, /^trail-gear-[0-9a-f]+/)
  })

  test('two tenants of the same name get different ids', async () => {
    const name = `Same Name ${uid()}`
    const a = await h.raw('POST', '/v1/admin/tenants', { name }, { root: true })
    const b = await h.raw('POST', '/v1/admin/tenants', { name }, { root: true })
    assert.equal(a.status, 201, a.text)
    assert.equal(b.status, 201, b.text)
    assert.notEqual(a.body.tenant.id, b.body.tenant.id)
    assert.notEqual(a.body.apiKey.secret, b.body.apiKey.secret)
  })

  test('settings given at creation are kept', async () => {
    const res = await h.raw(
      'POST',
      '/v1/admin/tenants',
      {
        id: uid('t-'),
        name: 'Kaubamaja',
        defaultLocale: 'et',
        defaultTimezone: 'Europe/Tallinn',
        channels: ['email', 'sms', 'push'],
        allowedOrigins: ['https://shop.example'],
        branding: { accentColor: '#0f766e' },
        linkTtlSeconds: 60 * 86_400,
      },
      { root: true },
    )
    assert.equal(res.status, 201, res.text)
    const t = res.body.tenant
    assert.equal(t.defaultLocale, 'et')
    assert.equal(t.defaultTimezone, 'Europe/Tallinn')
    assert.deepEqual(t.channels, ['email', 'sms', 'push'])
    assert.deepEqual(t.allowedOrigins, ['https://shop.example'])
    assert.deepEqual(t.branding, { accentColor: '#0f766e' })
    assert.equal(t.linkTtlSeconds, 60 * 86_400)
  })

  test('GET /v1/tenant shows the tenant of the key', async () => {
    const res = await h.req('GET', '/v1/tenant')
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.id, h.id)
    assert.equal(res.body.name, 'Acme')
    assert.deepEqual(res.body.channels, ['email', 'sms'])
  })

  test('PATCH /v1/tenant changes the fields given and keeps the others', async () => {
    const t = await h.createTenant({ branding: { accentColor: '#112233' } })
    h.clock.now = T0 + 60_000
    const res = await t.req('PATCH', '/v1/tenant', { name: 'Acme Outdoor', defaultTimezone: 'America/New_York', branding: { logoUrl: 'https://cdn.example/logo.png' } })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.name, 'Acme Outdoor')
    assert.equal(res.body.defaultTimezone, 'America/New_York')
    assert.deepEqual(res.body.channels, ['email', 'sms'], 'channels were left out and stay')
    assert.deepEqual(res.body.branding, { accentColor: '#112233', logoUrl: 'https://cdn.example/logo.png' }, 'branding merges')
    assertInstant(res.body.updatedAt, T0 + 60_000)
    h.clock.now = T0

    const again = await t.req('GET', '/v1/tenant')
    assert.deepEqual(again.body, res.body, 'GET shows what PATCH answered')
  })

  test('PATCH /v1/tenant accepts linkTtlSeconds of exactly 60 days', async () => {
    const t = await h.createTenant()
    const res = await t.req('PATCH', '/v1/tenant', { linkTtlSeconds: 60 * 86_400 })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.linkTtlSeconds, 5_184_000)
  })

  test('GET /healthz (readiness) and /healthz/live (liveness) answer 200 without a key', async () => {
    const res = await h.raw('GET', '/healthz')
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { status: 'ok', database: 'reachable' })
    const live = await h.raw('GET', '/healthz/live')
    assert.equal(live.status, 200, live.text)
    assert.deepEqual(live.body, { status: 'ok' })
  })
})
