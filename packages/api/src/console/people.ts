import type { ConsoleRole, ConsoleUser, Invitation, SessionResponse } from '@heed/shared'
import { newId } from '../db/ids.ts'
import type { ConsoleUserRecord, InvitationRecord, NewMail, TenantRecord } from '../db/store.ts'
import { iso } from '../http/views.ts'

/** An invitation's link works this long after it was made. */
export const INVITATION_TTL_MS = 7 * 86_400_000

export const newUserId = () => newId('usr')

/** A pending invitation and the mail that carries its link (the sender mints the token as it sends). */
export function newInvitation(tenantId: string, email: string, role: ConsoleRole, invitedBy: string | null, at: number): { invitation: InvitationRecord; mail: NewMail } {
  const invitation: InvitationRecord = { id: newId('inv'), tenantId, email, role, invitedBy, createdAt: at, expiresAt: at + INVITATION_TTL_MS, acceptedAt: null }
  // The mail is in the tenant's default language: nothing is known of the invitee's.
  const mail: NewMail = { id: newId('mail'), tenantId, kind: 'invitation', address: email, ref: invitation.id, locale: null, at }
  return { invitation, mail }
}

export const userView = (u: ConsoleUserRecord): ConsoleUser => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: iso(u.createdAt) })

export const invitationView = (i: InvitationRecord): Invitation => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invitedBy: i.invitedBy,
  createdAt: iso(i.createdAt),
  expiresAt: iso(i.expiresAt),
})

export const sessionView = (user: ConsoleUserRecord, tenant: TenantRecord): SessionResponse => ({
  user: { id: user.id, email: user.email, name: user.name, role: user.role },
  tenant: { id: tenant.id, name: tenant.settings.name },
})
