import type { MePatch } from '@heed/shared/schemas'
import type { SubscriberState } from './state.ts'

/** Events `<heed-preferences>` fires: after a user's action only, never when code sets a property. */

/** A change the subscriber made was saved. */
export interface HeedChangeDetail {
  /** The subscriber's whole state as stored now. */
  state: SubscriberState
  /** What this save changed (a `PATCH /v1/me` body). */
  change: MePatch
}

/** The subscriber unsubscribed from everything (saved). */
export interface HeedUnsubscribeDetail {
  state: SubscriberState
}

/** A save failed and was rolled back, or the link stopped working while the page was open. */
export interface HeedErrorDetail {
  /** HTTP status; 0 when the API could not be reached. */
  status: number
  title: string
  detail: string
  /** The change that was not saved, if any. */
  change: MePatch | null
}

export type HeedChangeEvent = CustomEvent<HeedChangeDetail>
export type HeedUnsubscribeEvent = CustomEvent<HeedUnsubscribeDetail>
export type HeedErrorEvent = CustomEvent<HeedErrorDetail>

declare global {
  interface GlobalEventHandlersEventMap {
    'heed-change': HeedChangeEvent
    'heed-unsubscribe': HeedUnsubscribeEvent
    'heed-error': HeedErrorEvent
  }
}
