/** Who is signed in, and what their role lets the console offer (the API decides). */

export type Role = 'owner' | 'editor' | 'viewer'

export interface Session {
  user: { id: string; email: string; name: string | null; role: Role }
  tenant: { id: string; name: string }
}

/** Topics, subscribers (imports too) and settings: owners and editors. */
export const canEdit = (s: Session | null | undefined) => s?.user.role === 'owner' || s?.user.role === 'editor'
/** Keys and people: owners. */
export const canAdminister = (s: Session | null | undefined) => s?.user.role === 'owner'
