import type { SubscriberPatch } from '@heed/shared/schemas'
import { consentChanged } from '../db/consent.ts'
import type { ImportMode, SubscriberRecord } from '../db/store.ts'
import { applyPatch, blankSubscriber } from '../subscribers/patch.ts'

/**
 * What one row of an import does to one subscriber: the rules of an import, pure, so that a
 * dry run (from a read) and a real run (inside the transaction, from the locked row) decide
 * alike.
 *
 * - `mode`: `upsert` creates or updates, `createOnly` skips someone who exists, `updateOnly`
 *   skips someone who does not.
 * - An import never sends more than the person allowed. Someone unsubscribed stays so; a topic
 *   or channel they turned off stays off; an erased person (`suppressed`) is created or kept
 *   unsubscribed. Only the person can opt back in, through a link. Such a row is still
 *   applied in every other way, and counted as `kept`.
 */

export type { ImportMode }
export const IMPORT_MODES = ['upsert', 'createOnly', 'updateOnly'] as const satisfies readonly ImportMode[]

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'skipped'

export interface RowPlan {
  outcome: RowOutcome
  /** The state to write; null when nothing is written (unchanged or skipped). */
  next: SubscriberRecord | null
  /** The row asked for more consent than the person gave, and was held back. */
  kept: boolean
  /** Why a row was skipped, for the errors list. */
  skipReason?: string
}

export function planRow(current: SubscriberRecord | null, id: string, patch: SubscriberPatch, mode: ImportMode, suppressed: boolean, at: number): RowPlan {
  if (current && mode === 'createOnly') return { outcome: 'skipped', next: null, kept: false, skipReason: 'exists already (mode createOnly)' }
  if (!current && mode === 'updateOnly') return { outcome: 'skipped', next: null, kept: false, skipReason: 'does not exist (mode updateOnly)' }
  const applied = applyPatch(current ?? blankSubscriber(id, at), patch)
  const { next, kept } = holdBack(current, applied, suppressed)
  if (current && !consentChanged(current, next)) return { outcome: 'unchanged', next: null, kept }
  return { outcome: current ? 'updated' : 'created', next: { ...next, updatedAt: at }, kept }
}

/** `next` with every opt-in the person had refused put back as they left it. */
function holdBack(current: SubscriberRecord | null, next: SubscriberRecord, suppressed: boolean): { next: SubscriberRecord; kept: boolean } {
  let kept = false
  const out: SubscriberRecord = { ...next, channels: { ...next.channels }, topics: { ...next.topics } }
  if ((suppressed || current?.status === 'unsubscribed') && out.status === 'subscribed') {
    out.status = 'unsubscribed'
    kept = true
  }
  if (!current) return { next: out, kept }
  for (const [channel, on] of Object.entries(out.channels)) {
    if (on && current.channels[channel] === false) {
      out.channels[channel] = false
      kept = true
    }
  }
  for (const [key, pref] of Object.entries(out.topics)) {
    const before = Object.hasOwn(current.topics, key) ? current.topics[key] : undefined
    if (!before) continue
    let fixed = pref
    if (pref.subscribed === true && before.subscribed === false) fixed = { ...fixed, subscribed: false }
    for (const [channel, on] of Object.entries(pref.channels ?? {})) {
      if (on && before.channels?.[channel] === false) fixed = { ...fixed, channels: { ...fixed.channels, [channel]: false } }
    }
    if (fixed !== pref) {
      out.topics[key] = fixed
      kept = true
    }
  }
  return { next: out, kept }
}
