import { createRoute, z } from '@hono/zod-openapi'
import type { Env } from '../env.ts'
import type { Store } from '../db/store.ts'
import { declare, json, routes, SECURITY } from '../http/route.ts'
import { Readiness } from './readiness.ts'

/** Seconds a load balancer is told to wait before asking an unready process again. */
const RETRY_AFTER_S = 1

const readiness = z.object({
  status: z.enum(['ok', 'draining', 'unavailable']).openapi({ description: '`ok`: send it requests; `draining`: shutting down; `unavailable`: it cannot reach its database.' }),
  database: z.enum(['reachable', 'unreachable']).optional().openapi({ description: 'Whether the database answered a trivial query within the last half second (absent while draining).' }),
})
const liveness = z.object({ status: z.literal('ok') })

/**
 * Readiness and liveness. `/healthz` is for load balancers: 200 while this process can serve,
 * 503 while it drains or cannot reach its database (it recovers by itself when the database
 * returns). `/healthz/live` is for process supervisors: 200 as long as the process answers,
 * database or not, so an outage never gets healthy processes restarted.
 */
export function healthRoutes(store: Store, isDraining: () => boolean) {
  const health = routes<Env>()
  const probe = new Readiness(store)

  declare(
    health,
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Operations'],
      summary: 'Readiness, for load balancers',
      description:
        '200 `ok` while this process takes requests. 503 with `Retry-After` once it is shutting down (SIGTERM: `draining`) or while its database does not answer (`unavailable`, database `unreachable`): a load balancer stops sending it requests, and sends them again when it answers 200, which it does by itself within a second of the database coming back. The database is asked at most every half second, whatever the polling rate. Needs no credentials.',
      security: SECURITY.none,
      responses: {
        200: json('Ready.', readiness.openapi({ example: { status: 'ok', database: 'reachable' } })),
        503: json('Shutting down, or the database does not answer.', readiness.openapi({ example: { status: 'unavailable', database: 'unreachable' } })),
      },
    }),
    async (c) => {
      if (isDraining()) return c.json({ status: 'draining' as const }, 503, { 'Retry-After': String(RETRY_AFTER_S) })
      if (await probe.databaseReachable()) return c.json({ status: 'ok' as const, database: 'reachable' as const }, 200)
      return c.json({ status: 'unavailable' as const, database: 'unreachable' as const }, 503, { 'Retry-After': String(RETRY_AFTER_S) })
    },
  )

  declare(
    health,
    createRoute({
      method: 'get',
      path: '/healthz/live',
      tags: ['Operations'],
      summary: 'Liveness, for process supervisors',
      description: '200 `ok` as long as the process answers HTTP, whether or not its database does. Restart a process when this fails, never because `/healthz` says 503: an unreachable database is not cured by restarting Heed. Needs no credentials and reads no data.',
      security: SECURITY.none,
      responses: { 200: json('Alive.', liveness.openapi({ example: { status: 'ok' } })) },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  )
  return health
}
