import type { PastDispatch } from '@heed/shared'

/**
 * A subscriber's recent dispatches kept on their own row (`subscribers.recent`, complete for
 * every dispatch after `recent_from`), so a decision reads one row per subscriber instead of
 * a range of the dispatches table. Pure: the dialects read and write the columns.
 *
 * - A decision asking about `since` uses the row's list when `recent_from <= since`; otherwise
 *   (null: never kept, or an older instant asked about) it reads the dispatches table as before.
 * - Check-and-reserve keeps it: when it records a dispatch for a subscriber whose history it
 *   read (one with caps), the row gets that history after `since` plus the new dispatch, and
 *   `recent_from = since`; for one without caps the columns are cleared (the decision read no
 *   history to carry forward).
 * - A subscriber written with caps and no list (created with them, or gaining them) gets one in
 *   the same transaction, built from the table: every dispatch of theirs after 30 days before
 *   the write (`Dialect.keepRecentFromTable`). Rows from before that rule read the table until
 *   their next recorded dispatch.
 * - Erasure deletes the row with the dispatches; nothing else writes dispatches.
 */
export type RecentDispatch = [topic: string, channel: string, at: number]

/** At most this many on a row; beyond, the row says "not known" and the table is read. */
export const RECENT_MAX = 1000

/** The columns after recording `added` on top of `history` (complete after `since`). */
export function keptRecent(history: readonly PastDispatch[], added: readonly PastDispatch[], since: number): { recent: RecentDispatch[] | null; recentFrom: number | null } {
  const recent: RecentDispatch[] = []
  for (const d of history) if (d.at > since) recent.push([d.topic, d.channel, d.at])
  for (const d of added) if (d.at > since) recent.push([d.topic, d.channel, d.at])
  return recent.length > RECENT_MAX ? { recent: null, recentFrom: null } : { recent, recentFrom: since }
}
