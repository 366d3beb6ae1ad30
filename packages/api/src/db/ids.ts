import { createHash, randomBytes } from 'node:crypto'
import type { SigningKeyRecord } from './store.ts'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** Random bytes drawn a few kilobytes at a time: an import makes a million ids, and each draw is a call into the system. */
let pool = Buffer.alloc(0)
let used = 0

/** A random id such as `key_3k9x…`: Crockford base32, 80 bits (5 random bits a character). */
export function newId(prefix: string, bytes = 16): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(Math.max(4096, bytes))
    used = 0
  }
  let out = ''
  for (let i = used; i < used + bytes; i++) out += ALPHABET[pool[i]! & 31]
  used += bytes
  return `${prefix}_${out}`
}

/**
 * An id that sorts by when it was made: the time in milliseconds as 10 base32 characters, then
 * 80 random bits as `newId` has. Consent events get one: their unique index then grows at its
 * end instead of at random places (a large import writes a million of them).
 */
export function newTimeOrderedId(prefix: string, at = Date.now()): string {
  let time = ''
  for (let t = at, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time
  return `${prefix}_${time}${newId('', 16).slice(1)}`
}

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

/** A fresh random HMAC key for signing links. */
export function newSigningKey(tenantId: string, at: number): SigningKeyRecord {
  return { kid: newId('sig'), tenantId, secret: randomBytes(32).toString('base64url'), createdAt: at, retiresAt: null }
}

/** The key dated after `latest`, so "newest" is unambiguous even within one millisecond. */
export function newerThan(key: SigningKeyRecord, latest: number | undefined): SigningKeyRecord {
  return latest !== undefined && latest >= key.createdAt ? { ...key, createdAt: latest + 1 } : key
}
