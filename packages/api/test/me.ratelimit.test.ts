import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { assertProblem, putStandardTopics, setup, T0, type Harness } from './harness.ts'
import { bare, getMe, oneClick, subscriberWithLink } from './links-helpers.ts'

/** The subscriber API and the pages are limited per client IP and per token (per minute). */

const assert429 = (res: Parameters<typeof assertProblem>[0], what: string) => {
  assertProblem(res, 429, what)
  const retry = res.headers.get('retry-after')
  assert.match(retry ?? '', /^\d+$/, `${what}: Retry-After in seconds, got ${retry}`)
  assert.ok(Number(retry) >= 1 && Number(retry) <= 60, `${what}: Retry-After ${retry}`)
}

describe('rate limits', () => {
  let h: Harness
  afterEach(() => h.close())

  test('per token: the 6th GET /v1/me with one token is a 429 problem with Retry-After; another token still works', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_TOKEN: '5' } })
    const a = await subscriberWithLink(h, 'a', {})
    const b = await subscriberWithLink(h, 'b', {})
    for (let i = 1; i <= 5; i++) assert.equal((await getMe(h, a.token)).status, 200, `request ${i}`)
    assert429(await getMe(h, a.token), '6th')
    assert.equal((await getMe(h, b.token)).status, 200, 'another token')
  })

  test('per token: the limit opens again in the next minute, and Retry-After says when', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_TOKEN: '5' } })
    const a = await subscriberWithLink(h, 'a', {})
    h.clock.now = T0 + 45_000
    for (let i = 1; i <= 5; i++) await getMe(h, a.token)
    const limited = await getMe(h, a.token)
    assert429(limited, '6th')
    assert.equal(limited.headers.get('retry-after'), '15')
    h.clock.now = T0 + 60_000
    assert.equal((await getMe(h, a.token)).status, 200)
  })

  test('per token: 5 GETs of /u/:token are allowed, the 6th is a 429 (one page view counts once)', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_TOKEN: '5' } })
    const a = await subscriberWithLink(h, 'a', {})
    for (let i = 1; i <= 5; i++) assert.equal((await bare(h, 'GET', `/u/${a.token}`)).status, 200, `GET /u #${i}`)
    assert429(await bare(h, 'GET', `/u/${a.token}`), '6th GET /u')
  })

  test('per token: 5 GETs of /p/:token are allowed, the 6th is a 429', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_TOKEN: '5' } })
    const a = await subscriberWithLink(h, 'a', {})
    for (let i = 1; i <= 5; i++) assert.equal((await bare(h, 'GET', `/p/${a.token}`)).status, 200, `GET /p #${i}`)
    assert429(await bare(h, 'GET', `/p/${a.token}`), '6th GET /p')
  })

  test('per token: /u, /p, /v1/me and one-click share one budget per token', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_TOKEN: '5' } })
    await putStandardTopics(h)
    const a = await subscriberWithLink(h, 'a', {})
    await getMe(h, a.token)
    await bare(h, 'GET', `/p/${a.token}`)
    await bare(h, 'GET', `/u/${a.token}`)
    await getMe(h, a.token)
    assert.equal((await oneClick(h, a.token)).status, 200, '5th request: the one-click itself')
    assert429(await getMe(h, a.token), '6th')
  })

  test('per IP: the 6th request from one IP is a 429, whatever the token; another IP still works', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: '5', HEED_TRUST_PROXY: '1' } })
    const tokens = []
    for (let i = 0; i < 7; i++) tokens.push((await subscriberWithLink(h, `s${i}`, {})).token)
    const ip = { 'x-forwarded-for': '203.0.113.1' }
    for (let i = 0; i < 5; i++) assert.equal((await getMe(h, tokens[i]!, ip)).status, 200, `request ${i + 1}`)
    assert429(await getMe(h, tokens[5]!, ip), '6th from one IP')
    assert429(await bare(h, 'GET', `/u/${tokens[6]}`, undefined, ip), '/u from the same IP')
    assert.equal((await getMe(h, tokens[6]!, { 'x-forwarded-for': '203.0.113.2' })).status, 200, 'another IP')
  })

  test('per IP: 5 page views and one-clicks from one IP are allowed, the 6th is a 429 (each request counts once)', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: '5', HEED_TRUST_PROXY: '1' } })
    await putStandardTopics(h)
    const tokens = []
    for (let i = 0; i < 6; i++) tokens.push((await subscriberWithLink(h, `s${i}`, {})).token)
    const ip = { 'x-forwarded-for': '203.0.113.5' }
    assert.equal((await bare(h, 'GET', `/u/${tokens[0]}`, undefined, ip)).status, 200, '1: GET /u')
    assert.equal((await bare(h, 'GET', `/p/${tokens[1]}`, undefined, ip)).status, 200, '2: GET /p')
    assert.equal((await oneClick(h, tokens[2]!, ip)).status, 200, '3: one-click')
    assert.equal((await oneClick(h, tokens[3]!, ip)).status, 200, '4: one-click')
    assert.equal((await bare(h, 'GET', `/u/${tokens[4]}`, undefined, ip)).status, 200, '5: GET /u')
    assert429(await oneClick(h, tokens[5]!, ip), '6th one-click')
    assert.equal((await h.req('GET', `/v1/subscribers/s5`)).body.status, 'subscribed', 'a limited one-click changes nothing')
  })

  test('per IP: forged tokens count too, so guessing is throttled', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: '5', HEED_TRUST_PROXY: '1' } })
    const good = await subscriberWithLink(h, 'a', {})
    const ip = { 'x-forwarded-for': '203.0.113.9' }
    for (let i = 0; i < 5; i++) assert.equal((await getMe(h, `guess-${i}`, ip)).status, 401)
    assert429(await getMe(h, good.token, ip), 'after 5 guesses')
  })

  test('without HEED_TRUST_PROXY a spoofed X-Forwarded-For does not escape the per-IP limit', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: '5' } })
    const a = await subscriberWithLink(h, 'a', {})
    for (let i = 0; i < 5; i++) await getMe(h, `guess-${i}`, { 'x-forwarded-for': `198.51.100.${i}` })
    assert429(await getMe(h, a.token, { 'x-forwarded-for': '198.51.100.200' }), 'spoofed header ignored')
  })

  test('the API-key routes are not limited by the subscriber limits', async () => {
    h = await setup({ env: { HEED_RATE_LIMIT_PER_IP: '2', HEED_RATE_LIMIT_PER_TOKEN: '2' } })
    await subscriberWithLink(h, 'a', {})
    for (let i = 0; i < 5; i++) assert.equal((await h.req('GET', '/v1/subscribers/a')).status, 200)
  })

  test('the 429 problem from an allowed origin carries CORS so the widget can read it', async () => {
    h = await setup({ tenant: { allowedOrigins: ['https://shop.example'] }, env: { HEED_RATE_LIMIT_PER_TOKEN: '1' } })
    const a = await subscriberWithLink(h, 'a', {})
    await getMe(h, a.token, { origin: 'https://shop.example' })
    const res = await getMe(h, a.token, { origin: 'https://shop.example' })
    assert429(res, '2nd')
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://shop.example')
  })
})
