/**
 * Amazon SES v2 contact-list topics: one contact per address in SES_CONTACT_LIST, a topic
 * preference per mapped Heed topic, and UnsubscribeAll for Heed's `unsubscribed`. Heed is the
 * source of truth: the whole contact is written each time, so a preference for an unmapped
 * topic (e.g. set on SES's own subscription page) is replaced.
 *
 *   UpdateContact: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_UpdateContact.html
 *   CreateContact: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateContact.html
 */
import type { SesContact } from './sync.ts'
import { type Credentials, sign } from './sigv4.ts'
import { call } from './vendor.ts'

export interface SesConfig {
  /** https://email.{region}.amazonaws.com */
  baseUrl: string
  region: string
  credentials: Credentials
  contactList: string
  /** Heed topic key → SES topic name. */
  topics: ReadonlyMap<string, string>
}

function request(config: SesConfig, method: string, path: string, payload: unknown) {
  const url = `${config.baseUrl}${path}`
  const body = JSON.stringify(payload)
  // The signing name of SES v2 is `ses`, though the host is `email.`.
  const headers = sign({ method, url, body, region: config.region, service: 'ses', headers: { 'content-type': 'application/json' } }, config.credentials)
  return call('ses', url, { method, headers, body }, [404])
}

/**
 * Writes the contact: PUT /v2/email/contact-lists/{list}/contacts/{email} (UpdateContact); when
 * SES has no such contact (404), POST /v2/email/contact-lists/{list}/contacts (CreateContact).
 */
export async function putContact(config: SesConfig, email: string, contact: SesContact): Promise<'updated' | 'created'> {
  const list = `/v2/email/contact-lists/${encodeURIComponent(config.contactList)}/contacts`
  const updated = await request(config, 'PUT', `${list}/${encodeURIComponent(email)}`, contact)
  if (updated.status !== 404) return 'updated'
  const created = await request(config, 'POST', list, { EmailAddress: email, ...contact })
  if (created.status === 404) throw new Error(`ses: contact list ${config.contactList} not found: ${created.text.slice(0, 200)}`)
  return 'created'
}
