import type { ConsentSource, MePatch, MeResponse } from '@heed/shared/schemas'
import type { SubscriberRecord, Store, TenantRecord } from '../db/store.ts'
import { ApiError } from '../http/errors.ts'
import { PREVIEW_SUBJECT, type VerifiedToken } from './tokens.ts'
import { applyPatch, blankSubscriber, refuseInvalidPatch } from '../subscribers/patch.ts'
import { suppressionHashes } from '../subscribers/suppression.ts'
import { iso, subscriberView } from '../http/views.ts'

/** Shared by the subscriber API (/v1/me) and the hosted unsubscribe page (/u). */

export function maskEmail(email: string | null): string | null {
  if (!email) return null
  const at = email.lastIndexOf('@')
  if (at < 1) return '***'
  return `${email[0]}***${email.slice(at)}`
}

export async function meView(store: Store, tenant: TenantRecord, subscriber: SubscriberRecord, expiresAt: number): Promise<MeResponse> {
  const topics = await store.listTopics(tenant.id)
  const { createdAt: _c, updatedAt: _u, ...state } = subscriberView(subscriber)
  const s = tenant.settings
  return {
    tenant: {
      id: tenant.id,
      name: s.name,
      defaultLocale: s.defaultLocale,
      defaultTimezone: s.defaultTimezone,
      channels: s.channels,
      frequencyOptions: s.frequencyOptions,
      branding: s.branding,
    },
    topics: topics.map(({ createdAt: _tc, updatedAt: _tu, ...t }) => t),
    subscriber: { ...state, email: maskEmail(subscriber.email) },
    link: { expiresAt: iso(expiresAt) },
  }
}

/** Who makes a self-service change, with which link, from which browser, when. */
export interface SelfChanger {
  store: Store
  link: Pick<VerifiedToken, 'tenant' | 'subscriber' | 'jti'>
  userAgent: string | null
  at: number
}

/** The changer of a request made with a link: the app's store and clock, the link, the request's user agent. */
export const selfChanger = (deps: { store: Store; now: () => number }, link: SelfChanger['link'], userAgent: string | undefined): SelfChanger => ({
  store: deps.store,
  link,
  userAgent: userAgent ?? null,
  at: deps.now(),
})

/**
 * A change the subscriber makes themselves. Choosing to be subscribed again lifts an
 * erasure suppression: that is the person opting back in.
 */
export async function changeOwnPreferences(by: SelfChanger, source: ConsentSource, patch: MePatch, reason: string | null = null): Promise<SubscriberRecord> {
  const { store, link: { tenant, subscriber: { id }, jti } } = by
  await refuseInvalidPatch(store, tenant, patch)
  let unsuppress: string[] | undefined
  if (patch.status === 'subscribed') {
    const current = await store.getSubscriber(tenant.id, id)
    unsuppress = suppressionHashes(tenant.id, id, current?.email)
  }
  const result = await store.changeSubscriber(
    tenant.id,
    id,
    (current) => {
      // The token was valid a moment ago; an erasure in between leaves nothing to change.
      if (!current) throw new ApiError('unauthorized', 'this link is no longer valid; ask for a new one')
      return applyPatch(current, patch)
    },
    { source, actor: jti, userAgent: by.userAgent, reason, at: by.at, ...(unsuppress ? { unsuppress } : {}) },
  )
  return result.subscriber
}

/**
 * What a preview token shows: a subscriber that is not stored, as a new one would be (every
 * topic at its default, subscribed, no e-mail) in the tenant's language and time zone.
 */
export function previewSubscriber(tenant: TenantRecord, at: number): SubscriberRecord {
  return { ...blankSubscriber(PREVIEW_SUBJECT, at), locale: tenant.settings.defaultLocale, timezone: tenant.settings.defaultTimezone }
}

/**
 * A change made with a preview token: refused and applied by the same rules as a subscriber's
 * own, to what the preview shows now, and the result answered. Nothing is written and no
 * consent event recorded.
 */
export async function previewChange(store: Pick<Store, 'listTopics'>, tenant: TenantRecord, shown: SubscriberRecord, patch: MePatch): Promise<SubscriberRecord> {
  await refuseInvalidPatch(store, tenant, patch)
  return applyPatch(shown, patch)
}

/** How many previews' changes a process remembers at once; the least recently used go first. */
const MAX_PREVIEWS = 1000

/**
 * What each preview has been changed to, so that the console's preview answers a second change
 * on top of the first, as a subscriber's own page does. Kept in this process's memory only, by
 * token (`jti`), while the token works, for at most MAX_PREVIEWS tokens: a preview answered by
 * another process, or after a restart, starts again from the defaults. Never in the database.
 */
export class PreviewMemory {
  readonly #shown = new Map<string, { subscriber: SubscriberRecord; expiresAt: number }>()

  /** What the preview shows: its last change, or a new subscriber's defaults. */
  shown(preview: { tenant: TenantRecord; jti: string }, now: number): SubscriberRecord {
    const kept = this.#shown.get(preview.jti)
    if (kept && kept.expiresAt > now) return kept.subscriber
    this.#shown.delete(preview.jti)
    return previewSubscriber(preview.tenant, now)
  }

  remember(preview: { jti: string; expiresAt: number }, subscriber: SubscriberRecord): void {
    this.#shown.delete(preview.jti)
    this.#shown.set(preview.jti, { subscriber, expiresAt: preview.expiresAt })
    for (const jti of this.#shown.keys()) {
      if (this.#shown.size <= MAX_PREVIEWS) break
      this.#shown.delete(jti)
    }
  }
}
