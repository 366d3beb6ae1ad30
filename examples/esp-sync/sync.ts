/**
 * What Heed's webhooks mean for an ESP, with no I/O: the event read from a verified body, and
 * for a consent event the plan of what each ESP should change for the address.
 *
 * One rule serves `subscriber.created`, `.updated`, `.unsubscribed` and `.resubscribed`: work
 * out what each ESP should hold for the subscriber before the event and after it, and push
 * only the difference. So an unsubscribe suppresses every mapped group, a resubscribe lifts
 * them all except the groups of topics the subscriber had turned off, and a topic switched
 * off or on touches that topic's group alone.
 */

/** The consent events whose `before` and `after` say what changed. */
const CHANGES = new Set(['subscriber.created', 'subscriber.updated', 'subscriber.unsubscribed', 'subscriber.resubscribed'])

/** The fields of a subscriber's state this service reads; the rest of the state is ignored. */
export interface State {
  email: string | null
  status: 'subscribed' | 'unsubscribed'
  topics: Record<string, { subscribed?: boolean }>
}

export interface ConsentData {
  eventId: string
  seq: number
  tenantId: string
  subscriberId: string | null
  before: State | null
  after: State | null
}

export type HeedEvent =
  | { kind: 'change'; type: string; data: ConsentData }
  | { kind: 'erased'; type: 'subscriber.erased'; eventId: string }
  /** `subscriber.reason_given` (consent unchanged), `topic.*`, and types added later. */
  | { kind: 'other'; type: string }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function readState(v: unknown, where: string): State | null | string {
  if (v === null) return null
  if (!isRecord(v)) return `${where} is not an object`
  const { email, status, topics } = v
  if (email !== null && typeof email !== 'string') return `${where}.email is not a string or null`
  if (status !== 'subscribed' && status !== 'unsubscribed') return `${where}.status is not subscribed or unsubscribed`
  if (!isRecord(topics)) return `${where}.topics is not an object`
  const out: State['topics'] = {}
  for (const [key, pref] of Object.entries(topics)) {
    if (!isRecord(pref)) return `${where}.topics.${key} is not an object`
    if (pref.subscribed !== undefined && typeof pref.subscribed !== 'boolean') return `${where}.topics.${key}.subscribed is not a boolean`
    out[key] = pref.subscribed === undefined ? {} : { subscribed: pref.subscribed }
  }
  return { email, status, topics: out }
}

/** Reads a verified body; a string is what is wrong with it. */
export function parseEvent(body: unknown): HeedEvent | string {
  if (!isRecord(body) || typeof body.type !== 'string' || !isRecord(body.data)) return 'expected {"type": string, "data": object}'
  const { type, data } = body
  if (type === 'subscriber.erased') return typeof data.eventId === 'string' ? { kind: 'erased', type, eventId: data.eventId } : 'data.eventId is not a string'
  if (!CHANGES.has(type)) return { kind: 'other', type }
  const { eventId, seq, tenantId, subscriberId } = data
  if (typeof eventId !== 'string' || typeof seq !== 'number' || typeof tenantId !== 'string') return 'data.eventId, data.seq or data.tenantId is missing'
  if (subscriberId !== null && typeof subscriberId !== 'string') return 'data.subscriberId is not a string or null'
  const before = readState(data.before, 'data.before')
  if (typeof before === 'string') return before
  const after = readState(data.after, 'data.after')
  if (typeof after === 'string') return after
  return { kind: 'change', type, data: { eventId, seq, tenantId, subscriberId, before, after } }
}

/** Heed topic key → the ESP's group id (SendGrid) or topic name (SES). */
export type TopicMap = ReadonlyMap<string, string>

export interface SesContact {
  TopicPreferences: Array<{ TopicName: string; SubscriptionStatus: 'OPT_IN' | 'OPT_OUT' }>
  UnsubscribeAll: boolean
}

export interface Plan {
  email: string
  sendgrid: { suppress: string[]; lift: string[] }
  postmark: 'suppress' | 'lift' | null
  /** The whole contact to write, or null when it would not change. */
  ses: SesContact | null
}

/** The subscriber's own choice for a topic; undefined is "not chosen" (the topic's default). */
const chosen = (s: State, key: string): boolean | undefined => (Object.hasOwn(s.topics, key) ? s.topics[key]?.subscribed : undefined)

/** The SendGrid groups an address should be suppressed in: all of them when unsubscribed. */
export function suppressedGroups(s: State | null, groups: TopicMap): Set<string> {
  const out = new Set<string>()
  if (s === null) return out
  for (const [topic, group] of groups) if (s.status === 'unsubscribed' || chosen(s, topic) === false) out.add(group)
  return out
}

/**
 * The SES contact for a state. UpdateContact replaces the contact's topic preferences
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_UpdateContact.html: "You must
 * specify all existing topic preferences ... otherwise, all your existing preferences will be
 * removed"), so the contact always carries every mapped topic the subscriber has chosen; a
 * topic not chosen is left out and the SES topic's default subscription status applies.
 */
export function sesContact(s: State | null, topics: TopicMap): SesContact {
  const prefs: SesContact['TopicPreferences'] = []
  if (s === null) return { TopicPreferences: prefs, UnsubscribeAll: false }
  for (const [topic, name] of topics) {
    const choice = chosen(s, topic)
    if (choice !== undefined) prefs.push({ TopicName: name, SubscriptionStatus: choice ? 'OPT_IN' : 'OPT_OUT' })
  }
  return { TopicPreferences: prefs, UnsubscribeAll: s.status === 'unsubscribed' }
}

/**
 * What to change for one consent event, or null when there is no address to change. The
 * address is `after.email`, or `before.email` when the address was removed. A new address
 * starts from the ESP's default (nothing suppressed) and gets the whole of `after`; the old
 * one keeps what it had: a suppression left on an address no longer used does no harm.
 */
export function plan(data: ConsentData, maps: { sendgrid: TopicMap; ses: TopicMap }): Plan | null {
  const { before, after } = data
  if (after === null) return null
  const email = after.email ?? before?.email ?? null
  if (email === null) return null
  const from = before !== null && before.email === email ? before : null

  const was = suppressedGroups(from, maps.sendgrid)
  const now = suppressedGroups(after, maps.sendgrid)
  const wasOut = from?.status === 'unsubscribed'
  const nowOut = after.status === 'unsubscribed'
  const contact = sesContact(after, maps.ses)
  return {
    email,
    sendgrid: { suppress: [...now].filter((g) => !was.has(g)), lift: [...was].filter((g) => !now.has(g)) },
    postmark: wasOut === nowOut ? null : nowOut ? 'suppress' : 'lift',
    ses: JSON.stringify(sesContact(from, maps.ses)) === JSON.stringify(contact) ? null : contact,
  }
}

/** Parses `news:123,promo:456` (Heed topic key : the ESP's id) into a map. */
export function parseTopicMap(spec: string | undefined, name: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const entry of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.indexOf(':')
    const key = entry.slice(0, at).trim()
    const value = entry.slice(at + 1).trim()
    if (at < 1 || !value) throw new Error(`${name}: "${entry}" is not topicKey:id`)
    out.set(key, value)
  }
  return out
}
