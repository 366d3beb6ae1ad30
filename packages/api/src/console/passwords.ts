import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Console passwords, hashed with scrypt (memory-hard) from node:crypto. A hash is written
 * `scrypt$N=32768,r=8,p=1$<salt>$<key>` (base64url), so its parameters can be raised later
 * and older hashes still verify with the ones they were made with.
 */

/** 2^15 × 8 × 128 bytes = 32 MiB of memory a hash. */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_BYTES = 32
const SALT_BYTES = 16

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, PARAMS)
  return `scrypt$N=${PARAMS.N},r=${PARAMS.r},p=${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

const FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/

/** The salt of the derivation run when there is no hash to compare with, so that answer takes as long as the others. */
const DECOY_SALT = randomBytes(SALT_BYTES)

/**
 * True when `password` is the one `stored` was made from, compared in constant time. With no
 * stored hash (no such user, or no password chosen yet) scrypt runs all the same and the
 * answer is false: the time taken does not tell whether the address exists.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const m = stored === null ? null : FORMAT.exec(stored)
  if (!m) {
    await derive(password, DECOY_SALT, PARAMS)
    return false
  }
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const expected = Buffer.from(m[5]!, 'base64url')
  if (N > 2 ** 20 || r > 32 || p > 16 || expected.length !== KEY_BYTES) return false
  const key = await derive(password, Buffer.from(m[4]!, 'base64url'), { N, r, p })
  return timingSafeEqual(key, expected)
}
