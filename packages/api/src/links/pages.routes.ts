import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { Env } from '../env.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { declare, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { renderPage } from './page-layout.ts'
import { PAGE_STRINGS, pickLocale, type PageStrings } from './page-strings.ts'
import { lessInstead, ONE_A_WEEK, PAUSE_MONTH_MS, pauseFor } from '@heed/shared/subscriber'
import { changeOwnPreferences, maskEmail, selfChanger } from './self-service.ts'
import { verifyToken, type VerifiedToken } from './tokens.ts'

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

function invalidLink(c: Context<PageEnv>) {
  const { lang, t } = stringsFor(c, null)
  return renderPage(c, {
    lang,
    title: t.invalidTitle,
    brand: null,
    accent: undefined,
    logoUrl: undefined,
    status: 404,
    body: html`<h1>${t.invalidTitle}</h1><p>${t.invalidBody}</p>`,
  })
}

function page(c: Context<PageEnv>, link: VerifiedToken, title: (t: PageStrings, brand: string) => string, body: (t: PageStrings) => ReturnType<typeof html>, scripts?: string[]) {
  const { lang, t } = stringsFor(c, link)
  const s = link.tenant.settings
  return renderPage(c, {
    lang,
    title: title(t, s.name),
    brand: s.name,
    accent: s.branding.accentColor,
    logoUrl: s.branding.logoUrl,
    body: body(t),
    ...(scripts ? { scripts } : {}),
  })
}

const tokenParam = z.object({
  token: z.string().openapi({ description: 'The link token from `POST /v1/links`.', example: 'eyJhbGciOiJIUzI1NiIsImtpZCI6InNpZ18xIn0.eyJzdWIiOiJjdXN0XzEwMDEifQ.c2lnbmF0dXJl' }),
})
const PAGE_NOTE =
  ' An unknown or forged link, one signed with a retired key, and an expired or revoked link anywhere but `/u/{token}` get the same 404 page. Strict CSP, `Referrer-Policy: no-referrer`, `Cache-Control: no-store`; rate-limited per token.'
const htmlPage = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string().openapi({ example: '<!doctype html><html lang="en"><title>Unsubscribe from Acme Outdoor</title>…' }) } },
})
const PAGE_ANSWERS = { 200: htmlPage('The page.'), 404: htmlPage('The link is not valid (any reason, one answer).'), 429: PROBLEMS[429] }
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
  'The unsubscribe page’s alternatives: stay subscribed, paused for a month (`choice=pause-month`) or at most one message a week (`choice=weekly`). Any other body changes nothing. Needs a live link.',
  z.object({ choice: z.enum(['pause-month', 'weekly']) }).openapi({ example: { choice: 'pause-month' } }),
)

const undo = pageRoute(
  'post',
  '/u/{token}/undo',
  'Undo an unsubscribe',
  'The subscriber opting back in themselves from the unsubscribe page: the status returns to `subscribed`. No body. Needs a live link.',
)

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

  /**
   * The page of an expired or revoked link: the brand and the one thing it may still do,
   * unsubscribe from all; nothing of the subscriber's state, not even their language.
   */
  const stalePage = (c: Context<PageEnv>, link: VerifiedToken, token: string, done: boolean) =>
    page(c, { ...link, subscriber: { ...link.subscriber, locale: null } }, (t, b) => t.unsubscribeTitle(b), (t) =>
      done
        ? html`<section><h1>${t.unsubscribedTitle}</h1><p>${t.unsubscribedBody(link.tenant.settings.name)}</p></section>`
        : html`<section><h1>${t.unsubscribeTitle(link.tenant.settings.name)}</h1>
<p class="muted">${t.staleLink}</p>
<form method="post" action="/u/${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<div class="actions"><button class="primary" type="submit">${t.unsubscribeAll}</button></div></form>
<p class="muted">${t.unsubscribeAllHint}</p></section>`,
    )

  const unsubscribePage = (c: Context<PageEnv>, link: VerifiedToken, token: string, notice?: (t: PageStrings) => ReturnType<typeof html>) =>
    page(c, link, (t, b) => t.unsubscribeTitle(b), (t) => {
      const email = maskEmail(link.subscriber.email)
      const out = link.subscriber.status === 'unsubscribed'
      return html`
${notice ? notice(t) : ''}
${out
  ? html`<section><h1>${t.unsubscribedTitle}</h1><p>${t.unsubscribedBody(link.tenant.settings.name)}</p>
<form method="post" action="/u/${token}/undo"><div class="actions"><button class="secondary" type="submit">${t.undo}</button></div></form></section>`
  : html`<section><h1>${t.unsubscribeTitle(link.tenant.settings.name)}</h1>
${email ? html`<p class="muted">${t.sentTo(email)}</p>` : ''}
<form method="post" action="/u/${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<div class="actions"><button class="primary" type="submit">${t.unsubscribeAll}</button></div></form>
<p class="muted">${t.unsubscribeAllHint}</p></section>`}
<section><h2>${t.lessInstead}</h2>
<form method="post" action="/u/${token}/less"><div class="actions">
<button class="secondary" type="submit" name="choice" value="pause-month">${t.pauseMonth}</button>
<button class="secondary" type="submit" name="choice" value="weekly">${t.weekly}</button>
<a class="button" href="/p/${token}">${t.chooseTopics}</a>
</div></form></section>`
    })

  declare(pages, preferencesPage, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c)
    return page(
      c,
      link,
      (t, b) => t.preferencesTitle(b),
      (t) => html`<heed-preferences token="${token}" lang="${stringsFor(c, link).lang}" heading-level="1"></heed-preferences>
<noscript><p>${t.noScript}</p><p><a class="button" href="/u/${token}">${t.unsubscribeAll}</a></p></noscript>`,
      ['/widget.js'],
    )
  })

  declare(pages, unsubscribePageRoute, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token, true)
    if (!link) return invalidLink(c)
    if (!link.live) return stalePage(c, link, token, false)
    return unsubscribePage(c, link, token)
  })

  /** RFC 8058 one-click, and the page's own "Unsubscribe from all" button. */
  declare(pages, oneClick, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token, true)
    if (!link) return invalidLink(c)
    const form = await readForm(c)
    const oneClick = form !== null && form.size === 1 && form.get('List-Unsubscribe') === 'One-Click'
    if (!oneClick) return link.live ? unsubscribePage(c, link, token) : stalePage(c, link, token, false)
    const subscriber = await changeOwnPreferences(selfChanger(c.get('deps'), link, c.req.header('User-Agent')), 'one_click', { status: 'unsubscribed' })
    // A stale link's answer says it is done, and offers no Undo: it may not subscribe anyone.
    return link.live ? unsubscribePage(c, { ...link, subscriber }, token) : stalePage(c, link, token, true)
  })

  /** "Send me less instead": stay subscribed, paused for a month or at most one a week. */
  declare(pages, sendLess, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c)
    const choice = (await readForm(c))?.get('choice')
    if (choice !== 'pause-month' && choice !== 'weekly') return unsubscribePage(c, link, token)
    const by = selfChanger(c.get('deps'), link, c.req.header('User-Agent'))
    const subscriber = await changeOwnPreferences(by, 'link', lessInstead(choice === 'pause-month' ? pauseFor(PAUSE_MONTH_MS, by.at) : ONE_A_WEEK))
    const { lang } = stringsFor(c, link)
    const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: subscriber.timezone ?? link.tenant.settings.defaultTimezone }).format(by.at + PAUSE_MONTH_MS)
    return unsubscribePage(c, { ...link, subscriber }, token, (t) =>
      html`<p role="status"><strong>${choice === 'pause-month' ? t.pausedBody(date) : t.weeklyBody}</strong></p>`,
    )
  })

  /** Undo of an unsubscribe: the person opting back in themselves. */
  declare(pages, undo, async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c)
    const subscriber = await changeOwnPreferences(selfChanger(c.get('deps'), link, c.req.header('User-Agent')), 'link', { status: 'subscribed' })
    return unsubscribePage(c, { ...link, subscriber }, token, (t) => html`<p role="status"><strong>${t.resubscribedTitle}.</strong> ${t.resubscribedBody}</p>`)
  })

  return pages
}

/** The form fields of an urlencoded or multipart body, or null for any other body. */
async function readForm(c: Context): Promise<Map<string, string> | null> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return null
  try {
    const body = await c.req.parseBody({ all: true })
    const out = new Map<string, string>()
    for (const [k, v] of Object.entries(body)) {
      if (typeof v !== 'string') return null
      out.set(k, v)
    }
    return out
  } catch {
    return null
  }
}
