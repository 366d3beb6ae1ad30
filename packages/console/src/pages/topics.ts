import type { Tenant, Topic } from '@heed/shared/schemas'
import { html, nothing } from 'lit'
import { ApiProblem, call } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { canEdit } from '../session.ts'
import { topicList } from '../styles.ts'
import { localized } from '../text.ts'
import { LOCALES, TRANSLATIONS } from '../translations/index.ts'

/** What PUT /v1/topics/{key} takes: the whole topic, so a reorder never loses a field. */
const bodyOf = (tp: Topic) => ({
  name: tp.name,
  ...(tp.description ? { description: tp.description } : {}),
  category: tp.category,
  channels: tp.channels,
  defaultSubscribed: tp.defaultSubscribed,
  required: tp.required,
  order: tp.order,
})

const topicPath = (key: string) => `/v1/topics/${encodeURIComponent(key)}`

/** Topics: list in the order subscribers see, create, edit per locale, reorder, delete and restore. */
export class TopicsPage extends ConsolePage {
  static override styles = [...ConsolePage.styles, topicList]
  static override properties = {
    ...ConsolePage.properties,
    _topics: { state: true },
    _channels: { state: true },
    _editing: { state: true },
    _required: { state: true },
    _failure: { state: true },
    _error: { state: true },
    _status: { state: true },
    _deleted: { state: true },
    _justDeleted: { state: true },
    _dragging: { state: true },
  }
  declare private _topics: Topic[]
  declare private _channels: string[]
  /** The topic in the form: a key, '' for a new one, null for no form. */
  declare private _editing: string | null
  declare private _required: boolean
  declare private _failure: unknown
  declare private _error: string
  declare private _status: string
  /** Deleted topics, from the API: restorable after a reload too. */
  declare private _deleted: Array<Topic & { deletedAt: string }>
  /** The topic this page just deleted, offered back in the status line. */
  declare private _justDeleted: string | null
  declare private _dragging: string | null

  constructor() {
    super()
    this._topics = []
    this._channels = ['email']
    this._editing = null
    this._required = false
    this._failure = null
    this._error = ''
    this._status = ''
    this._deleted = []
    this._justDeleted = null
    this._dragging = null
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load()
  }

  async #load() {
    try {
      const [topics, deleted, tenant] = await Promise.all([
        call<{ data: Topic[] }>('GET', '/v1/topics'),
        call<{ data: Array<Topic & { deletedAt: string }> }>('GET', '/v1/topics?deleted=true'),
        call<Tenant>('GET', '/v1/tenant'),
      ])
      this._topics = [...topics.data].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key))
      this._deleted = deleted.data
      this._channels = tenant.channels
    } catch (e) {
      this._error = this.errorText(e)
    }
  }

  #open(key: string) {
    this._editing = key
    this._failure = null
    this._status = ''
    this._required = this._topics.find((tp) => tp.key === key)?.required ?? false
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#topic-form input:not([disabled])')?.focus())
  }

  async #save(e: SubmitEvent) {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    const existing = this._topics.find((tp) => tp.key === this._editing)
    const key = existing ? existing.key : String(data.get('key') ?? '').trim()
    const text = (field: string) => Object.fromEntries(LOCALES.map((l) => [l, String(data.get(`${field}-${l}`) ?? '').trim()]).filter(([, v]) => v))
    const name = text('name')
    const description = text('description')
    const channels = this._channels.filter((c) => data.get(`channel-${c}`) === 'on')
    const category = String(data.get('category') ?? '').trim()
    const body = {
      name,
      ...(Object.keys(description).length ? { description } : {}),
      ...(category ? { category } : {}),
      ...(channels.length ? { channels } : {}),
      defaultSubscribed: data.get('defaultSubscribed') === 'on',
      required: data.get('required') === 'on',
      order: existing ? existing.order : Math.max(0, ...this._topics.map((tp) => tp.order)) + 10,
    }
    this._failure = null
    try {
      if (!key) throw Object.assign(new Error('key'), { pointer: '/key' })
      await call<Topic>('PUT', topicPath(key), body)
      this._status = this.t.saved
      this._editing = null
      await this.#load()
    } catch (err) {
      this._failure = err
    }
  }

  async #delete(tp: Topic) {
    const name = localized(tp.name, this.locale)
    if (!confirm(this.t.deleteTopic(name))) return
    try {
      await call('DELETE', topicPath(tp.key))
      this._topics = this._topics.filter((x) => x.key !== tp.key)
      this._justDeleted = tp.key
      this._status = this.t.topicDeleted(name)
      await this.#load()
    } catch (err) {
      this._status = this.errorText(err)
    }
  }

  async #restore(key: string) {
    try {
      const tp = await call<Topic>('POST', `${topicPath(key)}/restore`)
      this._justDeleted = null
      this._status = this.t.topicRestored(localized(tp.name, this.locale))
      await this.#load()
    } catch (err) {
      this._status = this.errorText(err)
    }
  }

  /** Puts the list in this order: every topic gets order 10, 20, …; only changed ones are sent. */
  async #reorder(keys: string[], focusKey?: string, focusDir?: 'up' | 'down') {
    const byKey = new Map(this._topics.map((tp) => [tp.key, tp]))
    const next = keys.map((k, i) => ({ ...byKey.get(k)!, order: (i + 1) * 10 }))
    const changed = next.filter((tp) => byKey.get(tp.key)!.order !== tp.order)
    this._topics = next
    try {
      await Promise.all(changed.map((tp) => call('PUT', topicPath(tp.key), bodyOf(tp))))
      this._status = this.t.orderSaved
    } catch (err) {
      this._status = this.errorText(err)
      await this.#load()
    }
    if (focusKey) {
      await this.updateComplete
      const btn = this.renderRoot.querySelector<HTMLButtonElement>(`[data-key="${CSS.escape(focusKey)}"] .${focusDir}`)
      ;(btn && !btn.disabled ? btn : this.renderRoot.querySelector<HTMLButtonElement>(`[data-key="${CSS.escape(focusKey)}"] .${focusDir === 'up' ? 'down' : 'up'}`))?.focus()
    }
  }

  #move(key: string, by: -1 | 1) {
    const keys = this._topics.map((tp) => tp.key)
    const i = keys.indexOf(key)
    const j = i + by
    if (j < 0 || j >= keys.length) return
    ;[keys[i], keys[j]] = [keys[j]!, keys[i]!]
    void this.#reorder(keys, key, by < 0 ? 'up' : 'down')
  }

  #drop(e: DragEvent, target: string) {
    e.preventDefault()
    const from = this._dragging
    this._dragging = null
    if (!from || from === target) return
    const keys = this._topics.map((tp) => tp.key).filter((k) => k !== from)
    keys.splice(keys.indexOf(target) + (this._topics.findIndex((tp) => tp.key === from) < this._topics.findIndex((tp) => tp.key === target) ? 1 : 0), 0, from)
    void this.#reorder(keys)
  }

  #form() {
    const t = this.t
    const tp = this._topics.find((x) => x.key === this._editing)
    const fail = this._failure
    const field = (p: string) => this.fieldError(fail, p)
    const keyErr = fail instanceof Error && 'pointer' in fail ? t.topicKeyHint : field('/key')
    const general = fail && !keyErr && !(fail instanceof ApiProblem && fail.errors.length) ? this.errorText(fail) : ''
    const nameErr = field('/name')
    return html`
      <form id="topic-form" class="card" @submit=${this.#save} novalidate aria-labelledby="form-title">
        <h2 id="form-title">${tp ? localized(tp.name, this.locale) : t.newTopic}</h2>
        ${general ? html`<p class="error" role="alert">${general}</p>` : nothing}
        <label for="key">${t.topicKey}</label>
        <input id="key" name="key" class="mono" .value=${tp?.key ?? ''} ?disabled=${!!tp} required pattern="[a-z0-9_\\-]+" aria-invalid=${keyErr ? 'true' : 'false'} aria-describedby="key-hint" />
        <p id="key-hint" class=${keyErr ? 'field-error' : 'muted'}>${keyErr && keyErr !== t.topicKeyHint ? `${keyErr}. ` : ''}${t.topicKeyHint}</p>
        <div class="row">
          ${LOCALES.map(
            (l) => html`<div>
              <label for="name-${l}">${t.nameIn(TRANSLATIONS[l]!.$name)}</label>
              <input id="name-${l}" name="name-${l}" lang=${l} .value=${tp?.name[l] ?? ''} aria-invalid=${nameErr && l === 'en' ? 'true' : 'false'} aria-describedby="name-error" />
            </div>`,
          )}
        </div>
        <p id="name-error" class="field-error">${nameErr ?? ''}</p>
        ${LOCALES.map(
          (l) => html`<label for="description-${l}">${t.descriptionIn(TRANSLATIONS[l]!.$name)}</label>
            <textarea id="description-${l}" name="description-${l}" lang=${l} class="wide" rows="2" .value=${tp?.description?.[l] ?? ''}></textarea>`,
        )}
        <p class="field-error">${field('/description') ?? ''}</p>
        <label for="category">${t.category}</label>
        <input id="category" name="category" .value=${tp?.category ?? ''} aria-describedby="category-error" />
        <p id="category-error" class="field-error">${field('/category') ?? ''}</p>
        <fieldset>
          <legend>${t.channels}</legend>
          ${this._channels.map(
            (c) => html`<label class="inline"><input type="checkbox" name="channel-${c}" ?checked=${tp ? tp.channels.includes(c) : true} /> ${c}</label>`,
          )}
          <p class="field-error">${field('/channels') ?? ''}</p>
        </fieldset>
        <label class="inline"><input type="checkbox" name="defaultSubscribed" ?checked=${tp?.defaultSubscribed ?? false} /> ${t.defaultSubscribed}</label>
        <label class="inline"
          ><input type="checkbox" name="required" ?checked=${this._required} @change=${(e: Event) => (this._required = (e.target as HTMLInputElement).checked)} aria-describedby="required-warning" />
          ${t.required}</label
        >
        <p id="required-warning" class="warning" ?hidden=${!this._required}>${t.requiredWarning}</p>
        <div class="actions">
          <button class="primary" type="submit">${tp ? t.save : t.createTopic}</button>
          <button type="button" @click=${() => (this._editing = null)}>${t.cancel}</button>
        </div>
      </form>
    `
  }

  override render() {
    const t = this.t
    const editable = canEdit(this.session)
    const n = this._topics.length
    return html`
      <h1>${t.topicsTitle}</h1>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      ${editable ? html`<div class="actions"><button class="primary" @click=${() => this.#open('')}>${t.newTopic}</button></div>` : html`<p class="muted">${t.readOnlyNote}</p>`}
      <p role="status">
        ${this._status}
        ${this._justDeleted && editable ? html` <button class="small" @click=${() => this.#restore(this._justDeleted!)}>${t.restore}</button>` : nothing}
      </p>
      ${this._editing !== null && editable ? this.#form() : nothing}
      ${editable && n > 1 ? html`<p class="muted">${t.dragHint}</p>` : nothing}
      ${n === 0 && !this._error
        ? html`<p class="card">${t.noTopics}</p>`
        : html`<ol class="topics">
            ${this._topics.map((tp, i) => {
              const name = localized(tp.name, this.locale)
              return html`<li
                class="card topic ${this._dragging === tp.key ? 'dragging' : ''}"
                data-key=${tp.key}
                draggable=${editable ? 'true' : 'false'}
                @dragstart=${(e: DragEvent) => {
                  this._dragging = tp.key
                  e.dataTransfer?.setData('text/plain', tp.key)
                }}
                @dragover=${(e: DragEvent) => e.preventDefault()}
                @drop=${(e: DragEvent) => this.#drop(e, tp.key)}
                @dragend=${() => (this._dragging = null)}
              >
                <div class="topic-main">
                  <strong>${name}</strong> <code class="muted">${tp.key}</code>
                  <div class="muted">${tp.category} · ${tp.channels.join(', ')}</div>
                  ${tp.description ? html`<div>${localized(tp.description, this.locale)}</div>` : nothing}
                  <div>
                    ${tp.required ? html`<span class="badge off">${t.requiredBadge}</span>` : nothing}
                    ${tp.defaultSubscribed ? html`<span class="badge on">${t.defaultBadge}</span>` : nothing}
                  </div>
                </div>
                ${editable
                  ? html`<div class="topic-actions">
                      <button class="small up" aria-label=${t.moveUp(name)} ?disabled=${i === 0} @click=${() => this.#move(tp.key, -1)}>↑</button>
                      <button class="small down" aria-label=${t.moveDown(name)} ?disabled=${i === n - 1} @click=${() => this.#move(tp.key, 1)}>↓</button>
                      <button class="small" @click=${() => this.#open(tp.key)} aria-label="${t.edit}: ${name}">${t.edit}</button>
                      <button class="small danger" @click=${() => this.#delete(tp)} aria-label="${t.delete}: ${name}">${t.delete}</button>
                    </div>`
                  : nothing}
              </li>`
            })}
          </ol>`}
      ${this._deleted.length ? this.#deletedList(editable) : nothing}
    `
  }

  #deletedList(editable: boolean) {
    const t = this.t
    return html`<section aria-labelledby="deleted-title">
      <h2 id="deleted-title">${t.deletedTopicsTitle}</h2>
      <p class="muted">${t.deletedTopicsNote}</p>
      <ul class="topics">
        ${this._deleted.map((tp) => {
          const name = localized(tp.name, this.locale)
          return html`<li class="card topic" data-deleted=${tp.key}>
            <div class="topic-main">
              <strong>${name}</strong> <code class="muted">${tp.key}</code>
              <div class="muted">${t.deletedOn(this.fmt.date(tp.deletedAt))}</div>
            </div>
            ${editable ? html`<div class="topic-actions"><button class="small" @click=${() => this.#restore(tp.key)} aria-label=${t.restoreNamed(name)}>${t.restore}</button></div>` : nothing}
          </li>`
        })}
      </ul>
    </section>`
  }
}

if (!customElements.get('heed-topics')) customElements.define('heed-topics', TopicsPage)
