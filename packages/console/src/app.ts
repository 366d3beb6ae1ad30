import { css, html, LitElement, nothing } from 'lit'
import { ApiProblem, call, SIGNED_OUT } from './api.ts'
import type { ConsolePage } from './page.ts'
import { href, navigate, parse, type Route } from './router.ts'
import type { Session } from './session.ts'
import { base } from './styles.ts'
import { initialLocale, LOCALES, rememberLocale, TRANSLATIONS } from './translations/index.ts'

/** Each page is its own chunk, fetched the first time it is shown. */
const PAGES: Record<Route['page'], { tag: string; load: () => Promise<unknown> }> = {
  'sign-in': { tag: 'heed-sign-in', load: () => import('./pages/sign-in.ts') },
  accept: { tag: 'heed-accept', load: () => import('./pages/accept.ts') },
  subscribers: { tag: 'heed-subscribers', load: () => import('./pages/subscribers.ts') },
  subscriber: { tag: 'heed-subscriber', load: () => import('./pages/subscriber.ts') },
  topics: { tag: 'heed-topics', load: () => import('./pages/topics.ts') },
  settings: { tag: 'heed-settings', load: () => import('./pages/settings.ts') },
  ledger: { tag: 'heed-ledger', load: () => import('./pages/ledger.ts') },
  keys: { tag: 'heed-keys', load: () => import('./pages/keys.ts') },
  people: { tag: 'heed-people', load: () => import('./pages/people.ts') },
  webhooks: { tag: 'heed-webhooks', load: () => import('./pages/webhooks.ts') },
  import: { tag: 'heed-import', load: () => import('./pages/import.ts') },
  'not-found': { tag: 'heed-not-found', load: () => import('./pages/not-found.ts') },
}

/** Pages anyone may see without a session. */
const PUBLIC: ReadonlyArray<Route['page']> = ['sign-in', 'accept']

/**
 * `<heed-console>`: the shell. Brand, navigation, the signed-in user and sign-out, the language
 * switch, a skip link, and the current page (loaded on demand) in `<main>`.
 */
export class HeedConsole extends LitElement {
  static override styles = [
    base,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--bg);
      }
      .skip {
        position: absolute;
        inset-inline-start: 0.5rem;
        top: -4rem;
        z-index: 10;
        background: var(--surface);
        color: var(--text);
        padding: 0.5rem 1rem;
        border-radius: var(--radius);
        border: 2px solid var(--focus);
      }
      .skip:focus {
        top: 0.5rem;
      }
      header {
        background: var(--surface);
        border-bottom: 1px solid var(--border);
      }
      .bar {
        max-width: 72rem;
        margin: 0 auto;
        padding: 0.5rem 1rem;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
      }
      .brand {
        font-weight: 700;
        font-size: 1.125rem;
        margin-inline-end: auto;
        display: flex;
        align-items: baseline;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .brand .tenant {
        font-weight: 400;
        font-size: 0.9375rem;
        color: var(--muted);
      }
      .user {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
        font-size: 0.9375rem;
      }
      .lang {
        display: flex;
        align-items: center;
        gap: 0.375rem;
      }
      .lang label {
        margin: 0;
        font-weight: 400;
        font-size: 0.9375rem;
      }
      nav ul {
        list-style: none;
        margin: 0 auto;
        padding: 0 1rem;
        max-width: 72rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0 0.25rem;
      }
      nav a {
        display: inline-flex;
        align-items: center;
        min-height: 2.75rem;
        padding: 0 0.75rem;
        color: var(--text);
        text-decoration: none;
        border-bottom: 3px solid transparent;
        white-space: nowrap;
      }
      nav a[aria-current='page'] {
        border-bottom-color: var(--accent);
        font-weight: 700;
      }
      nav a:hover {
        text-decoration: underline;
      }
      main {
        max-width: 72rem;
        margin: 0 auto;
        padding: 1.5rem 1rem 4rem;
      }
      main:focus {
        outline: none;
      }
      main.narrow {
        max-width: 28rem;
      }
    `,
  ]

  static override properties = {
    _session: { state: true },
    _route: { state: true },
    _locale: { state: true },
    _page: { state: true },
    _notice: { state: true },
  }

  /** undefined while the session is being asked for. */
  declare private _session: Session | null | undefined
  declare private _route: Route
  declare private _locale: string
  declare private _page: ConsolePage | null
  declare private _notice: string

  #navigated = false

  constructor() {
    super()
    this._session = undefined
    this._route = parse(location.pathname)
    this._locale = initialLocale()
    this._page = null
    this._notice = ''
  }

  get #t() {
    return TRANSLATIONS[this._locale]!
  }

  override connectedCallback() {
    super.connectedCallback()
    window.addEventListener('popstate', this.#onRoute)
    window.addEventListener(SIGNED_OUT, this.#onSignedOut)
    window.addEventListener('heed-console-signed-in', this.#onSignedIn as EventListener)
    window.addEventListener('click', this.#onClick)
    document.documentElement.lang = this._locale
    void this.#loadSession()
  }

  override disconnectedCallback() {
    super.disconnectedCallback()
    window.removeEventListener('popstate', this.#onRoute)
    window.removeEventListener(SIGNED_OUT, this.#onSignedOut)
    window.removeEventListener('heed-console-signed-in', this.#onSignedIn as EventListener)
    window.removeEventListener('click', this.#onClick)
  }

  async #loadSession() {
    try {
      this._session = await call<Session>('GET', '/v1/session', undefined, { expect401: true })
    } catch (e) {
      this._session = null
      if (e instanceof ApiProblem && e.status !== 401) this._notice = e.status === 0 ? this.#t.networkError : e.detail || this.#t.genericError
    }
    void this.#show()
  }

  #onRoute = () => {
    this._route = parse(location.pathname)
    this.#navigated = true
    void this.#show()
  }

  #onSignedOut = () => {
    if (this._session === null && this._route.page === 'sign-in') return
    this._session = null
    this._notice = this.#t.sessionEnded
    navigate('/sign-in', true)
  }

  #onSignedIn = (e: CustomEvent<Session>) => {
    this._session = e.detail
    this._notice = ''
    navigate('/subscribers', true)
  }

  /** Same-origin links to the console move without a reload. */
  #onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement)
    if (!a || a.target || a.hasAttribute('download')) return
    const url = new URL(a.href, location.href)
    if (url.origin !== location.origin || !url.pathname.startsWith('/console') || url.pathname.startsWith('/console/assets/')) return
    e.preventDefault()
    history.pushState(null, '', url.pathname + url.search)
    this.#onRoute()
  }

  async #show() {
    if (this._session === undefined) return
    let route = this._route
    if (!this._session && !PUBLIC.includes(route.page)) {
      navigate('/sign-in', true)
      return
    }
    if (this._session && route.page === 'sign-in') {
      navigate('/subscribers', true)
      return
    }
    const spec = PAGES[route.page]
    try {
      await spec.load()
    } catch {
      this._notice = this.#t.networkError
      return
    }
    if (route !== this._route) return
    // A notice belongs to the page it came with; "session ended" stays on sign-in.
    if (this._session) this._notice = ''
    const el = document.createElement(spec.tag) as ConsolePage
    el.t = this.#t
    el.locale = this._locale
    el.session = this._session
    el.route = route
    this._page = el
    document.title = `${this.#title(route)} · ${this.#t.appName}`
    if (this.#navigated) {
      await this.updateComplete
      this.renderRoot.querySelector<HTMLElement>('main')?.focus()
    }
  }

  #title(route: Route): string {
    const t = this.#t
    const titles: Record<Route['page'], string> = {
      'sign-in': t.signInTitle,
      accept: t.acceptTitle,
      subscribers: t.subscribersTitle,
      subscriber: route.page === 'subscriber' ? route.id : t.subscribersTitle,
      topics: t.topicsTitle,
      settings: t.settingsTitle,
      ledger: t.ledgerTitle,
      keys: t.keysTitle,
      people: t.peopleTitle,
      webhooks: t.webhooksTitle,
      import: t.importTitle,
      'not-found': t.notFoundPage,
    }
    return titles[route.page]
  }

  #setLocale(locale: string) {
    this._locale = locale
    rememberLocale(locale)
    document.documentElement.lang = locale
    if (this._page) {
      this._page.t = this.#t
      this._page.locale = locale
    }
    document.title = `${this.#title(this._route)} · ${this.#t.appName}`
  }

  async #signOut() {
    try {
      await call('DELETE', '/v1/session', undefined, { expect401: true })
    } catch {
      // signed out either way on this side
    }
    this._session = null
    this._notice = ''
    navigate('/sign-in', true)
  }

  #skip(e: Event) {
    e.preventDefault()
    this.renderRoot.querySelector<HTMLElement>('main')?.focus()
  }

  override render() {
    const t = this.#t
    const s = this._session
    const page = this._route.page
    const nav: Array<[Route['page'], string, string]> = [
      ['subscribers', '/subscribers', t.navSubscribers],
      ['import', '/import', t.navImport],
      ['topics', '/topics', t.navTopics],
      ['settings', '/settings', t.navSettings],
      ['ledger', '/ledger', t.navLedger],
      ['keys', '/keys', t.navKeys],
      ['people', '/people', t.navPeople],
      ['webhooks', '/webhooks', t.navWebhooks],
    ]
    const current = page === 'subscriber' ? 'subscribers' : page
    return html`
      <a class="skip" href="#main" @click=${this.#skip}>${t.skipToContent}</a>
      <header>
        <div class="bar">
          <div class="brand">
            <span>${t.appName}</span>
            ${s ? html`<span class="tenant">${s.tenant.name}</span>` : nothing}
          </div>
          <div class="lang">
            <label for="locale">${t.language}</label>
            <select id="locale" .value=${this._locale} @change=${(e: Event) => this.#setLocale((e.target as HTMLSelectElement).value)}>
              ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${l === this._locale}>${TRANSLATIONS[l]!.$name}</option>`)}
            </select>
          </div>
          ${s
            ? html`<div class="user">
                <span>${t.signedInAs(s.user.name || s.user.email, t.roles[s.user.role] ?? s.user.role)}</span>
                <button class="small" @click=${this.#signOut}>${t.signOut}</button>
              </div>`
            : nothing}
        </div>
        ${s
          ? html`<nav aria-label=${t.mainNav}>
              <ul>
                ${nav.map(([p, path, label]) => html`<li><a href=${href(path)} aria-current=${current === p ? 'page' : 'false'}>${label}</a></li>`)}
              </ul>
            </nav>`
          : nothing}
      </header>
      <main id="main" tabindex="-1" class=${s ? '' : 'narrow'}>
        ${this._notice ? html`<p class="error" role="alert">${this._notice}</p>` : nothing}
        ${this._session === undefined || !this._page ? html`<p class="muted" role="status">${t.loading}</p>` : this._page}
      </main>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'heed-console': HeedConsole
  }
}

if (!customElements.get('heed-console')) customElements.define('heed-console', HeedConsole)
