import { createRoute, z } from '@hono/zod-openapi'
import { html } from 'hono/html'
import { newId } from '../db/ids.ts'
import type { Env } from '../env.ts'
import { readForm } from '../http/form.ts'
import { clientIp, type RateLimiter } from '../http/rate-limit.ts'
import { declare, routes, SECURITY } from '../http/route.ts'
import { deadEndLocale, deadEndPage, invalidLinkPage } from './dead-ends.ts'

/**
 * "E-mail me a new link", the form on every dead-end page. The answer is the same page with
 * the same status whether or not the address belongs to a subscriber, because the request
 * only writes a row to the mail outbox: the sender resolves the address after the answer has
 * gone (mail/outbox.ts), sends a known address a fresh link, drops an unknown one, and sends
 * one address at most one such mail in five minutes.
 */

/** Requests a minute one client IP may make, and requests a minute for one address. */
export const NEW_LINK_PER_IP = 10
export const NEW_LINK_PER_ADDRESS = 3

const addressSchema = z.email().max(254)

const formSchema = z
  .object({
    tenant: z.string().openapi({ description: 'The tenant whose link was old (a hidden field of the form).', example: 'acme' }),
    email: z.string().openapi({ description: 'The address the person gets the tenant’s messages at.', example: 'mia@example.com' }),
    lang: z.string().optional().openapi({ description: 'The language of the page the form was on.', example: 'en' }),
  })
  .openapi('NewLinkRequest')

const page = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } })

const requestNewLink = createRoute({
  method: 'post',
  path: '/links/new',
  tags: ['Pages'],
  summary: 'E-mail me a new link',
  description:
    'The form of every dead-end link page (expired, revoked or unknown link). Answers the same page, with the same status, whether or not the address is a subscriber’s: “If this address is on our list, a link is on its way.” A subscriber’s address gets a fresh preferences link by e-mail (at most one such mail in five minutes); nothing else is sent, and the address is never shown or confirmed. Rate-limited per client IP and per address (429 page with `Retry-After`).',
  security: SECURITY.none,
  request: { body: { content: { 'application/x-www-form-urlencoded': { schema: formSchema } } } },
  responses: {
    200: page('The request is taken (the same answer for every address).'),
    400: page('Not an e-mail address: the form again, with the error.'),
    404: page('No such tenant: the invalid-link page.'),
    429: page('Too many requests from this client or for this address.'),
  },
})

export function newLinkRoutes(limiter: RateLimiter) {
  const app = routes<Env>()

  declare(app, requestNewLink, async (c) => {
    const { store, now, mailer } = c.get('deps')
    const form = await readForm(c)
    const tenantId = form?.get('tenant')
    const tenant = tenantId && tenantId.length <= 64 ? await store.getTenant(tenantId) : null
    if (!form || !tenant) return invalidLinkPage(c, null)
    const lang = deadEndLocale(c, tenant, form.get('lang'))
    const at = now()

    const address = (form.get('email') ?? '').trim()
    const wait = Math.max(
      limiter.hit(`new-link-ip:${clientIp(c)}`, NEW_LINK_PER_IP, at),
      addressSchema.safeParse(address).success ? limiter.hit(`new-link-to:${tenant.id}:${address.toLowerCase()}`, NEW_LINK_PER_ADDRESS, at) : 0,
    )
    if (wait > 0) {
      c.header('Retry-After', String(wait))
      return deadEndPage(c, { tenant, lang, status: 429, title: (t) => t.newLinkButton, body: (t) => html`<section><h1>${t.newLinkButton}</h1><p role="alert">${t.newLinkTooMany}</p></section>` })
    }
    if (!addressSchema.safeParse(address).success) {
      return deadEndPage(c, { tenant, lang, status: 400, title: (t) => t.invalidTitle, body: (t) => html`<section><h1>${t.invalidTitle}</h1><p>${t.expiredBody}</p></section>`, form: { error: true } })
    }

    await store.enqueueMail({ id: newId('mail'), tenantId: tenant.id, kind: 'new-link', address, locale: lang, at })
    mailer.wake()
    return deadEndPage(c, {
      tenant,
      lang,
      status: 200,
      title: (t) => t.newLinkSentTitle,
      body: (t) => html`<section><h1>${t.newLinkSentTitle}</h1><p role="status">${t.newLinkSentBody}</p></section>`,
    })
  })

  return app
}
