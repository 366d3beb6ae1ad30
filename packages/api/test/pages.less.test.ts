/**
 * The unsubscribe page after "send me less" says what happened and offers Undo; someone
 * already unsubscribed is offered "Subscribe again", not buttons that quietly resubscribe.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DAY, putStandardTopics, setup, type Harness } from './harness.ts'
import { bare, FORM, ONE_CLICK, postForm, subscriberWithLink } from './links-helpers.ts'

describe('the unsubscribe page: "send me less", its Undo, and the already unsubscribed', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  const state = async (id: string) => (await h.req('GET', `/v1/subscribers/${id}`)).body
  /** The value of the Undo button's `previous` field, as the browser would post it back. */
  const previousField = (html: string) => {
    const m = /name="previous" value="([^"]*)"/.exec(html)
    assert.ok(m, 'the page has an Undo form')
    return m[1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&')
  }

  test('"Pause for a month" says you are still subscribed, until when, marks the choice and offers Undo, which resumes', async () => {
    const link = await subscriberWithLink(h, 'less1', { timezone: 'Europe/Tallinn' })
    const res = await postForm(h, `/u/${link.token}/less`, { choice: 'pause-month' })
    assert.equal(res.status, 200)
    assert.match(res.text, /<title>You are still subscribed<\/title>/)
    assert.match(res.text, /<h1>You are still subscribed<\/h1>/)
    assert.doesNotMatch(res.text, /<h1>Unsubscribe from/)
    // The harness clock is 4 May 2026; a month on, in the subscriber's zone.
    assert.match(res.text, /In effect<\/span><strong>Paused until June 3, 2026\./)
    assert.match(res.text, /value="pause-month" aria-pressed="true">✓ Pause for a month/)
    assert.match(res.text, /value="weekly" aria-pressed="false">At most one a week/)
    const s = await state('less1')
    assert.equal(s.status, 'subscribed')
    assert.ok(Date.parse(s.pausedUntil) > h.clock.now + 29 * DAY)

    const undone = await postForm(h, `/u/${link.token}/less`, { choice: 'undo', previous: previousField(res.text) })
    assert.equal(undone.status, 200)
    assert.match(undone.text, /<h1>Unsubscribe from Acme<\/h1>/)
    assert.equal((await state('less1')).pausedUntil, null)
  })

  test('"At most one a week" says so and Undo puts back the cap the subscriber had', async () => {
    const link = await subscriberWithLink(h, 'less2', { cap: { max: 3, per: 'day' } })
    const res = await postForm(h, `/u/${link.token}/less`, { choice: 'weekly' })
    assert.match(res.text, /<strong>You will get at most one marketing message a week\.<\/strong>/)
    assert.match(res.text, /value="weekly" aria-pressed="true">✓ At most one a week/)
    assert.deepEqual((await state('less2')).cap, { max: 1, per: 'week' })
    await postForm(h, `/u/${link.token}/less`, { choice: 'undo', previous: previousField(res.text) })
    assert.deepEqual((await state('less2')).cap, { max: 3, per: 'day' })
  })

  test('right after unsubscribing: Undo, and "less" choices that say they keep you subscribed; choosing one and Undo leave you out again', async () => {
    const link = await subscriberWithLink(h, 'less3', {})
    const res = await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })
    assert.match(res.text, /<h1>You are unsubscribed<\/h1>/)
    assert.match(res.text, /action="\/u\/[^"]+\/undo"><div class="actions"><button class="secondary" type="submit">Undo</)
    assert.match(res.text, /Changed your mind\? Stay subscribed, but hear from us less/)
    const less = await postForm(h, `/u/${link.token}/less`, { choice: 'pause-month' })
    assert.equal((await state('less3')).status, 'subscribed')
    await postForm(h, `/u/${link.token}/less`, { choice: 'undo', previous: previousField(less.text) })
    const s = await state('less3')
    assert.equal(s.status, 'unsubscribed')
    assert.equal(s.pausedUntil, null)
  })

  test('someone already unsubscribed who opens the page is offered "Subscribe again", not "hear from us less"', async () => {
    const link = await subscriberWithLink(h, 'less4', { status: 'unsubscribed' })
    const res = await bare(h, 'GET', `/u/${link.token}`)
    assert.equal(res.status, 200)
    assert.match(res.text, /<h1>You are unsubscribed<\/h1>/)
    assert.match(res.text, /<button class="primary" type="submit">Subscribe again<\/button>/)
    assert.doesNotMatch(res.text, /\/less"|Pause for a month|hear from us less/)
    assert.equal((await state('less4')).status, 'unsubscribed', 'a GET changes nothing')
    const back = await postForm(h, `/u/${link.token}/undo`, {})
    assert.match(back.text, /Welcome back/)
    assert.equal((await state('less4')).status, 'subscribed')
  })

  test('an Undo with a tampered or missing "previous" changes nothing', async () => {
    const link = await subscriberWithLink(h, 'less5', {})
    await postForm(h, `/u/${link.token}/less`, { choice: 'weekly' })
    const before = await state('less5')
    for (const previous of ['', 'not json', '{"status":"gone"}', '{"status":"subscribed","pausedUntil":null}', '{"status":"subscribed","pausedUntil":null,"cap":null,"topics":{}}']) {
      const res = await postForm(h, `/u/${link.token}/less`, { choice: 'undo', previous })
      assert.equal(res.status, 200, previous)
    }
    assert.deepEqual(await state('less5'), before)
  })

  const LOCALES = [
    ['zh-Hans', '您仍在订阅中', '已暂停至 2026年6月3日。', '重新订阅'],
    ['zh-Hant', '您仍在訂閱中', '已暫停至 2026年6月3日。', '重新訂閱'],
    ['et', 'Sinu tellimus kehtib edasi', 'Peatatud kuni 3. juunini 2026.', 'Telli uuesti'],
  ] as const
  for (const [locale, still, paused, again] of LOCALES) {
    test(`in ${locale}: the "send less" answer and the already-unsubscribed page`, async () => {
      const id = `less-${locale}`
      const link = await subscriberWithLink(h, id, { locale, timezone: 'Europe/Tallinn' })
      const res = await postForm(h, `/u/${link.token}/less`, { choice: 'pause-month' })
      assert.match(res.text, new RegExp(`<html lang="${locale}">`))
      assert.match(res.text, new RegExp(`<h1>${still}</h1>`))
      assert.ok(res.text.includes(paused), `${locale}: ${/<strong>(.*?)<\/strong>/.exec(res.text)?.[1]}`)
      await bare(h, 'POST', `/u/${link.token}`, ONE_CLICK, { 'content-type': FORM })
      const out = await bare(h, 'GET', `/u/${link.token}`)
      assert.ok(out.text.includes(`>${again}</button>`), locale)
    })
  }

  test('the pages ask for no favicon that is not there', async () => {
    const link = await subscriberWithLink(h, 'less6', {})
    for (const path of [`/u/${link.token}`, `/p/${link.token}`, '/p/garbage']) {
      assert.match((await bare(h, 'GET', path)).text, /<link rel="icon" href="data:,">/, path)
    }
  })
})
