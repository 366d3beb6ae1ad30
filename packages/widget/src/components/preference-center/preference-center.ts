import { LitElement, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit'
import { ifDefined } from 'lit/directives/if-defined.js'
import type { Cap, MePatch, MeTopic, QuietHours } from '@heed/shared/schemas'
import { channelOn, lessInstead, ONE_A_WEEK, PAUSE_MONTH_MS, PAUSE_WEEK_MS, pauseFor, topicCap, topicChannelOn, topicOn } from '@heed/shared/subscriber'
import { dateIn, DAY_MS, startOfDate } from '@heed/shared/time'
import { HeedApiError, MeClient } from '../../api.ts'
import type { HeedChangeDetail, HeedErrorDetail, HeedUnsubscribeDetail } from '../../events.ts'
import {
  applyPatch,
  browserTimeZone,
  byCategory,
  capKey,
  isPaused,
  pickText,
  takeTokenFromPage,
  type Me,
  type SubscriberState,
} from '../../state.ts'
import { ENGLISH, loadTranslation, resolveLocale, translation, type LocaleCode, type Translation } from '../../translations/index.ts'
import { styles } from './preference-center.styles.ts'
import { visuallyHidden } from '../visually-hidden.styles.ts'

type Mode = 'full' | 'unsubscribe'
type Phase = 'loading' | 'ready' | 'no-token' | 'expired' | 'network' | 'server' | 'forbidden' | 'origin'
type Reason = keyof Translation['reasons']

/**
 * Editors few people open, each loaded on first use as its own chunk (served beside
 * widget.js), so the first load stays small: the quiet-hours editor with its day and
 * time-zone pickers, and the unsubscribe reason form.
 */
const PARTS = {
  quiet: () => import('./quiet-editor.ts'),
  reason: () => import('./reason-form.ts'),
}
type Parts = { -readonly [K in keyof typeof PARTS]?: Awaited<ReturnType<(typeof PARTS)[K]>> | 'failed' }

/** One change waiting to be saved; they are sent one at a time, in order. */
type Op =
  | { kind: 'patch'; patch: MePatch; announce?: string }
  | { kind: 'unsubscribe'; reason?: string; announce?: string; silent?: boolean }

interface Toast {
  kind: 'saving' | 'saved' | 'error'
  text: string
}


/** Where widget.js was loaded from: the default `api`. */
const scriptOrigin = () => new URL(import.meta.url).origin

const icon = (body: TemplateResult) =>
  html`<svg class="icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">${body}</svg>`
const CHECK = icon(svg`<path d="M4.5 10.5l3.5 3.5 7.5-8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>`)
const LOCK = svg`<svg class="lock" viewBox="0 0 20 20" width="12" height="12" aria-hidden="true" focusable="false"><path d="M6 9V6.5a4 4 0 018 0V9" fill="none" stroke="currentColor" stroke-width="2"/><rect x="4" y="9" width="12" height="9" rx="2" fill="currentColor"/></svg>`
const ALERT = icon(svg`<circle cx="10" cy="10" r="8" fill="none" stroke="currentColor" stroke-width="2"/><path d="M10 5.5v5.5M10 13.5v.5" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>`)

/**
 * `<heed-preferences>`: a subscriber's preference center. Reads and saves through the
 * subscriber API (`/v1/me`) with the link token; every change saves by itself.
 *
 * @attr api - Base URL of the Heed API. Default: the origin `widget.js` was loaded from.
 * @attr token - The subscriber's link token. Default: from the page address (`/p/:token`,
 *   `?token=`, `#token=`), which is then removed from the address bar.
 * @attr lang - Language (`en`, `zh-Hans`, `zh-Hant`, `et`). Default: the subscriber's, the
 *   page's, the browser's, the tenant's.
 * @attr mode - `full` (default) or `unsubscribe` (leave in one click, or hear less).
 * @attr heading-level - Level of the widget's title (1–6, default 2); sections go one deeper.
 *
 * @event heed-change - A change was saved. `detail: { state, change }`.
 * @event heed-unsubscribe - The subscriber unsubscribed from everything. `detail: { state }`.
 * @event heed-error - A save failed and was rolled back. `detail: { status, title, detail, change }`.
 *
 * @csspart base - The widget's root.
 * @csspart header - Title, intro and address.
 * @csspart title - The title.
 * @csspart section - Each section (topics, channels, frequency, quiet hours, pause).
 * @csspart group - A bordered list of rows.
 * @csspart topic - One topic row.
 * @csspart switch - Every on/off switch; `switch-on` when on.
 * @csspart chip - A channel toggle in a topic; `chip-on` when on.
 * @csspart select - A topic's "how often" choice.
 * @csspart button - Every button; also `button-primary`, `button-danger`.
 * @csspart unsubscribe-button - The "Unsubscribe from all" button.
 * @csspart notice - The "paused until" notice.
 * @csspart unsubscribed - The panel shown after unsubscribing.
 * @csspart error - The message shown instead of the preferences (expired link, offline…).
 * @csspart status - The "Saving… / Saved" message.
 *
 * @cssproperty --heed-accent - Accent colour (switches, primary buttons). Default: the tenant's branding, else #0f766e.
 * @cssproperty --heed-accent-fg - Text on the accent colour. Default: white or black, whichever reads better on the accent.
 * @cssproperty --heed-font - Font family. Default: inherited from the page.
 * @cssproperty --heed-radius - Corner radius of groups (buttons use 3/4 of it). Default: 12px.
 * @cssproperty --heed-bg - Background of groups and buttons. Default: white (dark: #1d2125).
 * @cssproperty --heed-fg - Text colour. Default: #1a1d21 (dark: #eceef0).
 * @cssproperty --heed-muted - Secondary text. Default: #5a636c (dark: #a7afb7).
 * @cssproperty --heed-border - Borders and separators. Default: #dde1e5 (dark: #3b4148).
 * @cssproperty --heed-danger - "Unsubscribe" and error colour. Default: #b42318 (dark: #ff8f84).
 * @cssproperty --heed-max-width - Widest the widget grows. Default: 40rem.
 */
export class HeedPreferences extends LitElement {
  static override styles = [visuallyHidden, styles]

  static override properties = {
    api: { type: String },
    token: { type: String },
    lang: { type: String },
    mode: { type: String, reflect: true },
    headingLevel: { type: Number, attribute: 'heading-level' },
    _me: { state: true },
    _ops: { state: true },
    _inflight: { state: true },
    _phase: { state: true },
    _toast: { state: true },
    _justLeft: { state: true },
    _showAll: { state: true },
    _quietDraft: { state: true },
    _reason: { state: true },
    _reasonDetails: { state: true },
    _reasonSent: { state: true },
    _parts: { state: true },
    _pauseDate: { state: true },
  }

  declare api: string
  declare token: string
  declare lang: string
  declare mode: Mode
  declare headingLevel: number

  declare private _me: Me | null
  declare private _ops: Op[]
  declare private _inflight: Op | null
  declare private _phase: Phase
  declare private _toast: Toast | null
  declare private _justLeft: boolean
  declare private _showAll: boolean
  declare private _quietDraft: QuietHours | null
  declare private _reason: Reason | null
  declare private _reasonDetails: string
  declare private _reasonSent: boolean
  declare private _parts: Parts
  declare private _pauseDate: string

  #client: MeClient | null = null
  /** Bumped by every (re)load: answers to an older generation are dropped. */
  #generation = 0
  #pageToken: string | null | undefined = undefined
  #toastTimer: ReturnType<typeof setTimeout> | undefined
  #focusNext: string | null = null
  /** Whether focus was inside the widget when this update began. */
  #hadFocus = false
  #loadingParts = new Set<keyof typeof PARTS>()

  constructor() {
    super()
    this.api = ''
    this.token = ''
    this.lang = ''
    this.mode = 'full'
    this.headingLevel = 2
    this._me = null
    this._ops = []
    this._inflight = null
    this._phase = 'loading'
    this._toast = null
    this._justLeft = false
    this._showAll = false
    this._quietDraft = null
    this._reason = null
    this._reasonDetails = ''
    this._reasonSent = false
    this._pauseDate = ''
    this._parts = {}
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (!this.token && this.#pageToken === undefined) this.#pageToken = takeTokenFromPage()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearTimeout(this.#toastTimer)
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#hadFocus = (this.renderRoot as ShadowRoot | undefined)?.activeElement != null
    if (changed.has('api') || changed.has('token')) void this.#load()
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The tenant's accent, through CSSOM (allowed by a strict CSP, unlike a style attribute).
    const accent = this._me?.tenant.branding.accentColor
    if (accent) this.renderRoot.querySelector<HTMLElement>('.base')?.style.setProperty('--_brand', accent)
    // Focus goes where the person's action led, or, when the focused control is gone (a pause
    // replaced the buttons, a failed save rolled a panel back), to the nearest heading.
    const root = this.renderRoot as ShadowRoot
    const wanted = this.#focusNext ? [this.#focusNext] : this.#hadFocus && !root.activeElement ? ['paused', 'done-title', 'h-pause', 'title'] : []
    this.#focusNext = null
    for (const id of wanted) {
      const target = root.getElementById(id)
      if (target) {
        target.focus()
        break
      }
    }
    if (changed.has('_toast' as keyof HeedPreferences)) this.#uncover(root)
  }

  /**
   * The status floats at the bottom of the screen: when it would cover the control being
   * used (a phone, a field low on the screen), the page scrolls that control above it.
   */
  #uncover(root: ShadowRoot): void {
    const toast = root.querySelector('.toast')?.getBoundingClientRect()
    const control = root.activeElement?.getBoundingClientRect()
    if (!toast || !control) return
    const overlap = control.bottom + 8 - toast.top
    if (overlap > 0 && control.top < toast.bottom) window.scrollBy(0, overlap)
  }

  /** Loads again (what "Try again" does). */
  reload(): Promise<void> {
    return this.#load()
  }

  // ---- data ----------------------------------------------------------------------------

  async #load(): Promise<void> {
    const generation = ++this.#generation
    this._ops = []
    this._inflight = null
    this._toast = null
    this._quietDraft = null
    const token = this.token || this.#pageToken
    if (!token) {
      this._phase = 'no-token'
      return
    }
    this._phase = 'loading'
    const client = (this.#client = new MeClient(this.api || scriptOrigin(), token))
    try {
      const me = await client.get()
      if (generation !== this.#generation) return
      this._me = me
      this._phase = 'ready'
    } catch (e) {
      if (generation !== this.#generation) return
      const err = e instanceof HeedApiError ? e : new HeedApiError(0, 'Error', String(e))
      if (err.status === 403) console.warn(`<heed-preferences>: ${err.detail}`)
      // No answer may be the browser refusing it: this page's site not in allowedOrigins.
      const refused = err.status === 0 ? await client.originRefused() : null
      if (generation !== this.#generation) return
      if (refused) console.error(`<heed-preferences>: ${refused}`)
      this._phase = refused ? 'origin' : err.status === 401 ? 'expired' : err.status === 403 ? 'forbidden' : err.status === 0 ? 'network' : 'server'
    }
  }

  /** What the subscriber sees: the stored state with every unsaved change applied. */
  get #state(): SubscriberState | null {
    if (!this._me) return null
    let s = this._me.subscriber
    for (const op of this._inflight ? [this._inflight, ...this._ops] : this._ops) {
      s = op.kind === 'patch' ? applyPatch(s, op.patch) : { ...s, status: 'unsubscribed' }
    }
    return s
  }

  #save(op: Op): void {
    this._ops = [...this._ops, op]
    this.#setToast({ kind: 'saving', text: this.#t.saving })
    void this.#flush()
  }

  #change(patch: MePatch, announce?: string): void {
    this.#save({ kind: 'patch', patch, ...(announce ? { announce } : {}) })
  }

  async #flush(): Promise<void> {
    const client = this.#client
    if (this._inflight || this._ops.length === 0 || !client) return
    const [op, ...rest] = this._ops as [Op, ...Op[]]
    this._ops = rest
    this._inflight = op
    const generation = this.#generation
    try {
      const me = op.kind === 'patch' ? await client.patch(op.patch) : await client.unsubscribe(op.reason)
      if (generation !== this.#generation) return
      this._me = me
      this._inflight = null
      if (op.kind === 'patch') this.#emit<HeedChangeDetail>('heed-change', { state: me.subscriber, change: op.patch })
      else if (!op.silent) this.#emit<HeedUnsubscribeDetail>('heed-unsubscribe', { state: me.subscriber })
      if (this._ops.length === 0) this.#setToast({ kind: 'saved', text: op.announce ?? this.#t.saved })
    } catch (e) {
      if (generation !== this.#generation) return
      const err = e instanceof HeedApiError ? e : new HeedApiError(0, 'Error', String(e))
      this._inflight = null
      const change = op.kind === 'patch' ? op.patch : { status: 'unsubscribed' as const }
      this.#emit<HeedErrorDetail>('heed-error', { status: err.status, title: err.title, detail: err.detail, change })
      if (err.status === 401) {
        // The link was revoked or expired while the page was open.
        this.#generation++
        this._ops = []
        this._phase = 'expired'
        this._toast = null
        return
      }
      if (op.kind === 'unsubscribe' && !op.silent) this._justLeft = false
      const t = this.#t
      const why = err.status === 0 ? t.whyOffline : err.status === 429 ? t.whyBusy : err.status >= 500 ? t.whyServer : t.whyRejected
      this.#setToast({ kind: 'error', text: t.notSaved(why) })
    } finally {
      if (generation === this.#generation) void this.#flush()
    }
  }

  #setToast(toast: Toast | null): void {
    clearTimeout(this.#toastTimer)
    this._toast = toast
    if (toast?.kind === 'saved') this.#toastTimer = setTimeout(() => (this._toast = null), 4000)
  }

  #emit<D>(name: 'heed-change' | 'heed-unsubscribe' | 'heed-error', detail: D): void {
    this.dispatchEvent(new CustomEvent<D>(name, { bubbles: true, composed: true, detail }))
  }

  // ---- locale and formatting -----------------------------------------------------------

  get #locale(): LocaleCode {
    const page = this.parentElement?.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang
    return resolveLocale([this.lang, this._me?.subscriber.locale, page, ...navigator.languages, this._me?.tenant.defaultLocale])
  }

  /** The strings of the widget's language; English until they have loaded. */
  get #t(): Translation {
    return translation(this.#locale) ?? ENGLISH
  }

  #zone(s: SubscriberState): string {
    return s.timezone ?? browserTimeZone()
  }

  #formatInstant(iso: string, s: SubscriberState): string {
    const zone = this.#zone(s)
    return new Intl.DateTimeFormat(this.#locale, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZone: zone,
      ...(zone === browserTimeZone() ? {} : { timeZoneName: 'short' }),
    }).format(Date.parse(iso))
  }

  #text(me: Me, text: MeTopic['name'] | null): string | null {
    return pickText(text, this.#locale, me.tenant.defaultLocale)
  }

  // ---- actions -------------------------------------------------------------------------

  #unsubscribe(): void {
    this._justLeft = true
    this._reason = null
    this._reasonDetails = ''
    this._reasonSent = false
    this.#focusNext = 'done-title'
    this.#save({ kind: 'unsubscribe', announce: this.#t.unsubscribedTitle })
  }

  #resubscribe(): void {
    this._justLeft = false
    this.#focusNext = 'title'
    this.#change({ status: 'subscribed' }, this.#t.resubscribed)
  }

  #pauseFor(ms: number, alsoResubscribe = false): void {
    this.#pause(pauseFor(ms, Date.now()), alsoResubscribe)
  }

  #pause(pause: { pausedUntil: string }, alsoResubscribe = false): void {
    const s = this.#state
    if (!s) return
    if (alsoResubscribe) {
      this._justLeft = false
      this._showAll = true
      this.#focusNext = 'title'
    }
    this.#change(alsoResubscribe ? lessInstead(pause) : pause, this.#t.pausedUntil(this.#formatInstant(pause.pausedUntil, s)))
  }

  #lessWeekly(): void {
    this._justLeft = false
    this._showAll = true
    this.#focusNext = 'title'
    this.#change(lessInstead(ONE_A_WEEK), this.#t.lessWeeklyDone)
  }

  /** Quiet hours on, off or changed; with an `error` (from the editor) it stays an unsaved draft. */
  #setQuiet(next: QuietHours | null, s: SubscriberState, error: string | null = null): void {
    if (next && error) {
      // Kept on screen with its reason, not saved; an earlier "Saved" no longer applies.
      this._quietDraft = next
      if (this._toast?.kind !== 'error') this.#setToast(null)
      return
    }
    this._quietDraft = null
    const patch: MePatch = { quietHours: next }
    // Quiet hours are kept in the subscriber's zone: save the one shown when none is stored.
    if (next && !s.timezone) patch.timezone = browserTimeZone()
    this.#change(patch)
  }

  #sendReason(reason: string): void {
    this._reasonSent = true
    this.#save({ kind: 'unsubscribe', reason, announce: this.#t.reasonThanks, silent: true })
  }

  /** A part loaded on demand: the module once it is here; starts loading it the first time. */
  #part<K extends keyof typeof PARTS>(name: K): Parts[K] | undefined {
    const have = this._parts[name]
    if (have === undefined && !this.#loadingParts.has(name)) {
      this.#loadingParts.add(name)
      PARTS[name]().then(
        (m) => (this._parts = { ...this._parts, [name]: m }),
        () => (this._parts = { ...this._parts, [name]: 'failed' }),
      ).finally(() => this.#loadingParts.delete(name))
    }
    return have
  }

  /** Where a part shows: nothing while it loads, a retry when it could not load. */
  #partMissing(name: keyof typeof PARTS, have: unknown, t: Translation): TemplateResult | typeof nothing {
    if (have !== 'failed') return nothing
    return html`<p class="field-error">${ALERT}<span>${t.loadFailed}</span> ${this.#button(t.retry, () => {
      const { [name]: _, ...rest } = this._parts
      this._parts = rest
    })}</p>`
  }

  // ---- rendering -----------------------------------------------------------------------

  #heading(depth: number, text: string, id?: string, cls = 'h'): TemplateResult {
    const level = Math.min(6, Math.max(1, Math.trunc(this.headingLevel || 2) + depth))
    return html`<div role="heading" aria-level=${level} class=${cls} id=${ifDefined(id)} tabindex=${ifDefined(id ? '-1' : undefined)}>${text}</div>`
  }

  #switch(checked: boolean, labelledBy: string, onToggle: (() => void) | null, describedBy?: string): TemplateResult {
    return html`<button
      type="button"
      role="switch"
      class="switch"
      part=${checked ? 'switch switch-on' : 'switch'}
      aria-checked=${checked ? 'true' : 'false'}
      aria-labelledby=${labelledBy}
      aria-describedby=${ifDefined(describedBy)}
      aria-disabled=${onToggle ? nothing : 'true'}
      @click=${onToggle ?? nothing}
    ><span class="thumb">${onToggle ? nothing : LOCK}</span></button>`
  }

  #chip(on: boolean, label: string, onToggle: () => void, disabled = false, describedBy?: string): TemplateResult {
    return html`<button
      type="button"
      role="checkbox"
      class="chip"
      part=${on ? 'chip chip-on' : 'chip'}
      aria-checked=${on ? 'true' : 'false'}
      aria-describedby=${ifDefined(describedBy)}
      ?disabled=${disabled}
      @click=${onToggle}
    >${CHECK}${label}</button>`
  }

  #button(label: string, onClick: () => void, kind: '' | 'primary' | 'danger' = '', id?: string): TemplateResult {
    return html`<button type="button" id=${ifDefined(id)} class="btn ${kind}" part=${kind ? `button button-${kind}` : 'button'} @click=${onClick}>${label}</button>`
  }

  override render(): TemplateResult {
    const wanted = this.#locale
    if (!translation(wanted)) {
      // Its strings are on their way (their own chunk): an empty, busy box until then.
      void loadTranslation(wanted).then(() => this.requestUpdate())
      return html`<div class="base" part="base" aria-busy="true"><p class="intro loading"></p></div>`
    }
    const t = this.#t
    const me = this._me
    return html`<div class="base" part="base" lang=${t.$code} aria-busy=${this._phase === 'loading' ? 'true' : 'false'}>
      ${this._phase === 'ready' && me ? this.#renderReady(me, this.#state!, t) : this.#renderPhase(t)}
      <div class="toasts">
        <div part="status" role="status">${this._toast && this._toast.kind !== 'error' ? html`<span class="toast">${this._toast.kind === 'saved' ? CHECK : nothing}${this._toast.text}</span>` : nothing}</div>
        <div role="alert">${this._toast?.kind === 'error' ? html`<span class="toast error">${ALERT}<span>${this._toast.text}</span></span>` : nothing}</div>
      </div>
    </div>`
  }

  #renderPhase(t: Translation): TemplateResult {
    if (this._phase === 'loading') {
      return html`<p class="intro loading">${t.loading}</p>`
    }
    const [title, body, retry] =
      this._phase === 'expired'
        ? [t.expiredTitle, t.expiredBody, false]
        : this._phase === 'no-token'
          ? [t.noTokenTitle, t.noTokenBody, false]
          : this._phase === 'origin'
            ? [t.originTitle, t.originBody, false]
            : [t.networkTitle, this._phase === 'network' ? t.networkBody : t.serverBody, this._phase !== 'forbidden']
    return html`<div class="problem" part="error">
      <div class="badge">${ALERT}</div>
      ${this.#heading(0, title, 'title')}
      <p>${body}</p>
      ${retry ? html`<div class="actions">${this.#button(t.retry, () => void this.reload(), 'primary')}</div>` : nothing}
    </div>`
  }

  #renderReady(me: Me, s: SubscriberState, t: Translation): TemplateResult {
    const brand = me.tenant.name
    if (s.status === 'unsubscribed') return this.#renderUnsubscribed(me, t)
    if (this.mode === 'unsubscribe' && !this._showAll) return this.#renderConfirm(me, t)
    const paused = isPaused(s, Date.now())
    const multi = me.tenant.channels.length > 1
    return html`
      <div class="header" part="header">
        ${this.#heading(0, t.title, 'title', 'h title')}
        <p class="intro">${t.intro(brand)}${me.subscriber.email ? html` <span class="who">${t.sentTo(me.subscriber.email)}</span>` : nothing}</p>
      </div>
      ${paused
        ? html`<div class="notice" part="notice"><span class="grow" id="paused" tabindex="-1">${t.pausedUntil(this.#formatInstant(s.pausedUntil!, s))}</span>${this.#button(t.resume, () => this.#change({ pausedUntil: null }))}</div>`
        : nothing}
      ${this.#renderTopics(me, s, t)}
      ${multi ? this.#renderChannels(me, s, t) : nothing}
      ${me.tenant.frequencyOptions.length > 0 ? this.#renderFrequency(me, s, t) : nothing}
      ${this.#renderQuiet(s, t)}
      ${paused ? nothing : this.#renderPause(s, t)}
      <div class="leave">
        <p class="hint" id="leave-hint">${t.unsubscribeAllHint(brand)}</p>
        <button type="button" class="btn danger" part="button button-danger unsubscribe-button" aria-describedby="leave-hint" @click=${() => this.#unsubscribe()}>${t.unsubscribeAll}</button>
      </div>`
  }

  #renderTopics(me: Me, s: SubscriberState, t: Translation): TemplateResult {
    const groups = byCategory(me.topics)
    const named = groups.length > 1
    return html`<section class="section" part="section" aria-labelledby="h-topics">
      ${this.#heading(1, t.topicsHeading, 'h-topics')}
      ${groups.map(
        ([category, topics]) => html`
          ${named ? this.#heading(2, categoryName(category, t), undefined, 'h cat') : nothing}
          <ul class="group" part="group">${topics.map((topic) => this.#renderTopic(me, s, t, topic))}</ul>`,
      )}
    </section>`
  }

  #renderTopic(me: Me, s: SubscriberState, t: Translation, topic: MeTopic): TemplateResult {
    const key = topic.key
    const on = topicOn(s, topic)
    const name = this.#text(me, topic.name) ?? key
    const description = this.#text(me, topic.description)
    const describedBy = [description ? `d-${key}` : '', topic.required ? `r-${key}` : ''].filter(Boolean).join(' ') || undefined
    const multi = me.tenant.channels.length > 1
    const options = me.tenant.frequencyOptions
    const extras = on && !topic.required && (multi || options.length > 0)
    const cap = topicCap(s, topic)
    return html`<li class="row topic" part="topic">
      <div class="row-main">
        <div class="text">
          <span class="name" id="t-${key}">${name}</span>
          ${description ? html`<span class="desc" id="d-${key}">${description}</span>` : nothing}
          ${topic.required ? html`<span class="why" id="r-${key}">${t.requiredWhy}</span>` : nothing}
        </div>
        ${this.#switch(on, `t-${key}`, topic.required ? null : () => this.#change({ topics: { [key]: { subscribed: !on } } }), describedBy)}
      </div>
      ${extras
        ? html`<div class="extras">
            ${multi && topic.channels.length > 1 ? this.#renderChips(s, t, topic, name) : nothing}
            ${options.length > 0 ? this.#capSelect(`cap-${key}`, cap, options, t, (next) => this.#change({ topics: { [key]: { cap: next } } }), s.cap) : nothing}
          </div>`
        : nothing}
    </li>`
  }

  /** A topic's channels; one turned off for every topic stays greyed out and says where to turn it on. */
  #renderChips(s: SubscriberState, t: Translation, topic: MeTopic, name: string): TemplateResult {
    const key = topic.key
    const off = topic.channels.filter((ch) => !channelOn(s, ch))
    const why = off.length > 0 ? `off-${key}` : undefined
    return html`<div class="chips" role="group" aria-label=${t.channelsFor(name)}>
        ${topic.channels.map((ch) => {
          const global = channelOn(s, ch)
          const chOn = global && topicChannelOn(s, topic, ch)
          return this.#chip(chOn, t.channelName(ch), () => this.#change({ topics: { [key]: { channels: { [ch]: !chOn } } } }), !global, global ? undefined : why)
        })}
      </div>
      ${why ? html`<span class="why off" id=${why}>${t.channelOffEverywhere(new Intl.ListFormat(t.$code, { type: 'conjunction' }).format(off.map((ch) => t.channelName(ch))))}</span>` : nothing}`
  }

  /** A topic's "how often": with an overall cap, "no limit of its own" reads as that cap. */
  #capSelect(id: string, cap: Cap | null, options: Me['tenant']['frequencyOptions'], t: Translation, onChange: (cap: Cap | null) => void, overall: Cap | null): TemplateResult {
    const current = capKey(cap)
    const all = withCurrent(options, cap)
    return html`<span class="mini">
      <label for=${id}>${t.topicFrequency}</label>
      <select id=${id} part="select" @change=${(e: Event) => onChange(capFromKey((e.target as HTMLSelectElement).value, all))}>
        <option value="" .selected=${current === ''}>${overall ? t.overallLimit(t.capLabel(overall.max, overall.per)) : t.noLimit}</option>
        ${all.map((o) => html`<option value=${capKey(o)} .selected=${capKey(o) === current}>${t.capLabel(o.max, o.per)}</option>`)}
      </select>
    </span>`
  }

  #renderChannels(me: Me, s: SubscriberState, t: Translation): TemplateResult {
    return html`<section class="section" part="section" aria-labelledby="h-channels">
      ${this.#heading(1, t.channelsHeading, 'h-channels')}
      <p class="intro" id="channels-intro">${t.channelsIntro}</p>
      <ul class="group" part="group">
        ${me.tenant.channels.map((ch) => {
          const on = channelOn(s, ch)
          return html`<li class="row"><div class="row-main">
            <div class="text"><span class="name" id="c-${ch}">${t.channelName(ch)}</span></div>
            ${this.#switch(on, `c-${ch}`, () => this.#change({ channels: { [ch]: !on } }), 'channels-intro')}
          </div></li>`
        })}
      </ul>
    </section>`
  }

  #renderFrequency(me: Me, s: SubscriberState, t: Translation): TemplateResult {
    const current = capKey(s.cap)
    const all = withCurrent(me.tenant.frequencyOptions, s.cap)
    const radio = (value: string, label: string) => html`<label class="option">
      <input type="radio" name="heed-cap" .value=${value} .checked=${value === current} @change=${() => this.#change({ cap: capFromKey(value, all) })} />
      ${label}
    </label>`
    return html`<section class="section" part="section" aria-labelledby="h-freq">
      ${this.#heading(1, t.frequencyHeading, 'h-freq')}
      <p class="intro">${t.frequencyIntro}</p>
      <div class="group options" part="group" role="radiogroup" aria-labelledby="h-freq">
        ${radio('', t.noLimit)}
        ${all.map((o) => radio(capKey(o), t.capLabel(o.max, o.per)))}
      </div>
    </section>`
  }

  #renderQuiet(s: SubscriberState, t: Translation): TemplateResult {
    const q = this._quietDraft ?? s.quietHours
    const editor = q ? this.#part('quiet') : undefined
    return html`<section class="section" part="section" aria-labelledby="h-quiet">
      <div class="section-head">
        ${this.#heading(1, t.quietHeading, 'h-quiet')}
        ${this.#switch(q !== null, 'h-quiet', () => this.#setQuiet(q ? null : { start: '21:00', end: '08:00' }, s), 'quiet-intro')}
      </div>
      <p class="intro" id="quiet-intro">${t.quietIntro}</p>
      ${q && editor && editor !== 'failed'
        ? editor.quietEditor(
            {
              q,
              draft: this._quietDraft !== null,
              zone: this.#zone(s),
              browserZone: browserTimeZone(),
              t,
              set: (next, error) => this.#setQuiet(next, s, error),
              setZone: (timezone) => this.#change({ timezone }),
            },
            ALERT,
          )
        : this.#partMissing('quiet', editor, t)}
    </section>`
  }

  #renderPause(s: SubscriberState, t: Translation): TemplateResult {
    const zone = this.#zone(s)
    const now = Date.now()
    const min = dateIn(zone, now + DAY_MS)
    const max = dateIn(zone, now + 365 * DAY_MS)
    const submit = (e: Event) => {
      e.preventDefault()
      const date = this._pauseDate
      if (!date || date < min || date > max) return
      this._pauseDate = ''
      this.#pause({ pausedUntil: new Date(startOfDate(zone, date)).toISOString() })
    }
    return html`<section class="section" part="section" aria-labelledby="h-pause">
      ${this.#heading(1, t.pauseHeading, 'h-pause')}
      <p class="intro">${t.pauseIntro}</p>
      <div class="pause">
        <div class="actions">
          ${this.#button(t.pauseWeek, () => this.#pauseFor(PAUSE_WEEK_MS))}
          ${this.#button(t.pauseMonth, () => this.#pauseFor(PAUSE_MONTH_MS))}
        </div>
        <form class="until" @submit=${submit}>
          <span class="field"><label for="pause-date">${t.pauseUntilDate}</label>
          <input id="pause-date" type="date" min=${min} max=${max} .value=${this._pauseDate} @input=${(e: Event) => (this._pauseDate = (e.target as HTMLInputElement).value)} /></span>
          <button type="submit" class="btn" part="button" ?disabled=${!this._pauseDate}>${t.pauseButton}</button>
        </form>
      </div>
    </section>`
  }

  #renderLess(t: Translation, depth: number): TemplateResult {
    return html`<div class="less">
      ${this.#heading(depth, t.lessInstead)}
      <div class="actions">
        ${this.#button(t.lessPauseMonth, () => this.#pauseFor(PAUSE_MONTH_MS, true))}
        ${this.#button(t.lessWeekly, () => this.#lessWeekly())}
      </div>
    </div>`
  }

  #renderConfirm(me: Me, t: Translation): TemplateResult {
    return html`<section class="confirm" part="section">
      ${this.#heading(0, t.unsubscribeQuestion(me.tenant.name), 'title', 'h title')}
      ${me.subscriber.email ? html`<p class="intro">${t.sentTo(me.subscriber.email)}</p>` : nothing}
      <div class="actions">
        <button type="button" class="btn danger solid" part="button button-danger unsubscribe-button" aria-describedby="leave-hint" @click=${() => this.#unsubscribe()}>${t.unsubscribeAll}</button>
      </div>
      <p class="hint" id="leave-hint">${t.unsubscribeAllHint(me.tenant.name)}</p>
      ${this.#renderLess(t, 1)}
      <p><button type="button" class="link" part="button" @click=${() => { this._showAll = true; this.#focusNext = 'title' }}>${t.chooseTopics}</button></p>
    </section>`
  }

  #renderUnsubscribed(me: Me, t: Translation): TemplateResult {
    const required = me.topics.some((x) => x.required)
    const form = this._justLeft && !this._reasonSent ? this.#part('reason') : undefined
    return html`<section class="done" part="unsubscribed" aria-labelledby="done-title">
      <div class="badge">${CHECK}</div>
      ${this.#heading(0, t.unsubscribedTitle, 'done-title', 'h title')}
      <p>${t.unsubscribedBody(me.tenant.name)}${required ? ` ${t.requiredStillSent}` : ''}</p>
      <div class="actions">${this._justLeft ? this.#button(t.undo, () => this.#resubscribe(), 'primary') : this.#button(t.resubscribe, () => this.#resubscribe(), 'primary')}</div>
      ${this.#renderLess(t, 1)}
      ${this._justLeft && !this._reasonSent
        ? form && form !== 'failed'
          ? form.reasonForm({
              reason: this._reason,
              details: this._reasonDetails,
              t,
              choose: (r) => (this._reason = r),
              write: (details) => (this._reasonDetails = details),
              send: (r) => this.#sendReason(r),
            })
          : this.#partMissing('reason', form, t)
        : this._reasonSent
          ? html`<p class="thanks">${t.reasonThanks}</p>`
          : nothing}
    </section>`
  }
}

/**
 * A category heading: the category is the merchant's own text (one language). When it is one
 * of the common keys ("shopping") or their English names ("Your account"), it is translated;
 * otherwise it shows as written, a slug made readable ("weekly_digest" → "Weekly digest").
 */
function categoryName(category: string, t: Translation): string {
  const wanted = category.trim().toLowerCase()
  const en = ENGLISH.categories
  const key = Object.keys(en).find((k) => k === wanted || en[k]!.toLowerCase() === wanted)
  if (key && t.categories[key]) return t.categories[key]
  const words = category.replace(/[-_]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The tenant's options, plus the stored cap when it is not one of them (set through the API). */
function withCurrent(options: Me['tenant']['frequencyOptions'], cap: Cap | null): Array<Pick<Cap, 'max' | 'per'>> {
  if (!cap || options.some((o) => capKey(o) === capKey(cap))) return options
  return [...options, { max: cap.max, per: cap.per }]
}

function capFromKey(key: string, options: Array<Pick<Cap, 'max' | 'per'>>): Cap | null {
  const o = options.find((x) => capKey(x) === key)
  return o ? { max: o.max, per: o.per } : null
}
