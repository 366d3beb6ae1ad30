import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose'
import { newId } from '../db/ids.ts'
import type { SigningKeyRecord, Store, SubscriberRecord, TenantRecord } from '../db/store.ts'

/**
 * Link tokens (F3): compact JWTs signed with the tenant's current HMAC key, `kid` in the
 * header, the algorithm pinned to HS256 at verification. Every refusal — bad signature,
 * `alg: none` or another algorithm, another tenant's key, another kind, expired, revoked,
 * malformed — gives the same `null`, so callers answer them all alike.
 */

export const TOKEN_ALG = 'HS256'
/**
 * The kinds of token; each has its own `typ` header and cannot stand in for another. A
 * `preview` token speaks for no subscriber: it lets the console show the real widget with the
 * tenant's settings, and what it changes is answered, never stored.
 */
export type TokenKind = 'link' | 'preview'
const TYP: Record<TokenKind, string> = { link: 'heed-link+jwt', preview: 'heed-preview+jwt' }

/** The claims each kind must carry: a link names its version (revoke-links bumps it); a preview has none. */
const REQUIRED_CLAIMS: Record<TokenKind, string[]> = {
  link: ['sub', 'tid', 'ver', 'jti', 'iat', 'exp'],
  preview: ['sub', 'tid', 'jti', 'iat', 'exp'],
}

/** The `sub` of every preview token: a placeholder, not a subscriber. */
export const PREVIEW_SUBJECT = 'heed:preview'
/** How long a preview token works. */
export const PREVIEW_TTL_SECONDS = 3600

const secrets = new Map<string, Uint8Array>()
function keyBytes(key: SigningKeyRecord): Uint8Array {
  let bytes = secrets.get(key.kid)
  if (!bytes) {
    bytes = Buffer.from(key.secret, 'base64url')
    secrets.set(key.kid, bytes)
  }
  return bytes
}

export interface IssuedToken {
  token: string
  jti: string
  expiresAt: number
}

export async function issueToken(
  store: Store,
  opts: { issuer: string; tenantId: string; subscriber: SubscriberRecord; kind: 'link'; ttlSeconds: number; now: number },
): Promise<IssuedToken> {
  const key = await store.currentSigningKey(opts.tenantId, opts.now)
  const iat = Math.floor(opts.now / 1000)
  const exp = iat + opts.ttlSeconds
  const jti = newId('tok', 12)
  const token = await new SignJWT({ tid: opts.tenantId, ver: opts.subscriber.linkVersion })
    .setProtectedHeader({ alg: TOKEN_ALG, kid: key.kid, typ: TYP[opts.kind] })
    .setIssuer(opts.issuer)
    .setAudience(`heed:${opts.tenantId}`)
    .setSubject(opts.subscriber.id)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyBytes(key))
  return { token, jti, expiresAt: exp * 1000 }
}

export interface VerifiedToken {
  tenant: TenantRecord
  subscriber: SubscriberRecord
  jti: string
  expiresAt: number
  /**
   * False for a link that is correctly signed with a key not yet retired but has expired or
   * was revoked (only with `stale: true`): it may still make Heed send less, nothing else.
   */
  live: boolean
}

/** How far past its expiry jose is told to accept a stale link (any link Heed can have issued). */
const STALE_TOLERANCE_S = 1000 * 365 * 86_400

/** The latest instant a JavaScript date can hold, ms. */
const MAX_DATE_MS = 8.64e15

/**
 * A compact JWS whose three segments are canonical base64url: no padding, no white space, no
 * unused bits set in a last character. A decoder reads other spellings of the same token as
 * the same bytes; accepting them would give one link many names (and the rate limit, which
 * counts by the token's text, many counters).
 */
function isCanonical(token: string): boolean {
  const segments = token.split('.')
  return segments.length === 3 && segments.every((s) => BASE64URL.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s)
}
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** A token's signature checked with the key its `kid` names, at any age; null for any refusal. */
async function readSigned(store: Store, token: string, opts: { issuer: string; kind: TokenKind; now: number; anyAge: boolean }) {
  if (token.length > 4096 || !isCanonical(token)) return null
  let kid: unknown
  try {
    const header = decodeProtectedHeader(token)
    if (header.alg !== TOKEN_ALG) return null
    kid = header.kid
  } catch {
    return null
  }
  if (typeof kid !== 'string' || kid.length > 64) return null
  const key = await store.getSigningKey(kid)
  if (!key) return null
  try {
    const { payload } = await jwtVerify(token, keyBytes(key), {
      algorithms: [TOKEN_ALG],
      issuer: opts.issuer,
      audience: `heed:${key.tenantId}`,
      typ: TYP[opts.kind],
      requiredClaims: REQUIRED_CLAIMS[opts.kind],
      currentDate: new Date(opts.now),
      // An old link's expiry is judged by the caller, not refused here.
      ...(opts.anyAge ? { clockTolerance: STALE_TOLERANCE_S } : {}),
    })
    return { key, payload }
  } catch {
    return null
  }
}

/**
 * The tenant whose key signed this link, however old the link and even if the key is retired;
 * null when the signature does not verify. Only for saying whom to ask for a new link: such a
 * link may do nothing.
 */
export async function signingTenant(store: Store, token: string, opts: { issuer: string; kind: 'link'; now: number }): Promise<TenantRecord | null> {
  const signed = await readSigned(store, token, { ...opts, anyAge: true })
  return signed && signed.payload.tid === signed.key.tenantId ? store.getTenant(signed.key.tenantId) : null
}

/**
 * The tenant and subscriber a token speaks for, or null for any refusal. With `stale: true`,
 * an expired or revoked link whose signature verifies with a key that has not been retired
 * is answered too, with `live: false` (F3: a correctly signed link, however old, can always
 * make Heed send less); a retired key's links are refused either way, so a leaked key cannot
 * unsubscribe anyone.
 */
export async function verifyToken(
  store: Store,
  token: string,
  opts: { issuer: string; kind: 'link'; now: number; stale?: boolean },
): Promise<VerifiedToken | null> {
  const signed = await readSigned(store, token, { ...opts, anyAge: opts.stale === true })
  if (!signed) return null
  const { key, payload } = signed
  if (key.retiresAt !== null && key.retiresAt <= opts.now) return null
  if (payload.tid !== key.tenantId || typeof payload.ver !== 'number' || typeof payload.sub !== 'string') return null
  // One audience, issued no later than now (a minute's clock skew between processes), expiring
  // at an instant a date can hold.
  if (typeof payload.aud !== 'string' || !(payload.iat! * 1000 <= opts.now + 60_000)) return null
  if (!Number.isSafeInteger(payload.exp) || payload.exp! * 1000 > MAX_DATE_MS) return null
  const expiresAt = payload.exp! * 1000
  const [tenant, subscriber] = await Promise.all([store.getTenant(key.tenantId), store.getSubscriber(key.tenantId, payload.sub)])
  if (!tenant || !subscriber) return null
  // A version outside the record's range was never issued to it: ahead of it, or issued to an
  // earlier record under the same id, before an erasure (each record starts at a random version).
  if (payload.ver > subscriber.linkVersion || payload.ver < subscriber.linkFloor) return null
  const live = subscriber.linkVersion === payload.ver && expiresAt > opts.now
  if (!live && !opts.stale) return null
  return { tenant, subscriber, jti: String(payload.jti), expiresAt, live }
}

/** A preview token's tenant and expiry: it stands for no subscriber. */
export interface VerifiedPreview {
  tenant: TenantRecord
  jti: string
  expiresAt: number
}

/** A preview token for the tenant, working for PREVIEW_TTL_SECONDS. Nothing is stored. */
export async function issuePreviewToken(store: Store, opts: { issuer: string; tenantId: string; now: number }): Promise<IssuedToken> {
  const key = await store.currentSigningKey(opts.tenantId, opts.now)
  const iat = Math.floor(opts.now / 1000)
  const exp = iat + PREVIEW_TTL_SECONDS
  const jti = newId('prv', 12)
  const token = await new SignJWT({ tid: opts.tenantId })
    .setProtectedHeader({ alg: TOKEN_ALG, kid: key.kid, typ: TYP.preview })
    .setIssuer(opts.issuer)
    .setAudience(`heed:${opts.tenantId}`)
    .setSubject(PREVIEW_SUBJECT)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyBytes(key))
  return { token, jti, expiresAt: exp * 1000 }
}

/**
 * The tenant a preview token was issued for, or null for any refusal (the same refusals as a
 * link's, and a lifetime longer than a preview's). An expired preview does nothing at all.
 */
export async function verifyPreviewToken(store: Store, token: string, opts: { issuer: string; now: number }): Promise<VerifiedPreview | null> {
  const signed = await readSigned(store, token, { ...opts, kind: 'preview', anyAge: false })
  if (!signed) return null
  const { key, payload } = signed
  if (key.retiresAt !== null && key.retiresAt <= opts.now) return null
  if (payload.tid !== key.tenantId || payload.sub !== PREVIEW_SUBJECT || typeof payload.aud !== 'string') return null
  if (!Number.isSafeInteger(payload.iat) || !Number.isSafeInteger(payload.exp)) return null
  if (!(payload.iat! * 1000 <= opts.now + 60_000) || payload.exp! - payload.iat! > PREVIEW_TTL_SECONDS) return null
  const tenant = await store.getTenant(key.tenantId)
  return tenant ? { tenant, jti: String(payload.jti), expiresAt: payload.exp! * 1000 } : null
}

/**
 * The kind a token's header claims, unverified: only for choosing which verification to run.
 * Null for anything that is not a token of ours.
 */
export function claimedKind(token: string): TokenKind | null {
  try {
    const { typ } = decodeProtectedHeader(token)
    return (Object.keys(TYP) as TokenKind[]).find((k) => TYP[k] === typ) ?? null
  } catch {
    return null
  }
}
