/**
 * SendGrid unsubscribe groups (suppression groups): one group per mapped Heed topic.
 *
 * An unsubscribe from Heed suppresses the address in every mapped group, not on SendGrid's
 * global unsubscribe list: a global unsubscribe stops all mail to the address, receipts and
 * password resets included, while Heed still lets a `required` topic through to an
 * unsubscribed subscriber. Leave such topics' groups out of SENDGRID_GROUPS.
 *
 *   add:    https://www.twilio.com/docs/sendgrid/api-reference/suppressions-suppressions/add-suppressions-to-a-suppression-group
 *   remove: https://www.twilio.com/docs/sendgrid/api-reference/suppressions-suppressions/delete-a-suppression-from-a-suppression-group
 */
import { call } from './vendor.ts'

export interface SendgridConfig {
  baseUrl: string
  apiKey: string
  /** Heed topic key → suppression group id. */
  groups: ReadonlyMap<string, string>
}

const groupPath = (group: string) => `/v3/asm/groups/${encodeURIComponent(group)}/suppressions`

/** Adds the address to each group: POST /v3/asm/groups/{group_id}/suppressions. */
export async function suppress(config: SendgridConfig, email: string, groups: readonly string[]): Promise<void> {
  await Promise.all(
    groups.map((group) =>
      call('sendgrid', `${config.baseUrl}${groupPath(group)}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${config.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ recipient_emails: [email] }),
      }),
    ),
  )
}

/** Removes the address from each group: DELETE /v3/asm/groups/{group_id}/suppressions/{email}. */
export async function lift(config: SendgridConfig, email: string, groups: readonly string[]): Promise<void> {
  await Promise.all(
    groups.map((group) =>
      call('sendgrid', `${config.baseUrl}${groupPath(group)}/${encodeURIComponent(email)}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${config.apiKey}` },
      }),
    ),
  )
}
