import { html, nothing } from 'lit'
import { ApiProblem, call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import type { Session } from '../session.ts'

/** E-mail and password; one answer for every wrong combination, as the server gives. */
export class SignInPage extends ConsolePage {
  static override properties = { ...ConsolePage.properties, _error: { state: true }, _busy: { state: true } }
  declare private _error: string
  declare private _busy: boolean

  constructor() {
    super()
    this._error = ''
    this._busy = false
  }

  async #submit(e: SubmitEvent) {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    this._busy = true
    this._error = ''
    try {
      const session = await call<Session>('POST', '/v1/session', { email: String(data.get('email') ?? ''), password: String(data.get('password') ?? '') }, { expect401: true })
      window.dispatchEvent(new CustomEvent('heed-console-signed-in', { detail: session }))
    } catch (err) {
      const t = this.t
      this._error =
        err instanceof ApiProblem && (err.status === 401 || err.status === 400 || err.status === 403 || err.status === 404)
          ? t.signInFailed
          : err instanceof ApiProblem && err.status === 429
            ? t.tooManyAttempts
            : this.errorText(err)
      await this.updateComplete
      this.renderRoot.querySelector<HTMLInputElement>('#password')!.value = ''
      this.renderRoot.querySelector<HTMLElement>('#error')?.focus()
    } finally {
      this._busy = false
    }
  }

  override render() {
    const t = this.t
    return html`
      <h1>${t.signInTitle}</h1>
      <p class="muted">${t.signInIntro}</p>
      <form class="card" @submit=${this.#submit} novalidate>
        ${this._error ? html`<p id="error" class="error" role="alert" tabindex="-1">${this._error}</p>` : nothing}
        <label for="email">${t.email}</label>
        <input id="email" name="email" type="email" class="wide" autocomplete="username" required aria-invalid=${this._error ? 'true' : 'false'} aria-describedby=${this._error ? 'error' : ''} />
        <label for="password">${t.password}</label>
        <input id="password" name="password" type="password" class="wide" autocomplete="current-password" required aria-invalid=${this._error ? 'true' : 'false'} aria-describedby=${this._error ? 'error' : ''} />
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this._busy}>${this._busy ? t.signingIn : t.signIn}</button>
        </div>
      </form>
    `
  }
}

if (!customElements.get('heed-sign-in')) customElements.define('heed-sign-in', SignInPage)
