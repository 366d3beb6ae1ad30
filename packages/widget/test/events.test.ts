/// <reference types="mocha" />
import { expect, waitUntil } from '@open-wc/testing'
import { admin, after, apiUrl, buttonNamed, mount, root, subscriber, switchFor } from './helpers.ts'

type Name = 'heed-change' | 'heed-unsubscribe' | 'heed-error'

/** Records every heed-* event that reaches the document (so: bubbling and composed). */
function record() {
  const seen: Array<{ type: Name; event: CustomEvent }> = []
  const names: Name[] = ['heed-change', 'heed-unsubscribe', 'heed-error']
  const listener = (e: Event) => seen.push({ type: e.type as Name, event: e as CustomEvent })
  for (const n of names) document.addEventListener(n, listener)
  return { seen, stop: () => names.forEach((n) => document.removeEventListener(n, listener)) }
}

describe('<heed-preferences> events', () => {
  it('heed-change bubbles out of the shadow root with the saved state after a user change', async () => {
    const rec = record()
    try {
      const { token } = await subscriber()
      const el = await mount({ token })
      const detail = await after(el, 'heed-change', () => switchFor(el, 'Trail journal').click())
      expect(detail.state.topics['trail-journal']).to.deep.equal({ subscribed: true })
      expect(rec.seen.map((s) => s.type)).to.deep.equal(['heed-change'])
      const e = rec.seen[0]!.event
      expect(e.bubbles).to.equal(true)
      expect(e.composed).to.equal(true)
      expect(e.target).to.equal(el)
    } finally {
      rec.stop()
    }
  })

  it('heed-unsubscribe on one-click unsubscribe, heed-change on Undo', async () => {
    const rec = record()
    try {
      const { token } = await subscriber()
      const el = await mount({ token })
      const left = await after(el, 'heed-unsubscribe', () => buttonNamed(el, 'Unsubscribe from all').click())
      expect(left.state.status).to.equal('unsubscribed')
      await el.updateComplete
      const back = await after(el, 'heed-change', () => buttonNamed(el, 'Undo').click())
      expect(back.state.status).to.equal('subscribed')
      expect(rec.seen.map((s) => s.type)).to.deep.equal(['heed-unsubscribe', 'heed-change'])
    } finally {
      rec.stop()
    }
  })

  it('heed-error when a save fails', async () => {
    const { id, token } = await subscriber()
    const el = await mount({ token })
    await admin('POST', `/v1/subscribers/${id}/revoke-links`)
    const error = await after(el, 'heed-error', () => switchFor(el, 'Trail journal').click())
    expect(error).to.include({ status: 401 })
    expect(error.detail).to.be.a('string')
  })

  it('fires nothing when code sets properties, loads or reloads', async () => {
    const rec = record()
    try {
      const a = await subscriber()
      const b = await subscriber({ status: 'unsubscribed' })
      const el = await mount({ token: a.token })
      el.lang = 'et'
      el.mode = 'unsubscribe'
      await el.updateComplete
      // Each load is waited for until it has ended (the unsubscribed page shows only once b's
      // state is in, the problem only once the load has failed), never for a fixed time.
      const unsubscribedPage = () => root(el).querySelector('[part~="unsubscribed"]')
      el.token = b.token
      await waitUntil(unsubscribedPage, 'the new token did not load', { timeout: 8000 })
      el.api = 'http://localhost:9'
      await waitUntil(() => root(el).querySelector('[part~="error"]'), 'a load from an API that is not there did not fail', { timeout: 8000 })
      el.api = await apiUrl()
      await waitUntil(unsubscribedPage, 'the reload did not finish', { timeout: 8000 })
      expect(rec.seen).to.deep.equal([])
      // The proof that any of the above had its chance to fire: the person's first action fires
      // its event, and it is the first event of all.
      await after(el, 'heed-change', () => buttonNamed(el, 'Telli uuesti').click())
      expect(rec.seen.map((s) => s.type)).to.deep.equal(['heed-change'])
    } finally {
      rec.stop()
    }
  })
})
