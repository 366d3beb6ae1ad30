/**
 * Postmark suppressions on one message stream: the broadcast stream the newsletters go out
 * on (a transactional stream stays untouched). Postmark has no topics, so only
 * `status` is mirrored.
 *
 *   https://postmarkapp.com/developer/api/suppressions-api
 */
import { call, VendorError } from './vendor.ts'

export interface PostmarkConfig {
  baseUrl: string
  serverToken: string
  /** The message stream's id, e.g. `broadcast`. */
  stream: string
}

/**
 * POST /message-streams/{stream_id}/suppressions, or .../suppressions/delete, with
 * {"Suppressions": [{"EmailAddress": ...}]}. Postmark answers 200 with a status for each
 * address; one that says `Failed` is a failure too.
 */
export async function change(config: PostmarkConfig, email: string, action: 'suppress' | 'lift'): Promise<void> {
  const path = `/message-streams/${encodeURIComponent(config.stream)}/suppressions${action === 'lift' ? '/delete' : ''}`
  const { text } = await call('postmark', `${config.baseUrl}${path}`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-Postmark-Server-Token': config.serverToken },
    body: JSON.stringify({ Suppressions: [{ EmailAddress: email }] }),
  })
  let results: unknown
  try {
    results = (JSON.parse(text) as { Suppressions?: unknown }).Suppressions
  } catch {
    throw new VendorError('postmark', 200, `${path}: the answer is not JSON`)
  }
  const failed = Array.isArray(results) ? results.find((r: { Status?: unknown }) => r?.Status === 'Failed') : undefined
  if (failed) throw new VendorError('postmark', 200, `${path}: ${JSON.stringify(failed)}`)
}
