import type { ConsentEvent, Decision, LinkResponse, Subscriber, Topic } from '@heed/shared/schemas'
import { html, nothing } from 'lit'
import { call, query, subscriberPath } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { href, navigate } from '../router.ts'
import { canEdit } from '../session.ts'
import { changes, localized } from '../text.ts'
import { LOCALES, TRANSLATIONS } from '../translations/index.ts'

interface Dispatch {
  messageId: string
  topic: string
  channel: string
  at: string
  enforced: boolean
  decision: Decision
}

type Entry = { at: string; kind: 'event'; event: ConsentEvent } | { at: string; kind: 'dispatch'; dispatch: Dispatch }

const timeZones = (() => {
  try {
    return Intl.supportedValuesOf('timeZone')
  } catch {
    return []
  }
})()

/** One subscriber: state, a timeline of consent events and dispatches, and what may be done. */
export class SubscriberPage extends ConsolePage {
  static override properties = {
    ...ConsolePage.properties,
    _sub: { state: true },
    _entries: { state: true },
    _topics: { state: true },
    _error: { state: true },
    _saveFailure: { state: true },
    _saveState: { state: true },
    _message: { state: true },
    _link: { state: true },
    _confirmId: { state: true },
    _eraseError: { state: true },
  }
  declare private _sub: Subscriber | null
  declare private _entries: Entry[]
  declare private _topics: Topic[]
  declare private _error: string
  declare private _saveFailure: unknown
  declare private _saveState: '' | 'saving' | 'saved'
  declare private _message: string
  declare private _link: string
  declare private _confirmId: string
  declare private _eraseError: string

  constructor() {
    super()
    this._sub = null
    this._entries = []
    this._topics = []
    this._error = ''
    this._saveFailure = null
    this._saveState = ''
    this._message = ''
    this._link = ''
    this._confirmId = ''
    this._eraseError = ''
  }

  get #id() {
    return this.route.page === 'subscriber' ? this.route.id : ''
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#load()
  }

  async #load() {
    this._error = ''
    try {
      const [sub, events, exported, topics] = await Promise.all([
        call<Subscriber>('GET', subscriberPath(this.#id)),
        call<{ data: ConsentEvent[] }>('GET', `/v1/events${query({ subscriberId: this.#id, limit: 1000 })}`),
        call<{ dispatches: Dispatch[] }>('GET', subscriberPath(this.#id, '/export')),
        call<{ data: Topic[] }>('GET', '/v1/topics'),
      ])
      this._sub = sub
      this._topics = topics.data
      const entries: Entry[] = [
        ...events.data.map((event) => ({ at: event.at, kind: 'event' as const, event })),
        ...exported.dispatches.map((dispatch) => ({ at: dispatch.at, kind: 'dispatch' as const, dispatch })),
      ]
      this._entries = entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    } catch (e) {
      this._error = this.errorText(e)
    }
  }

  #topicName(key: string) {
    const topic = this._topics.find((tp) => tp.key === key)
    return topic ? localized(topic.name, this.locale) : key
  }

  async #save(e: SubmitEvent) {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    const locale = String(data.get('locale') ?? '')
    const timezone = String(data.get('timezone') ?? '').trim()
    this._saveState = 'saving'
    this._saveFailure = null
    try {
      this._sub = await call<Subscriber>('PUT', subscriberPath(this.#id), {
        status: String(data.get('status')),
        locale: locale || null,
        timezone: timezone || null,
      })
      this._saveState = 'saved'
      await this.#load()
    } catch (err) {
      this._saveFailure = err
      this._saveState = ''
    }
  }

  async #copyLink() {
    this._message = ''
    try {
      const link = await call<LinkResponse>('POST', '/v1/links', { subscriberId: this.#id })
      this._link = link.preferencesUrl
      try {
        await navigator.clipboard.writeText(link.preferencesUrl)
        this._message = this.t.linkCopied
      } catch {
        this._message = this.t.linkReady
      }
    } catch (err) {
      this._message = this.errorText(err)
    }
  }

  async #revoke() {
    if (!confirm(this.t.revokeConfirm)) return
    try {
      await call('POST', subscriberPath(this.#id, '/revoke-links'))
      this._link = ''
      this._message = this.t.linksRevoked
    } catch (err) {
      this._message = this.errorText(err)
    }
  }

  async #download() {
    try {
      const data = await call<unknown>('GET', subscriberPath(this.#id, '/export'))
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
      const a = document.createElement('a')
      a.href = url
      a.download = `subscriber-${this.#id.replace(/[^\w.-]+/g, '_')}.json`
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (err) {
      this._message = this.errorText(err)
    }
  }

  async #erase(e: SubmitEvent) {
    e.preventDefault()
    if (this._confirmId !== this.#id) return
    try {
      await call('DELETE', subscriberPath(this.#id))
      navigate('/subscribers')
    } catch (err) {
      this._eraseError = this.errorText(err)
    }
  }

  #entry(entry: Entry) {
    const t = this.t
    if (entry.kind === 'dispatch') {
      const d = entry.dispatch
      return html`<li>
        <time datetime=${d.at}>${this.fmt.date(d.at)}</time>
        <span>${d.decision.allowed || !d.enforced ? t.eventDispatch(this.#topicName(d.topic), d.channel) : t.dispatchHeld(this.#topicName(d.topic), d.decision.reason)}</span>
        <code class="muted">${d.messageId}</code>
      </li>`
    }
    const ev = entry.event
    const changed = ev.type === 'subscriber.updated' ? changes(ev.before, ev.after) : []
    return html`<li>
      <time datetime=${ev.at}>${this.fmt.date(ev.at)}</time>
      <span
        ><strong>${t.eventType(ev.type)}</strong> · ${t.source[ev.source] ?? ev.source}${ev.reason ? html` · “${ev.reason}”` : nothing}
        ${changed.length ? html`<span class="changes mono">${changed.join('; ')}</span>` : nothing}</span
      >
      <code class="muted">${ev.hash.slice(0, 12)}</code>
    </li>`
  }

  override render() {
    const t = this.t
    const s = this._sub
    const editable = canEdit(this.session)
    if (this._error && !s)
      return html`<p><a href=${href('/subscribers')}>← ${t.backToSubscribers}</a></p>
        <h1 class="mono">${this.#id}</h1>
        <p class="error" role="alert">${this._error}</p>`
    if (!s) return html`<p class="muted" role="status">${t.loading}</p>`
    const fail = this._saveFailure
    const tzErr = this.fieldError(fail, '/timezone')
    const localeErr = this.fieldError(fail, '/locale')
    const topicKeys = Object.keys(s.topics)
    return html`
      <p><a href=${href('/subscribers')}>← ${t.backToSubscribers}</a></p>
      <h1 class="mono">${s.id}</h1>
      <section class="card" aria-labelledby="state">
        <h2 id="state">${t.stateHeading}</h2>
        <dl class="facts">
          <dt>${t.colEmail}</dt>
          <dd>${s.email ?? t.notSet}</dd>
          <dt>${t.colStatus}</dt>
          <dd><span class="badge ${s.status === 'subscribed' ? 'on' : 'off'}">${t.status[s.status]}</span></dd>
          <dt>${t.locale}</dt>
          <dd>${s.locale ? this.fmt.language(s.locale) : t.notSet}</dd>
          <dt>${t.timezone}</dt>
          <dd>${s.timezone ?? t.notSet}</dd>
          <dt>${t.pausedUntil}</dt>
          <dd>${s.pausedUntil ? this.fmt.date(s.pausedUntil) : t.notSet}</dd>
          <dt>${t.quietHours}</dt>
          <dd>${s.quietHours ? `${s.quietHours.start}–${s.quietHours.end}` : t.notSet}</dd>
          <dt>${t.globalCap}</dt>
          <dd>${s.cap ? t.capText(s.cap.max, t.per[s.cap.per] ?? s.cap.per) : t.notSet}</dd>
          <dt>${t.channelsHeading}</dt>
          <dd>${Object.keys(s.channels).length ? Object.entries(s.channels).map(([c, on]) => html`<span class="badge ${on ? 'on' : 'off'}">${c}</span> `) : t.notSet}</dd>
          <dt>${t.topicsHeading}</dt>
          <dd>
            ${topicKeys.length
              ? topicKeys.map((k) => html`<span class="badge ${s.topics[k]!.subscribed === false ? 'off' : 'on'}">${this.#topicName(k)}</span> `)
              : t.notSet}
          </dd>
          <dt>${t.created}</dt>
          <dd>${this.fmt.date(s.createdAt)}</dd>
        </dl>
      </section>

      ${editable
        ? html`<section class="card" aria-labelledby="edit">
            <h2 id="edit">${t.editHeading}</h2>
            <form @submit=${this.#save}>
              <div class="row">
                <div>
                  <label for="status">${t.colStatus}</label>
                  <select id="status" name="status">
                    ${['subscribed', 'unsubscribed'].map((v) => html`<option value=${v} ?selected=${s.status === v}>${t.status[v]}</option>`)}
                  </select>
                </div>
                <div>
                  <label for="locale">${t.locale}</label>
                  <select id="locale" name="locale" aria-invalid=${localeErr ? 'true' : 'false'} aria-describedby="locale-error">
                    <option value="" ?selected=${!s.locale}>${t.notSet}</option>
                    ${LOCALES.map((l) => html`<option value=${l} ?selected=${s.locale === l}>${TRANSLATIONS[l]!.$name}</option>`)}
                    ${s.locale && !LOCALES.includes(s.locale) ? html`<option value=${s.locale} selected>${s.locale}</option>` : nothing}
                  </select>
                  <p id="locale-error" class="field-error">${localeErr ?? ''}</p>
                </div>
                <div>
                  <label for="timezone">${t.timezone}</label>
                  <input id="timezone" name="timezone" list="zones" .value=${s.timezone ?? ''} autocomplete="off" aria-invalid=${tzErr ? 'true' : 'false'} aria-describedby="tz-error" />
                  <datalist id="zones">${timeZones.map((z) => html`<option value=${z}></option>`)}</datalist>
                  <p id="tz-error" class="field-error">${tzErr ?? ''}</p>
                </div>
              </div>
              ${fail && !tzErr && !localeErr ? html`<p class="error" role="alert">${this.errorText(fail)}</p>` : nothing}
              <div class="actions">
                <button class="primary" type="submit" ?disabled=${this._saveState === 'saving'}>${this._saveState === 'saving' ? t.saving : t.save}</button>
                <span role="status" class="success">${this._saveState === 'saved' ? t.saved : ''}</span>
              </div>
            </form>
          </section>`
        : nothing}

      <section class="card" aria-labelledby="actions">
        <h2 id="actions">${t.actionsHeading}</h2>
        <div class="actions">
          ${editable ? html`<button @click=${this.#copyLink}>${t.copyLink}</button><button @click=${this.#revoke}>${t.revokeLinks}</button>` : nothing}
          <button @click=${this.#download}>${t.downloadExport}</button>
        </div>
        <p role="status">${this._message}</p>
        ${this._link ? html`<label for="link">${t.linkReady}</label><input id="link" class="wide mono" readonly .value=${this._link} />` : nothing}
      </section>

      <section class="card" aria-labelledby="timeline">
        <h2 id="timeline">${t.timelineHeading}</h2>
        ${this._entries.length ? html`<ol class="timeline">${this._entries.map((e) => this.#entry(e))}</ol>` : html`<p class="muted">${t.noEvents}</p>`}
      </section>

      ${editable
        ? html`<section class="card" aria-labelledby="erase">
            <h2 id="erase">${t.eraseHeading}</h2>
            <p>${t.eraseIntro}</p>
            <form @submit=${this.#erase}>
              <label for="confirm-id">${t.eraseTypeId(s.id)}</label>
              <input id="confirm-id" class="mono" autocomplete="off" spellcheck="false" .value=${this._confirmId} @input=${(e: Event) => (this._confirmId = (e.target as HTMLInputElement).value)} />
              ${this._eraseError ? html`<p class="error" role="alert">${this._eraseError}</p>` : nothing}
              <div class="actions"><button class="danger primary" type="submit" ?disabled=${this._confirmId !== s.id}>${t.erase}</button></div>
            </form>
          </section>`
        : nothing}
    `
  }
}

if (!customElements.get('heed-subscriber')) customElements.define('heed-subscriber', SubscriberPage)
