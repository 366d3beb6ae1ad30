/** What every route shares: problem+json errors, JSON only, body limits, unknown routes. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertProblem, putStandardTopics, setup, uid, type Harness } from './harness.ts'

describe('HTTP errors', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('malformed JSON gets 400 problem, not 500', async () => {
    for (const [method, path] of [
      ['POST', '/v1/check'],
      ['POST', '/v1/check/batch'],
      ['POST', '/v1/dispatches'],
      ['PUT', '/v1/subscribers/a'],
      ['PUT', '/v1/topics/news'],
      ['PATCH', '/v1/tenant'],
      ['POST', '/v1/api-keys'],
    ] as const) {
      const res = await h.req(method, path, '{"subscriberId": "a", ')
      const body = assertProblem(res, 400, `${method} ${path}:`)
      assert.match(body.detail, /JSON/i)
    }
  })

  test('malformed JSON on the root route gets 400 too', async () => {
    assertProblem(await h.raw('POST', '/v1/admin/tenants', '{name:', { root: true }), 400)
  })

  test('a text/plain body gets 415 and writes nothing', async () => {
    const id = uid('cust_')
    const body = JSON.stringify({ email: 'a@example.com' })
    const res = await h.req('PUT', `/v1/subscribers/${id}`, body, { headers: { 'content-type': 'text/plain' } })
    const problem = assertProblem(res, 415)
    assert.match(problem.detail, /application\/json/)
    assertProblem(await h.req('GET', `/v1/subscribers/${id}`), 404)
  })

  test('a form-encoded body gets 415', async () => {
    const res = await h.req('POST', '/v1/check', 'subscriberId=a&topic=news', { headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assertProblem(res, 415)
  })

  test('a body without Content-Type gets 415', async () => {
    const payload = JSON.stringify({ subscriberId: 'a', topic: 'news' })
    const res = await h.app.request('/v1/check', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-length': String(payload.length) },
      body: new TextEncoder().encode(payload),
    })
    assert.equal(res.status, 415, await res.clone().text())
  })

  test('application/json with a charset is accepted', async () => {
    const res = await h.req('POST', '/v1/check', { subscriberId: 'a', topic: 'news' }, { headers: { 'content-type': 'application/json; charset=utf-8' } })
    assert.equal(res.status, 200, res.text)
  })

  test('an unknown route gets a 404 problem', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['GET', '/nope'],
      ['POST', '/v1/checks'],
      ['GET', '/v2/check'],
    ] as const) {
      assertProblem(await h.req(method, path), 404, `${method} ${path}:`)
    }
  })

  test('an unknown route without a key is a 404 too, not a 500', async () => {
    assertProblem(await h.raw('GET', '/v1/does-not-exist'), 404)
  })

  test('a body over 256 KiB gets 413 and writes nothing', async () => {
    const id = uid('cust_')
    const res = await h.req('PUT', `/v1/subscribers/${id}`, { email: 'a@example.com', locale: 'en', pad: 'x'.repeat(300 * 1024) })
    assertProblem(res, 413)
    assertProblem(await h.req('GET', `/v1/subscribers/${id}`), 404)
    assertProblem(await h.req('POST', '/v1/check', { subscriberId: 'a', topic: 'news', pad: 'x'.repeat(300 * 1024) }), 413)
  })

  test('a body over the limit without Content-Length (streamed) gets 413', async () => {
    const payload = JSON.stringify({ subscriberId: 'a', topic: 'news', pad: 'x'.repeat(300 * 1024) })
    const res = await h.app.request('/v1/check', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: payload,
    })
    assert.equal(res.status, 413)
  })

  test('every error answer is problem+json with type, title, status and detail', async () => {
    const answers = [
      await h.req('POST', '/v1/check', '{'),
      await h.req('POST', '/v1/check', {}),
      await h.raw('GET', '/v1/tenant'),
      await h.req('GET', '/v1/subscribers/nobody'),
      await h.req('DELETE', `/v1/api-keys/${h.adminKeyId}`),
    ]
    for (const res of answers) {
      assert.ok(res.status >= 400 && res.status < 500, `${res.status}`)
      assertProblem(res, res.status)
      assert.ok(!/at .*\.ts:\d+/.test(res.text), 'no stack trace leaks')
    }
  })

  test('unsupported methods on known paths are not 500', async () => {
    for (const [method, path] of [
      ['DELETE', '/v1/tenant'],
      ['PATCH', '/v1/check'],
      ['GET', '/v1/dispatches'],
    ] as const) {
      const res = await h.req(method, path)
      assert.ok(res.status === 404 || res.status === 405, `${method} ${path}: ${res.status}`)
      assertProblem(res, res.status)
    }
  })
})
