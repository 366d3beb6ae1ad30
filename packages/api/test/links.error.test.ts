import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, assertProblem, putSubscriber, setup, type Harness } from './harness.ts'

describe('POST /v1/links errors', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putSubscriber(h, 'mia', { email: 'mia@example.com' })
  })
  after(() => h.close())

  test('ttlSeconds longer than the tenant linkTtlSeconds is a 400 naming /ttlSeconds', async () => {
    const res = await h.req('POST', '/v1/links', { subscriberId: 'mia', ttlSeconds: 90 * 86_400 + 1 })
    assertFieldError(res, '/ttlSeconds')
  })

  test("ttlSeconds longer than a tenant's own shorter linkTtlSeconds is refused too", async () => {
    const t = await h.createTenant({ linkTtlSeconds: 60 * 86_400 })
    await putSubscriber(t, 'ola', {})
    assertFieldError(await t.req('POST', '/v1/links', { subscriberId: 'ola', ttlSeconds: 61 * 86_400 }), '/ttlSeconds')
  })

  for (const ttlSeconds of [0, -1, 1.5, '3600', null]) {
    test(`ttlSeconds ${JSON.stringify(ttlSeconds)} is a 400 naming /ttlSeconds`, async () => {
      assertFieldError(await h.req('POST', '/v1/links', { subscriberId: 'mia', ttlSeconds }), '/ttlSeconds')
    })
  }

  test('an unknown subscriber is a 404 problem', async () => {
    assertProblem(await h.req('POST', '/v1/links', { subscriberId: 'nobody' }), 404)
  })

  test("another tenant's subscriber is a 404, not a link", async () => {
    const t = await h.createTenant()
    assertProblem(await t.req('POST', '/v1/links', { subscriberId: 'mia' }), 404)
  })

  test('a missing subscriberId is a 400 naming /subscriberId', async () => {
    assertFieldError(await h.req('POST', '/v1/links', {}), '/subscriberId')
  })

  test('a subscriberId over 128 characters is a 400 naming /subscriberId', async () => {
    assertFieldError(await h.req('POST', '/v1/links', { subscriberId: 'a'.repeat(129) }), '/subscriberId')
  })

  test('an unknown field (e.g. email) is a 400, so a sender cannot put an email into a link', async () => {
    const res = await h.req('POST', '/v1/links', { subscriberId: 'mia', email: 'mia@example.com' })
    const problem = assertProblem(res, 400)
    assert.match(res.text, /email/, problem.detail)
  })

  test('no API key is a 401', async () => {
    assertProblem(await h.raw('POST', '/v1/links', { subscriberId: 'mia' }), 401)
  })

  test('a link token is not an API key', async () => {
    const link = await h.req('POST', '/v1/links', { subscriberId: 'mia' })
    assertProblem(await h.raw('POST', '/v1/links', { subscriberId: 'mia' }, { key: link.body.token }), 401)
    assertProblem(await h.raw('GET', '/v1/subscribers/mia', undefined, { key: link.body.token }), 401)
  })
})
