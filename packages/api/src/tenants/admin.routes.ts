import { Hono } from 'hono'
import { DEFAULT_TENANT_SETTINGS, createTenantBodySchema, tenantSettingsSchema } from '@heed/shared'
import { randomBytes } from 'node:crypto'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { mintApiKey } from './keys.ts'
import { rootAuth } from '../http/auth.ts'
import { validate } from '../http/validate.ts'
import { apiKeyView, tenantView } from '../http/views.ts'

const slugify = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48) || 'tenant'

export const admin = new Hono<Env>()

admin.use('*', rootAuth())

admin.post('/tenants', validate('json', createTenantBodySchema), async (c) => {
  const { id, ...body } = c.req.valid('json')
  const { store, now } = c.get('deps')
  const at = now()
  const settings = tenantSettingsSchema.parse({ ...DEFAULT_TENANT_SETTINGS, ...body })
  // A chosen id must be free; a derived one gets a random suffix when taken.
  for (let attempt = 0; attempt < 5; attempt++) {
    const tenantId = id ?? (attempt === 0 ? slugify(body.name) : `${slugify(body.name)}-${randomBytes(3).toString('hex')}`)
    const key = mintApiKey(tenantId, 'admin', 'initial admin key', at)
    const tenant = { id: tenantId, settings, createdAt: at, updatedAt: at }
    if (await store.createTenant(tenant, key.record)) {
      return c.json({ tenant: tenantView(tenant), apiKey: { ...apiKeyView(key.record), secret: key.secret } }, 201)
    }
    if (id) throw new ApiError('conflict', `a tenant with the id "${id}" exists already`)
  }
  throw new ApiError('conflict', 'could not find a free tenant id; pass one as "id"')
})
