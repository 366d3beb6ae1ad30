/**
 * F3: a correctly signed link, however old, can always make Heed send less; only a live link
 * can read or widen preferences; a retired key's links do nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DAY, putStandardTopics, setup, type Harness } from './harness.ts'
import { asSubscriber, bare, FORM, ONE_CLICK, subscriberWithLink } from './links-helpers.ts'

describe('expired and revoked links', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  const status = async (id: string) => (await h.req('GET', `/v1/subscribers/${id}`)).body.status
  /** Moves the app's clock past the link's 90-day lifetime; returns the undo. */
  const pastExpiry = () => {
    const was = h.clock.now
    h.clock.now += 91 * DAY
    return () => (h.clock.now = was)
  }

  test('an expired link unsubscribes by one-click POST (2xx, no redirect, no cookie) and says so, without Undo', async () => {
    const link = await subscriberWithLink(h, 'st1', { email: 'st1@example.com' })
    const back = pastExpiry()
    try {
      const res = await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })
      assert.equal(res.status, 200, res.text.slice(0, 300))
      assert.equal(res.headers.get('location'), null)
      assert.equal(res.headers.get('set-cookie'), null)
      assert.match(res.text, /will not send you marketing messages any more/)
      assert.doesNotMatch(res.text, /\/undo/, 'no Undo: an old link may not subscribe anyone')
      assert.equal(await status('st1'), 'unsubscribed')
      // Everything else stays closed to it.
      assert.equal((await asSubscriber(h, 'GET', '/v1/me', link.token)).status, 401)
      assert.equal((await bare(h, 'GET', `/p/${link.token}`)).status, 404)
      assert.equal((await bare(h, 'POST', `/u/${link.token}/undo`)).status, 404)
      assert.equal(await status('st1'), 'unsubscribed')
    } finally {
      back()
    }
  })

  test('the page of an expired link shows the brand, a line that the link is old and the button, and nothing of the subscriber', async () => {
    const link = await subscriberWithLink(h, 'st2', { email: 'secret.person@example.com', locale: 'et' })
    const back = pastExpiry()
    try {
      const res = await bare(h, 'GET', `/u/${link.token}`, undefined, { 'accept-language': 'en' })
      assert.equal(res.status, 200)
      assert.match(res.text, /Unsubscribe from Acme/)
      assert.match(res.text, /This link is old, so it can only unsubscribe you/)
      assert.match(res.text, /<form method="post" action="\/u\//)
      assert.doesNotMatch(res.text, /s\*\*\*@example\.com|secret/, 'no address, not even masked')
      assert.doesNotMatch(res.text, /lang="et"/, 'not even their language')
      assert.doesNotMatch(res.text, /\/less|\/p\//, 'no "send me less" and no preferences link')
      assert.equal(await status('st2'), 'subscribed', 'a GET changes nothing')
      // The page's own button is the one-click form.
      await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })
      assert.equal(await status('st2'), 'unsubscribed')
    } finally {
      back()
    }
  })

  test('a revoked link unsubscribes by one-click but reads nothing', async () => {
    const link = await subscriberWithLink(h, 'st3', {})
    assert.equal((await h.req('POST', '/v1/subscribers/st3/revoke-links')).status, 200)
    assert.equal((await asSubscriber(h, 'GET', '/v1/me', link.token)).status, 401)
    const page = await bare(h, 'GET', `/u/${link.token}`)
    assert.equal(page.status, 200)
    assert.match(page.text, /This link is old/)
    const res = await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })
    assert.equal(res.status, 200)
    assert.equal(await status('st3'), 'unsubscribed')
  })

  test('an old link with another body changes nothing and shows the old-link page', async () => {
    const link = await subscriberWithLink(h, 'st4', {})
    const back = pastExpiry()
    try {
      const res = await bare(h, 'POST', `/u/${link.token}`, 'List-Unsubscribe=No', { 'content-type': FORM })
      assert.equal(res.status, 200)
      assert.match(res.text, /This link is old/)
      assert.equal((await bare(h, 'POST', `/u/${link.token}/less`, 'choice=pause-month', { 'content-type': FORM })).status, 404)
      assert.equal(await status('st4'), 'subscribed')
    } finally {
      back()
    }
  })

  test('a link signed with a retired key does nothing, live or expired: a leaked key unsubscribes no one', async () => {
    const link = await subscriberWithLink(h, 'st5', {})
    assert.equal((await h.req('POST', '/v1/signing-keys/rotate', { retireAfterSeconds: 0 })).status, 201)
    assert.equal((await bare(h, 'GET', `/u/${link.token}`)).status, 404)
    assert.equal((await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })).status, 404)
    const back = pastExpiry()
    try {
      assert.equal((await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })).status, 404)
    } finally {
      back()
    }
    assert.equal(await status('st5'), 'subscribed')
  })

  test('a forged signature on an old link does nothing', async () => {
    const link = await subscriberWithLink(h, 'st6', {})
    const [head, body, sig] = link.token.split('.')
    const forged = `${head}.${body}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'AQ' : 'AA'}`
    const back = pastExpiry()
    try {
      assert.equal((await bare(h, 'POST', `/u/${forged}`, ONE_CLICK, { 'content-type': FORM })).status, 404)
    } finally {
      back()
    }
    assert.equal(await status('st6'), 'subscribed')
  })
})
