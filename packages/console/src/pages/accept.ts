import { html, nothing } from 'lit'
import { ApiProblem, call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import type { Session } from '../session.ts'

/** The invitation link `/console/accept#token=…`: a name and a password, then signed in. */
export class AcceptPage extends ConsolePage {
  static override properties = { ...ConsolePage.properties, _error: { state: true }, _failure: { state: true }, _busy: { state: true } }
  declare private _error: string
  declare private _failure: unknown
  declare private _busy: boolean
  #token = ''

  constructor() {
    super()
    this._error = ''
    this._failure = null
    this._busy = false
  }

  override connectedCallback() {
    super.connectedCallback()
    this.#token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
    // The token leaves the address bar (and history) at once.
    if (location.hash) history.replaceState(null, '', location.pathname)
  }

  async #submit(e: SubmitEvent) {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    this._busy = true
    this._error = ''
    this._failure = null
    try {
      const name = String(data.get('name') ?? '').trim()
      const session = await call<Session>('POST', '/v1/invitations/accept', { token: this.#token, password: String(data.get('password') ?? ''), ...(name ? { name } : {}) }, { expect401: true })
      window.dispatchEvent(new CustomEvent('heed-console-signed-in', { detail: session }))
    } catch (err) {
      this._failure = err
      this._error = err instanceof ApiProblem && (err.status === 401 || err.status === 404 || err.status === 410) ? this.t.acceptFailed : this.errorText(err)
    } finally {
      this._busy = false
    }
  }

  override render() {
    const t = this.t
    const pwError = this.fieldError(this._failure, '/password')
    return html`
      <h1>${t.acceptTitle}</h1>
      <p class="muted">${t.acceptIntro}</p>
      <form class="card" @submit=${this.#submit} novalidate>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
        <label for="name">${t.yourName}</label>
        <input id="name" name="name" class="wide" autocomplete="name" />
        <label for="password">${t.newPassword}</label>
        <input id="password" name="password" type="password" class="wide" autocomplete="new-password" minlength="12" required aria-invalid=${pwError ? 'true' : 'false'} aria-describedby="pw-error" />
        <p id="pw-error" class="field-error">${pwError ?? ''}</p>
        <div class="actions"><button class="primary" type="submit" ?disabled=${this._busy || !this.#token}>${t.accept}</button></div>
      </form>
    `
  }
}

if (!customElements.get('heed-accept')) customElements.define('heed-accept', AcceptPage)
