import { Hono, type Context } from 'hono'
import { html } from 'hono/html'
import type { Env } from '../env.ts'
import { rateLimit, type RateLimiter } from '../http/rate-limit.ts'
import { renderPage } from './page-layout.ts'
import { PAGE_STRINGS, pickLocale, type PageStrings } from './page-strings.ts'
import { lessInstead, ONE_A_WEEK, PAUSE_MONTH_MS, pauseFor } from '@heed/shared/subscriber'
import { changeOwnPreferences, maskEmail, selfChanger } from '../subscribers/self-service.ts'
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

export function pageRoutes(limiter: RateLimiter) {
  const pages = new Hono<PageEnv>()

  // `/*` also matches the bare `/u/:token`: one middleware, so each request counts once.
  pages.use('/:kind{[pu]}/:token/*', rateLimit({ limiter, token: (c) => c.req.param('token') ?? null }))
  const withLink = async (c: Context<PageEnv>, token: string) => {
    const { store, config, now } = c.get('deps')
    const link = await verifyToken(store, token, { issuer: config.publicUrl, kind: 'link', now: now() })
    c.set('link', link)
    return link
  }

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

  pages.get('/p/:token', async (c) => {
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

  pages.get('/u/:token', async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c)
    return unsubscribePage(c, link, token)
  })

  /** RFC 8058 one-click, and the page's own "Unsubscribe from all" button. */
  pages.post('/u/:token', async (c) => {
    const token = c.req.param('token')
    const link = await withLink(c, token)
    if (!link) return invalidLink(c)
    const form = await readForm(c)
    const oneClick = form !== null && form.size === 1 && form.get('List-Unsubscribe') === 'One-Click'
    if (!oneClick) return unsubscribePage(c, link, token)
    const subscriber = await changeOwnPreferences(selfChanger(c.get('deps'), link, c.req.header('User-Agent')), 'one_click', { status: 'unsubscribed' })
    return unsubscribePage(c, { ...link, subscriber }, token)
  })

  /** "Send me less instead": stay subscribed, paused for a month or at most one a week. */
  pages.post('/u/:token/less', async (c) => {
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
  pages.post('/u/:token/undo', async (c) => {
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
