import { acceptInvitationBodySchema, sessionResponseSchema } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import { sha256Hex } from '../db/ids.ts'
import { ConsoleEmailTaken } from '../db/store.ts'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { clientIp, RateLimiter } from '../http/rate-limit.ts'
import { declare, json, jsonBody, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { fields } from '../http/schemas.ts'
import { requireSameOrigin, startSession } from '../http/session.ts'
import { hashPassword } from './passwords.ts'
import { newUserId, sessionView } from './people.ts'

/** Attempts a minute from one client IP. */
const ACCEPT_PER_IP = 30

/** `/v1/invitations`: what the invitation mail's link leads to. */
export function invitationRoutes(limiter = new RateLimiter()) {
  const invitations = routes<Env>()

  declare(
    invitations,
    createRoute({
      method: 'post',
      path: '/accept',
      tags: ['Console'],
      summary: 'Accept an invitation',
      description:
        `With the one-time token of the invitation mail's link (\`/console/accept#token=…\`): creates the console user with the password chosen and signs them in (the answer sets the session cookie). An unknown, used, withdrawn or expired token, or one replaced by a later mail, all get the same 404. Rate-limited per client IP (${ACCEPT_PER_IP} a minute). A request naming another site in \`Origin\` is refused (403).`,
      security: SECURITY.none,
      request: {
        body: jsonBody(
          fields(acceptInvitationBodySchema, { token: { description: 'From the link’s `#token=`.' }, password: { description: '10 to 200 characters.' }, name: { description: 'How colleagues see them.' } }).openapi({
            example: { token: 'q3Jx…', password: 'correct horse battery', name: 'Sam Lee' },
          }),
        ),
      },
      responses: { 201: json('The new user, signed in.', sessionResponseSchema), 400: PROBLEMS[400], 403: PROBLEMS[403], 404: PROBLEMS[404], 409: PROBLEMS[409], 429: PROBLEMS[429], 503: PROBLEMS[503] },
    }),
    async (c) => {
      requireSameOrigin(c, true)
      const { token, password, name } = c.req.valid('json')
      const { store, now } = c.get('deps')
      const at = now()
      const wait = limiter.hit(`accept-ip:${clientIp(c)}`, ACCEPT_PER_IP, at)
      if (wait > 0) throw new ApiError('rate_limited', `too many attempts; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } })
      const passwordHash = await hashPassword(password)
      let user
      try {
        user = await store.acceptInvitation(sha256Hex(token), at, { id: newUserId(), name: name ?? null, passwordHash })
      } catch (error) {
        if (error instanceof ConsoleEmailTaken) throw new ApiError('conflict', 'this address is a console user already: sign in instead')
        throw error
      }
      const tenant = user && (await store.getTenant(user.tenantId))
      if (!user || !tenant) throw new ApiError('not_found', 'this invitation link cannot be used: it was used already, withdrawn or replaced, or it expired. Ask for a new invitation')
      await startSession(c, user)
      return c.json(sessionView(user, tenant), 201)
    },
  )

  return invitations
}
