import { createHash } from 'node:crypto'

/** The hash a tenant's first consent event chains from. */
export const GENESIS_HASH = '0'.repeat(64)

/** JSON with object keys sorted at every depth, so a hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/** The fields of a consent event that its hash covers. */
export interface HashedEvent {
  tenantId: string
  seq: number
  id: string
  subscriberId: string
  type: string
  source: string
  actor: string | null
  before: unknown
  after: unknown
  reason: string | null
  userAgent: string | null
  at: number
}

export function eventHash(prevHash: string, e: HashedEvent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(e)).digest('hex')
}
