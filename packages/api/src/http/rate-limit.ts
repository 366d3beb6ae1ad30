import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Env } from '../env.ts'
import { ApiError } from './errors.ts'

/**
 * Fixed-window counters kept in this process's memory. With several API processes each
 * counts on its own, so the effective limit is the per-process limit times the processes.
 */
export class RateLimiter {
  readonly #windowMs: number
  #windowStart = 0
  #counts = new Map<string, number>()

  constructor(windowMs = 60_000) {
    this.#windowMs = windowMs
  }

  /** Counts one hit; returns the seconds to wait when over `limit`, else 0. */
  hit(key: string, limit: number, now: number): number {
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now - (now % this.#windowMs)
      this.#counts = new Map()
    }
    const count = (this.#counts.get(key) ?? 0) + 1
    this.#counts.set(key, count)
    return count > limit ? Math.max(1, Math.ceil((this.#windowStart + this.#windowMs - now) / 1000)) : 0
  }
}

export function clientIp(c: Context<Env>): string {
  if (c.get('deps').config.HEED_TRUST_PROXY === '1') {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export interface RateLimitOptions {
  limiter: RateLimiter
  /** The token the request carries, if any, limited on its own. */
  token: (c: Context<Env>) => string | null
}

/** 429 with Retry-After once the client IP or the token is over its per-minute limit. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<Env> {
  return async function rateLimit(c, next) {
    const { config, now } = c.get('deps')
    const at = now()
    const token = options.token(c)
    const wait = Math.max(
      options.limiter.hit(`ip:${clientIp(c)}`, config.HEED_RATE_LIMIT_PER_IP, at),
      token ? options.limiter.hit(`tok:${token.slice(-43)}`, config.HEED_RATE_LIMIT_PER_TOKEN, at) : 0,
    )
    if (wait > 0) {
      throw new ApiError('rate_limited', `too many requests; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } })
    }
    await next()
  }
}
