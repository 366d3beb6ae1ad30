import { linkBodySchema, type LinkResponse } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import { fields, linkResponseSchema, SUBSCRIBER_ID } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { authorize } from '../http/auth.ts'
import { issueToken } from './tokens.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { iso } from '../http/views.ts'

export const links = routes<Env>()

links.use('*', authorize('links'))

/** Signed preference and one-click unsubscribe links, with the headers to put on the email. */
declare(
  links,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Links'],
    summary: 'Signed links for an email, with its List-Unsubscribe headers',
    description:
      'Signs a link token for the subscriber and returns the hosted preferences page, the one-click unsubscribe URL and the `List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 8058) to put on the email. The link works until `expiresAt`, until `POST /v1/subscribers/{id}/revoke-links`, or until its signing key is retired; an expired link can still unsubscribe. Callable with an admin or sender key.',
    security: SECURITY.key,
    request: {
      body: jsonBody(
        fields(linkBodySchema, {
          subscriberId: SUBSCRIBER_ID,
          ttlSeconds: { description: 'Lifetime of the link in seconds, at most the tenant’s `linkTtlSeconds`. Default: the tenant’s `linkTtlSeconds` (90 days unless changed).', example: 7_776_000 },
        }).openapi({ example: { subscriberId: 'cust_1001' } }),
      ),
    },
    responses: { 201: json('The links and headers.', linkResponseSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { subscriberId, ttlSeconds } = c.req.valid('json')
    const { store, config, now } = c.get('deps')
    const tenant = c.get('tenant')
    const max = tenant.settings.linkTtlSeconds
    if (ttlSeconds !== undefined && ttlSeconds > max) {
      throw new ApiError('validation', `ttlSeconds: at most the tenant's linkTtlSeconds (${max})`, {
        errors: [{ pointer: '/ttlSeconds', detail: `at most ${max}` }],
      })
    }
    const subscriber = await store.getSubscriber(tenant.id, subscriberId)
    if (!subscriber) throw new ApiError('not_found', `no subscriber "${subscriberId}"`)
    const issued = await issueToken(store, {
      issuer: config.publicUrl,
      tenantId: tenant.id,
      subscriber,
      kind: 'link',
      ttlSeconds: ttlSeconds ?? max,
      now: now(),
    })
    const unsubscribeUrl = `${config.publicUrl}/u/${issued.token}`
    const body: LinkResponse = {
      token: issued.token,
      preferencesUrl: `${config.publicUrl}/p/${issued.token}`,
      unsubscribeUrl,
      expiresAt: iso(issued.expiresAt),
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    }
    return c.json(body, 201)
  },
)
