import { createHash, randomBytes } from 'node:crypto'
import type { SigningKeyRecord } from './store.ts'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** A random id such as `key_3k9x…`: Crockford base32, 80 bits (5 random bits a character). */
export function newId(prefix: string, bytes = 16): string {
  const buf = randomBytes(bytes)
  let out = ''
  for (const b of buf) out += ALPHABET[b & 31]
  return `${prefix}_${out}`
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
