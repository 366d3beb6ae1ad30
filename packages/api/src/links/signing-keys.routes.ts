import { rotateSigningKeyBodySchema } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import { newSigningKey } from '../db/ids.ts'
import { fields } from '../http/schemas.ts'
import type { Env } from '../env.ts'
import { authorize } from '../http/auth.ts'
import { declare, json, KEY_PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { iso } from '../http/views.ts'

export const signingKeys = routes<Env>()

signingKeys.use('*', authorize('keys'))

/**
 * New links are signed with a new key. Links signed earlier keep working until they would
 * have expired anyway (the tenant's linkTtlSeconds), or for `retireAfterSeconds`; 0 ends
 * them at once (a leaked key).
 */
declare(
  signingKeys,
  createRoute({
    method: 'post',
    path: '/rotate',
    tags: ['Links'],
    summary: 'Sign new links with a new key',
    description:
      'New links are signed with a new key from now on. Links signed with earlier keys keep working for `retireAfterSeconds` (default: the tenant’s `linkTtlSeconds`, so no outstanding link breaks); `0` retires the earlier keys at once, for a leaked key. The body may be left out. Admin key only.',
    security: SECURITY.admin,
    request: {
      body: {
        required: false,
        content: {
          'application/json': {
            schema: fields(rotateSigningKeyBodySchema, {
              retireAfterSeconds: { description: 'How long links signed with earlier keys keep working. Default: the tenant’s `linkTtlSeconds`; 0 ends them now.', example: 86_400 },
            })
              .optional()
              .default({}),
          },
        },
      },
    },
    responses: {
      201: json(
        'The new key; earlier keys retire at `previousKeysRetireAt`.',
        z
          .object({ kid: z.string(), createdAt: z.iso.datetime(), previousKeysRetireAt: z.iso.datetime() })
          .openapi({ example: { kid: 'sig_4n6q8s0u2w4y6a8c0e2g4j6m8p0r2t4v', createdAt: '2026-05-03T21:30:00.000Z', previousKeysRetireAt: '2026-05-04T21:30:00.000Z' } }),
      ),
      ...KEY_PROBLEMS,
    },
  }),
  async (c) => {
    const { retireAfterSeconds } = c.req.valid('json') ?? {}
    const { store, now } = c.get('deps')
    const at = now()
    const retireAt = at + (retireAfterSeconds ?? c.get('tenant').settings.linkTtlSeconds) * 1000
    const key = newSigningKey(c.get('tenant').id, at)
    await store.rotateSigningKey(key, retireAt)
    return c.json({ kid: key.kid, createdAt: iso(at), previousKeysRetireAt: iso(retireAt) }, 201)
  },
)
