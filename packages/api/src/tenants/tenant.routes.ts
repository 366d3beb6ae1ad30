import { patchTenantBodySchema, tenantSettingsSchema } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import { openapi, previewLinkResponseSchema, tenantSchema } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError, validationError } from '../http/errors.ts'
import { authorize, forgetAuthenticated } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { iso, tenantView } from '../http/views.ts'
import { issuePreviewToken } from '../links/tokens.ts'

export const tenant = routes<Env>()

// The settings need `settings` to change (`read` to read); a preview link only `read`, so
// that every console user, viewers too, sees the widget beside the settings.
tenant.use('/', authorize('settings'))
tenant.use('/preview-link', authorize('read'))

declare(
  tenant,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Tenants'],
    summary: 'Read the tenant of this key',
    description: 'The settings of the tenant the API key belongs to. A GET never changes anything. Admin key only.',
    security: SECURITY.admin,
    responses: { 200: json('The tenant.', tenantSchema), 401: KEY_PROBLEMS[401], 403: KEY_PROBLEMS[403] },
  }),
  (c) => c.json(tenantView(c.get('tenant'))),
)
declare(
  tenant,
  createRoute({
    method: 'patch',
    path: '/',
    tags: ['Tenants'],
    summary: 'Change tenant settings',
    description:
      'Changes the settings given and keeps the others; `branding` merges per field. The result must still be valid as a whole (e.g. `linkTtlSeconds` at least 60 days). Admin key only.',
    security: SECURITY.admin,
    request: {
      body: jsonBody(openapi(patchTenantBodySchema, { example: { allowedOrigins: ['https://shop.acme.example', 'https://acme.example'], branding: { accentColor: '#0b6e4f' } } })),
    },
    responses: { 200: json('The tenant as changed.', tenantSchema), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const patch = c.req.valid('json')
    const current = c.get('tenant')
    const merged = tenantSettingsSchema.safeParse({
      ...current.settings,
      ...patch,
      branding: patch.branding ? { ...current.settings.branding, ...patch.branding } : current.settings.branding,
    })
    if (!merged.success) throw validationError(merged.error)
    const updated = await c.get('deps').store.updateTenant(current.id, merged.data, c.get('deps').now())
    forgetAuthenticated(c.get('deps').store)
    if (!updated) throw new ApiError('not_found', 'this tenant no longer exists')
    return c.json(tenantView(updated))
  },
)

declare(
  tenant,
  createRoute({
    method: 'post',
    path: '/preview-link',
    tags: ['Tenants'],
    summary: 'A preview token for the widget',
    description:
      'Signs a token, working for one hour, with which `<heed-preferences>` shows this tenant’s settings and topics to a subscriber that does not exist, as a new one would be (every topic at its default, subscribed, the tenant’s language and time zone, no e-mail). `GET /v1/me` answers it; `PATCH /v1/me` and `POST /v1/me/unsubscribe` validate and answer the change, on top of the preview’s earlier ones (remembered in the answering process’s memory while the token works), but store nothing and record no consent event. It is no link: `/p`, `/u` and everything else refuse it, and a link token is not a preview token. No body. Callable with an admin key or by any console user, viewers included.',
    security: SECURITY.admin,
    responses: { 201: json('The preview token.', previewLinkResponseSchema), 401: KEY_PROBLEMS[401], 403: KEY_PROBLEMS[403], 503: KEY_PROBLEMS[503] },
  }),
  async (c) => {
    const { store, config, now } = c.get('deps')
    const issued = await issuePreviewToken(store, { issuer: config.publicUrl, tenantId: c.get('tenant').id, now: now() })
    return c.json({ token: issued.token, expiresAt: iso(issued.expiresAt) }, 201)
  },
)
