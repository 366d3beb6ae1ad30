import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { Env } from '../env.ts'
import { readForm } from '../http/form.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { declare, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { mePatchSchema } from '@heed/shared/schemas'
import { lessInstead, ONE_A_WEEK, PAUSE_MONTH_MS, pauseFor } from '@heed/shared/subscriber'
import type { SubscriberRecord } from '../db/store.ts'
import { invalidLinkPage, newLinkForm } from './dead-ends.ts'
import { renderPage } from './page-layout.ts'
import { PAGE_STRINGS, pickLocale, type PageStrings } from './page-strings.ts'
import { changeOwnPreferences, maskEmail, selfChanger } from './self-service.ts'
import { signingTenant, verifyToken, type VerifiedToken } from './tokens.ts'

/**
 * Hosted pages reached with a link token only. A GET never changes anything: mail scanners
 * fetch every link. `POST /u/:token` is RFC 8058 one-click: no cookie, no CSRF token, no
 * Origin needed, 2xx, no redirect.
 */

type PageEnv = Env & { Variables: { link: VerifiedToken | null } }

function stringsFor(c: Context<PageEnv>, link: VerifiedToken | null) {
  const lang = pickLocale(link?.subscriber.locale ?? null, c.req.header('Accept-Language'), link?.tenant.settings.defaultLocale ?? 'en')
  return { lang, t: PAGE_STRINGS[lang] }
}

function page(
  c: Context<PageEnv>,
  link: VerifiedToken,
  title: (t: PageStrings, brand: string) => string,
  body: (t: PageStrings) => ReturnType<typeof html>,
  scripts?: string[],
  status: 200 | 404 = 200,
) {
  const { lang, t } = stringsFor(c, link)
  const s = link.tenant.settings
  return renderPage(c, {
    lang,
    title: title(t, s.name),
    brand: s.name,
    accent: s.branding.accentColor,
    logoUrl: s.branding.logoUrl,
    body: body(t),
    status,
    ...(scripts ? { scripts } : {}),
  })
}

const tokenParam = z.object({
  token: z.string().openapi({ description: 'The link token from `POST /v1/links`.', example: 'eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIn0.eyJzdWIiOiJjdXN0XzEwMDEifQ.c2lnbmF0dXJl' }),
})
const PAGE_NOTE =
  ' A link that cannot be used gets a 404 page: when its signature verifies (an expired or revoked link, a retired key, an erased subscriber) the tenant’s brand with the “e-mail me a new link” form (`POST /links/new`), otherwise one page that says to ask the sender. Strict CSP, `Referrer-Policy: no-referrer`, `Cache-Control: no-store`; rate-limited per token.'
const htmlPage = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string().openapi({ example: '<!doctype html><html lang="en"><title>Unsubscribe from Acme Outdoor</title>…' }) } },
})
const PAGE_ANSWERS = { 200: htmlPage('The page.'), 404: htmlPage('The link cannot be used (see the description).'), 429: PROBLEMS[429] }
const formBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/x-www-form-urlencoded': { schema }, 'multipart/form-data': { schema } },
})

/** A page reached with the link token, answering HTML; `form` is the body of a POST. */
const pageRoute = <M extends 'get' | 'post', P extends string>(method: M, path: P, summary: string, description: string, form?: z.ZodType) =>
  createRoute({
    method,
    path,
    tags: ['Pages'],
    summary,
    description: description + PAGE_NOTE,
    security: SECURITY.none,
    request: { params: tokenParam, ...(form ? { body: formBody(form) } : {}) },
    responses: PAGE_ANSWERS,
  })

const preferencesPage = pageRoute(
  'get',
  '/p/{token}',
  'Hosted preferences page',
  'The tenant’s branding around the `<heed-preferences>` widget, for a link placed in email. A GET never changes anything (mail scanners fetch every link).',
)

const unsubscribePageRoute = pageRoute(
  'get',
  '/u/{token}',
  'Unsubscribe page',
  'A real `<form method="post">` button "Unsubscribe from all" (no script submits it) and "send me less instead" choices (pause a month, at most one a week, choose topics). A GET never changes anything: mail scanners fetch every link. An expired or revoked link whose key is not retired gets the brand and the "Unsubscribe from all" button only, with a line saying the link is old: nothing of the subscriber is shown.',
)

const oneClick = pageRoute(
  'post',
  '/u/{token}',
  'One-click unsubscribe (RFC 8058)',
  'What a mail client posts for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and the unsubscribe page’s own button: the body `List-Unsubscribe=One-Click` (urlencoded or multipart) unsubscribes from all and answers 200 with the page saying so; any other body changes nothing and shows the page. No redirect, no cookie, no CSRF token or Origin needed; idempotent. An expired or revoked link unsubscribes too, as long as the key it was signed with is not retired (a correctly signed link, however old, can always make Heed send less); its page then says it is done and offers no Undo.',
  z.object({ 'List-Unsubscribe': z.literal('One-Click') }).openapi({ example: { 'List-Unsubscribe': 'One-Click' } }),
)

const sendLess = pageRoute(
  'post',
  '/u/{token}/less',
  'Send me less instead',
  'The unsubscribe page’s alternatives: stay subscribed, paused for a month (`choice=pause-month`) or at most one message a week (`choice=weekly`). The answer says “You are still subscribed”, what is in effect, and offers Undo (`choice=undo` with the `previous` status, pause and cap the page put in the form). Any other body changes nothing. Needs a live link.',
  z.object({ choice: z.enum(['pause-month', 'weekly']) }).openapi({ example: { choice: 'pause-month' } }),
)

const undo = pageRoute(
  'post',
  '/u/{token}/undo',
  'Undo an unsubscribe',
  'The subscriber opting back in themselves from the unsubscribe page: the status returns to `subscribed`. No body. Needs a live link.',
)

/** The state "send me less" changes, kept in its Undo button to put back. */
const previousSchema = mePatchSchema.pick({ status: true, pausedUntil: true, cap: true }).required()
type Previous = z.infer<typeof previousSchema>
const previousOf = (s: SubscriberRecord): Previous => ({ status: s.status, pausedUntil: s.pausedUntil === null ? null : new Date(s.pausedUntil).toISOString(), cap: s.cap })

/** What the unsubscribe page shows above its choices. */
type UnsubscribeView =
  | { kind: 'ask'; notice?: (t: PageStrings) => Html }
  /** Just unsubscribed by this request: Undo, and "less" choices that say they subscribe again. */
  | { kind: 'unsubscribed' }
  /** "Send me less" was just chosen: still subscribed, what is in effect, and Undo. */
  | { kind: 'less'; previous: Previous }
type Html = ReturnType<typeof html>

const pagesScript = createRoute({
  method: 'get',
  path: '/pages.js',
  tags: ['Pages'],
  summary: 'The hosted preferences page’s script',
  description: 'Shows the page’s “e-mail me a new link” form when the widget reports that the link stopped working while the page was open. Same-origin only.',
  security: SECURITY.none,
  responses: { 200: { description: 'The script.', content: { 'text/javascript': { schema: z.string() } } } },
})

export function pageRoutes(limiter: RateLimiter) {
  const pages = routes<PageEnv>()

  // `/*` also matches the bare `/u/:token`: one middleware, so each request counts once.
  pages.use('/:kind{[pu]}/:token/*', rateLimit({ limiter, token: (c) => c.req.param('token') ?? null }))
  /** The link of the request; with `stale`, also an expired or revoked one (`live: false`), which may only unsubscribe. */
  const withLink = async (c: Context<PageEnv>, token: string, stale = false) => {
    const { store, config, now } = c.get('deps')
    const link = await verifyToken(store, token, { issuer: config.publicUrl, kind: 'link', now: now(), stale })
    c.set('link', link)
    return link
  }

  /** A link that cannot be used: the brand and the new-link form when its signature verifies, else "ask the sender". */
  const invalidLink = async (c: Context<PageEnv>, token: string) => {
    const { store, config, now } = c.get('deps')
    return invalidLinkPage(c, await signingTenant(store, token, { issuer: config.publicUrl, kind: 'link', now: now() }))
  }

  /**
   * The page of an expired or revoked link: the brand and the one thing it may still do,
   * unsubscribe from all, then the new-link form; nothing of the subscriber's state, not even
   * their language.
   */
  const stalePage = (c: Context<PageEnv>, link: VerifiedToken, token: string, done: boolean) => {
    const anonymous = { ...link, subscriber: { ...link.subscriber, locale: null } }
    const { lang } = stringsFor(c, anonymous)
    return page(c, anonymous, (t, b) => t.unsubscribeTitle(b), (t) =>
      html`${done
        ? html`<section><h1>${t.unsubscribedTitle}</h1><p role="status">${t.unsubscribedBody(link.tenant.settings.name)}</p></section>`
        : html`<section><h1>${t.unsubscribeTitle(link.tenant.settings.name)}</h1>
<p class="muted">${t.staleLink}</p>
${unsubscribeAllForm(t, token)}</section>`}
${newLinkForm(t, link.tenant.id, lang, { primary: done })}`,
    )
  }

  const unsubscribeAllForm = (t: PageStrings, token: string, primary = true) =>
    html`<form method="post" action="/u/${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<div class="actions"><button class="${primary ? 'primary' : 'secondary'}" type="submit">${t.unsubscribeAll}</button></div></form>
<p class="muted">${t.unsubscribeAllHint}</p>`

  /** "Hear from us less": pause a month, at most one a week, or choose topics; the one in effect is marked. */
  const lessChoices = (c: Context<PageEnv>, link: VerifiedToken, token: string, heading: string, t: PageStrings) => {
    const s = link.subscriber
    const paused = s.pausedUntil !== null && s.pausedUntil > c.get('deps').now()
    const weekly = s.cap !== null && s.cap.max === 1 && s.cap.per === 'week' && s.cap.channel === undefined
    const choice = (value: string, label: string, on: boolean) =>
      html`<button class="secondary" type="submit" name="choice" value="${value}" aria-pressed="${on ? 'true' : 'false'}">${on ? '✓ ' : ''}${label}</button>`
    return html`<section><h2>${heading}</h2>
<form method="post" action="/u/${token}/less"><div class="actions">
${choice('pause-month', t.pauseMonth, paused)}
${choice('weekly', t.weekly, weekly)}
<a class="button" href="/p/${token}">${t.chooseTopics}</a>
</div></form></section>`
  }

  const unsubscribePage = (c: Context<PageEnv>, link: VerifiedToken, token: string, view: UnsubscribeView = { kind: 'ask' }) =>
    page(c, link, (t, b) => (view.kind === 'less' ? t.stillSubscribedTitle : t.unsubscribeTitle(b)), (t) => {
      const brand = link.tenant.settings.name
      const s = link.subscriber
      if (view.kind === 'less') {
        const { lang } = stringsFor(c, link)
        const until = s.pausedUntil !== null && s.pausedUntil > c.get('deps').now()
          ? new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: s.timezone ?? link.tenant.settings.defaultTimezone }).format(s.pausedUntil)
          : null
        return html`<section><h1>${t.stillSubscribedTitle}</h1>
<div class="state" role="status"><span class="label">${t.inEffect}</span><strong>${until ? t.pausedUntil(until) : t.weeklyInEffect}</strong></div>
<form method="post" action="/u/${token}/less"><input type="hidden" name="previous" value="${JSON.stringify(view.previous)}">
<div class="actions"><button class="secondary" type="submit" name="choice" value="undo">${t.undo}</button></div></form></section>
${lessChoices(c, link, token, t.lessInstead, t)}
<section>${unsubscribeAllForm(t, token, false)}</section>`
      }
      if (s.status === 'unsubscribed') {
        // Someone already out is offered the way back in, not "less" buttons that would
        // quietly subscribe them again; right after unsubscribing, those say what they do.
        const fresh = view.kind === 'unsubscribed'
        return html`<section><h1>${t.unsubscribedTitle}</h1><p role="status">${t.unsubscribedBody(brand)}</p>
<form method="post" action="/u/${token}/undo"><div class="actions"><button class="${fresh ? 'secondary' : 'primary'}" type="submit">${fresh ? t.undo : t.subscribeAgain}</button></div></form>
${fresh ? '' : html`<p class="muted">${t.subscribeAgainHint}</p>`}</section>
${fresh ? lessChoices(c, link, token, t.lessInsteadAfter, t) : ''}`
      }
      const email = maskEmail(s.email)
      return html`${view.kind === 'ask' && view.notice ? view.notice(t) : ''}
<section><h1>${t.unsubscribeTitle(brand)}</h1>
${email ? html`<p class="muted">${t.sentTo(email)}</p>` : ''}
${unsubscribeAllForm(t, token)}</section>
${lessChoices(c, link, token, t.lessInstead, t)}`
    })

  declare(pages, preferencesPage, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token, true)
    if (!link) return invalidLink(c, token)
    if (!link.live) {
      // An old link may not show preferences; it may still unsubscribe, and ask for a new one.
      const anonymous = { ...link, subscriber: { ...link.subscriber, locale: null } }
      const { lang, t } = stringsFor(c, anonymous)
      return page(c, anonymous, () => t.invalidTitle, () => html`<section><h1>${t.invalidTitle}</h1><p>${t.expiredBody}</p>
${unsubscribeAllForm(t, token, false)}</section>
${newLinkForm(t, link.tenant.id, lang)}`, undefined, 404)
    }
    const { lang } = stringsFor(c, link)
    return page(
      c,
      link,
      (t, b) => t.preferencesTitle(b),
      // The new-link form shows if the link stops working while the page is open (pages.js).
      (t) => html`<heed-preferences token="${token}" lang="${lang}" heading-level="1"></heed-preferences>
<noscript><p>${t.noScript}</p><p><a class="button" href="/u/${token}">${t.unsubscribeAll}</a></p></noscript>
<div id="link-gone" hidden>${newLinkForm(t, link.tenant.id, lang)}</div>`,
      ['/widget.js', '/pages.js'],
    )
  })

  declare(pages, pagesScript, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cache-Control', 'public, max-age=300')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(PAGES_SCRIPT)
  })

  declare(pages, unsubscribePageRoute, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token, true)
    if (!link) return invalidLink(c, token)
    if (!link.live) return stalePage(c, link, token, false)
    return unsubscribePage(c, link, token)
  })

  /** RFC 8058 one-click, and the page's own "Unsubscribe from all" button. */
  declare(pages, oneClick, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token, true)
    if (!link) return invalidLink(c, token)
    const form = await readForm(c)
    const oneClick = form !== null && form.size === 1 && form.get('List-Unsubscribe') === 'One-Click'
    if (!oneClick) return link.live ? unsubscribePage(c, link, token) : stalePage(c, link, token, false)
    const subscriber = await changeOwnPreferences(selfChanger(c.get('deps'), link, c.req.header('User-Agent')), 'one_click', { status: 'unsubscribed' })
    // A stale link's answer says it is done, and offers no Undo: it may not subscribe anyone.
    return link.live ? unsubscribePage(c, { ...link, subscriber }, token, { kind: 'unsubscribed' }) : stalePage(c, link, token, true)
  })

  /** "Send me less instead": stay subscribed, paused for a month or at most one a week; or Undo that. */
  declare(pages, sendLess, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c, token)
    const form = await readForm(c)
    const choice = form?.get('choice')
    const by = selfChanger(c.get('deps'), link, c.req.header('User-Agent'))
    if (choice === 'undo') {
      const previous = previousSchema.safeParse(parseJson(form?.get('previous')))
      if (!previous.success) return unsubscribePage(c, link, token)
      const subscriber = await changeOwnPreferences(by, 'link', previous.data)
      return unsubscribePage(c, { ...link, subscriber }, token)
    }
    if (choice !== 'pause-month' && choice !== 'weekly') return unsubscribePage(c, link, token)
    const previous = previousOf(link.subscriber)
    const subscriber = await changeOwnPreferences(by, 'link', lessInstead(choice === 'pause-month' ? pauseFor(PAUSE_MONTH_MS, by.at) : ONE_A_WEEK))
    return unsubscribePage(c, { ...link, subscriber }, token, { kind: 'less', previous })
  })

  /** Undo of an unsubscribe: the person opting back in themselves. */
  declare(pages, undo, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c, token)
    const subscriber = await changeOwnPreferences(selfChanger(c.get('deps'), link, c.req.header('User-Agent')), 'link', { status: 'subscribed' })
    return unsubscribePage(c, { ...link, subscriber }, token, {
      kind: 'ask',
      notice: (t) => html`<p role="status"><strong>${t.resubscribedTitle}</strong> ${t.resubscribedBody}</p>`,
    })
  })

  return pages
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * The hosted preferences page's one script besides the widget: when a save is refused because
 * the link stopped working while the page was open, the new-link form under the widget shows.
 */
const PAGES_SCRIPT = `document.addEventListener('heed-error', (e) => {
  if (e.detail && e.detail.status === 401) document.getElementById('link-gone')?.removeAttribute('hidden')
})
`
