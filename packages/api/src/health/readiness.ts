import type { Store } from '../db/store.ts'

/**
 * Whether the database answers, as /healthz reports it: one trivial query at most every
 * `maxAgeMs`, shared by the probes that arrive meanwhile, so a load balancer's polling (or a
 * benchmark's) costs the database next to nothing. The query is bounded like every store call.
 */
export class Readiness {
  readonly #store: Store
  readonly #maxAgeMs: number
  #checkedAt = -Infinity
  #reachable = true
  #probe: Promise<boolean> | null = null

  constructor(store: Store, maxAgeMs = 500) {
    this.#store = store
    this.#maxAgeMs = maxAgeMs
  }

  databaseReachable(): boolean | Promise<boolean> {
    if (performance.now() - this.#checkedAt < this.#maxAgeMs) return this.#reachable
    return (this.#probe ??= this.#ask())
  }

  /** The trivial query; a database that has not answered within a second is unreachable for a load balancer. */
  async #ask(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000)
    })
    try {
      await Promise.race([this.#store.ping(), late])
      return this.#settle(true)
    } catch {
      return this.#settle(false)
    } finally {
      clearTimeout(timer)
    }
  }

  #settle(reachable: boolean) {
    this.#reachable = reachable
    this.#checkedAt = performance.now()
    this.#probe = null
    return reachable
  }
}
