import type { Context } from 'hono'
import { html } from 'hono/html'
import type { TenantRecord } from '../db/store.ts'
import { renderPage, type PageOptions } from './page-layout.ts'
import { PAGE_STRINGS, pickLocale, type PageLocale, type PageStrings } from './page-strings.ts'

/**
 * The pages where a link cannot go on (expired, revoked, unknown, malformed) and the answers
 * of "e-mail me a new link". When the tenant is known, the page wears its brand and offers
 * the form; when it is not, it says to ask the sender. None of them ever shows or confirms an
 * address.
 */

type Body = (t: PageStrings) => PageOptions['body']

export interface DeadEnd {
  /** The tenant whose key signed the link, when the signature verifies. */
  tenant: TenantRecord | null
  /** The language: the page's own (a form's `lang`), else the browser's, else the tenant's. */
  lang?: string | null
  status: 200 | 400 | 404 | 429
  title: (t: PageStrings) => string
  body: Body
  /** Whether the new-link form follows the body (only with a tenant). */
  form?: { error?: boolean }
}

export function deadEndLocale(c: Context, tenant: TenantRecord | null, lang?: string | null): PageLocale {
  return pickLocale(lang ?? null, c.req.header('Accept-Language'), tenant?.settings.defaultLocale ?? 'en')
}

export function deadEndPage(c: Context, p: DeadEnd) {
  const lang = deadEndLocale(c, p.tenant, p.lang)
  const t = PAGE_STRINGS[lang]
  const s = p.tenant?.settings
  return renderPage(c, {
    lang,
    title: p.title(t),
    brand: s?.name ?? null,
    accent: s?.branding.accentColor,
    logoUrl: s?.branding.logoUrl,
    status: p.status,
    body: html`${p.body(t)}${p.tenant && p.form ? newLinkForm(t, p.tenant.id, lang, { error: p.form.error === true }) : ''}`,
  })
}

/**
 * "E-mail me a new link": one address field; the answer is the same whoever it belongs to.
 * `primary: false` where another button (unsubscribe) is the page's main one.
 */
export function newLinkForm(t: PageStrings, tenantId: string, lang: PageLocale, opts: { error?: boolean; primary?: boolean } = {}) {
  const error = opts.error === true
  return html`<section id="new-link"><h2>${t.newLinkButton}</h2>
<p class="muted">${t.newLinkIntro}</p>
<form method="post" action="/links/new">
<input type="hidden" name="tenant" value="${tenantId}"><input type="hidden" name="lang" value="${lang}">
<label for="new-link-email">${t.emailLabel}</label>
<input id="new-link-email" name="email" type="email" required maxlength="254" autocomplete="email" inputmode="email"${
    error ? html` aria-invalid="true" aria-describedby="new-link-error"` : ''
  }>
${error ? html`<p class="error" id="new-link-error" role="alert">${t.newLinkBadEmail}</p>` : ''}
<div class="actions"><button class="${opts.primary === false ? 'secondary' : 'primary'}" type="submit">${t.newLinkButton}</button></div>
</form></section>`
}

/** The page of a link that cannot be used: branded with the form when its tenant is known. */
export const invalidLinkPage = (c: Context, tenant: TenantRecord | null) =>
  deadEndPage(c, {
    tenant,
    status: 404,
    title: (t) => t.invalidTitle,
    body: (t) => html`<section><h1>${t.invalidTitle}</h1><p>${tenant ? t.expiredBody : t.invalidBody}</p></section>`,
    form: {},
  })
