/// <reference types="mocha" />
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing'
import { sendKeys, setViewport } from '@web/test-runner-commands'
import '../src/components/zone-picker/zone-picker.ts'
import type { HeedZonePicker, ZoneChangeDetail } from '../src/components/zone-picker/zone-picker.ts'
import { expectNoAxeViolations } from './helpers.ts'

const parts = (el: HeedZonePicker) => {
  const r = el.shadowRoot!
  return {
    search: r.querySelector<HTMLInputElement>('input[type="search"]')!,
    select: r.querySelector<HTMLSelectElement>('select')!,
    status: r.querySelector<HTMLElement>('[role="status"]')!,
  }
}
const optionIds = (el: HeedZonePicker) => [...parts(el).select.options].map((o) => o.value)
const visibleStatus = (el: HeedZonePicker) => {
  const s = parts(el).status
  return [...s.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE)
    .map((n) => n.textContent)
    .join('')
    .trim()
}

/** Every zone listed (the picker lists them when the page is idle or on first focus). */
const full = (el: HeedZonePicker) => waitUntil(() => optionIds(el).length > 400, 'the picker never listed every zone', { timeout: 5000 })

async function mount(value = 'Europe/Tallinn', locale = 'en'): Promise<HeedZonePicker> {
  const el = await fixture<HeedZonePicker>(html`<heed-zone-picker
    .value=${value}
    .locale=${locale}
    label="Time zone"
    search-label="Search time zones"
    no-match="No time zone matches."
    browser-zone="America/New_York"
  ></heed-zone-picker>`)
  await full(el)
  return el
}

/** Types into the search field as a person would. */
async function search(el: HeedZonePicker, text: string): Promise<void> {
  const { search } = parts(el)
  search.focus()
  search.select()
  await sendKeys({ press: 'Backspace' })
  if (text) await sendKeys({ type: text })
  await el.updateComplete
}

describe('<heed-zone-picker>', () => {
  it('labels both controls and lists the browser zone, then the current one, first', async () => {
    const el = await mount()
    const { search, select } = parts(el)
    expect(search.labels?.[0]?.textContent).to.equal('Search time zones')
    expect(select.labels?.[0]?.textContent).to.equal('Time zone')
    expect(optionIds(el).slice(0, 2)).to.deep.equal(['America/New_York', 'Europe/Tallinn'])
    expect(select.value).to.equal('Europe/Tallinn')
    expect(select.selectedOptions[0]!.textContent).to.match(/^\(GMT\+0[23]:00\) Tallinn — Eastern European/)
    expect(optionIds(el).length).to.be.greaterThan(400)
    expect(new Set(optionIds(el)).size).to.equal(optionIds(el).length)
  })

  it('shows the chosen zone at once, and every zone when the page is idle or on focus', async () => {
    const el = await fixture<HeedZonePicker>(html`<heed-zone-picker value="Asia/Calcutta" browser-zone="Europe/Tallinn"></heed-zone-picker>`)
    expect(parts(el).select.value).to.equal('Asia/Kolkata')
    expect(optionIds(el).slice(0, 2)).to.deep.equal(['Europe/Tallinn', 'Asia/Kolkata'])
    await full(el)
    expect(parts(el).select.value).to.equal('Asia/Kolkata')

    // Focus lists them at once, before anything else happens.
    const next = await fixture<HeedZonePicker>(html`<heed-zone-picker value="Europe/Tallinn"></heed-zone-picker>`)
    parts(next).select.focus()
    await next.updateComplete
    expect(optionIds(next).length).to.be.greaterThan(400)
  })

  it('shows a legacy stored zone as its current name, selected', async () => {
    const el = await mount('Asia/Calcutta')
    expect(parts(el).select.value).to.equal('Asia/Kolkata')
    expect(optionIds(el)).not.to.include('Asia/Calcutta')
    expect(optionIds(el).filter((id) => id === 'Asia/Kolkata')).to.have.length(1)
    el.value = 'Europe/Kiev'
    await el.updateComplete
    expect(parts(el).select.value).to.equal('Europe/Kyiv')
    expect(parts(el).select.selectedOptions[0]!.textContent).to.contain('Kyiv')
  })

  it('labels zones in its locale', async () => {
    const el = await mount('Asia/Taipei', 'zh-Hant')
    expect(parts(el).select.selectedOptions[0]!.textContent).to.match(/^\(GMT\+08:00\) Taipei — .*台北/)
    el.locale = 'et'
    el.value = 'Europe/Tallinn'
    await el.updateComplete
    expect(parts(el).select.selectedOptions[0]!.textContent).to.match(/Tallinn — .*Ida-Euroopa/)
  })

  it('filters the select as the subscriber types, keeping the chosen zone', async () => {
    const el = await mount()
    await search(el, 'kiev')
    expect(optionIds(el)).to.deep.equal(['Europe/Tallinn', 'Europe/Kyiv'])
    expect(parts(el).select.value).to.equal('Europe/Tallinn')
    expect(visibleStatus(el)).to.equal('')

    await search(el, 'Tall')
    expect(optionIds(el)).to.deep.equal(['Europe/Tallinn'])
    expect(visibleStatus(el)).to.equal('')

    await search(el, 'GMT-5')
    expect(optionIds(el)).to.include.members(['Europe/Tallinn', 'America/New_York'])

    await search(el, 'zzzz')
    expect(optionIds(el)).to.deep.equal(['Europe/Tallinn'])
    expect(visibleStatus(el)).to.equal('No time zone matches.')
    expect(parts(el).status.getAttribute('role')).to.equal('status')

    await search(el, '')
    expect(optionIds(el).length).to.be.greaterThan(400)
    expect(visibleStatus(el)).to.equal('')
  })

  it('picks with the keyboard: Tab to the select, arrow down, zone-change with the current id', async () => {
    const el = await mount()
    await search(el, 'Kiev')
    const event = oneEvent(el, 'zone-change') as Promise<CustomEvent<ZoneChangeDetail>>
    await sendKeys({ press: 'Tab' })
    expect(el.shadowRoot!.activeElement).to.equal(parts(el).select)
    await sendKeys({ press: 'ArrowDown' })
    const e = await event
    expect(e.detail).to.deep.equal({ zone: 'Europe/Kyiv' })
    expect(e.bubbles && e.composed).to.equal(true)
    expect(el.value).to.equal('Europe/Kyiv')
    await el.updateComplete
    expect(parts(el).select.value).to.equal('Europe/Kyiv')
  })

  it('picks the first match with Enter in the search field, and says which', async () => {
    const el = await mount()
    await search(el, 'calcutta')
    const event = oneEvent(el, 'zone-change') as Promise<CustomEvent<ZoneChangeDetail>>
    await sendKeys({ press: 'Enter' })
    expect((await event).detail.zone).to.equal('Asia/Kolkata')
    await el.updateComplete
    expect(parts(el).select.value).to.equal('Asia/Kolkata')
    expect(parts(el).status.textContent).to.contain('Kolkata')
    expect(visibleStatus(el)).to.equal('')
  })

  it('does nothing on Enter in an empty search field', async () => {
    const el = await mount()
    let fired = 0
    el.addEventListener('zone-change', () => fired++)
    await search(el, '')
    await sendKeys({ press: 'Enter' })
    await el.updateComplete
    expect(fired).to.equal(0)
    expect(el.value).to.equal('Europe/Tallinn')
  })

  it('keeps the list order when the host sets back the zone it picked', async () => {
    const el = await mount()
    const before = optionIds(el)
    parts(el).select.value = 'Asia/Tokyo'
    parts(el).select.dispatchEvent(new Event('change'))
    el.value = 'Asia/Tokyo'
    await el.updateComplete
    expect(optionIds(el)).to.deep.equal(before)
    expect(parts(el).select.value).to.equal('Asia/Tokyo')
  })

  it('passes axe (WCAG 2.2 AA, target size), also when nothing matches', async () => {
    const el = await mount()
    await expect(el).to.be.accessible()
    await expectNoAxeViolations(el)
    await search(el, 'zzzz')
    await expect(el).to.be.accessible()
    await expectNoAxeViolations(el)
  })

  it('fits a 320px phone with 44px targets and a visible focus ring', async () => {
    await setViewport({ width: 320, height: 640 })
    try {
      // A phone page: 320px wide, 16px side margins.
      const wrap = await fixture<HTMLDivElement>(html`<div style="width: 320px; padding: 0 16px; box-sizing: border-box">
        <heed-zone-picker .value=${'Pacific/Chatham'} locale="en"></heed-zone-picker>
      </div>`)
      const el = wrap.querySelector('heed-zone-picker')!
      await el.updateComplete
      expect(wrap.scrollWidth).to.be.at.most(320)
      expect(el.scrollWidth).to.be.at.most(288)
      const right = wrap.getBoundingClientRect().right - 16
      const { search, select } = parts(el)
      for (const c of [search, select]) {
        const box = c.getBoundingClientRect()
        expect(box.height).to.be.at.least(44)
        expect(box.right).to.be.at.most(right + 0.5)
      }
      search.focus()
      await sendKeys({ press: 'Tab' })
      const style = getComputedStyle(select)
      expect(select.matches(':focus-visible')).to.equal(true)
      expect(style.outlineStyle).to.equal('solid')
      expect(parseFloat(style.outlineWidth)).to.be.at.least(2)
    } finally {
      await setViewport({ width: 800, height: 600 })
    }
  })

  it('may be loaded twice', async () => {
    const again = '../src/components/zone-picker/zone-picker.ts?again'
    await import(again)
    expect(customElements.get('heed-zone-picker')).to.exist
  })
})
