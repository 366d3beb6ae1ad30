import { createApiKeyBodySchema } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { apiKeySchema, createdApiKeySchema, fields } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { mintApiKey } from './keys.ts'
import { authorize, forgetAuthenticated } from '../http/auth.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { apiKeyView } from '../http/views.ts'

export const apiKeys = routes<Env>()

apiKeys.use('*', authorize('keys'))

declare(
  apiKeys,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['API keys'],
    summary: 'Create an API key',
    description: 'A new key of the tenant with the role given. Its secret is in this answer only: Heed keeps a SHA-256 of it and a display prefix. Admin key only.',
    security: SECURITY.admin,
    request: {
      body: jsonBody(
        fields(createApiKeyBodySchema, {
          role: { description: '`admin`: everything of the tenant; `sender`: check, dispatches, links and subscribers.' },
          name: { description: 'A label for people, e.g. where the key is used.' },
        }).openapi({ example: { role: 'sender', name: 'ESP nightly campaigns' } }),
      ),
    },
    responses: { 201: json('The key, with its secret shown this once.', createdApiKeySchema), ...KEY_PROBLEMS },
  }),
  async (c) => {
    const { role, name } = c.req.valid('json')
    const key = mintApiKey(c.get('tenant').id, role, name ?? null, c.get('deps').now())
    await c.get('deps').store.createApiKey(key.record)
    return c.json({ ...apiKeyView(key.record), secret: key.secret }, 201)
  },
)

declare(
  apiKeys,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['API keys'],
    summary: 'List API keys',
    description: 'Every key of the tenant, revoked ones included, without secrets. Admin key only.',
    security: SECURITY.admin,
    responses: { 200: json('The keys.', z.object({ data: z.array(apiKeySchema) })), 401: KEY_PROBLEMS[401], 403: KEY_PROBLEMS[403] },
  }),
  async (c) => {
    const keys = await c.get('deps').store.listApiKeys(c.get('tenant').id)
    return c.json({ data: keys.map(apiKeyView) })
  },
)

declare(
  apiKeys,
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['API keys'],
    summary: 'Revoke an API key',
    description: 'The key stops working at once. The last active admin key cannot be revoked (409): create another admin key first. Admin key only.',
    security: SECURITY.admin,
    request: { params: z.object({ id: z.string().min(1).max(64).openapi({ description: 'The key’s id.', example: 'key_7gq2m4x9c1v8b6n3k5r0t2w4y6z8a1c3' }) }) },
    responses: { 200: json('The key as revoked.', apiKeySchema), ...KEY_PROBLEMS, 404: PROBLEMS[404], 409: PROBLEMS[409] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const { store, now } = c.get('deps')
    const keys = await store.listApiKeys(c.get('tenant').id)
    const target = keys.find((k) => k.id === id)
    if (!target) throw new ApiError('not_found', `no API key "${id}"`)
    const otherAdmins = keys.filter((k) => k.role === 'admin' && k.revokedAt === null && k.id !== id)
    if (target.role === 'admin' && target.revokedAt === null && otherAdmins.length === 0) {
      throw new ApiError('conflict', 'this is the last active admin key; create another admin key before revoking it')
    }
    const revoked = await store.revokeApiKey(c.get('tenant').id, id, now())
    forgetAuthenticated(store)
    if (!revoked) throw new ApiError('not_found', `no API key "${id}"`)
    return c.json(apiKeyView(revoked))
  },
)
