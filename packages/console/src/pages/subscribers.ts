import type { Subscriber, Topic } from '@heed/shared/schemas'
import { html, nothing } from 'lit'
import { call, query } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { href } from '../router.ts'
import { dataTable } from '../table.ts'
import { localized } from '../text.ts'

interface Filters {
  q: string
  status: string
  topic: string
  paused: string
  hasCaps: string
}

const FILTER_KEYS = ['q', 'status', 'topic', 'paused', 'hasCaps'] as const

/** Search, filters and cursor pages over `GET /v1/subscribers`; the filters live in the address. */
export class SubscribersPage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _items: { state: true },
    _next: { state: true },
    _topics: { state: true },
    _loading: { state: true },
    _error: { state: true },
    _filters: { state: true },
  }
  declare private _items: Subscriber[]
  declare private _next: string | null
  declare private _topics: Topic[]
  declare private _loading: boolean
  declare private _error: string
  declare private _filters: Filters

  constructor() {
    super()
    const params = new URLSearchParams(location.search)
    this._filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as unknown as Filters
    this._items = []
    this._next = null
    this._topics = []
    this._loading = false
    this._error = ''
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load(false)
    call<{ data: Topic[] }>('GET', '/v1/topics').then(
      (r) => (this._topics = r.data),
      () => {},
    )
  }

  async #load(more: boolean) {
    this._loading = true
    this._error = ''
    const f = this._filters
    try {
      const page = await call<{ items: Subscriber[]; nextCursor: string | null }>(
        'GET',
        `/v1/subscribers${query({ q: f.q.trim(), status: f.status, topic: f.topic, paused: f.paused, hasCaps: f.hasCaps, cursor: more ? this._next : undefined, limit: 50 })}`,
      )
      this._items = more ? [...this._items, ...page.items] : page.items
      this._next = page.nextCursor
    } catch (e) {
      this._error = this.errorText(e)
    } finally {
      this._loading = false
    }
  }

  #apply(e?: Event) {
    e?.preventDefault()
    const form = this.renderRoot.querySelector('form')!
    const data = new FormData(form)
    this._filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, String(data.get(k) ?? '')])) as unknown as Filters
    history.replaceState(null, '', location.pathname + query({ ...this._filters }))
    void this.#load(false)
  }

  override render() {
    const t = this.t
    const f = this._filters
    const yesNo = (name: keyof Filters, label: string) => html`
      <div>
        <label for=${name}>${label}</label>
        <select id=${name} name=${name} @change=${() => this.#apply()}>
          <option value="" ?selected=${f[name] === ''}>${t.any}</option>
          <option value="true" ?selected=${f[name] === 'true'}>${t.yes}</option>
          <option value="false" ?selected=${f[name] === 'false'}>${t.no}</option>
        </select>
      </div>
    `
    return html`
      <h1>${t.subscribersTitle}</h1>
      <form role="search" class="card" @submit=${this.#apply}>
        <div class="row">
          <div>
            <label for="q">${t.searchLabel}</label>
            <input id="q" name="q" type="search" .value=${f.q} autocomplete="off" spellcheck="false" />
          </div>
          <button type="submit" class="primary">${t.search}</button>
        </div>
        <div class="row">
          <div>
            <label for="status">${t.filterStatus}</label>
            <select id="status" name="status" @change=${() => this.#apply()}>
              <option value="" ?selected=${f.status === ''}>${t.any}</option>
              ${['subscribed', 'unsubscribed'].map((s) => html`<option value=${s} ?selected=${f.status === s}>${t.status[s]}</option>`)}
            </select>
          </div>
          <div>
            <label for="topic">${t.filterTopic}</label>
            <select id="topic" name="topic" @change=${() => this.#apply()}>
              <option value="" ?selected=${f.topic === ''}>${t.any}</option>
              ${this._topics.map((tp) => html`<option value=${tp.key} ?selected=${f.topic === tp.key}>${localized(tp.name, this.locale)}</option>`)}
            </select>
          </div>
          ${yesNo('paused', t.filterPaused)} ${yesNo('hasCaps', t.filterCaps)}
        </div>
      </form>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <p class="muted" role="status">${this._loading ? t.loading : t.shownCount(this.fmt.number(this._items.length))}</p>
      ${this._items.length === 0 && !this._loading && !this._error
        ? html`<div class="card"><p><strong>${t.noSubscribers}</strong></p><p class="muted">${t.noSubscribersHint}</p></div>`
        : this._items.length > 0
          ? dataTable([t.colId, t.colEmail, t.colStatus, t.colUpdated], this._items, (s) => [
              html`<a href=${href(`/subscribers/${encodeURIComponent(s.id)}`)} class="mono">${s.id}</a>`,
              s.email ?? html`<span class="muted">—</span>`,
              html`<span class="badge ${s.status === 'subscribed' ? 'on' : 'off'}">${t.status[s.status]}</span>`,
              this.fmt.date(s.updatedAt),
            ])
          : nothing}
      ${this._next ? html`<div class="actions"><button @click=${() => this.#load(true)} ?disabled=${this._loading}>${t.loadMore}</button></div>` : nothing}
    `
  }
}

if (!customElements.get('heed-subscribers')) customElements.define('heed-subscribers', SubscribersPage)
