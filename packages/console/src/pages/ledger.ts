import type { ConsentEvent } from '@heed/shared/schemas'
import { html, nothing } from 'lit'
import { call, query } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { href } from '../router.ts'
import { changes } from '../text.ts'

interface Verification {
  ok: boolean
  count: number
  head: string
  firstBad?: { seq: number; id: string; problem: string }
}

const SOURCES = ['widget', 'link', 'one_click', 'api', 'import']

/** The consent ledger: pages of events (by subscriber; type and source filter the loaded ones) and chain verification. */
export class LedgerPage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _events: { state: true },
    _next: { state: true },
    _subscriber: { state: true },
    _type: { state: true },
    _source: { state: true },
    _error: { state: true },
    _loading: { state: true },
    _verify: { state: true },
    _verifying: { state: true },
  }
  declare private _events: ConsentEvent[]
  declare private _next: string | null
  declare private _subscriber: string
  declare private _type: string
  declare private _source: string
  declare private _error: string
  declare private _loading: boolean
  declare private _verify: Verification | string | null
  declare private _verifying: boolean

  constructor() {
    super()
    this._events = []
    this._next = null
    this._subscriber = new URLSearchParams(location.search).get('subscriberId') ?? ''
    this._type = ''
    this._source = ''
    this._error = ''
    this._loading = false
    this._verify = null
    this._verifying = false
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load(false)
  }

  async #load(more: boolean) {
    this._loading = true
    this._error = ''
    try {
      const page = await call<{ data: ConsentEvent[]; next: string | null }>(
        'GET',
        `/v1/events${query({ subscriberId: this._subscriber.trim(), after: more ? this._next : undefined, limit: 200 })}`,
      )
      this._events = more ? [...this._events, ...page.data] : page.data
      this._next = page.next
    } catch (e) {
      this._error = this.errorText(e)
    } finally {
      this._loading = false
    }
  }

  async #verifyChain() {
    this._verifying = true
    try {
      this._verify = await call<Verification>('GET', '/v1/events/verify')
    } catch (e) {
      this._verify = this.errorText(e)
    } finally {
      this._verifying = false
    }
  }

  #filter(e: SubmitEvent) {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    this._subscriber = String(data.get('subscriberId') ?? '')
    history.replaceState(null, '', location.pathname + query({ subscriberId: this._subscriber.trim() }))
    void this.#load(false)
  }

  override render() {
    const t = this.t
    const types = [...new Set(this._events.map((e) => e.type))].sort()
    const shown = this._events.filter((e) => (!this._type || e.type === this._type) && (!this._source || e.source === this._source))
    const v = this._verify
    return html`
      <h1>${t.ledgerTitle}</h1>
      <p class="muted">${t.ledgerIntro}</p>
      <section class="card" aria-labelledby="verify-title">
        <h2 id="verify-title" class="visually-hidden">${t.verifyChain}</h2>
        <button class="primary" @click=${this.#verifyChain} ?disabled=${this._verifying}>${this._verifying ? t.verifying : t.verifyChain}</button>
        <div role="status" aria-live="polite">
          ${v === null
            ? nothing
            : typeof v === 'string'
              ? html`<p class="error">${v}</p>`
              : html`<p class=${v.ok ? 'success' : 'error'}>${v.ok ? t.chainOk(this.fmt.number(v.count)) : t.chainBroken(this.fmt.number(v.count))}</p>
                  ${v.firstBad ? html`<p class="error">#${v.firstBad.seq}: ${v.firstBad.problem}</p>` : nothing}
                  <p>${t.headHash}: <code id="head-hash">${v.head}</code></p>`}
        </div>
      </section>
      <form class="card row" role="search" @submit=${this.#filter}>
        <div>
          <label for="subscriberId">${t.filterSubscriber}</label>
          <input id="subscriberId" name="subscriberId" .value=${this._subscriber} autocomplete="off" spellcheck="false" />
        </div>
        <button type="submit">${t.search}</button>
        <div>
          <label for="type">${t.filterType}</label>
          <select id="type" @change=${(e: Event) => (this._type = (e.target as HTMLSelectElement).value)}>
            <option value="">${t.any}</option>
            ${types.map((ty) => html`<option value=${ty} ?selected=${ty === this._type}>${t.eventType(ty)}</option>`)}
          </select>
        </div>
        <div>
          <label for="source">${t.filterSource}</label>
          <select id="source" @change=${(e: Event) => (this._source = (e.target as HTMLSelectElement).value)}>
            <option value="">${t.any}</option>
            ${SOURCES.map((s) => html`<option value=${s} ?selected=${s === this._source}>${t.source[s]}</option>`)}
          </select>
        </div>
      </form>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      ${shown.length === 0 && !this._loading
        ? html`<p class="card">${t.noLedgerEvents}</p>`
        : html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">${t.colWhen}</th>
                  <th scope="col">${t.colType}</th>
                  <th scope="col">${t.colSubscriber}</th>
                  <th scope="col">${t.colSource}</th>
                  <th scope="col">${t.colHash}</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map(
                  (e) => html`<tr>
                    <td>${this.fmt.number(e.seq)}</td>
                    <td><time datetime=${e.at}>${this.fmt.date(e.at)}</time></td>
                    <td>
                      ${t.eventType(e.type)}${e.reason ? html`<div class="muted">“${e.reason}”</div>` : nothing}
                      ${e.type === 'subscriber.updated' ? html`<div class="muted mono">${changes(e.before, e.after, 3).join('; ')}</div>` : nothing}
                    </td>
                    <td>
                      ${e.erased || !e.subscriberId
                        ? html`<span class="muted">${t.erasedSubscriber}</span>`
                        : html`<a class="mono" href=${href(`/subscribers/${encodeURIComponent(e.subscriberId)}`)}>${e.subscriberId}</a>`}
                    </td>
                    <td>${t.source[e.source] ?? e.source}</td>
                    <td><code>${e.hash.slice(0, 12)}</code></td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
      ${this._next ? html`<div class="actions"><button @click=${() => this.#load(true)} ?disabled=${this._loading}>${t.loadMore}</button></div>` : nothing}
    `
  }
}

if (!customElements.get('heed-ledger')) customElements.define('heed-ledger', LedgerPage)
