import { Hono } from 'hono'
import { patchTenantBodySchema, tenantSettingsSchema } from '@heed/shared'
import type { Env } from '../env.ts'
import { ApiError, validationError } from '../http/errors.ts'
import { apiKeyAuth, forgetAuthenticated } from '../http/auth.ts'
import { validate } from '../http/validate.ts'
import { tenantView } from '../http/views.ts'

export const tenant = new Hono<Env>()

tenant.use('*', apiKeyAuth({ roles: ['admin'] }))

tenant.get('/', (c) => c.json(tenantView(c.get('tenant'))))

tenant.patch('/', validate('json', patchTenantBodySchema), async (c) => {
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
})
