import { patchTenantBodySchema, tenantSettingsSchema } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import { openapi, tenantSchema } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError, validationError } from '../http/errors.ts'
import { authorize, forgetAuthenticated } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { tenantView } from '../http/views.ts'

export const tenant = routes<Env>()

tenant.use('*', authorize('settings'))

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
