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
 * Whether the reason is the bound passing with the work still under way: a change asked for
 * may yet be made (unlike a refused connection or statement, where nothing was).
 */
export function mayStillHappen(reason: string): boolean {
  return reason.startsWith(NO_ANSWER)
}

/**
 * Whether the reason says the database cannot be reached at all (a lost, refused or silent
 * connection, a server shutting down or full of connections), rather than refusing this one
 * statement (a full disk, a read-only standby, a timed-out statement): only the first makes
 * every call fail at once until the database answers again.
 */
function meansUnreachable(reason: string): boolean {
  return DRIVER_CODES.has(reason) || SOCKET_CODES.has(reason) || /^SQLSTATE (08|57P0[123]|53300)/.test(reason) || reason.startsWith(NO_ANSWER)
}

const NO_ANSWER = 'no answer within'
/** How often an unreachable database is asked again. */
const PROBE_INTERVAL_MS = 200
/** A call still waiting after this long makes the breaker ask whether the database answers. */
const SUSPECT_AFTER_MS = 500
/** How long the probe's trivial query, on a connection of its own, may take. */
const PROBE_TIMEOUT_MS = 500

/**
 * Fails calls fast while the database is known to be unreachable. A call that fails for want
 * of a connection, or is still waiting after half a second, starts a probe: one trivial query
 * on a connection of its own (so a long queue in the pool does not count), given half a
 * second. Calls go on as usual meanwhile, so one dropped connection of a healthy database
 * costs nothing. The breaker opens when the probe cannot connect, or when two probes in a
 * row go unanswered: one slow answer is what a busy machine gives (a paused event loop, a
 * database queueing behind locks), two are an unreachable database. While open, every call
 * fails at once, with nothing more queued in the driver, and the probe is repeated every
 * 200 ms; the first that succeeds closes it.
 */
class Breaker {
  readonly #ping: () => Promise<void>
  #open = false
  /** performance.now() when the breaker last opened. */
  #openedAt = 0
  #probing = false
  #stopped = false

  constructor(ping: () => Promise<void>) {
    this.#ping = ping
  }

  get open() {
    return this.#open
  }

  suspect() {
    if (!this.#probing && !this.#stopped) void this.#probe()
  }

  stop() {
    this.#stopped = true
  }

  async #probe() {
    this.#probing = true
    try {
      let unanswered = 0
      while (!this.#stopped) {
        const failure = await bounded(this.#ping(), PROBE_TIMEOUT_MS).then(
          () => null,
          (error: unknown) => error,
        )
        if (failure === null) {
          if (this.#open) console.error(`database answers again, after ${Math.round((performance.now() - this.#openedAt) / 100) / 10} s unreachable`)
          return void (this.#open = false)
        }
        const silent = failure instanceof DatabaseUnavailable && failure.reason.startsWith(NO_ANSWER)
        unanswered = silent ? unanswered + 1 : 0
        if (silent && unanswered < 2 && !this.#open) continue
        if (!this.#open) this.#openedAt = performance.now()
        this.#open = true
        await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS).unref())
      }
    } finally {
      this.#probing = false
    }
  }
}

/**
 * The store every caller uses: each call that returns a promise settles within `timeoutMs`
 * (when given) or fails with DatabaseUnavailable, and a driver error that means the database
 * cannot answer becomes DatabaseUnavailable too. While the database is known to be unreachable
 * (see Breaker), calls fail at once. The work itself is not abandoned when the bound passes:
 * a write may still commit, which is why a retry with the same messageId finds it.
 * Synchronous members (dialect, readerSpec) and `close` pass through unbounded.
 *
 * SQLite needs no deadline and no breaker: its calls finish before they return (waiting on a
 * lock at most busy_timeout); only its errors are translated.
 */
export function guarded<S extends Store>(store: S, timeoutMs: number | null): S {
  if (timeoutMs === null) return wrapMethods(store, (call) => settled(call(), null))
  const breaker = new Breaker(() => store.ping())
  return wrapMethods(store, (call, prop) => {
    if (prop === 'close') {
      breaker.stop()
      return call()
    }
    if (breaker.open) return Promise.reject(new DatabaseUnavailable('unreachable; asking again every 200 ms'))
    const result = call()
    if (!(result instanceof Promise)) return result
    const slow = setTimeout(() => breaker.suspect(), SUSPECT_AFTER_MS)
    const answer = bounded(result, timeoutMs)
    answer.then(
      () => clearTimeout(slow),
      (error: unknown) => {
        clearTimeout(slow)
        if (error instanceof DatabaseUnavailable && meansUnreachable(error.reason)) breaker.suspect()
      },
    )
    return answer
  })
}

/** What a call returned: a promise bounded and with its error translated, anything else as is. */
function settled(result: unknown, timeoutMs: number | null): unknown {
  return result instanceof Promise ? bounded(result, timeoutMs) : result
}

/** `store` with every method call made through `around`; a synchronous throw is translated. */
function wrapMethods<S extends Store>(store: S, around: (call: () => unknown, prop: PropertyKey) => unknown): S {
  const methods = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, prop) {
      const known = methods.get(prop)
      if (known) return known
      // Methods only: a getter such as `raw` hands over what it holds, callable or not.
      if (!isMethod(target, prop)) return Reflect.get(target, prop, target)
      // Read through the target, which may itself be a wrapped store.
      const method = Reflect.get(target, prop, target) as (...args: unknown[]) => unknown
      const fn = (...args: unknown[]) =>
        around(() => {
          try {
            return method.apply(target, args)
          } catch (error) {
            throw translate(error)
          }
        }, prop)
      methods.set(prop, fn)
      return fn
    },
  })
}

/** True when `prop` of `object` or its prototypes is a data property holding a function. */
function isMethod(object: object, prop: PropertyKey): boolean {
  for (let o: object | null = object; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, prop)
    if (descriptor) return typeof descriptor.value === 'function'
  }
  return false
}

function translate(error: unknown): unknown {
  if (error instanceof DatabaseUnavailable) return error
  const reason = unavailableReason(error)
  return reason ? new DatabaseUnavailable(reason, { cause: error }) : error
}

/**
 * `work`, failing with DatabaseUnavailable ("no answer within …") once `timeoutMs` pass
 * (never, for null) and with its own error translated; the work itself goes on. The bound is
 * kept by the clock: a timer counts from the event loop's idea of now, in whole milliseconds
 * taken when its turn began, so it may fire early, and then waits again for what is left.
 */
export function bounded<T>(work: Promise<T>, timeoutMs: number | null): Promise<T> {
  if (timeoutMs === null) return work.catch((error: unknown) => Promise.reject(translate(error)))
  return new Promise<T>((resolve, reject) => {
    const made = performance.now()
    const expire = () => {
      const left = timeoutMs - (performance.now() - made)
      if (left > 0) timer = setTimeout(expire, left)
      else reject(new DatabaseUnavailable(`${NO_ANSWER} ${timeoutMs} ms`))
    }
    let timer = setTimeout(expire, timeoutMs)
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
