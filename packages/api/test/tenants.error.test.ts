import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertProblem, setup, uid, type Harness } from './harness.ts'

describe('tenants: bad input', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('creating a tenant with an id that exists gets 409 and leaves the first tenant alone', async () => {
    const res = await h.raw('POST', '/v1/admin/tenants', { id: h.id, name: 'Impostor' }, { root: true })
    assertProblem(res, 409)
    assert.ok(!('apiKey' in res.body), 'no key is minted')
    const mine = await h.req('GET', '/v1/tenant')
    assert.equal(mine.body.name, 'Acme')
  })

  test('creating a tenant without a name gets 400 naming /name', async () => {
    assertFieldError(await h.raw('POST', '/v1/admin/tenants', { id: uid('t-') }, { root: true }), '/name')
  })

  test('creating a tenant with a bad IANA zone gets 400 naming /defaultTimezone', async () => {
    const res = await h.raw('POST', '/v1/admin/tenants', { id: uid('t-'), name: 'X', defaultTimezone: 'Mars/Olympus_Mons' }, { root: true })
    assertFieldError(res, '/defaultTimezone')
  })

  test('creating a tenant with links shorter than 60 days gets 400 naming /linkTtlSeconds', async () => {
    const res = await h.raw('POST', '/v1/admin/tenants', { id: uid('t-'), name: 'X', linkTtlSeconds: 3600 }, { root: true })
    assertFieldError(res, '/linkTtlSeconds')
  })

  test('creating a tenant with an id that is not a slug gets 400 naming /id', async () => {
    assertFieldError(await h.raw('POST', '/v1/admin/tenants', { id: 'Not A Slug', name: 'X' }, { root: true }), '/id')
  })

  test('PATCH /v1/tenant with linkTtlSeconds one second below 60 days gets 400 naming /linkTtlSeconds and changes nothing', async () => {
    const before = await h.req('GET', '/v1/tenant')
    const res = await h.req('PATCH', '/v1/tenant', { name: 'Changed', linkTtlSeconds: 60 * 86_400 - 1 })
    const body = assertFieldError(res, '/linkTtlSeconds')
    assert.match(body.detail, /linkTtlSeconds/)
    const after = await h.req('GET', '/v1/tenant')
    assert.deepEqual(after.body, before.body, 'the valid name in the same request was not written')
  })

  test('PATCH /v1/tenant with a bad IANA zone gets 400 naming /defaultTimezone', async () => {
    assertFieldError(await h.req('PATCH', '/v1/tenant', { defaultTimezone: 'Europe/Atlantis' }), '/defaultTimezone')
  })

  test('PATCH /v1/tenant with an empty channel list gets 400 naming /channels', async () => {
    assertFieldError(await h.req('PATCH', '/v1/tenant', { channels: [] }), '/channels')
  })

  test('PATCH /v1/tenant with an unknown field gets 400', async () => {
    assertProblem(await h.req('PATCH', '/v1/tenant', { plan: 'enterprise' }), 400)
  })

  test('PATCH /v1/tenant with a bad branding colour gets 400 naming /branding/accentColor', async () => {
    assertFieldError(await h.req('PATCH', '/v1/tenant', { branding: { accentColor: 'teal' } }), '/branding/accentColor')
  })

  test('PATCH /v1/tenant with an origin that has a path gets 400 naming /allowedOrigins/0', async () => {
    assertFieldError(await h.req('PATCH', '/v1/tenant', { allowedOrigins: ['https://shop.example/page'] }), '/allowedOrigins/0')
  })
})
