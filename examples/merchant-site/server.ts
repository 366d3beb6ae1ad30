/**
 * The "My account" page of a fictional shop, Demo Outfitters, on its own origin
 * (http://localhost:8788). Its backend asks Heed for a short-lived link token for the
 * logged-in customer (POST /v1/links with a sender key, server to server), and the page
 * embeds the widget with one script tag. The key never reaches the browser.
 *
 *   HEED_API_URL      where Heed runs (default http://localhost:8787)
 *   HEED_SENDER_KEY   a sender API key (default: the demo's, from the demo file)
 *   HEED_DEMO_FILE    the demo file the API writes when it seeds the demo: absolute, or
 *                     relative to the repository root (default packages/api/data/demo.json)
 *   MERCHANT_PORT     this site's port (default 8788)
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { html } from 'hono/html'

const demoFile = resolve(fileURLToPath(new URL('../..', import.meta.url)), process.env.HEED_DEMO_FILE || 'packages/api/data/demo.json')
const demo = existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as { apiUrl: string; senderKey: string; customerId: string }) : null
const API = (process.env.HEED_API_URL ?? demo?.apiUrl ?? 'http://localhost:8787').replace(/\/+$/, '')
const KEY = process.env.HEED_SENDER_KEY ?? demo?.senderKey
const PORT = Number(process.env.MERCHANT_PORT || 8788)

/** The shop's own session: here everyone is logged in as the demo customer. */
const customer = { id: demo?.customerId ?? 'cust_1001', name: 'Mari Tamm', email: 'mari.tamm@example.com' }

async function sessionToken(subscriberId: string): Promise<string | null> {
  if (!KEY) return null
  const res = await fetch(`${API}/v1/links`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    // One hour is plenty for a page view; links in email live much longer.
    body: JSON.stringify({ subscriberId, ttlSeconds: 3600 }),
  })
  if (!res.ok) return null
  return ((await res.json()) as { token: string }).token
}

const CSS = `
:root { --heed-accent: #0f766e; --heed-font: inherit; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 "Inter", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2a27; background: #f4f1ea; }
.bar { background: #173b35; color: #f4f1ea; }
.bar .in { max-width: 64rem; margin: 0 auto; padding: .9rem 1.25rem; display: flex; align-items: center; justify-content: space-between; }
.logo { font-weight: 800; letter-spacing: .02em; }
.bar nav a { color: inherit; margin-left: 1.25rem; text-decoration: none; opacity: .85; }
main { max-width: 64rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; display: grid; grid-template-columns: 14rem 1fr; gap: 2rem; }
aside a { display: block; padding: .5rem .75rem; border-radius: .5rem; color: inherit; text-decoration: none; }
aside a[aria-current] { background: #e4ddd0; font-weight: 600; }
h1 { margin: 0 0 .25rem; font-size: 1.75rem; }
.card { background: #fff; border-radius: .75rem; padding: 1.5rem; box-shadow: 0 1px 2px rgb(0 0 0 / .06); margin-top: 1.25rem; }
.muted { color: #5b6b67; }
@media (max-width: 44rem) { main { grid-template-columns: 1fr; } aside { display: flex; gap: .25rem; overflow-x: auto; } }
`

const app = new Hono()

app.use('*', async (c, next) => {
  await next()
  const api = new URL(API).origin
  c.header('Content-Security-Policy', `default-src 'none'; script-src ${api}; connect-src ${api}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`)
  c.header('Referrer-Policy', 'no-referrer')
})

app.get('/', (c) => c.redirect('/account'))
app.get('/style.css', (c) => {
  c.header('Content-Type', 'text/css; charset=utf-8')
  return c.body(CSS)
})

app.get('/account', async (c) => {
  const token = await sessionToken(customer.id)
  return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>My account · Demo Outfitters</title>
<link rel="stylesheet" href="/style.css">
<script type="module" src="${API}/widget.js"></script>
</head>
<body>
<div class="bar"><div class="in"><span class="logo">DEMO OUTFITTERS</span><nav><a href="/account">Shop</a><a href="/account">Journal</a><a href="/account">Account</a></nav></div></div>
<main>
<aside><a href="/account">Orders</a><a href="/account">Addresses</a><a href="/account" aria-current="page">Email &amp; SMS</a></aside>
<section>
<h1>Hi ${customer.name.split(' ')[0]}</h1>
<p class="muted">Choose what we send to ${customer.email}, how often, and when not to.</p>
<div class="card">
${token
  ? html`<heed-preferences api="${API}" token="${token}" lang="en"></heed-preferences>`
  : html`<p>Preferences are unavailable right now: this site could not reach Heed at ${API}.</p>`}
</div>
</section>
</main>
</body>
</html>`)
})

serve({ fetch: app.fetch, port: PORT }, () => {
  console.log(`Demo merchant site on http://localhost:${PORT}/account (Heed at ${API})`)
})
