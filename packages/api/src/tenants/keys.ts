import { randomBytes } from 'node:crypto'
import type { ApiKeyRole } from '@heed/shared'
import { newId, sha256Hex } from '../db/ids.ts'
import type { NewApiKey } from '../db/store.ts'

/** A new API key: the record to store (hash only) and the secret to show once. */
export function mintApiKey(tenantId: string, role: ApiKeyRole, name: string | null, at: number): { record: NewApiKey; secret: string } {
  const secret = `heed_${role === 'admin' ? 'ak' : 'sk'}_${randomBytes(24).toString('base64url')}`
  return {
    secret,
    record: { id: newId('key'), tenantId, role, name, prefix: secret.slice(0, 12), hash: sha256Hex(secret), createdAt: at, revokedAt: null },
  }
}
