/// <reference types="mocha" />
import { expect, waitUntil } from '@open-wc/testing'
import { apiUrl, subscriber } from './helpers.ts'

/**
 * The built dist/widget.js as a merchant embeds it: a page on another origin than the API, a
 * strict CSP (no inline script or style, no eval), the script tag included twice, the token in
 * the address (#token=…), no framework.
 */

interface FixtureWindow extends Window {
  __violations: string[]
  __errors: string[]
}

async function open(src: string): Promise<{ frame: HTMLIFrameElement; win: FixtureWindow; widget: () => ShadowRoot | null }> {
  const frame = document.createElement('iframe')
  frame.style.width = '800px'
  frame.style.height = '600px'
  frame.src = src
  document.body.append(frame)
  await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }))
  const win = frame.contentWindow as FixtureWindow
  const widget = () => win.document.querySelector('heed-preferences')?.shadowRoot ?? null
  await waitUntil(() => widget()?.querySelector('[role="switch"]'), 'the embedded widget did not render', { timeout: 8000 })
  return { frame, win, widget }
}

describe('<heed-preferences> embedded (built widget.js)', () => {
  let frames: HTMLIFrameElement[] = []
  afterEach(() => {
    for (const f of frames) f.remove()
    frames = []
  })

  it('works under a strict CSP, from another origin, loaded twice, and takes the token out of the address', async () => {
    const { token } = await subscriber()
    const api = await apiUrl()
    const page = `/packages/widget/test/fixtures/embed.html?api=${encodeURIComponent(api)}#token=${token}&section=prefs`
    const { frame, win, widget } = await open(page)
    frames.push(frame)
    expect(new URL(api).origin).to.not.equal(win.location.origin)
    expect(win.__violations).to.deep.equal([])
    expect(win.__errors).to.deep.equal([])
    expect(win.customElements.get('heed-preferences')).to.be.a('function')
    expect(win.document.querySelectorAll('script[src*="widget.js"]').length).to.equal(2)
    // No api attribute: it defaulted to the origin widget.js came from.
    expect(win.document.querySelector('heed-preferences')!.hasAttribute('api')).to.equal(false)
    // The token left the address bar; the rest of the fragment stayed.
    expect(win.location.hash).to.equal('#section=prefs')
    expect(win.location.href).to.not.include(token)
    // Styles applied through adopted stylesheets, not blocked by style-src 'self'.
    const sw = widget()!.querySelector<HTMLElement>('[role="switch"]')!
    expect(win.getComputedStyle(sw).width).to.equal('44px')
    expect(win.document.querySelector('[style]')).to.equal(null)
  })

  it('a reload of the same tab still finds the token it removed from the address', async () => {
    const { token } = await subscriber()
    const api = await apiUrl()
    const first = await open(`/packages/widget/test/fixtures/embed.html?api=${encodeURIComponent(api)}#token=${token}`)
    frames.push(first.frame)
    first.win.location.reload()
    await new Promise((resolve) => first.frame.addEventListener('load', resolve, { once: true }))
    const again = () => first.frame.contentWindow?.document.querySelector('heed-preferences')?.shadowRoot?.querySelector('[role="switch"]')
    await waitUntil(again, 'the widget did not load after a reload', { timeout: 8000 })
  })

  it('is served by the API within 20 kB gzip, importing nothing up front, for any site to load', async () => {
    const res = await fetch(`${await apiUrl()}/widget.js`)
    expect(res.status).to.equal(200)
    expect(res.headers.get('Content-Type')).to.match(/^text\/javascript/)
    const body = await res.arrayBuffer()
    const gz = await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()
    expect(gz.byteLength).to.be.at.most(20_000)
    const text = new TextDecoder().decode(body)
    expect(text).to.not.match(/(^|[;}])\s*import[\s{*"'`]/)
    // The parts it loads on demand sit beside it, served the same way and cached for good.
    const parts = [...text.matchAll(/\bimport\(\s*["'`]\.\/(widget\/[\w.-]+\.js)["'`]\s*\)/g)].map((m) => m[1]!)
    expect(parts.length).to.be.at.least(5)
    let total = gz.byteLength
    for (const part of parts) {
      const got = await fetch(`${await apiUrl()}/${part}`)
      expect(got.status, part).to.equal(200)
      expect(got.headers.get('Content-Type')).to.match(/^text\/javascript/)
      expect(got.headers.get('Cache-Control')).to.include('immutable')
      const partText = await got.text()
      // A part imports only widget.js (and other parts), never a second copy of anything.
      for (const m of partText.matchAll(/from\s*["']([^"']+)["']/g)) expect(m[1]).to.match(/^\.\.\/widget\.js$|^\.\/[\w.-]+\.js$/)
      total += (await new Response(new Blob([partText]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()).byteLength
    }
    // Every part together, all locales included, stays within the full-view budget.
    expect(total).to.be.at.most(30_000)
  })

  it('loads a locale and the quiet-hours editor on demand under the strict CSP', async () => {
    const { token } = await subscriber({ locale: 'et', quietHours: { start: '22:00', end: '07:00', days: [1, 2, 3, 4, 5] } })
    const api = await apiUrl()
    const { frame, win, widget } = await open(`/packages/widget/test/fixtures/embed.html?api=${encodeURIComponent(api)}#token=${token}`)
    frames.push(frame)
    await waitUntil(() => widget()?.querySelector('#quiet-rule'), 'the quiet-hours editor did not load', { timeout: 8000 })
    expect(widget()!.querySelector('[role="heading"]')?.textContent).to.equal('Sõnumite eelistused')
    expect(widget()!.querySelector('#quiet-rule')!.textContent).to.match(/^esmaspäev–reede/)
    expect(widget()!.querySelector('heed-zone-picker')).to.not.equal(null)
    expect(win.__violations).to.deep.equal([])
    expect(win.__errors).to.deep.equal([])
  })
})
