import type { ApiKey } from '@heed/shared/schemas'
import { html, nothing } from 'lit'
import { call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { canAdminister } from '../session.ts'
import { dataTable } from '../table.ts'

const DAY = 86_400

/** API keys (create: the secret once, with a copy button; revoke) and the rotation of the link signing key. */
export class KeysPage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _keys: { state: true },
    _secret: { state: true },
    _message: { state: true },
    _error: { state: true },
    _failure: { state: true },
    _rotation: { state: true },
    _retire: { state: true },
  }
  declare private _keys: ApiKey[]
  declare private _secret: string
  declare private _message: string
  declare private _error: string
  declare private _failure: unknown
  declare private _rotation: string
  declare private _retire: string

  constructor() {
    super()
    this._keys = []
    this._secret = ''
    this._message = ''
    this._error = ''
    this._failure = null
    this._rotation = ''
    this._retire = 'default'
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load()
  }

  async #load() {
    try {
      this._keys = (await call<{ data: ApiKey[] }>('GET', '/v1/api-keys')).data
    } catch (e) {
      this._error = this.errorText(e)
    }
  }

  async #create(e: SubmitEvent) {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    const name = String(data.get('name') ?? '').trim()
    this._failure = null
    try {
      const key = await call<ApiKey & { secret: string }>('POST', '/v1/api-keys', { role: String(data.get('role')), ...(name ? { name } : {}) })
      this._secret = key.secret
      this._message = ''
      form.reset()
      await this.#load()
      await this.updateComplete
      this.renderRoot.querySelector<HTMLElement>('#secret')?.focus()
    } catch (err) {
      this._failure = err
    }
  }

  async #copy() {
    try {
      await navigator.clipboard.writeText(this._secret)
      this._message = this.t.copied
    } catch {
      this.renderRoot.querySelector<HTMLInputElement>('#secret')?.select()
    }
  }

  async #revoke(key: ApiKey) {
    if (!confirm(this.t.revokeKeyConfirm(key.name ?? key.prefix))) return
    try {
      await call('DELETE', `/v1/api-keys/${encodeURIComponent(key.id)}`)
      await this.#load()
    } catch (err) {
      this._error = this.errorText(err)
    }
  }

  async #rotate(e: SubmitEvent) {
    e.preventDefault()
    const retire = this._retire
    const body = retire === 'default' ? {} : { retireAfterSeconds: Number(retire) * DAY }
    try {
      const r = await call<{ kid: string; previousKeysRetireAt: string }>('POST', '/v1/signing-keys/rotate', body)
      this._rotation = this.t.rotated(r.kid, this.fmt.date(r.previousKeysRetireAt))
    } catch (err) {
      this._rotation = this.errorText(err)
    }
  }

  override render() {
    const t = this.t
    const owner = canAdminister(this.session)
    const fail = this._failure
    return html`
      <h1>${t.keysTitle}</h1>
      ${owner ? nothing : html`<p class="muted">${t.readOnlyNote}</p>`}
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <section aria-labelledby="api-keys">
        <h2 id="api-keys">${t.apiKeysHeading}</h2>
        ${owner
          ? html`<form class="card" @submit=${this.#create}>
              <div class="row">
                <div>
                  <label for="key-name">${t.keyName}</label>
                  <input id="key-name" name="name" aria-describedby="key-name-error" />
                </div>
                <div>
                  <label for="key-role">${t.keyRole}</label>
                  <select id="key-role" name="role" aria-describedby="role-hint">
                    <option value="sender">${t.keyRoles.sender}</option>
                    <option value="admin">${t.keyRoles.admin}</option>
                  </select>
                </div>
                <button class="primary" type="submit">${t.createKey}</button>
              </div>
              <p id="role-hint" class="muted">${t.keyRoleHint}</p>
              <p id="key-name-error" class="field-error">${this.fieldError(fail, '/name') ?? (fail ? this.errorText(fail) : '')}</p>
              ${this._secret
                ? html`<div class="warning">
                    <label for="secret">${t.secretOnce}</label>
                    <div class="row">
                      <input id="secret" class="mono wide" readonly .value=${this._secret} />
                      <button type="button" @click=${this.#copy}>${t.copy}</button>
                    </div>
                    <p role="status">${this._message}</p>
                  </div>`
                : nothing}
            </form>`
          : nothing}
        ${this._keys.length === 0
          ? html`<p class="card">${t.noKeys}</p>`
          : dataTable([t.keyName, t.colPrefix, t.keyRole, t.colCreated, { hidden: t.actionsHeading }], this._keys, (k) => [
              k.name ?? html`<span class="muted">—</span>`,
              html`<code>${k.prefix}…</code>`,
              t.keyRoles[k.role] ?? k.role,
              this.fmt.date(k.createdAt),
              k.revokedAt
                ? html`<span class="badge off">${t.revoked}</span>`
                : owner
                  ? html`<button class="small danger" @click=${() => this.#revoke(k)} aria-label="${t.revoke}: ${k.name ?? k.prefix}">${t.revoke}</button>`
                  : nothing,
            ])}
      </section>
      <section aria-labelledby="signing">
        <h2 id="signing">${t.signingHeading}</h2>
        <form class="card" @submit=${this.#rotate}>
          <p>${t.signingIntro}</p>
          <fieldset ?disabled=${!owner}>
            <legend>${t.retireAfter}</legend>
            ${[
              ['default', t.retireDefault],
              ['7', t.retireDays(7)],
              ['30', t.retireDays(30)],
              ['0', t.retireNow],
            ].map(
              ([value, label]) =>
                html`<label class="inline"
                  ><input type="radio" name="retire" value=${value!} ?checked=${this._retire === value} @change=${() => (this._retire = value!)} /> ${label}</label
                >`,
            )}
          </fieldset>
          ${owner ? html`<div class="actions"><button class="primary" type="submit">${t.rotate}</button></div>` : nothing}
          <p role="status">${this._rotation}</p>
        </form>
      </section>
    `
  }
}

if (!customElements.get('heed-keys')) customElements.define('heed-keys', KeysPage)
