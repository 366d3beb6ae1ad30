import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { strictCsp } from '../http/csp.ts'

type Html = HtmlEscapedString | Promise<HtmlEscapedString>

export interface PageOptions {
  lang: string
  title: string
  accent: string | undefined
  logoUrl: string | undefined
  brand: string | null
  body: Html
  status?: 200 | 400 | 404 | 429
  /** Scripts from this origin the page loads (the widget). */
  scripts?: readonly string[]
}

const css = (accent: string) => `
:root { --accent: ${accent}; color-scheme: light dark; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  background: Canvas; color: CanvasText; }
main { max-width: 36rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
header { display: flex; align-items: center; gap: .75rem; margin-bottom: 1.5rem; }
header img { max-height: 2.5rem; max-width: 10rem; }
header .brand { font-weight: 600; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .5rem; }
p { margin: .5rem 0; }
.muted { opacity: .75; font-size: .9375rem; }
form { margin: 0; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1.25rem 0; }
button, .button { font: inherit; font-weight: 600; min-height: 44px; padding: .625rem 1.125rem; border-radius: .5rem;
  border: 2px solid var(--accent); cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; }
button.primary { background: var(--accent); color: #fff; }
button.secondary, .button { background: transparent; color: inherit; }
button:focus-visible, .button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
section + section { margin-top: 2rem; padding-top: 1.5rem; border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
h2 { font-size: 1.0625rem; margin: 0 0 .5rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input[type=email] { font: inherit; width: 100%; min-height: 44px; padding: .5rem .75rem; border-radius: .5rem;
  border: 1px solid color-mix(in srgb, CanvasText 40%, transparent); background: Canvas; color: inherit; }
input[type=email]:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
input[aria-invalid=true] { border-color: #b91c1c; }
.error { color: #b91c1c; font-weight: 600; }
.state { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem .75rem; padding: .75rem 1rem; border-radius: .5rem;
  background: color-mix(in srgb, var(--accent) 12%, transparent); }
.state .label { font-size: .8125rem; text-transform: uppercase; letter-spacing: .04em; opacity: .8; }
@media (prefers-color-scheme: dark) { .error { color: #fca5a5; } input[aria-invalid=true] { border-color: #fca5a5; } }
@media (prefers-reduced-motion: no-preference) { button { transition: filter .15s; } button:hover { filter: brightness(1.08); } }
`

/**
 * A hosted page with the headers every page gets: a strict CSP with a per-response nonce
 * for the one style block, no referrer (the token is in the URL), no caching, no sniffing.
 */
export function renderPage(c: Context, p: PageOptions) {
  const nonce = randomBytes(16).toString('base64')
  c.header('Content-Security-Policy', strictCsp(nonce))
  c.header('Referrer-Policy', 'no-referrer')
  c.header('Cache-Control', 'no-store')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('X-Frame-Options', 'DENY')
  const accent = p.accent ?? '#0f766e'
  return c.html(
    html`<!doctype html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${p.title}</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${raw(css(accent))}</style>
${(p.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body>
<main>
${p.brand || p.logoUrl ? html`<header>${p.logoUrl ? html`<img src="${p.logoUrl}" alt="">` : ''}<span class="brand">${p.brand ?? ''}</span></header>` : ''}
${p.body}
</main>
</body>
</html>`,
    p.status ?? 200,
  )
}
