import { sha256Hex } from '../db/ids.ts'
import type { SuppressionEntry } from '../db/store.ts'

/** The hashed entries that keep an erased person from being resubscribed by an import. */
export function suppressionEntries(tenantId: string, id: string, email: string | null | undefined): SuppressionEntry[] {
  const entries: SuppressionEntry[] = [{ kind: 'id', hash: sha256Hex(`${tenantId}\nid\n${id}`) }]
  if (email) entries.push({ kind: 'email', hash: sha256Hex(`${tenantId}\nemail\n${email.trim().toLowerCase()}`) })
  return entries
}

export const suppressionHashes = (tenantId: string, id: string, email: string | null | undefined) =>
  suppressionEntries(tenantId, id, email).map((e) => e.hash)
