/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { sendKeys } from '@web/test-runner-commands'
import type { HeedPreferences } from '../src/index.ts'
import { apiUrl, root, settled, stored, subscriber, switchFor } from './helpers.ts'

/** The element focused now, looking through shadow roots. */
function deepActive(): Element | null {
  let el: Element | null = document.activeElement
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
  return el
}

async function mountBetweenButtons(token: string): Promise<{ el: HeedPreferences; before: HTMLButtonElement; afterBtn: HTMLButtonElement }> {
  const api = await apiUrl()
  const wrap = await fixture<HTMLDivElement>(html`<div>
    <button id="before">before</button>
    <heed-preferences api=${api} token=${token} lang="en"></heed-preferences>
    <button id="after">after</button>
  </div>`)
  const el = await settled(wrap.querySelector('heed-preferences')!)
  return { el, before: wrap.querySelector('#before')!, afterBtn: wrap.querySelector('#after')! }
}

/** Presses Tab from `start` until `end` has focus; returns every element focused on the way. */
async function tabThrough(start: HTMLElement, end: HTMLElement, max = 120): Promise<Element[]> {
  start.focus()
  const seen: Element[] = []
  for (let i = 0; i < max; i++) {
    await sendKeys({ press: 'Tab' })
    const active = deepActive()
    if (active === end) return seen
    if (active && seen.at(-1) !== active) {
      // Focus must be visible on everything reached by keyboard.
      expect(active.matches(':focus-visible'), `${active.outerHTML.slice(0, 80)} matches :focus-visible`).to.equal(true)
      const style = getComputedStyle(active)
      expect(style.outlineStyle, `outline on ${active.outerHTML.slice(0, 80)}`).to.equal('solid')
      expect(parseFloat(style.outlineWidth)).to.be.at.least(2)
      seen.push(active)
    }
  }
  throw new Error(`Tab never reached the element after the widget (reached ${seen.length} controls)`)
}

describe('<heed-preferences> with the keyboard only', () => {
  it('reaches every control with Tab, in order, with a visible focus ring', async () => {
    const { token } = await subscriber({ topics: { sales: { subscribed: true } }, quietHours: { start: '22:00', end: '07:00' }, cap: { max: 3, per: 'week' } })
    const { el, before, afterBtn } = await mountBetweenButtons(token)
    const r = root(el)
    // The quiet-hours editor loads on demand, with its time-zone picker.
    await waitUntil(() => r.querySelector('heed-zone-picker')?.shadowRoot?.querySelector('select'), 'the quiet-hours editor did not load', { timeout: 5000 })
    const reached = await tabThrough(before, afterBtn)
    // Every enabled control, one stop per radio group (its checked radio), the picker's own inside it.
    const CONTROL = 'button:not(:disabled), select, textarea, input:not([type="radio"]), input[type="radio"]:checked'
    const controls = [...r.querySelectorAll<HTMLElement>(`${CONTROL}, heed-zone-picker`)].flatMap((c) => (c.shadowRoot ? [...c.shadowRoot.querySelectorAll<HTMLElement>(CONTROL)] : [c]))
    expect(controls.length).to.be.greaterThan(15)
    for (const c of controls) expect(reached, `reached ${c.outerHTML.slice(0, 80)}`).to.include(c)
    expect(reached.filter((x) => !controls.includes(x as HTMLElement))).to.deep.equal([])
    // Tab order is document order.
    expect(reached).to.deep.equal(controls)
  })

  it('operates switches, chips and radios with Space, Enter and arrow keys', async () => {
    const { id, token } = await subscriber({ topics: { sales: { subscribed: true } } })
    const { el } = await mountBetweenButtons(token)
    const r = root(el)

    switchFor(el, 'New arrivals').focus()
    await sendKeys({ press: 'Space' })
    await waitUntil(async () => (await stored(id)).topics['new-arrivals']?.subscribed === true, 'Space did not turn the topic on', { timeout: 5000 })
    expect(switchFor(el, 'New arrivals').getAttribute('aria-checked')).to.equal('true')
    await sendKeys({ press: 'Enter' })
    await waitUntil(async () => (await stored(id)).topics['new-arrivals']?.subscribed === false, 'Enter did not turn the topic off', { timeout: 5000 })

    const sms = [...r.querySelectorAll<HTMLButtonElement>('[role="checkbox"]')].find((c) => c.textContent?.trim() === 'SMS')!
    sms.focus()
    await sendKeys({ press: 'Space' })
    await waitUntil(async () => (await stored(id)).topics.sales?.channels?.sms === false, 'Space did not toggle the SMS chip', { timeout: 5000 })

    r.querySelector<HTMLInputElement>('input[name="heed-cap"]:checked')!.focus()
    await sendKeys({ press: 'ArrowDown' })
    await waitUntil(async () => JSON.stringify((await stored(id)).cap) === JSON.stringify({ max: 1, per: 'day' }), 'ArrowDown did not pick the next frequency', { timeout: 5000 })
  })

  it('unsubscribes with Enter, lands focus on the confirmation, and undoes with the keyboard', async () => {
    const { id, token } = await subscriber()
    const { el } = await mountBetweenButtons(token)
    const r = root(el)
    ;[...r.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === 'Unsubscribe from all')!.focus()
    await sendKeys({ press: 'Enter' })
    await waitUntil(async () => (await stored(id)).status === 'unsubscribed', 'Enter did not unsubscribe', { timeout: 5000 })
    await el.updateComplete
    expect(deepActive()?.id).to.equal('done-title')
    await sendKeys({ press: 'Tab' })
    expect(deepActive()?.textContent?.trim()).to.equal('Undo')
    await sendKeys({ press: 'Enter' })
    await waitUntil(async () => (await stored(id)).status === 'subscribed', 'Enter on Undo did not resubscribe', { timeout: 5000 })
    await el.updateComplete
    expect(deepActive()?.id).to.equal('title')
  })

  it('keeps focus in the widget when a pause replaces the buttons, and when resuming', async () => {
    const { id, token } = await subscriber()
    const { el } = await mountBetweenButtons(token)
    ;[...root(el).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === '1 week')!.focus()
    await sendKeys({ press: 'Enter' })
    await waitUntil(async () => (await stored(id)).pausedUntil !== null, 'Enter did not pause', { timeout: 5000 })
    await el.updateComplete
    expect(deepActive()?.id).to.equal('paused')
    await sendKeys({ press: 'Tab' })
    expect(deepActive()?.textContent?.trim()).to.equal('Resume now')
    await sendKeys({ press: 'Enter' })
    await waitUntil(async () => (await stored(id)).pausedUntil === null, 'Enter did not resume', { timeout: 5000 })
    await el.updateComplete
    expect(deepActive()?.id).to.equal('h-pause')
  })
})
