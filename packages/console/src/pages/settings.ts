import type { PreviewLinkResponse, Tenant } from '@heed/shared/schemas'
import { css, html, nothing, type PropertyValues } from 'lit'
import { keyed } from 'lit/directives/keyed.js'
import { ApiProblem, call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { canEdit } from '../session.ts'
import { LOCALES, TRANSLATIONS } from '../translations/index.ts'

const DAY = 86_400

const timeZones = (() => {
  try {
    return Intl.supportedValuesOf('timeZone')
  } catch {
    return []
  }
})()

const isOrigin = (s: string) => {
  try {
    const u = new URL(s)
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s
  } catch {
    return false
  }
}

interface Choice {
  max: number
  per: 'day' | 'week' | 'month'
}

/** The tenant's settings, and the real widget beside them showing what subscribers will see. */
export class SettingsPage extends ConsolePage {
  static override styles = [
    ...ConsolePage.styles,
    css`
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        gap: 1rem;
        align-items: start;
      }
      @media (max-width: 60rem) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .preview {
        position: sticky;
        top: 1rem;
      }
      .choice {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 0.5rem;
      }
      .choice label {
        margin-top: 0;
      }
      input[type='number'] {
        width: 6rem;
      }
      fieldset.plain {
        border: 0;
        padding: 0;
        margin: 0;
        min-width: 0;
      }
      .widget-frame {
        border: 1px dashed var(--border);
        border-radius: var(--radius);
        padding: 0.75rem;
        background: var(--bg);
      }
    `,
  ]

  static override properties = {
    ...ConsolePage.properties,
    _tenant: { state: true },
    _accent: { state: true },
    _choices: { state: true },
    _origins: { state: true },
    _failure: { state: true },
    _state: { state: true },
    _error: { state: true },
    _previewToken: { state: true },
    _previewError: { state: true },
    _previewLang: { state: true },
    _previewVersion: { state: true },
  }
  declare private _tenant: Tenant | null
  declare private _accent: string
  declare private _choices: Choice[]
  declare private _origins: string
  declare private _failure: unknown
  declare private _state: '' | 'saving' | 'saved'
  declare private _error: string
  declare private _previewToken: string
  declare private _previewError: string
  declare private _previewLang: string
  declare private _previewVersion: number

  constructor() {
    super()
    this._tenant = null
    this._accent = '#0f766e'
    this._choices = []
    this._origins = ''
    this._failure = null
    this._state = ''
    this._error = ''
    this._previewToken = ''
    this._previewError = ''
    this._previewLang = ''
    this._previewVersion = 0
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load()
  }

  async #load() {
    try {
      const tenant = await call<Tenant>('GET', '/v1/tenant')
      this.#fill(tenant)
    } catch (e) {
      this._error = this.errorText(e)
      return
    }
    void this.#startPreview()
  }

  #fill(tenant: Tenant) {
    this._tenant = tenant
    this._accent = tenant.branding.accentColor ?? '#0f766e'
    this._choices = tenant.frequencyOptions.map((o) => ({ max: o.max, per: o.per }))
    this._origins = tenant.allowedOrigins.join('\n')
    this._previewLang ||= LOCALES.includes(this.locale) ? this.locale : tenant.defaultLocale
  }

  /**
   * The real widget, with a preview token: it shows the tenant's settings and topics to a
   * subscriber that does not exist, and what is changed in it is answered but never stored.
   * A fresh token after every save too (one works for an hour).
   */
  async #startPreview() {
    this._previewError = ''
    try {
      if (!customElements.get('heed-preferences')) {
        await new Promise<void>((resolve, reject) => {
          const script = document.createElement('script')
          script.type = 'module'
          script.src = '/widget.js'
          script.onload = () => resolve()
          script.onerror = () => reject(new ApiProblem(404, 'Not found', 'widget.js'))
          document.head.append(script)
        })
      }
      const preview = await call<PreviewLinkResponse>('POST', '/v1/tenant/preview-link')
      this._previewToken = preview.token
      this._previewVersion++
    } catch (e) {
      this._previewError = this.errorText(e)
    }
  }

  override updated(changed: PropertyValues) {
    super.updated(changed)
    // Set through the CSSOM (a style attribute would be refused by the page's CSP).
    const widget = this.renderRoot.querySelector<HTMLElement>('heed-preferences')
    if (widget && /^#[0-9a-fA-F]{6}$/.test(this._accent)) widget.style.setProperty('--heed-accent', this._accent)
  }

  #originErrors(): string[] {
    return this._origins
      .split(/\s+/)
      .filter(Boolean)
      .filter((o) => !isOrigin(o))
  }

  async #save(e: SubmitEvent) {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    const bad = this.#originErrors()
    if (bad.length) {
      this._failure = new ApiProblem(400, 'Invalid request', this.t.invalidOrigin(bad[0]!), [{ pointer: '/allowedOrigins', detail: this.t.invalidOrigin(bad[0]!) }])
      this.renderRoot.querySelector<HTMLElement>('#origins')?.focus()
      return
    }
    const days = Number(data.get('ttl'))
    const body = {
      name: String(data.get('name') ?? '').trim(),
      branding: { ...(this._tenant?.branding ?? {}), accentColor: this._accent },
      allowedOrigins: this._origins.split(/\s+/).filter(Boolean),
      defaultLocale: String(data.get('defaultLocale')),
      defaultTimezone: String(data.get('defaultTimezone') ?? '').trim(),
      linkTtlSeconds: Number.isFinite(days) ? Math.round(days * DAY) : 0,
      frequencyOptions: this._choices,
    }
    this._state = 'saving'
    this._failure = null
    try {
      this.#fill(await call<Tenant>('PATCH', '/v1/tenant', body))
      this._state = 'saved'
      void this.#startPreview()
    } catch (err) {
      this._failure = err
      this._state = ''
    }
  }

  #choice(c: Choice, i: number) {
    const t = this.t
    const set = (patch: Partial<Choice>) => (this._choices = this._choices.map((x, j) => (j === i ? { ...x, ...patch } : x)))
    const text = t.capText(c.max, t.per[c.per] ?? c.per)
    return html`<div class="choice">
      <div>
        <label for="max-${i}">${t.max}</label>
        <input id="max-${i}" type="number" min="1" max="1000" .value=${String(c.max)} @input=${(e: Event) => set({ max: Number((e.target as HTMLInputElement).value) })} />
      </div>
      <div>
        <label for="per-${i}">${t.period}</label>
        <select id="per-${i}" @change=${(e: Event) => set({ per: (e.target as HTMLSelectElement).value as Choice['per'] })}>
          ${(['day', 'week', 'month'] as const).map((p) => html`<option value=${p} ?selected=${c.per === p}>${t.per[p]}</option>`)}
        </select>
      </div>
      <button type="button" class="small" aria-label=${t.removeChoice(text)} @click=${() => (this._choices = this._choices.filter((_, j) => j !== i))}>✕</button>
    </div>`
  }

  override render() {
    const t = this.t
    const tenant = this._tenant
    if (!tenant) return html`<h1>${t.settingsTitle}</h1>${this._error ? html`<p class="error" role="alert">${this._error}</p>` : html`<p class="muted" role="status">${t.loading}</p>`}`
    const editable = canEdit(this.session)
    const fail = this._failure
    const err = (p: string) => this.fieldError(fail, p)
    const general = fail instanceof ApiProblem && fail.errors.length === 0 ? this.errorText(fail) : fail && !(fail instanceof ApiProblem) ? this.errorText(fail) : ''
    const locales = LOCALES.includes(tenant.defaultLocale) ? LOCALES : [...LOCALES, tenant.defaultLocale]
    const field = (id: string, pointer: string) => ({ invalid: err(pointer) ? 'true' : 'false', described: `${id}-error` })
    const fName = field('name', '/name')
    const fOrigins = field('origins', '/allowedOrigins')
    const fTz = field('tz', '/defaultTimezone')
    const fTtl = field('ttl', '/linkTtlSeconds')
    const fAccent = field('accent', '/branding')
    return html`
      <h1>${t.settingsTitle}</h1>
      ${editable ? nothing : html`<p class="muted">${t.readOnlyNote}</p>`}
      <div class="layout">
        <form class="card" @submit=${this.#save} novalidate>
          <fieldset class="plain" ?disabled=${!editable}>
            <legend class="visually-hidden">${t.settingsTitle}</legend>
            ${general ? html`<p class="error" role="alert">${general}</p>` : nothing}
            <label for="name">${t.brandName}</label>
            <input id="name" name="name" class="wide" .value=${tenant.name} aria-invalid=${fName.invalid} aria-describedby=${fName.described} />
            <p id="name-error" class="field-error">${err('/name') ?? ''}</p>

            <label for="accent">${t.accentColor}</label>
            <div class="row">
              <input id="accent" type="color" .value=${this._accent} @input=${(e: Event) => (this._accent = (e.target as HTMLInputElement).value)} aria-describedby=${fAccent.described} />
              <input id="accent-hex" aria-label="${t.accentColor} (#rrggbb)" class="mono" .value=${this._accent} @input=${(e: Event) => (this._accent = (e.target as HTMLInputElement).value)} size="8" />
            </div>
            <p id="accent-error" class="field-error">${err('/branding') ?? ''}</p>

            <label for="origins">${t.allowedOrigins}</label>
            <textarea id="origins" class="wide mono" rows="3" .value=${this._origins} @input=${(e: Event) => (this._origins = (e.target as HTMLTextAreaElement).value)} aria-invalid=${fOrigins.invalid} aria-describedby="origins-hint origins-error"></textarea>
            <p id="origins-hint" class="muted">${t.allowedOriginsHint}</p>
            <p id="origins-error" class="field-error">${err('/allowedOrigins') ?? ''}</p>

            <div class="row">
              <div>
                <label for="defaultLocale">${t.defaultLocale}</label>
                <select id="defaultLocale" name="defaultLocale">
                  ${locales.map((l) => html`<option value=${l} ?selected=${tenant.defaultLocale === l}>${TRANSLATIONS[l]?.$name ?? l}</option>`)}
                </select>
              </div>
              <div>
                <label for="tz">${t.defaultTimezone}</label>
                <input id="tz" name="defaultTimezone" list="zones" .value=${tenant.defaultTimezone} autocomplete="off" aria-invalid=${fTz.invalid} aria-describedby=${fTz.described} />
                <datalist id="zones">${timeZones.map((z) => html`<option value=${z}></option>`)}</datalist>
              </div>
            </div>
            <p id="tz-error" class="field-error">${err('/defaultTimezone') ?? ''}</p>

            <label for="ttl">${t.linkLifetime}</label>
            <input id="ttl" name="ttl" type="number" min="60" max="400" .value=${String(Math.round(tenant.linkTtlSeconds / DAY))} aria-invalid=${fTtl.invalid} aria-describedby="ttl-hint ttl-error" />
            <p id="ttl-hint" class="muted">${t.linkLifetimeHint}</p>
            <p id="ttl-error" class="field-error">${err('/linkTtlSeconds') ?? ''}</p>

            <fieldset>
              <legend>${t.frequencyChoices}</legend>
              ${this._choices.map((c, i) => this.#choice(c, i))}
              <button type="button" class="small" @click=${() => (this._choices = [...this._choices, { max: 1, per: 'week' }])}>${t.addChoice}</button>
              <p class="field-error">${err('/frequencyOptions') ?? ''}</p>
            </fieldset>

            ${editable
              ? html`<div class="actions">
                  <button class="primary" type="submit" ?disabled=${this._state === 'saving'}>${this._state === 'saving' ? t.saving : t.save}</button>
                  <span role="status" class="success">${this._state === 'saved' ? t.saved : ''}</span>
                </div>`
              : nothing}
          </fieldset>
        </form>

        <section class="card preview" aria-labelledby="preview-title">
          <h2 id="preview-title">${t.previewHeading}</h2>
          <p class="muted">${t.previewIntro}</p>
          <label for="preview-lang">${t.previewLang}</label>
          <select id="preview-lang" @change=${(e: Event) => (this._previewLang = (e.target as HTMLSelectElement).value)}>
            ${LOCALES.map((l) => html`<option value=${l} ?selected=${this._previewLang === l}>${TRANSLATIONS[l]!.$name}</option>`)}
          </select>
          <div class="widget-frame">
            ${this._previewError
              ? html`<p class="error">${this._previewError}</p>`
              : this._previewToken
                ? keyed(this._previewVersion, html`<heed-preferences api=${location.origin} token=${this._previewToken} lang=${this._previewLang} heading-level="3"></heed-preferences>`)
                : html`<p class="muted" role="status">${t.loading}</p>`}
          </div>
        </section>
      </div>
    `
  }
}

if (!customElements.get('heed-settings')) customElements.define('heed-settings', SettingsPage)
