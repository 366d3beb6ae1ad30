import type { ConsentEvent } from '@heed/shared/schemas'
import { html, nothing } from 'lit'
import { call, query } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { href } from '../router.ts'
import { dataTable } from '../table.ts'
import { changes } from '../text.ts'

interface Verification {
  ok: boolean
  count: number
  head: string
  firstBad?: { seq: number; id: string; problem: string }
}

const TYPES: ConsentEvent['type'][] = ['subscriber.created', 'subscriber.updated', 'subscriber.reason_given', 'subscriber.erased']
const SOURCES: ConsentEvent['source'][] = ['widget', 'link', 'one_click', 'api', 'import']
const ORDERS = ['desc', 'asc'] as const
const PAGE = 50

interface Filters {
  subscriberId: string
  type: string
  source: string
  order: (typeof ORDERS)[number]
}

/** The filters in the address, each only if it is one the API knows; newest first by default. */
function filtersFrom(params: URLSearchParams): Filters {
  const pick = <T extends string>(name: string, allowed: readonly T[]) => allowed.find((v) => v === params.get(name))
  return {
    subscriberId: params.get('subscriberId') ?? '',
    type: pick('type', TYPES) ?? '',
    source: pick('source', SOURCES) ?? '',
    order: pick('order', ORDERS) ?? 'desc',
  }
}

/**
 * The consent ledger over `GET /v1/events`: newest first (or oldest first), filtered by the API
 * by subscriber, type and source, a page at a time ("Load older"); the filters live in the
 * address. "Verify chain" checks the whole chain.
 */
export class LedgerPage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _events: { state: true },
    _next: { state: true },
    _filters: { state: true },
    _error: { state: true },
    _loading: { state: true },
    _verify: { state: true },
    _verifying: { state: true },
  }
  declare private _events: ConsentEvent[]
  declare private _next: string | null
  declare private _filters: Filters
  declare private _error: string
  declare private _loading: boolean
  declare private _verify: Verification | string | null
  declare private _verifying: boolean
  /** Only the answer to the latest request is shown, whatever order answers arrive in. */
  #request = 0

  constructor() {
    super()
    this._events = []
    this._next = null
    this._filters = filtersFrom(new URLSearchParams(location.search))
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
    const request = ++this.#request
    const f = this._filters
    const cursor = more ? this._next : undefined
    this._loading = true
    this._error = ''
    try {
      const page = await call<{ data: ConsentEvent[]; next: string | null }>(
        'GET',
        `/v1/events${query({
          subscriberId: f.subscriberId.trim(),
          type: f.type,
          source: f.source,
          order: f.order,
          [f.order === 'desc' ? 'before' : 'after']: cursor,
          limit: PAGE,
        })}`,
      )
      if (request !== this.#request) return
      this._events = more ? [...this._events, ...page.data] : page.data
      this._next = page.next
    } catch (e) {
      if (request !== this.#request) return
      this._error = this.errorText(e)
    } finally {
      if (request === this.#request) this._loading = false
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

  #apply(e?: Event) {
    e?.preventDefault()
    const data = new FormData(this.renderRoot.querySelector('form')!)
    this._filters = filtersFrom(new URLSearchParams(['subscriberId', 'type', 'source', 'order'].map((k) => [k, String(data.get(k) ?? '')])))
    const { order, ...rest } = this._filters
    history.replaceState(null, '', location.pathname + query({ ...rest, subscriberId: rest.subscriberId.trim(), order: order === 'desc' ? undefined : order }))
    void this.#load(false)
  }

  override render() {
    const t = this.t
    const f = this._filters
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
      <form class="card" role="search" @submit=${this.#apply}>
        <div class="row">
          <div>
            <label for="subscriberId">${t.filterSubscriber}</label>
            <input id="subscriberId" name="subscriberId" .value=${f.subscriberId} autocomplete="off" spellcheck="false" />
          </div>
          <button type="submit">${t.search}</button>
        </div>
        <div class="row">
          <div>
            <label for="type">${t.filterType}</label>
            <select id="type" name="type" @change=${() => this.#apply()}>
              <option value="" ?selected=${f.type === ''}>${t.any}</option>
              ${TYPES.map((ty) => html`<option value=${ty} ?selected=${ty === f.type}>${t.eventType(ty)}</option>`)}
            </select>
          </div>
          <div>
            <label for="source">${t.filterSource}</label>
            <select id="source" name="source" @change=${() => this.#apply()}>
              <option value="" ?selected=${f.source === ''}>${t.any}</option>
              ${SOURCES.map((s) => html`<option value=${s} ?selected=${s === f.source}>${t.source[s]}</option>`)}
            </select>
          </div>
          <div>
            <label for="order">${t.ledgerOrder}</label>
            <select id="order" name="order" @change=${() => this.#apply()}>
              <option value="desc" ?selected=${f.order === 'desc'}>${t.newestFirst}</option>
              <option value="asc" ?selected=${f.order === 'asc'}>${t.oldestFirst}</option>
            </select>
          </div>
        </div>
      </form>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <p class="muted" role="status">${this._loading ? t.loading : t.shownCount(this.fmt.number(this._events.length))}</p>
      ${this._events.length === 0 && !this._loading
        ? html`<p class="card">${t.noLedgerEvents}</p>`
        : dataTable(['#', t.colWhen, t.colType, t.colSubscriber, t.colSource, t.colHash], this._events, (e) => [
            this.fmt.number(e.seq),
            html`<time datetime=${e.at}>${this.fmt.date(e.at)}</time>`,
            html`${t.eventType(e.type)}${e.reason ? html`<div class="muted">“${e.reason}”</div>` : nothing}
            ${e.type === 'subscriber.updated' ? html`<div class="muted mono">${changes(e.before, e.after, 3).join('; ')}</div>` : nothing}`,
            e.erased || !e.subscriberId
              ? html`<span class="muted">${t.erasedSubscriber}</span>`
              : html`<a class="mono" href=${href(`/subscribers/${encodeURIComponent(e.subscriberId)}`)}>${e.subscriberId}</a>`,
            t.source[e.source] ?? e.source,
            html`<code>${e.hash.slice(0, 12)}</code>`,
          ])}
      ${this._next
        ? html`<div class="actions"><button @click=${() => this.#load(true)} ?disabled=${this._loading}>${f.order === 'desc' ? t.loadOlder : t.loadNewer}</button></div>`
        : nothing}
    `
  }
}

if (!customElements.get('heed-ledger')) customElements.define('heed-ledger', LedgerPage)
