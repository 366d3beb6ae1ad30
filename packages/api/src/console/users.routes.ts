import { changeRoleBodySchema, consoleUserSchema, invitationSchema, inviteBodySchema } from '@heed/shared'
import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import { authorize } from '../http/auth.ts'
import { ApiError } from '../http/errors.ts'
import { declare, json, jsonBody, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { fields } from '../http/schemas.ts'
import type { PeopleChange } from '../db/store.ts'
import { INVITATION_TTL_MS, invitationView, newInvitation, userView } from './people.ts'

/**
 * `/v1/users`: the tenant's console users and their invitations. Everyone who may read may
 * see the list; only owners (and admin keys) invite, change roles and remove.
 */
export const users = routes<Env>()

users.use('*', authorize('people'))

const OWNERS = ' Owners and admin keys only (403 otherwise).'
const LAST_OWNER = 'A tenant always keeps an owner: removing or demoting its last one is a 409.'
const idParam = (what: string, example: string) => z.object({ id: z.string().min(1).max(64).openapi({ description: `The ${what}’s id.`, example }) })

function changed(result: PeopleChange, id: string, verb: string) {
  if (result.kind === 'not_found') throw new ApiError('not_found', `no console user "${id}"`)
  if (result.kind === 'last_owner') throw new ApiError('conflict', `cannot ${verb} the last owner; make someone else an owner first`)
  return result.user
}

declare(
  users,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Console'],
    summary: 'List console users and pending invitations',
    description: 'The tenant’s console users, oldest first, and its invitations not yet accepted nor expired. A GET never changes anything. Any console user, or an admin key.',
    security: SECURITY.admin,
    responses: { 200: json('The people.', z.object({ users: z.array(consoleUserSchema), invitations: z.array(invitationSchema) })), 401: KEY_PROBLEMS[401], 403: KEY_PROBLEMS[403] },
  }),
  async (c) => {
    const { store, now } = c.get('deps')
    const tenantId = c.get('tenant').id
    const [people, invitations] = await Promise.all([store.listConsoleUsers(tenantId), store.listInvitations(tenantId, now())])
    return c.json({ users: people.map(userView), invitations: invitations.map(invitationView) }, 200)
  },
)

declare(
  users,
  createRoute({
    method: 'post',
    path: '/invitations',
    tags: ['Console'],
    summary: 'Invite a colleague',
    description: `Mails the address a one-time link to the console (\`/console/accept\`) where they choose a password; it works for ${INVITATION_TTL_MS / 86_400_000} days and only the last link mailed works. Inviting an address again replaces its pending invitation. An address that is a console user already (of any tenant) is a 409.${OWNERS}`,
    security: SECURITY.admin,
    request: { body: jsonBody(fields(inviteBodySchema, { email: { description: 'Stored in lower case.' }, role: { description: '`owner`, `editor` or `viewer`.' } }).openapi({ example: { email: 'sam@acme.example', role: 'editor' } })) },
    responses: { 201: json('The invitation; its mail is on its way.', invitationSchema), ...KEY_PROBLEMS, 409: PROBLEMS[409] },
  }),
  async (c) => {
    const { email, role } = c.req.valid('json')
    const { store, now, mailer } = c.get('deps')
    if (await store.findConsoleUserByEmail(email)) throw new ApiError('conflict', `${email} is a console user already`)
    const { invitation, mail } = newInvitation(c.get('tenant').id, email, role, c.get('principal').id, now())
    await store.createInvitation(invitation, mail)
    mailer.wake()
    return c.json(invitationView(invitation), 201)
  },
)

declare(
  users,
  createRoute({
    method: 'delete',
    path: '/invitations/{id}',
    tags: ['Console'],
    summary: 'Withdraw an invitation',
    description: `Its link stops working at once.${OWNERS}`,
    security: SECURITY.admin,
    request: { params: idParam('invitation', 'inv_3k9xq2m4x9c1v8b6n3k5r0t2') },
    responses: { 204: { description: 'Withdrawn.' }, ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    if (!(await c.get('deps').store.deleteInvitation(c.get('tenant').id, id))) throw new ApiError('not_found', `no pending invitation "${id}"`)
    return c.body(null, 204)
  },
)

declare(
  users,
  createRoute({
    method: 'patch',
    path: '/{id}',
    tags: ['Console'],
    summary: 'Change a console user’s role',
    description: `The new role applies to their next request. ${LAST_OWNER}${OWNERS}`,
    security: SECURITY.admin,
    request: { params: idParam('user', 'usr_3k9xq2m4x9c1v8b6n3k5r0t2'), body: jsonBody(fields(changeRoleBodySchema, { role: {} }).openapi({ example: { role: 'viewer' } })) },
    responses: { 200: json('The user as changed.', consoleUserSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404], 409: PROBLEMS[409] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const { role } = c.req.valid('json')
    const { store, now } = c.get('deps')
    const user = changed(await store.changeConsoleRole(c.get('tenant').id, id, role, now()), id, 'demote')
    return c.json(userView(user), 200)
  },
)

declare(
  users,
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['Console'],
    summary: 'Remove a console user',
    description: `Their sessions end at once. ${LAST_OWNER}${OWNERS}`,
    security: SECURITY.admin,
    request: { params: idParam('user', 'usr_3k9xq2m4x9c1v8b6n3k5r0t2') },
    responses: { 204: { description: 'Removed.' }, ...KEY_PROBLEMS, 404: PROBLEMS[404], 409: PROBLEMS[409] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    changed(await c.get('deps').store.deleteConsoleUser(c.get('tenant').id, id), id, 'remove')
    return c.body(null, 204)
  },
)
