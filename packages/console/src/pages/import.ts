import { css, html, nothing } from 'lit'
import { ApiProblem, call, query } from '../api.ts'
import { ConsolePage } from '../page.ts'
import { canEdit } from '../session.ts'
import { dataTable } from '../table.ts'

type Mode = 'upsert' | 'createOnly' | 'updateOnly'

interface Job {
  id: string
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'
  mode: Mode
  dryRun: boolean
  format: 'csv' | 'ndjson'
  fileName: string | null
  read: number
  created: number
  updated: number
  unchanged: number
  skipped: number
  failed: number
  kept: number
  error: string | null
  cancelRequested: boolean
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

interface RowError {
  line: number
  subscriberId: string | null
  column: string | null
  reason: string
}

const MODES: readonly Mode[] = ['upsert', 'createOnly', 'updateOnly']
const COUNTS = ['created', 'updated', 'unchanged', 'skipped', 'failed', 'kept'] as const
/** How often a running job is asked for its progress. */
const POLL_MS = 500
/** Every how many polls the rows read so far are announced to screen readers. */
const ANNOUNCE_EVERY = 10
const ERRORS_PAGE = 50

const path = (id: string, rest = '') => `/v1/imports/${encodeURIComponent(id)}${rest}`
const hasEnded = (job: Job) => job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled'

/** The type a file is sent as: by its extension, else by the type the browser gave it; null when it is neither CSV nor NDJSON. */
export function importType(file: File): string | null {
  const ext = /\.([a-z]+)$/.exec(file.name.toLowerCase())?.[1]
  if (ext === 'csv') return 'text/csv'
  if (ext === 'ndjson' || ext === 'jsonl') return 'application/x-ndjson'
  const type = file.type.split(';')[0]!.trim().toLowerCase()
  if (type === 'text/csv') return 'text/csv'
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return 'application/x-ndjson'
  return null
}

/**
 * Import and export over `/v1/imports` and the export routes. Owners and editors choose a CSV
 * or NDJSON file and a mode, check it first (a dry run) or import it; the job is followed
 * every half second (rows read so far, an indeterminate progress bar, Cancel) and ends in its
 * counts, its rejected rows a page at a time and a CSV of them. After a check, "Import this
 * file" sends the same file again for real. Everyone sees the recent imports and the exports
 * (subscribers as CSV or NDJSON, the ledger as NDJSON). Progress and the outcome are announced
 * through a polite live region.
 */
export class ImportPage extends ConsolePage {
  static override styles = [
    ...ConsolePage.styles,
    css`
      fieldset {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        margin: 0.75rem 0;
        padding: 0.25rem 0.75rem 0.5rem;
        min-width: 0;
      }
      legend {
        font-weight: 600;
        padding: 0 0.25rem;
      }
      .choice {
        display: flex;
        align-items: flex-start;
        gap: 0.625rem;
        margin: 0.5rem 0;
      }
      .choice input {
        flex: none;
        margin: 0.125rem 0 0;
      }
      .choice label {
        margin: 0;
      }
      .choice .muted {
        display: block;
        font-size: 0.875rem;
      }
      /* The browser's own file button speaks the browser's language: it lies, invisible, over ours. */
      .file {
        position: relative;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.75rem;
        border: 1px dashed var(--border);
        border-radius: var(--radius);
        padding: 0.5rem;
      }
      .file input {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        opacity: 0;
        cursor: pointer;
      }
      .file input:focus-visible + .pick {
        outline: 3px solid var(--focus);
        outline-offset: 2px;
      }
      .file input[aria-invalid='true'] ~ .pick {
        border-color: var(--danger);
      }
      .hint {
        font-size: 0.875rem;
        overflow-wrap: anywhere;
      }
      progress {
        display: block;
        width: 100%;
        height: 1rem;
        margin: 0.25rem 0;
        accent-color: var(--accent);
      }
      h3 {
        font-size: 1rem;
        margin: 1.25rem 0 0.5rem;
      }
      h2:focus {
        outline: none;
      }
      ul.counts {
        list-style: none;
        padding: 0;
        margin: 0.75rem 0;
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr));
        gap: 0.5rem;
      }
      ul.counts li {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.5rem 0.75rem;
      }
      ul.counts .n {
        display: block;
        font-size: 1.5rem;
        font-weight: 700;
        line-height: 1.25;
      }
      ul.counts .label {
        font-weight: 600;
      }
      ul.counts .muted {
        display: block;
        font-size: 0.875rem;
      }
      ul.counts li.bad .n {
        color: var(--danger);
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.75rem;
      }
      .badge.check {
        color: var(--muted);
      }
      /* Narrow screens scroll these tables sideways rather than break ids and columns letter by letter. */
      .scroll {
        overflow-x: auto;
        border-radius: var(--radius);
      }
      .scroll .table-wrap {
        overflow: visible;
        min-width: 34rem;
      }
      .scroll th,
      .scroll td:not(:last-child) {
        white-space: nowrap;
      }
      .scroll .mono,
      .scroll code,
      .wide .mono {
        overflow-wrap: normal;
      }
      .wide table {
        min-width: 40rem;
      }
    `,
  ]

  static override properties = {
    ...ConsolePage.properties,
    _history: { state: true },
    _job: { state: true },
    _errors: { state: true },
    _errorsNext: { state: true },
    _errorsLoading: { state: true },
    _file: { state: true },
    _mode: { state: true },
    _fileError: { state: true },
    _failure: { state: true },
    _loadError: { state: true },
    _busy: { state: true },
    _announce: { state: true },
  }
  declare private _history: Job[]
  /** The job whose progress or report is shown. */
  declare private _job: Job | null
  declare private _errors: RowError[]
  declare private _errorsNext: number | null
  declare private _errorsLoading: boolean
  declare private _file: File | null
  declare private _mode: Mode
  declare private _fileError: string
  declare private _failure: string
  declare private _loadError: string
  declare private _busy: boolean
  declare private _announce: string

  /** The file and mode a job of this visit was started with, so a check can be imported for real. */
  #sent = new Map<string, { file: File; mode: Mode }>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #polls = 0

  constructor() {
    super()
    this._history = []
    this._job = null
    this._errors = []
    this._errorsNext = null
    this._errorsLoading = false
    this._file = null
    this._mode = 'upsert'
    this._fileError = ''
    this._failure = ''
    this._loadError = ''
    this._busy = false
    this._announce = ''
  }

  override connectedCallback() {
    super.connectedCallback()
    void this.#loadHistory(true)
  }

  override disconnectedCallback() {
    super.disconnectedCallback()
    clearTimeout(this.#timer)
  }

  /** The recent imports; on the first load, one still running is followed. */
  async #loadHistory(first = false) {
    try {
      this._history = (await call<{ data: Job[] }>('GET', '/v1/imports?limit=10')).data
      this._loadError = ''
      const running = first && !this._job ? this._history.find((j) => !hasEnded(j)) : undefined
      if (running) void this.#show(running)
    } catch (e) {
      this._loadError = this.errorText(e)
    }
  }

  #choose(e: Event) {
    const input = e.target as HTMLInputElement
    const file = input.files?.[0] ?? null
    this._file = file
    this._failure = ''
    this._fileError = file && !importType(file) ? this.t.importWrongType(file.name) : ''
  }

  async #focus(selector: string) {
    await this.updateComplete
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus()
  }

  async #start(dryRun: boolean, file = this._file, mode = this._mode) {
    const t = this.t
    this._failure = ''
    if (!file) {
      this._fileError = t.importChooseFile
      return this.#focus('#import-file')
    }
    const type = importType(file)
    if (!type) {
      this._fileError = t.importWrongType(file.name)
      return this.#focus('#import-file')
    }
    this._fileError = ''
    this._busy = true
    try {
      const job = await call<Job>('POST', `/v1/imports${query({ mode, dryRun, fileName: file.name.slice(0, 200) })}`, file.slice(0, file.size, type))
      this.#sent.set(job.id, { file, mode })
      this._history = [job, ...this._history.filter((j) => j.id !== job.id)]
      this._announce = t.importStarted(dryRun, file.name)
      void this.#show(job)
      await this.#focus('#job-title')
    } catch (e) {
      this._failure = e instanceof ApiProblem && e.errors[0]?.detail ? `${this.errorText(e)} (${e.errors[0].detail})` : this.errorText(e)
    } finally {
      this._busy = false
    }
  }

  /** Shows a job: follows it while it runs, else its report. */
  async #show(job: Job) {
    clearTimeout(this.#timer)
    this._job = job
    this._errors = []
    this._errorsNext = null
    this.#polls = 0
    if (hasEnded(job)) await this.#loadErrors(false)
    else this.#timer = setTimeout(() => void this.#poll(job.id), POLL_MS)
  }

  async #poll(id: string) {
    let job: Job
    try {
      job = await call<Job>('GET', path(id))
    } catch (e) {
      if (this._job?.id !== id || !this.isConnected) return
      this._failure = this.errorText(e)
      if (!(e instanceof ApiProblem) || e.status === 0 || e.status >= 500) this.#timer = setTimeout(() => void this.#poll(id), POLL_MS * 4)
      return
    }
    if (this._job?.id !== id || !this.isConnected) return
    this._failure = ''
    // Focus on Cancel, which goes when the job ends, moves to the report's heading instead.
    const focusInJob = (this.renderRoot as ShadowRoot).activeElement?.closest('#job') != null
    this._job = job
    this._history = this._history.map((j) => (j.id === id ? job : j))
    if (!hasEnded(job)) {
      if (++this.#polls % ANNOUNCE_EVERY === 0) this._announce = this.t.importRowsRead(this.fmt.number(job.read))
      this.#timer = setTimeout(() => void this.#poll(id), POLL_MS)
      return
    }
    this._announce = this.#outcome(job)
    if (focusInJob) {
      await this.updateComplete
      if (!(this.renderRoot as ShadowRoot).activeElement) this.renderRoot.querySelector<HTMLElement>('#job-title')?.focus()
    }
    await this.#loadErrors(false)
    void this.#loadHistory()
  }

  async #loadErrors(more: boolean) {
    const job = this._job
    if (!job || job.failed + job.skipped === 0) return
    this._errorsLoading = true
    try {
      const page = await call<{ data: RowError[]; next: number | null }>('GET', path(job.id, `/errors${query({ after: more ? this._errorsNext : undefined, limit: ERRORS_PAGE })}`))
      if (this._job?.id !== job.id) return
      this._errors = more ? [...this._errors, ...page.data] : page.data
      this._errorsNext = page.next
    } catch (e) {
      this._failure = this.errorText(e)
    } finally {
      this._errorsLoading = false
    }
  }

  async #cancel(job: Job) {
    try {
      this._job = await call<Job>('DELETE', path(job.id))
      this._announce = this.t.importCancelling
    } catch (e) {
      this._failure = this.errorText(e)
    }
  }

  /** The outcome of an ended job in one sentence. */
  #outcome(job: Job): string {
    const t = this.t
    const read = this.fmt.number(job.read)
    if (job.state === 'failed') return t.importFailedWhole(job.error ?? t.genericError)
    if (job.state === 'cancelled') return t.importCancelled(job.dryRun, read)
    return t.importFinished(job.dryRun, read)
  }

  #form() {
    const t = this.t
    const running = this._job !== null && !hasEnded(this._job)
    return html`<form class="card" novalidate aria-labelledby="upload-title" @submit=${(e: SubmitEvent) => (e.preventDefault(), void this.#start(false))}>
      <h2 id="upload-title">${t.importUploadHeading}</h2>
      <label for="import-file">${t.importFile}</label>
      <div class="file">
        <input
          id="import-file"
          type="file"
          accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
          aria-describedby="import-file-error import-file-hint"
          aria-invalid=${this._fileError ? 'true' : 'false'}
          @change=${this.#choose}
        />
        <span class="button pick" aria-hidden="true">${t.importChooseButton}</span>
        <span class=${this._file ? 'mono' : 'muted'} aria-hidden="true">${this._file?.name ?? t.importNoFile}</span>
      </div>
      <p id="import-file-error" class="field-error">${this._fileError}</p>
      <p id="import-file-hint" class="muted hint">${t.importFileHint}</p>
      <fieldset>
        <legend>${t.importMode}</legend>
        ${MODES.map(
          (m) => html`<div class="choice">
            <input id="mode-${m}" type="radio" name="mode" value=${m} aria-describedby="mode-${m}-hint" .checked=${this._mode === m} @change=${() => (this._mode = m)} />
            <div>
              <label for="mode-${m}">${t.importModes[m]}</label>
              <span id="mode-${m}-hint" class="muted">${t.importModeHints[m]}</span>
            </div>
          </div>`,
        )}
      </fieldset>
      <p class="muted hint">${t.importCheckHint}</p>
      <div class="actions">
        <button type="button" ?disabled=${this._busy || running} @click=${() => this.#start(true)}>${t.importCheck}</button>
        <button type="submit" class="primary" ?disabled=${this._busy || running}>${t.importStart}</button>
      </div>
      ${this._failure ? html`<p class="error" role="alert">${this._failure}</p>` : nothing}
    </form>`
  }

  #counts(job: Job) {
    const t = this.t
    const words = job.dryRun ? t.importCountsDry : t.importCounts
    return html`<ul class="counts">
      ${COUNTS.map(
        (k) => html`<li class=${k === 'failed' && job.failed > 0 ? 'bad' : ''}>
          <span class="n">${this.fmt.number(job[k])}</span>
          <span class="label">${words[k]}</span>
          <span class="muted">${t.importCountHints[k]}</span>
        </li>`,
      )}
    </ul>`
  }

  #report(job: Job, editor: boolean) {
    const t = this.t
    const name = job.fileName ?? t.importUnnamed
    const ended = hasEnded(job)
    const sent = this.#sent.get(job.id)
    return html`<section id="job" class="card" aria-labelledby="job-title">
      <h2 id="job-title" tabindex="-1">${t.importJobTitle(job.dryRun, name)}</h2>
      <p class="meta muted">
        <span>${t.importModes[job.mode]}</span>
        <time datetime=${job.createdAt}>${this.fmt.date(job.createdAt)}</time>
        <span class="badge ${job.state === 'completed' ? 'on' : job.state === 'failed' ? 'off' : 'check'}">${t.importStates[job.state]}</span>
      </p>
      ${ended
        ? html`<p class=${job.state === 'completed' ? 'success' : job.state === 'failed' ? 'error' : 'warning'}>${this.#outcome(job)}</p>`
        : html`<label for="job-progress">${t.importProgress}</label>
            <progress id="job-progress" aria-describedby="job-read"></progress>
            <p id="job-read">${job.state === 'queued' ? t.importQueued : t.importRowsRead(this.fmt.number(job.read))}</p>`}
      ${job.read > 0 || ended ? this.#counts(job) : nothing}
      ${ended && job.kept > 0 ? html`<p class="muted hint">${t.importKeptNote(job.dryRun)}</p>` : nothing}
      ${!ended && editor
        ? html`<div class="actions">
            <button class="danger" ?disabled=${job.cancelRequested} @click=${() => this.#cancel(job)}>${job.cancelRequested ? t.importCancelling : t.importCancel}</button>
          </div>`
        : nothing}
      ${ended && job.dryRun && job.state === 'completed' && sent && editor
        ? html`<div class="actions">
              <button class="primary" ?disabled=${this._busy} aria-describedby="import-again-hint" @click=${() => this.#start(false, sent.file, sent.mode)}>${t.importAgain}</button>
            </div>
            <p id="import-again-hint" class="muted hint">${t.importAgainHint(sent.file.name, t.importModes[sent.mode] ?? sent.mode)}</p>`
        : nothing}
      ${ended && job.failed + job.skipped > 0 ? this.#errorsTable(job) : nothing}
    </section>`
  }

  #errorsTable(job: Job) {
    const t = this.t
    return html`<h3 id="errors-title">${t.importErrorsHeading}</h3>
      ${this._errors.length === 0
        ? html`<p class="muted">${this._errorsLoading ? t.loading : t.importNoErrors}</p>`
        : html`<div class="scroll" role="region" tabindex="0" aria-labelledby="errors-title">
            ${dataTable([t.colLine, t.colSubscriber, t.colColumn, t.colReason], this._errors, (e) => [
              this.fmt.number(e.line),
              e.subscriberId ? html`<span class="mono">${e.subscriberId}</span>` : html`<span class="muted">—</span>`,
              e.column ? html`<code>${e.column}</code>` : html`<span class="muted">—</span>`,
              e.reason,
            ])}
          </div>`}
      <div class="actions">
        ${this._errorsNext !== null ? html`<button @click=${() => this.#loadErrors(true)} ?disabled=${this._errorsLoading}>${t.loadMore}</button>` : nothing}
        <a class="button" href=${path(job.id, '/errors?format=csv')} download>${t.importDownloadErrors}</a>
      </div>`
  }

  #history() {
    const t = this.t
    return html`<section aria-labelledby="history-title">
      <h2 id="history-title">${t.importHistoryHeading}</h2>
      ${this._history.length === 0
        ? html`<p class="card">${t.importNoHistory}</p>`
        : html`<div class="wide">${dataTable([t.colWhen, t.colFile, t.colState, t.colResult, { hidden: t.actionsHeading }], this._history, (j) => {
            const name = j.fileName ?? t.importUnnamed
            const n = this.fmt.number
            return [
              html`<time datetime=${j.createdAt}>${this.fmt.date(j.createdAt)}</time>`,
              html`<span class="mono">${name}</span>
                <div class="muted">${t.importModes[j.mode]}${j.dryRun ? html` <span class="badge check">${t.importCheckBadge}</span>` : nothing}</div>`,
              html`<span class="badge ${j.state === 'completed' ? 'on' : j.state === 'failed' ? 'off' : 'check'}">${t.importStates[j.state]}</span>`,
              html`${hasEnded(j) ? t.importRows(n(j.read)) : t.importRowsRead(n(j.read))}<div class="muted">${t.importResultShort(j.dryRun, n(j.created), n(j.updated), n(j.failed))}</div>`,
              html`<button class="small" aria-label=${t.importShowNamed(name)} aria-current=${this._job?.id === j.id ? 'true' : 'false'} @click=${() => this.#show(j)}>${t.importShow}</button>`,
            ]
          })}</div>`}
    </section>`
  }

  override render() {
    const t = this.t
    const editor = canEdit(this.session)
    return html`
      <h1>${t.importTitle}</h1>
      <p class="muted">${t.importIntro}</p>
      <div class="visually-hidden" role="status" aria-live="polite">${this._announce}</div>
      ${this._loadError ? html`<p class="error" role="alert">${this._loadError}</p>` : nothing}
      ${editor ? this.#form() : html`<p class="card">${t.importViewerNote}</p>`}
      ${!editor && this._failure ? html`<p class="error" role="alert">${this._failure}</p>` : nothing}
      ${this._job ? this.#report(this._job, editor) : nothing}
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">${t.exportHeading}</h2>
        <p class="muted">${t.exportIntro}</p>
        <div class="actions">
          <a class="button" href="/v1/subscribers/export?format=csv" download>${t.exportSubscribersCsv}</a>
          <a class="button" href="/v1/subscribers/export?format=ndjson" download>${t.exportSubscribersNdjson}</a>
          <a class="button" href="/v1/events/export" download>${t.exportLedger}</a>
        </div>
      </section>
      ${this.#history()}
    `
  }
}

if (!customElements.get('heed-import')) customElements.define('heed-import', ImportPage)
