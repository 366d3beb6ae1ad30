import { OpenAPIHono, z, type RouteConfig, type RouteHandler } from '@hono/zod-openapi'
import type { Context, Env as HonoEnv, Handler, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { validate } from './validate.ts'

/**
 * Routes declared once: a `createRoute(...)` declaration is both what the request is validated
 * with and what `/openapi.json` says. Validation stays our synchronous `validate` (one
 * problem+json for every field, no `safeParseAsync` behind awaits); only the document comes
 * from `@hono/zod-openapi`.
 */

/** What a route declares about its request body besides its schema. */
export interface BodyRules {
  /** The largest body accepted, in bytes, instead of the limit its path has by default. */
  maxSize?: number
  /**
   * The handler reads the body as bytes and validates it itself (on a worker thread): the
   * declared JSON schema is for the document only, and no middleware reads the text first.
   */
  raw?: boolean
  /** The media types a raw body may have instead of JSON (lower case, without parameters); others get 415. */
  types?: readonly string[]
}

export type Declaration = RouteConfig & { bodyRules?: BodyRules }

/** `/u/{token}` → `/u/:token`. */
type HonoPath<T extends string> = T extends `${infer Start}/{${infer Param}}${infer Rest}` ? `${Start}/:${Param}${HonoPath<Rest>}` : T
/** The validated input of a declaration, as `c.req.valid(...)` returns it. */
type InputOf<R extends RouteConfig> = Parameters<RouteHandler<R>>[0] extends Context<any, any, infer I> ? I : never

/** A sub-app whose routes are declared with {@link declare}; mounted with `app.route()`, its declarations join the root document. */
export const routes = <E extends HonoEnv>() => new OpenAPIHono<E>()

const declaredBodies = new WeakMap<Function, BodyRules>()

/**
 * Adds the route to the sub-app's document and mounts `handler` behind our validators for its
 * path parameters, query and JSON body (in that order), so `c.req.valid('json')` is typed from
 * the declaration. Form and other bodies are documented and read by the handler.
 */
export function declare<E extends HonoEnv, R extends Declaration>(
  app: OpenAPIHono<E>,
  route: R,
  handler: Handler<E, HonoPath<R['path']>, InputOf<R>>,
): void {
  const { bodyRules, ...documented } = route
  app.openAPIRegistry.registerPath(documented)
  const validators: MiddlewareHandler[] = []
  const { params, query, body } = route.request ?? {}
  if (params) validators.push(validate('param', params))
  if (query) validators.push(validate('query', query))
  const json = body?.content['application/json']
  if (json && 'schema' in json && json.schema instanceof z.ZodType && !bodyRules?.raw) validators.push(validate('json', json.schema))
  if (bodyRules) declaredBodies.set(handler, bodyRules)
  app.on([route.method.toUpperCase()], [route.path.replaceAll(/\{(\w+)\}/g, ':$1')], ...validators, handler as Handler)
}

/** The body rules the route answering this request declared, for middleware that runs before it. */
export function declaredBody(c: Context): BodyRules | undefined {
  const matched = matchedRoutes(c)
  for (let i = matched.length - 1; i >= 0; i--) {
    const rules = declaredBodies.get(matched[i]!.handler)
    if (rules) return rules
  }
  return undefined
}

/**
 * Who may call an operation, by the security schemes of the document (see `docs/openapi.ts`).
 * A console session stands for a user whose role says what they may do (`http/auth.ts`).
 */
type Requirement = Array<Record<string, string[]>>
export const SECURITY: Record<'root' | 'admin' | 'key' | 'session' | 'link' | 'none', Requirement> = {
  /** `Authorization: Bearer $HEED_ADMIN_TOKEN`. */
  root: [{ rootToken: [] }],
  /** An API key with the role admin, or a console user whose role allows it. */
  admin: [{ adminKey: [] }, { consoleSession: [] }],
  /** An API key with the role admin or sender, or a console user whose role allows it. */
  key: [{ adminKey: [] }, { senderKey: [] }, { consoleSession: [] }],
  /** A console user only. */
  session: [{ consoleSession: [] }],
  /** A subscriber's link token (or a preview token). */
  link: [{ linkToken: [] }],
  /** Anyone. */
  none: [],
}

export const SECURITY_SCHEMES = {
  rootToken: { type: 'http', scheme: 'bearer', description: 'The operator’s token, `HEED_ADMIN_TOKEN`.' },
  adminKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key with the role `admin` (`heed_ak_…`): everything of its tenant.' },
  senderKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key with the role `sender` (`heed_sk_…`): check, dispatches, links and subscribers.' },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'heed_session',
    description:
      'A console user’s session, from `POST /v1/session`. The role decides: `owner` everything; `editor` reads and changes subscribers, topics, settings and links; `viewer` reads only. A request that may change something must come from the console’s own origin (`Origin`, or `Sec-Fetch-Site: same-origin`).',
  },
  linkToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A subscriber’s link token, from `POST /v1/links` (the `token` of the link), or a preview token from `POST /v1/tenant/preview-link` (answered for a subscriber that does not exist; nothing is stored).',
  },
} as const

/** RFC 9457 problem details, as every error is answered. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ description: 'A relative URI naming the kind of problem.' }),
    title: z.string().openapi({ description: 'The same for every problem of this type.' }),
    status: z.number().int(),
    detail: z.string().openapi({ description: 'What went wrong with this request, in words.' }),
    errors: z
      .array(
        z.object({
          pointer: z.string().openapi({ description: 'RFC 6901 JSON pointer into the body, query or path.' }),
          detail: z.string(),
        }),
      )
      .optional()
      .openapi({ description: 'Each field that failed validation (at most 50).' }),
  })
  .openapi('Problem', {
    example: {
      type: '/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'topic: use lowercase letters, digits, "-" and "_"',
      errors: [{ pointer: '/topic', detail: 'use lowercase letters, digits, "-" and "_"' }],
    },
  })

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } })

/** The error answers an operation may give, by status. */
export const PROBLEMS = {
  400: problem('Invalid request: `errors[].pointer` names each field; malformed JSON is a 400 too.'),
  401: problem('Missing, unknown or revoked credentials.'),
  403: problem('The credentials may not do this (e.g. a sender key on an admin operation).'),
  404: problem('Not found.'),
  409: problem('Conflict with the current state.'),
  413: problem('The body is larger than this operation accepts.'),
  415: problem('The body is not JSON (`Content-Type: application/json`).'),
  429: problem('Too many requests; `Retry-After` says when to try again.'),
  503: problem('Unavailable: the database does not answer, or cannot take a write now, or the process is at a limit. Refused before the bound (`HEED_DATABASE_TIMEOUT_MS`), nothing was changed; past it, a change may still be made. Retry after `Retry-After` seconds: the same request repeated is safe (a reserve with the same `messageId` is counted once).'),
} as const

/** The usual error answers of a JSON operation behind an API key (each reads the database: 503 while it does not answer). */
export const KEY_PROBLEMS = { 400: PROBLEMS[400], 401: PROBLEMS[401], 403: PROBLEMS[403], 503: PROBLEMS[503] } as const

/** A JSON answer. */
export const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } })

/** A JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
})
