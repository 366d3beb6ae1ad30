import { html, nothing, type TemplateResult } from 'lit'
import { ifDefined } from 'lit/directives/if-defined.js'
import type { QuietHours } from '@heed/shared/schemas'
import type { LocaleCode, Translation } from '../../translations/index.ts'
import { QUIET_TEXT } from '../../translations/quiet.ts'
import { describeQuiet, quietError, weekdays } from '../../quiet.ts'
import '../zone-picker/zone-picker.ts'

/**
 * The quiet-hours editor: times, "All day", the days and the time zone. Loaded on demand (its
 * own chunk, with the time-zone picker) the first time quiet hours are shown; it renders into
 * the preference center's shadow root, so it shares its styles and focus handling.
 */
export interface QuietEditor {
  /** What is shown: the stored rule, or a draft that cannot be saved yet. */
  q: QuietHours
  /** Whether `q` is a draft (not saved: its error shows). */
  draft: boolean
  zone: string
  browserZone: string
  t: Translation
  /** A change; `error` says why it cannot be saved (then it stays a draft). */
  set(next: QuietHours, error: string | null): void
  setZone(zone: string): void
}

const ALL_DAY = { start: '00:00', end: '00:00' }
const EVENINGS = { start: '21:00', end: '08:00' }
const WEEKEND = [0, 6]

export function quietEditor(v: QuietEditor, alert: TemplateResult): TemplateResult {
  const { q, t } = v
  const locale = t.$code
  const text = QUIET_TEXT[locale as LocaleCode]
  const set = (next: QuietHours) => v.set(next, quietError(next, text))
  const problem = v.draft ? quietError(q, text) : null
  const allDay = q.start === q.end
  const days = q.days ?? [0, 1, 2, 3, 4, 5, 6]
  const error = problem !== null
  const described = error ? 'quiet-rule quiet-error' : 'quiet-rule'
  const setTime = (field: 'start' | 'end') => (e: Event) => {
    const input = e.target as HTMLInputElement
    // A cleared field goes back to the shown time.
    if (input.value) set({ ...q, [field]: input.value })
    else input.value = q[field]
  }
  const toggleDay = (day: number) => {
    const next = days.includes(day) ? days.filter((d) => d !== day) : [...days, day]
    const { days: _, ...rest } = q
    set(next.length === 7 ? rest : { ...rest, days: next.sort() })
  }
  // "All day" on every day would block everything: it starts with the weekend chosen.
  const toggleAllDay = () => set(allDay ? { ...q, ...EVENINGS } : { ...q, ...ALL_DAY, ...(q.days === undefined ? { days: WEEKEND } : {}) })
  const time = (field: 'start' | 'end', label: string) =>
    html`<span class="field"><label for="quiet-${field}">${label}</label><input id="quiet-${field}" type="time" required .value=${q[field]} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described} @change=${setTime(field)} /></span>`
  return html`<div class="group pad" part="group">
    <p class="rule" id="quiet-rule">${describeQuiet(q, locale, text)}</p>
    <div class="fields">
      ${allDay ? nothing : html`${time('start', t.quietFrom)}${time('end', t.quietTo)}`}
      <label class="check"><input type="checkbox" id="quiet-all-day" .checked=${allDay} aria-invalid=${error && allDay ? 'true' : 'false'} aria-describedby=${described} @change=${toggleAllDay} />${text.quietAllDay}</label>
    </div>
    <div class="days" role="group" aria-labelledby="quiet-days">
      <span class="label" id="quiet-days">${text.quietDays}</span>
      <div class="chips">
        ${weekdays(locale).map(
          ({ day, short, long }) =>
            html`<button type="button" role="checkbox" class="chip day" part=${days.includes(day) ? 'chip chip-on' : 'chip'} aria-checked=${days.includes(day) ? 'true' : 'false'} aria-label=${long} aria-describedby=${ifDefined(error ? 'quiet-error' : undefined)} @click=${() => toggleDay(day)}>${short}</button>`,
        )}
      </div>
    </div>
    <heed-zone-picker
      class="zone"
      .value=${v.zone}
      .locale=${locale}
      .label=${t.timeZone}
      .searchLabel=${text.zoneSearch}
      .noMatch=${text.zoneNoMatch}
      .browserZone=${v.browserZone}
      @zone-change=${(e: CustomEvent<{ zone: string }>) => v.setZone(e.detail.zone)}
    ></heed-zone-picker>
    ${error ? html`<p class="field-error" id="quiet-error">${alert}<span>${problem}</span></p>` : nothing}
  </div>`
}
