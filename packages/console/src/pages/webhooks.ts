import { html, nothing } from 'lit'
import { call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { canAdminister } from '../session.ts'
import { dataTable } from '../table.ts'

interface Endpoint {
  id: string
  url: string
  description: string | null
  eventTypes: string[] | null
  enabled: boolean
  disabledReason: 'gone' | 'failing' | null
  failingSince: string | null
  previousSecretValidUntil: string | null
  createdAt: string
}

interface Attempt {
  messageId: string
  at: string
  status: number | null
  latencyMs: number
  error: string | null
}

/** The event types an endpoint may ask for, as `POST /v1/webhooks` takes them. */
const TYPES = ['subscriber.created', 'subscriber.updated', 'subscriber.unsubscribed', 'subscriber.resubscribed', 'subscriber.reason_given', 'subscriber.erased', 'topic.created', 'topic.updated', 'topic.deleted']
const DAY_MS = 86_400_000

const path = (id: string, rest = '') => `/v1/webhooks/${encodeURIComponent(id)}${rest}`

/** Webhooks: endpoints (add, the secret once, turn on and off, rotate, delete), an endpoint's recent attempts, and sending again. */
export class WebhooksPage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _endpoints: { state: true },
    _secret: { state: true },
    _failure: { state: true },
    _error: { state: true },
    _status: { state: true },
    _open: { state: true },
    _attempts: { state: true },
  }
  declare private _endpoints: Endpoint[]
  declare private _secret: string
  declare private _failure: unknown
  declare private _error: string
  declare private _status: string
  /** The endpoint whose attempts are shown. */
  declare private _open: string | null
  declare private _attempts: Attempt[]

  constructor() {
    super()
    this._endpoints = []
    this._secret = ''
    this._failure = null
    this._error = ''
    this._status = ''
    this._open = null
    this._attempts = []
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load()
  }

  async #load() {
    try {
      this._endpoints = (await call<{ data: Endpoint[] }>('GET', '/v1/webhooks')).data
      if (this._open) await this.#attempts(this._open)
    } catch (e) {
      this._error = this.errorText(e)
    }
  }

  async #attempts(id: string) {
    this._open = id
    this._attempts = (await call<{ data: Attempt[] }>('GET', path(id, '/deliveries?limit=20'))).data
  }

  async #act(work: () => Promise<unknown>, done?: string) {
    try {
      await work()
      if (done) this._status = done
      await this.#load()
    } catch (err) {
      this._status = this.errorText(err)
    }
  }

  async #create(e: SubmitEvent) {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    const chosen = TYPES.filter((type) => data.get(`type-${type}`) === 'on')
    const description = String(data.get('description') ?? '').trim()
    this._failure = null
    try {
      const created = await call<Endpoint & { secret: string }>('POST', '/v1/webhooks', {
        url: String(data.get('url') ?? '').trim(),
        ...(description ? { description } : {}),
        ...(chosen.length ? { eventTypes: chosen } : {}),
      })
      this._secret = created.secret
      form.reset()
      await this.#load()
      await this.updateComplete
      this.renderRoot.querySelector<HTMLElement>('#webhook-secret')?.focus()
    } catch (err) {
      this._failure = err
    }
  }

  async #rotate(endpoint: Endpoint) {
    try {
      const rotated = await call<{ secret: string }>('POST', path(endpoint.id, '/rotate-secret'), {})
      this._secret = rotated.secret
      this._status = this.t.webhookRotated
      await this.#load()
    } catch (err) {
      this._status = this.errorText(err)
    }
  }

  #statusOf(e: Endpoint) {
    const t = this.t
    if (e.enabled) return html`<span class="badge on">${e.failingSince ? t.webhookFailingSince(this.fmt.date(e.failingSince)) : t.webhookOn}</span>`
    return html`<span class="badge off">${e.disabledReason === 'gone' ? t.webhookGone : e.disabledReason === 'failing' ? t.webhookFailing : t.webhookOff}</span>`
  }

  #form() {
    const t = this.t
    const fail = this._failure
    const urlErr = this.fieldError(fail, '/url')
    return html`<form class="card" @submit=${this.#create} novalidate aria-labelledby="add-webhook">
      <h2 id="add-webhook">${t.webhookAdd}</h2>
      <label for="webhook-url">${t.webhookUrl}</label>
      <input id="webhook-url" name="url" type="url" class="wide mono" required placeholder="https://hooks.example.com/heed" aria-invalid=${urlErr ? 'true' : 'false'} aria-describedby="webhook-url-error" />
      <p id="webhook-url-error" class="field-error">${urlErr ?? (fail && !urlErr ? this.errorText(fail) : '')}</p>
      <label for="webhook-description">${t.webhookDescription}</label>
      <input id="webhook-description" name="description" class="wide" />
      <fieldset>
        <legend>${t.webhookEvents}</legend>
        <p class="muted">${t.webhookEventsHint}</p>
        ${TYPES.map((type) => html`<label class="inline mono"><input type="checkbox" name="type-${type}" /> ${type}</label>`)}
      </fieldset>
      <div class="actions"><button class="primary" type="submit">${t.webhookCreate}</button></div>
    </form>`
  }

  #attemptsTable(endpoint: Endpoint, owner: boolean) {
    const t = this.t
    return html`<section class="card" aria-labelledby="attempts-title">
      <h2 id="attempts-title">${t.webhookAttemptsTitle(endpoint.url)}</h2>
      ${owner
        ? html`<div class="actions">
            <button @click=${() => this.#act(() => call('POST', path(endpoint.id, '/replay'), { since: new Date(Date.now() - DAY_MS).toISOString() }), t.webhookReplayed)}>${t.webhookReplayDay}</button>
          </div>`
        : nothing}
      ${this._attempts.length === 0
        ? html`<p class="muted">${t.webhookNoAttempts}</p>`
        : dataTable([t.colWhen, t.webhookColStatus, t.webhookColLatency, t.webhookColMessage, ...(owner ? [{ hidden: t.actionsHeading }] : [])], this._attempts, (a) => [
            html`<time datetime=${a.at}>${this.fmt.date(a.at)}</time>`,
            a.status === null ? html`<span class="badge off">${a.error ?? '—'}</span>` : html`<span class="badge ${a.status >= 200 && a.status < 300 ? 'on' : 'off'}">${a.status}</span>${a.error && a.status >= 300 ? html` <span class="muted">${a.error}</span>` : nothing}`,
            `${this.fmt.number(a.latencyMs)} ms`,
            html`<code>${a.messageId}</code>`,
            ...(owner ? [html`<button class="small" aria-label="${t.webhookSendAgainShort}: ${a.messageId}" @click=${() => this.#act(() => call('POST', path(endpoint.id, '/replay'), { messageId: a.messageId }), t.webhookReplayed)}>${t.webhookSendAgainShort}</button>`] : []),
          ])}
    </section>`
  }

  override render() {
    const t = this.t
    const owner = canAdminister(this.session)
    const open = this._endpoints.find((e) => e.id === this._open)
    return html`
      <h1>${t.webhooksTitle}</h1>
      <p class="muted">${t.webhooksIntro}</p>
      ${owner ? nothing : html`<p class="muted">${t.readOnlyNote}</p>`}
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <p role="status">${this._status}</p>
      ${this._secret
        ? html`<div class="warning">
            <label for="webhook-secret">${t.secretOnce}</label>
            <input id="webhook-secret" class="mono wide" readonly .value=${this._secret} />
          </div>`
        : nothing}
      ${owner ? this.#form() : nothing}
      <h2>${t.webhookEndpoints}</h2>
      ${this._endpoints.length === 0
        ? html`<p class="card">${t.webhookNone}</p>`
        : dataTable([t.webhookUrl, t.webhookEvents, t.webhookColStatus, { hidden: t.actionsHeading }], this._endpoints, (e) => [
            html`<code>${e.url}</code>${e.description ? html`<div class="muted">${e.description}</div>` : nothing}`,
            e.eventTypes ? html`<span class="mono">${e.eventTypes.join(', ')}</span>` : t.webhookAllEvents,
            this.#statusOf(e),
            html`<div class="actions">
              <button class="small" aria-label="${t.webhookAttempts}: ${e.url}" @click=${() => this.#act(() => this.#attempts(e.id))}>${t.webhookAttempts}</button>
              ${owner
                ? html`<button class="small" @click=${() => this.#act(() => call('PATCH', path(e.id), { enabled: !e.enabled }))} aria-label="${e.enabled ? t.webhookTurnOff : t.webhookTurnOn}: ${e.url}">${e.enabled ? t.webhookTurnOff : t.webhookTurnOn}</button>
                    <button class="small" @click=${() => this.#rotate(e)} aria-label="${t.webhookRotate}: ${e.url}">${t.webhookRotate}</button>
                    <button class="small danger" @click=${() => confirm(t.webhookDeleteConfirm(e.url)) && this.#act(() => call('DELETE', path(e.id)))} aria-label="${t.delete}: ${e.url}">${t.delete}</button>`
                : nothing}
            </div>`,
          ])}
      ${open ? this.#attemptsTable(open, owner) : nothing}
    `
  }
}

if (!customElements.get('heed-webhooks')) customElements.define('heed-webhooks', WebhooksPage)
