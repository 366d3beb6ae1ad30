/// <reference types="mocha" />
import { fixture, html, oneEvent, waitUntil } from '@open-wc/testing'
import { emulateMedia, executeServerCommand } from '@web/test-runner-commands'
import type { MePatch, Subscriber, SubscriberPatch } from '@heed/shared/schemas'
import '../src/index.ts'
import type { HeedPreferences } from '../src/index.ts'

/** Test helpers: a real API (started by web-test-runner.config.js), reached by server commands. */

// Computed colours are read right after changes: no transitions.
before(() => emulateMedia({ reducedMotion: 'reduce' }))

type Tenant = 'main' | 'single' | 'elsewhere'
interface ApiAnswer<T = any> {
  status: number
  body: T
}

let setup: Promise<{ api: string; origin: string }> | undefined
/** The API's base URL (another origin than the test pages). */
export const apiUrl = async () => (await (setup ??= executeServerCommand<{ api: string; origin: string }, undefined>('heed-setup'))).api
/** The test pages' origin (listed in the main tenant's allowedOrigins). */
export const pageOrigin = async () => (await (setup ??= executeServerCommand<{ api: string; origin: string }, undefined>('heed-setup'))).origin

/** An admin call to the API with a tenant's key. */
export async function admin<T = any>(method: string, path: string, body?: unknown, tenant: Tenant = 'main'): Promise<ApiAnswer<T>> {
  const answer = await executeServerCommand<ApiAnswer<T>, { method: string; path: string; body?: unknown; tenant: Tenant }>('heed-api', { method, path, body, tenant })
  if (!answer) throw new Error('the heed-api server command is not available')
  return answer
}

let counter = 0
/** A new subscriber with the given state and a fresh link token for them. */
export async function subscriber(state: SubscriberPatch = {}, tenant: Tenant = 'main'): Promise<{ id: string; token: string }> {
  const id = `sub-${Date.now().toString(36)}-${++counter}`
  const put = await admin('PUT', `/v1/subscribers/${id}`, { email: `${id}@example.com`, locale: 'en', timezone: 'Europe/Tallinn', ...state }, tenant)
  if (put.status >= 300) throw new Error(`PUT subscriber: ${JSON.stringify(put.body)}`)
  const link = await admin<{ token: string }>('POST', '/v1/links', { subscriberId: id }, tenant)
  if (link.status >= 300) throw new Error(`POST links: ${JSON.stringify(link.body)}`)
  return { id, token: link.body.token }
}

/** The subscriber's state as the API stores it. */
export async function stored(id: string, tenant: Tenant = 'main'): Promise<Subscriber> {
  const res = await admin<Subscriber>('GET', `/v1/subscribers/${id}`, undefined, tenant)
  if (res.status !== 200) throw new Error(`GET subscriber: ${JSON.stringify(res.body)}`)
  return res.body
}

export const root = (el: HeedPreferences) => el.shadowRoot!

/** Waits until the widget shows something other than "loading". */
export async function settled(el: HeedPreferences): Promise<HeedPreferences> {
  await waitUntil(() => el.shadowRoot && !el.shadowRoot.querySelector('.loading') && el.shadowRoot.querySelector('.base'), 'the widget did not finish loading', { timeout: 8000 })
  await el.updateComplete
  return el
}

/** Mounts `<heed-preferences>` for a token and waits for it to load. */
export async function mount(opts: { token?: string; lang?: string; mode?: string; api?: string } = {}): Promise<HeedPreferences> {
  const api = opts.api ?? (await apiUrl())
  const el = await fixture<HeedPreferences>(html`<heed-preferences api=${api} token=${opts.token ?? ''} lang=${opts.lang ?? ''} mode=${opts.mode ?? 'full'}></heed-preferences>`)
  return settled(el)
}

/** The switch labelled by the element whose text is `label`. */
export function switchFor(el: HeedPreferences, label: string): HTMLButtonElement {
  const r = root(el)
  for (const sw of r.querySelectorAll<HTMLButtonElement>('[role="switch"]')) {
    const labelEl = r.getElementById(sw.getAttribute('aria-labelledby') ?? '')
    if (labelEl?.textContent?.trim() === label) return sw
  }
  throw new Error(`no switch labelled "${label}"`)
}

/** The button (any role) whose visible text is `text`. */
export function buttonNamed(el: HeedPreferences, text: string): HTMLButtonElement {
  const b = [...root(el).querySelectorAll<HTMLButtonElement>('button')].find((x) => x.textContent?.trim() === text)
  if (!b) throw new Error(`no button "${text}"`)
  return b
}

/** Resolves with the detail of the next `heed-change` (or other) event after `action`. */
export async function after<K extends 'heed-change' | 'heed-unsubscribe' | 'heed-error'>(el: HeedPreferences, name: K, action: () => unknown): Promise<GlobalEventHandlersEventMap[K]['detail']> {
  const event = oneEvent(el, name) as Promise<GlobalEventHandlersEventMap[K]>
  action()
  return (await event).detail
}

/** What the status region says. */
export const statusText = (el: HeedPreferences) => root(el).querySelector('[role="status"]')?.textContent?.trim() ?? ''
export const alertText = (el: HeedPreferences) => root(el).querySelector('[role="alert"]')?.textContent?.trim() ?? ''

/**
 * axe-core with the WCAG 2.0/2.1/2.2 A and AA rules and `target-size` (off by default) on.
 * Fails with every violation listed.
 */
export async function expectNoAxeViolations(el: Element): Promise<void> {
  const w = window as unknown as { axe?: any }
  if (!w.axe) await import('axe-core/axe.min.js' as string)
  const results = await w.axe.run(el, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    rules: { 'target-size': { enabled: true } },
    resultTypes: ['violations'],
  })
  const violations = results.violations as Array<{ id: string; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> }>
  if (violations.length > 0) {
    const lines = violations.flatMap((v) => [`${v.id}: ${v.help}`, ...v.nodes.map((n) => `  at ${JSON.stringify(n.target)}\n  ${n.failureSummary ?? ''}`)])
    throw new Error(`axe found ${violations.length} violation(s):\n${lines.join('\n')}`)
  }
}

export type { MePatch }
