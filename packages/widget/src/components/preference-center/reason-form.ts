import { html, type TemplateResult } from 'lit'
import type { LocaleCode, Translation } from '../../translations/index.ts'
import { REASON_TEXT } from '../../translations/reason.ts'

export type Reason = keyof Translation['reasons']

const REASONS: readonly Reason[] = ['too_many', 'not_relevant', 'never_signed_up', 'other']
/** The API keeps a reason of up to 500 characters; the chosen key and a colon come first. */
export const DETAILS_MAX = 450

/** The reason sent: the chosen key, then what the person wrote ("too_many: daily is a lot"). */
export const reasonText = (reason: Reason, details: string): string => {
  const words = details.trim().slice(0, DETAILS_MAX)
  return words ? `${reason}: ${words}` : reason
}

/**
 * "Can you tell us why?" after unsubscribing: a reason and, optionally, the person's own words.
 * Loaded on demand (its own chunk) when someone has just unsubscribed.
 */
export interface ReasonForm {
  reason: Reason | null
  details: string
  t: Translation
  choose(reason: Reason): void
  write(details: string): void
  /** Sends the reason as the API keeps it. */
  send(reason: string): void
}

export function reasonForm(v: ReasonForm): TemplateResult {
  const { t } = v
  return html`<form
    class="reason"
    @submit=${(e: Event) => {
      e.preventDefault()
      if (v.reason || v.details.trim()) v.send(reasonText(v.reason ?? 'other', v.details))
    }}
  >
    <fieldset>
      <legend>${t.reasonHeading}</legend>
      ${REASONS.map(
        (r) => html`<label class="option"><input type="radio" name="heed-reason" .value=${r} .checked=${v.reason === r} @change=${() => v.choose(r)} />${t.reasons[r]}</label>`,
      )}
    </fieldset>
    <span class="field"
      ><label for="reason-details">${REASON_TEXT[t.$code as LocaleCode].reasonDetails}</label
      ><textarea id="reason-details" rows="3" maxlength=${DETAILS_MAX} .value=${v.details} @input=${(e: Event) => v.write((e.target as HTMLTextAreaElement).value)}></textarea
    ></span>
    <div class="actions"><button type="submit" class="btn" part="button" ?disabled=${!v.reason && !v.details.trim()}>${t.reasonSend}</button></div>
  </form>`
}
