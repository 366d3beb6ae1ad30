import { LitElement, css, html, type PropertyValues } from 'lit'
import { canonicalZone, matchZones, zoneList, type Zone } from '../../zones.ts'
import { visuallyHidden } from '../visually-hidden.styles.ts'

/** What `zone-change` carries: the chosen zone's current IANA id. */
export interface ZoneChangeDetail {
  zone: string
}

/**
 * `<heed-zone-picker>`: a time-zone picker made of native controls. A search field filters the
 * `<select>` beneath it (the chosen zone always stays in the list); both have visible labels,
 * and a polite live region says when nothing matches. Enter in the search field picks the
 * first match. Zones carry localized names and their current UTC offset (see zones.ts).
 *
 * @fires zone-change - `CustomEvent<{ zone }>` (bubbles, composed) when the subscriber picks a zone; `zone` is the current IANA id.
 */
export class HeedZonePicker extends LitElement {
  static override properties = {
    value: { type: String },
    locale: { type: String },
    label: { type: String },
    searchLabel: { type: String, attribute: 'search-label' },
    noMatch: { type: String, attribute: 'no-match' },
    browserZone: { type: String, attribute: 'browser-zone' },
    _query: { state: true },
    _said: { state: true },
  }

  /** The zone (IANA id; a legacy one shows as its current name). */
  declare value: string
  /** BCP 47 tag for the zone names; the browser's language when empty. */
  declare locale: string
  declare label: string
  declare searchLabel: string
  declare noMatch: string
  /** The browser's zone: listed first. */
  declare browserZone: string
  declare private _query: string
  /** What the live region says after Enter picked a zone. */
  declare private _said: string

  #zones: Zone[] = []
  #key = ''
  /** Whether #zones holds every zone, or only the browser's and the chosen one. */
  #full = false
  /** The zone listed first after the browser's: the value as last set from outside. */
  #pinned = ''
  /** The zone this picker chose last (a `value` set back to it is no new zone to pin). */
  #picked = ''

  constructor() {
    super()
    this.value = ''
    this.locale = ''
    this.label = 'Time zone'
    this.searchLabel = 'Search time zones'
    this.noMatch = 'No time zone matches.'
    this.browserZone = ''
    this._query = ''
    this._said = ''
  }

  get #current(): string {
    return canonicalZone(this.value || this.browserZone || 'UTC')
  }

  override connectedCallback(): void {
    super.connectedCallback()
    // Labelling every zone takes a formatter each (~100 ms in all): first the chosen zone, the
    // rest when the page is idle or someone reaches for the picker, whichever comes first.
    if ('requestIdleCallback' in globalThis) requestIdleCallback(this.#all, { timeout: 500 })
    else setTimeout(this.#all, 100)
    this.addEventListener('focusin', this.#all)
    this.addEventListener('pointerdown', this.#all)
  }

  #all = (): void => {
    if (!this.#full) {
      this.#full = true
      this.requestUpdate()
    }
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value') && this.value !== this.#picked) this.#pinned = this.value
    const locale = this.locale || navigator.language
    const key = [locale, this.browserZone, this.#pinned, this.#full].join('|')
    if (key !== this.#key) {
      this.#key = key
      this.#zones = zoneList(locale, Date.now(), [this.browserZone, this.#pinned || this.#current], this.#full)
    }
  }

  override render() {
    const current = this.#current
    const query = this._query.trim()
    const hits = query ? matchZones(query, this.#zones) : this.#zones
    const shown = hits.some((z) => z.id === current) ? hits : [...this.#zones.filter((z) => z.id === current), ...hits]
    return html`<span class="field"><label for="q">${this.searchLabel}</label><input id="q" type="search" autocomplete="off" spellcheck="false" aria-controls="z" @input=${this.#search} @keydown=${this.#enter} /></span>
      <span class="field"><label for="z">${this.label}</label><select id="z" @change=${(e: Event) => this.#pick((e.target as HTMLSelectElement).value)}>
        ${shown.map((z) => html`<option value=${z.id}>${z.label}</option>`)}
      </select>
      <span class="status" role="status">${query && !hits.length ? this.noMatch : html`<span class="vh">${this._said}</span>`}</span></span>`
  }

  override updated(): void {
    // The chosen zone, whatever options came and went (the select may have been changed by hand).
    this.renderRoot.querySelector('select')!.value = this.#current
  }

  #search(e: Event): void {
    this._query = (e.target as HTMLInputElement).value
    this._said = ''
  }

  #enter(e: KeyboardEvent): void {
    const query = this._query.trim()
    if (e.key !== 'Enter' || e.isComposing || !query) return
    e.preventDefault()
    const first = matchZones(query, this.#zones)[0]
    if (first) this.#pick(first.id, first.label)
  }

  /** Chooses a zone; `said` is announced (after Enter, which changes the select out of sight). */
  #pick(id: string, said = ''): void {
    const zone = canonicalZone(id)
    this._said = said
    if (zone === this.#current) return
    this.#picked = this.value = zone
    this.dispatchEvent(new CustomEvent<ZoneChangeDetail>('zone-change', { detail: { zone }, bubbles: true, composed: true }))
  }

  static override styles = [visuallyHidden, css`
    :host {
      --_fg: var(--fg, var(--heed-fg, light-dark(#1a1d21, #eceef0)));
      --_bg: var(--bg, var(--heed-bg, light-dark(#fff, #1d2125)));
      --_mu: var(--mu, var(--heed-muted, light-dark(#5a636c, #a7afb7)));
      --_a: var(--heed-accent, #0f766e);
      --_at: var(--at, light-dark(var(--_a), color-mix(in srgb, var(--_a) 45%, #fff)));
      position: relative;
      display: grid;
      gap: 0.75rem;
      min-width: 0;
    }
    :host([hidden]) {
      display: none;
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      min-width: 0;
      color: var(--_mu);
      font-size: 0.875rem;
    }
    input,
    select {
      box-sizing: border-box;
      width: 100%;
      min-width: 0;
      min-height: 2.75rem;
      margin: 0;
      padding: 0 0.75rem;
      border: 1px solid var(--ctl, color-mix(in srgb, var(--_fg) 48%, var(--_bg)));
      border-radius: calc(var(--r, var(--heed-radius, 12px)) * 0.66);
      background: var(--_bg);
      color: var(--_fg);
      font: inherit;
      font-size: 1rem;
    }
    select {
      cursor: pointer;
      text-overflow: ellipsis;
    }
    :focus-visible {
      outline: 2px solid var(--_at);
      outline-offset: 2px;
    }
    .status:has(.vh) {
      margin-top: -0.25rem;
    }
  `]
}

if (!customElements.get('heed-zone-picker')) customElements.define('heed-zone-picker', HeedZonePicker)

declare global {
  interface HTMLElementTagNameMap {
    'heed-zone-picker': HeedZonePicker
  }
}
