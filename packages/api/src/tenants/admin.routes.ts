import { DEFAULT_TENANT_SETTINGS, createTenantBodySchema, tenantSettingsSchema } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { randomBytes } from 'node:crypto'
import { createdApiKeySchema, fields, tenantSchema } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { mintApiKey } from './keys.ts'
import { ConsoleEmailTaken, type FirstOwner } from '../db/store.ts'
import { hashPassword } from '../console/passwords.ts'
import { newInvitation, newUserId } from '../console/people.ts'
import { rootAuth } from '../http/auth.ts'
import { declare, json, jsonBody, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { apiKeyView, tenantView } from '../http/views.ts'

const slugify = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48) || 'tenant'

export const admin = routes<Env>()

admin.use('*', rootAuth())

declare(
  admin,
  createRoute({
    method: 'post',
    path: '/tenants',
    tags: ['Tenants'],
    summary: 'Create a tenant, its first admin key and, optionally, its first console owner',
    description:
      'Creates a tenant (one brand) with the settings given; settings left out take their defaults (`channels` `["email"]`, `defaultLocale` `en`, `defaultTimezone` `UTC`, `linkTtlSeconds` 90 days, four frequency options). Without `id`, one is derived from `name` (with a random suffix when taken); a given `id` that is taken is a 409. Answers with the tenant and its first admin API key, whose secret is shown this once. With `owner`, the tenant gets its first console owner: with a `password` they can sign in at once (`POST /v1/session`), without one they are mailed an invitation to choose one; an address that is a console user already is a 409 and nothing is created. Root token only.',
    security: SECURITY.root,
    request: {
      body: jsonBody(
        fields(createTenantBodySchema, {
          id: { description: 'A slug; default: derived from `name`.', example: 'acme-outdoor' },
          name: { description: 'The brand’s name, shown to subscribers.', example: 'Acme Outdoor' },
          channels: { description: 'Channels the tenant sends on.', default: ['email'] },
          linkTtlSeconds: { description: 'Lifetime of links placed in email, at least 60 days.', default: 7_776_000 },
          owner: { description: 'The first console owner: `email`, and `password` (10–200 characters) to sign in at once, or none to be invited by e-mail.' },
        }).openapi({ example: { name: 'Acme Outdoor', allowedOrigins: ['https://shop.acme.example'], defaultTimezone: 'Europe/Tallinn', channels: ['email', 'sms'] } }),
      ),
    },
    responses: {
      201: json(
        'The tenant and its first admin key (the secret is shown this once).',
        z.object({ tenant: tenantSchema, apiKey: createdApiKeySchema }),
      ),
      400: PROBLEMS[400],
      401: PROBLEMS[401],
      409: PROBLEMS[409],
    },
  }),
  async (c) => {
    const { id, owner, ...body } = c.req.valid('json')
    const { store, now, mailer } = c.get('deps')
    const at = now()
    const settings = tenantSettingsSchema.parse({ ...DEFAULT_TENANT_SETTINGS, ...body })
    const taken = () => new ApiError('conflict', `${owner!.email} is a console user already; nothing was created`)
    if (owner && (await store.findConsoleUserByEmail(owner.email))) throw taken()
    const passwordHash = owner?.password === undefined ? null : await hashPassword(owner.password)
    /** The first owner of the tenant with this id: a user who can sign in, or an invitation by mail. */
    const firstOwner = (tenantId: string): FirstOwner | undefined => {
      if (!owner) return undefined
      if (passwordHash === null) return newInvitation(tenantId, owner.email, 'owner', null, at)
      return { user: { id: newUserId(), tenantId, email: owner.email, name: null, role: 'owner', passwordHash, createdAt: at, updatedAt: at } }
    }
    // A chosen id must be free; a derived one gets a random suffix when taken.
    for (let attempt = 0; attempt < 5; attempt++) {
      const tenantId = id ?? (attempt === 0 ? slugify(body.name) : `${slugify(body.name)}-${randomBytes(3).toString('hex')}`)
      const key = mintApiKey(tenantId, 'admin', 'initial admin key', at)
      const tenant = { id: tenantId, settings, createdAt: at, updatedAt: at }
      let created: boolean
      try {
        created = await store.createTenant(tenant, key.record, firstOwner(tenantId))
      } catch (error) {
        if (error instanceof ConsoleEmailTaken) throw taken()
        throw error
      }
      if (created) {
        if (owner && passwordHash === null) mailer.wake()
        return c.json({ tenant: tenantView(tenant), apiKey: { ...apiKeyView(key.record), secret: key.secret } }, 201)
      }
      if (id) throw new ApiError('conflict', `a tenant with the id "${id}" exists already`)
    }
    throw new ApiError('conflict', 'could not find a free tenant id; pass one as "id"')
  },
)
