import type { Store } from './store.ts'

/**
 * The database cannot answer now: it is unreachable, restarting, failing over, read-only or
 * out of space, or it did not answer within the bound. Nothing was acknowledged; the same
 * request may succeed when retried (the HTTP layer answers 503 with Retry-After).
 */
export class DatabaseUnavailable extends Error {
  readonly reason: string
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the database is unavailable (${reason})`, options)
    this.name = 'DatabaseUnavailable'
    this.reason = reason
  }
}

/** How long a request waits for the database, by default: connect, queue and query together. */
export const DEFAULT_DATABASE_TIMEOUT_MS = 2000

/** postgres.js's own codes for a connection that closed, ended or never opened. */
const DRIVER_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT'])
/** The operating system's, for a socket that could not connect or broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED'])
/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "not this request": class 08
 * (connection exception), a server shutting down or starting (57P01-57P03), too many
 * connections (53300), out of disk or memory (53100, 53200), a standby refusing writes after
 * a failover (25006), a statement cancelled by statement_timeout (57014), a lock not taken
 * within lock_timeout (55P03).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53100', '53200', '25006', '57014', '55P03'])
/** SQLite's: a full disk, a read-only or vanished file, an I/O error, a lock held past busy_timeout. */
const SQLITE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|NOMEM|PROTOCOL)(_|$)/

/**
 * Why `error` means the database is unavailable, or null when it is about the request (a
 * constraint, a bug). Looks through `cause`, where drizzle wraps the driver's error.
 */
export function unavailableReason(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseUnavailable) return e.reason
    const code = (e as { code?: unknown }).code
    if (typeof code !== 'string') continue
    if (DRIVER_CODES.has(code) || SOCKET_CODES.has(code) || SQLITE_CODES.test(code)) return code
    if ((e as { name?: unknown }).name === 'PostgresError' && (code.startsWith('08') || SQLSTATES.has(code))) return `SQLSTATE ${code}`
  }
  return null
}

/**
 * The store every caller uses: each call that returns a promise settles within `timeoutMs`
 * (when given) or fails with DatabaseUnavailable, and a driver error that means the database
 * cannot answer becomes DatabaseUnavailable too. The work itself is not abandoned when the
 * bound passes: a write may still commit, which is why a retry with the same messageId finds
 * it. Synchronous members (dialect, readerSpec) and `close` pass through unbounded.
 *
 * SQLite needs no deadline: its calls finish before they return (waiting on a lock at most
 * busy_timeout); only its errors are translated.
 */
export function guarded<S extends Store>(store: S, timeoutMs: number | null): S {
  const methods = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, prop) {
      const known = methods.get(prop)
      if (known) return known
      // Methods only: a getter such as `raw` hands over what it holds, callable or not.
      const method = methodOf(target, prop)
      if (!method) return Reflect.get(target, prop, target)
      const fn = (...args: unknown[]) => {
        let result: unknown
        try {
          result = method.apply(target, args)
        } catch (error) {
          throw translate(error)
        }
        // Closing may take its time: it waits for queries in flight.
        return result instanceof Promise && prop !== 'close' ? bounded(result, timeoutMs) : result
      }
      methods.set(prop, fn)
      return fn
    },
  })
}

/** The function a data property of `object` or its prototypes holds under `prop`, if any. */
function methodOf(object: object, prop: PropertyKey): ((...args: unknown[]) => unknown) | null {
  for (let o: object | null = object; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, prop)
    if (descriptor) return typeof descriptor.value === 'function' ? (descriptor.value as (...args: unknown[]) => unknown) : null
  }
  return null
}

function translate(error: unknown): unknown {
  if (error instanceof DatabaseUnavailable) return error
  const reason = unavailableReason(error)
  return reason ? new DatabaseUnavailable(reason, { cause: error }) : error
}

function bounded<T>(work: Promise<T>, timeoutMs: number | null): Promise<T> {
  if (timeoutMs === null) return work.catch((error: unknown) => Promise.reject(translate(error)))
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseUnavailable(`no answer within ${timeoutMs} ms`)), timeoutMs)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(translate(error))
      },
    )
  })
}
