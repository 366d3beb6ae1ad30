import { bounded } from '../db/availability.ts'
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
    try {
      await bounded(this.#store.ping(), 1000)
      return this.#settle(true)
    } catch {
      return this.#settle(false)
    }
  }

  #settle(reachable: boolean) {
    this.#reachable = reachable
    this.#checkedAt = performance.now()
    this.#probe = null
    return reachable
  }
}
