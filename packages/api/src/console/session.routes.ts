import { changePasswordBodySchema, sessionResponseSchema, signInBodySchema } from '@heed/shared'
import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { clientIp, RateLimiter } from '../http/rate-limit.ts'
import { declare, json, jsonBody, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { fields } from '../http/schemas.ts'
import { clearSessionCookie, readSession, requireSameOrigin, startSession, type ResolvedSession } from '../http/session.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import { sessionView } from './people.ts'

/** Sign-in attempts a minute for one address, and from one client IP (an office shares one). */
export const SIGN_IN_PER_ADDRESS = 10
export const SIGN_IN_PER_IP = 100

const WRONG = 'the e-mail address or the password is wrong'
const SIGNED_OUT = 'sign in to the console first (POST /v1/session)'

const sessionAnswer = (description: string) => json(description, sessionResponseSchema)
const SESSION_NOTE =
  ' The cookie `heed_session` is `HttpOnly; SameSite=Strict; Path=/` (and `Secure` when the public URL is https); a session ends after 8 hours without a request, 7 days after sign-in, at sign-out, and when the user is removed or changes their password.'

/** The signed-in session of the request, or 401. */
async function signedIn(c: Context<Env>): Promise<ResolvedSession> {
  const found = await readSession(c)
  if (!found) throw new ApiError('unauthorized', SIGNED_OUT)
  return found
}

/** `/v1/session`: console sign-in, the session, sign-out and the user's own password. */
export function sessionRoutes(limiter = new RateLimiter()) {
  const session = routes<Env>()

  declare(
    session,
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Console'],
      summary: 'Sign in to the console',
      description:
        `Checks the address and password and starts a session: the answer sets its cookie. A wrong password and an address that is no console user get the same 401. Rate-limited per address (${SIGN_IN_PER_ADDRESS} attempts a minute) and per client IP (${SIGN_IN_PER_IP}): 429 with \`Retry-After\`. A request naming another site in \`Origin\` is refused (403).` +
        SESSION_NOTE,
      security: SECURITY.none,
      request: {
        body: jsonBody(
          fields(signInBodySchema, { email: { description: 'The address, in any case of letters.' }, password: {} }).openapi({
            example: { email: 'owner@demo-outfitters.example', password: 'correct horse battery' },
          }),
        ),
      },
      responses: { 200: sessionAnswer('Signed in: the user and their tenant; `Set-Cookie` holds the session.'), 400: PROBLEMS[400], 401: PROBLEMS[401], 403: PROBLEMS[403], 429: PROBLEMS[429], 503: PROBLEMS[503] },
    }),
    async (c) => {
      requireSameOrigin(c, true)
      const { email, password } = c.req.valid('json')
      const { store, now } = c.get('deps')
      const address = email.trim().toLowerCase()
      const at = now()
      const wait = Math.max(limiter.hit(`sign-in-ip:${clientIp(c)}`, SIGN_IN_PER_IP, at), limiter.hit(`sign-in:${address}`, SIGN_IN_PER_ADDRESS, at))
      if (wait > 0) throw new ApiError('rate_limited', `too many sign-in attempts; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } })
      const user = await store.findConsoleUserByEmail(address)
      // scrypt runs whether or not the address is a user's: the answer and its time say nothing.
      const ok = await verifyPassword(password, user?.passwordHash ?? null)
      const tenant = ok && user ? await store.getTenant(user.tenantId) : null
      if (!ok || !user || !tenant) throw new ApiError('unauthorized', WRONG)
      await startSession(c, user)
      return c.json(sessionView(user, tenant), 200)
    },
  )

  declare(
    session,
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Console'],
      summary: 'The signed-in user',
      description: 'The user of the session cookie and their tenant; 401 when signed out or the session has ended. A GET never changes anything (but keeps the session alive).',
      security: SECURITY.session,
      responses: { 200: sessionAnswer('The user and their tenant.'), 401: PROBLEMS[401], 503: PROBLEMS[503] },
    }),
    async (c) => {
      const { user, tenant } = await signedIn(c)
      return c.json(sessionView(user, tenant), 200)
    },
  )

  declare(
    session,
    createRoute({
      method: 'delete',
      path: '/',
      tags: ['Console'],
      summary: 'Sign out',
      description: 'Ends the session of the cookie and clears the cookie. Idempotent: without a live session it only clears the cookie.',
      security: SECURITY.session,
      responses: { 204: { description: 'Signed out.' }, 403: PROBLEMS[403], 503: PROBLEMS[503] },
    }),
    async (c) => {
      const found = await readSession(c)
      if (found) {
        requireSameOrigin(c)
        await c.get('deps').store.deleteSession(found.session.hash)
      }
      clearSessionCookie(c)
      return c.body(null, 204)
    },
  )

  declare(
    session,
    createRoute({
      method: 'put',
      path: '/password',
      tags: ['Console'],
      summary: 'Change one’s own password',
      description: 'With the current password. Every other session of the user ends; this one stays.',
      security: SECURITY.session,
      request: { body: jsonBody(fields(changePasswordBodySchema, { current: {}, new: { description: '10 to 200 characters.' } })) },
      responses: { 204: { description: 'Changed.' }, 400: PROBLEMS[400], 401: PROBLEMS[401], 403: PROBLEMS[403], 429: PROBLEMS[429], 503: PROBLEMS[503] },
    }),
    async (c) => {
      const { session: current, user } = await signedIn(c)
      requireSameOrigin(c)
      const body = c.req.valid('json')
      const { store, now } = c.get('deps')
      const at = now()
      const wait = limiter.hit(`sign-in:${user.email}`, SIGN_IN_PER_ADDRESS, at)
      if (wait > 0) throw new ApiError('rate_limited', `too many attempts; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } })
      const found = await store.findConsoleUserByEmail(user.email)
      // Both scrypt runs at once: the answer comes in the time of one.
      const [ok, passwordHash] = await Promise.all([verifyPassword(body.current, found?.passwordHash ?? null), hashPassword(body.new)])
      if (!ok) {
        throw new ApiError('validation', 'current: this is not your current password', { errors: [{ pointer: '/current', detail: 'this is not your current password' }] })
      }
      await store.setConsolePassword(user.tenantId, user.id, passwordHash, at, current.hash)
      return c.body(null, 204)
    },
  )

  return session
}
