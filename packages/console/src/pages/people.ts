import { html, nothing } from 'lit'
import { call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { canAdminister, type Role } from '../session.ts'
import { dataTable } from '../table.ts'

interface User {
  id: string
  email: string
  name: string | null
  role: Role
  createdAt: string
}
interface Invitation {
  id: string
  email: string
  role: Role
  createdAt: string
  expiresAt: string
}

const ROLES: Role[] = ['owner', 'editor', 'viewer']

/** Console users and invitations: invite by e-mail, change a role, remove, withdraw. */
export class PeoplePage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _users: { state: true },
    _invitations: { state: true },
    _error: { state: true },
    _failure: { state: true },
    _message: { state: true },
  }
  declare private _users: User[]
  declare private _invitations: Invitation[]
  declare private _error: string
  declare private _failure: unknown
  declare private _message: string

  constructor() {
    super()
    this._users = []
    this._invitations = []
    this._error = ''
    this._failure = null
    this._message = ''
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load()
  }

  async #load() {
    try {
      const r = await call<{ users: User[]; invitations: Invitation[] }>('GET', '/v1/users')
      this._users = r.users
      this._invitations = r.invitations
    } catch (e) {
      this._error = this.errorText(e)
    }
  }

  async #invite(e: SubmitEvent) {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const data = new FormData(form)
    const email = String(data.get('email') ?? '').trim()
    this._failure = null
    try {
      await call('POST', '/v1/users/invitations', { email, role: String(data.get('role')) })
      this._message = this.t.invited(email)
      form.reset()
      await this.#load()
    } catch (err) {
      this._failure = err
    }
  }

  async #act(run: () => Promise<unknown>) {
    this._error = ''
    try {
      await run()
      await this.#load()
    } catch (err) {
      this._error = this.errorText(err)
      await this.#load()
    }
  }

  override render() {
    const t = this.t
    const owner = canAdminister(this.session)
    const me = this.session?.user.id
    const emailErr = this.fieldError(this._failure, '/email')
    return html`
      <h1>${t.peopleTitle}</h1>
      <p class="muted">${t.roleHelp}</p>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      ${owner
        ? html`<form class="card" @submit=${this.#invite} novalidate aria-labelledby="invite-title">
            <h2 id="invite-title">${t.inviteHeading}</h2>
            <div class="row">
              <div>
                <label for="invite-email">${t.email}</label>
                <input id="invite-email" name="email" type="email" autocomplete="off" aria-invalid=${emailErr ? 'true' : 'false'} aria-describedby="invite-error" />
              </div>
              <div>
                <label for="invite-role">${t.colRole}</label>
                <select id="invite-role" name="role">
                  ${ROLES.map((r) => html`<option value=${r} ?selected=${r === 'editor'}>${t.roles[r]}</option>`)}
                </select>
              </div>
              <button class="primary" type="submit">${t.invite}</button>
            </div>
            <p id="invite-error" class="field-error">${emailErr ?? (this._failure ? this.errorText(this._failure) : '')}</p>
            <p role="status" class="success">${this._message}</p>
          </form>`
        : nothing}
      <h2>${t.usersHeading}</h2>
      ${dataTable([t.colName, t.colEmail, t.colRole, { hidden: t.actionsHeading }], this._users, (u) => {
        const name = u.name || u.email
        const other = owner && u.id !== me
        return [
          html`${name}${u.id === me ? html` <span class="muted">(${t.you})</span>` : nothing}`,
          u.email,
          other
            ? html`<select aria-label=${t.roleFor(name)} @change=${(e: Event) => this.#act(() => call('PATCH', `/v1/users/${encodeURIComponent(u.id)}`, { role: (e.target as HTMLSelectElement).value }))}>
                ${ROLES.map((r) => html`<option value=${r} ?selected=${u.role === r}>${t.roles[r]}</option>`)}
              </select>`
            : t.roles[u.role],
          other
            ? html`<button
                class="small danger"
                aria-label="${t.remove}: ${name}"
                @click=${() => confirm(t.removeUser(name)) && this.#act(() => call('DELETE', `/v1/users/${encodeURIComponent(u.id)}`))}
              >
                ${t.remove}
              </button>`
            : nothing,
        ]
      })}
      <h2>${t.invitationsHeading}</h2>
      ${this._invitations.length === 0
        ? html`<p class="muted">${t.noInvitations}</p>`
        : dataTable([t.colEmail, t.colRole, t.colExpires, { hidden: t.actionsHeading }], this._invitations, (i) => [
            i.email,
            t.roles[i.role],
            this.fmt.date(i.expiresAt),
            owner
              ? html`<button class="small" aria-label="${t.withdraw}: ${i.email}" @click=${() => this.#act(() => call('DELETE', `/v1/users/invitations/${encodeURIComponent(i.id)}`))}>${t.withdraw}</button>`
              : nothing,
          ])}
    `
  }
}

if (!customElements.get('heed-people')) customElements.define('heed-people', PeoplePage)
