import { z } from 'zod'

/**
 * Every body the API accepts or returns, as zod schemas. The API validates with these,
 * the widget and the examples import the inferred types, and the OpenAPI document is
 * generated from them: there is no second copy of the contract.
 */

const validZones = new Set<string>()
/** Zone names remembered as valid, at most; past it the memo starts over. Invalid ones never are. */
const MAX_VALID_ZONES = 1024
/**
 * True for an IANA zone name this runtime's `Intl` knows. Valid names are memoised, boundedly;
 * a rejected name is not kept, so names sent only to be refused cost no memory.
 */
export function isTimeZone(name: string): boolean {
  if (validZones.has(name)) return true
  if (name.length > 64) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
  } catch {
    return false
  }
  if (validZones.size >= MAX_VALID_ZONES) validZones.clear()
  validZones.add(name)
  return true
}

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1
  } catch {
    return false
  }
}

const SLUG = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/
export const slugSchema = z.string().min(1).max(64).regex(SLUG, 'use lowercase letters, digits, "-" and "_"')
export const channelSchema = slugSchema.max(32)
export const localeSchema = z
  .string()
  .min(2)
  .max(35)
  .refine(isLocale, 'must be a BCP 47 language tag such as "en" or "zh-Hant"')
export const timeZoneSchema = z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Tallinn"')
export const instantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, such as "2026-05-01T09:00:00Z"' })
export const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time "HH:MM"')
export const subscriberIdSchema = z.string().min(1).max(128)

export const capPeriodSchema = z.enum(['day', 'week', 'month'])
export const capSchema = z.strictObject({
  max: z.number().int().min(1).max(1000),
  per: capPeriodSchema,
  channel: channelSchema.optional(),
})

/** Quiet hours in the subscriber's zone; `end <= start` crosses midnight, `end == start` is a whole day. */
export const quietHoursSchema = z
  .strictObject({
    start: clockTimeSchema,
    end: clockTimeSchema,
    days: z
      .array(z.number().int().min(0).max(6))
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'must not repeat a day')
      .optional(),
  })
  .refine(
    (q) => q.start !== q.end || (q.days !== undefined && new Set(q.days).size < 7),
    { message: 'quiet hours from a time to the same time on every day would block every message; list the days', path: ['end'] },
  )

/**
 * Limits no real brand meets and every abuser does: a tenant's topics all go to every
 * subscriber who opens the widget, so their size is every subscriber's wait.
 */
export const LIMITS = {
  /** Characters of a topic's name, in each locale. */
  topicName: 120,
  /** Characters of a topic's description, in each locale. */
  topicDescription: 500,
  /** Locales of one localized text. */
  localesPerText: 20,
  /** Live topics of a tenant. */
  topicsPerTenant: 100,
  /** Channels of a tenant (and of a topic). */
  channelsPerTenant: 16,
} as const

/** Text in several locales, each at most `max` characters. */
const localized = (max: number) =>
  z
    .record(localeSchema, z.string().min(1).max(max))
    .refine((r) => Object.keys(r).length > 0, 'needs at least one locale')
    .refine((r) => Object.keys(r).length <= LIMITS.localesPerText, `at most ${LIMITS.localesPerText} locales`)

export const localizedTextSchema = localized(Math.max(LIMITS.topicName, LIMITS.topicDescription))

export const brandingSchema = z.strictObject({
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour "#rrggbb"').optional(),
  logoUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
})

export const originSchema = z
  .string()
  .max(255)
  .refine((s) => {
    try {
      const u = new URL(s)
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s
    } catch {
      return false
    }
  }, 'must be an origin such as "https://shop.example" (scheme and host, no path or trailing slash)')

export const DAY_SECONDS = 86_400
export const MIN_LINK_TTL_SECONDS = 60 * DAY_SECONDS
export const DEFAULT_LINK_TTL_SECONDS = 90 * DAY_SECONDS

const uniqueList = <T extends z.ZodType<string>>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((a) => new Set(a).size === a.length, 'must not repeat an entry')

export const frequencyOptionSchema = capSchema.omit({ channel: true })

export const tenantSettingsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  allowedOrigins: uniqueList(originSchema, 50),
  defaultLocale: localeSchema,
  defaultTimezone: timeZoneSchema,
  channels: uniqueList(channelSchema, LIMITS.channelsPerTenant).min(1),
  frequencyOptions: z.array(frequencyOptionSchema).max(12),
  branding: brandingSchema,
  linkTtlSeconds: z
    .number()
    .int()
    .min(MIN_LINK_TTL_SECONDS, 'links placed in email must live at least 60 days (5184000 s)')
    .max(400 * DAY_SECONDS),
})

export const DEFAULT_TENANT_SETTINGS = {
  allowedOrigins: [],
  defaultLocale: 'en',
  defaultTimezone: 'UTC',
  channels: ['email'],
  frequencyOptions: [
    { max: 1, per: 'day' },
    { max: 3, per: 'week' },
    { max: 1, per: 'week' },
    { max: 2, per: 'month' },
  ],
  branding: {},
  linkTtlSeconds: DEFAULT_LINK_TTL_SECONDS,
} satisfies Omit<z.infer<typeof tenantSettingsSchema>, 'name'>

/** Console roles: owner (everything), editor (topics, subscribers, settings, links), viewer (read only). */
export const consoleRoleSchema = z.enum(['owner', 'editor', 'viewer'])
/** A console user's address: one person across Heed, compared and stored in lower case. */
export const consoleEmailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('must be an e-mail address'))
  .transform((s) => s.toLowerCase())
export const CONSOLE_PASSWORD_MIN = 10
export const CONSOLE_PASSWORD_MAX = 200
export const consolePasswordSchema = z
  .string()
  .min(CONSOLE_PASSWORD_MIN, `use at least ${CONSOLE_PASSWORD_MIN} characters`)
  .max(CONSOLE_PASSWORD_MAX, `use at most ${CONSOLE_PASSWORD_MAX} characters`)
export const createTenantBodySchema = tenantSettingsSchema.partial().extend({
  id: slugSchema.optional(),
  name: tenantSettingsSchema.shape.name,
  /** The tenant's first console owner: with a password they can sign in at once, without one they are invited by e-mail. */
  owner: z.strictObject({ email: consoleEmailSchema, password: consolePasswordSchema.optional() }).optional(),
})
export const patchTenantBodySchema = tenantSettingsSchema.partial()

export const tenantSchema = tenantSettingsSchema.extend({
  id: slugSchema,
  createdAt: instantSchema,
  updatedAt: instantSchema,
})

export const apiKeyRoleSchema = z.enum(['admin', 'sender'])
export const createApiKeyBodySchema = z.strictObject({
  role: apiKeyRoleSchema,
  name: z.string().trim().min(1).max(100).optional(),
})
export const apiKeySchema = z.object({
  id: z.string(),
  role: apiKeyRoleSchema,
  name: z.string().nullable(),
  prefix: z.string(),
  createdAt: instantSchema,
  revokedAt: instantSchema.nullable(),
})
/** The only time a secret is shown. */
export const createdApiKeySchema = apiKeySchema.extend({ secret: z.string() })

export const topicBodySchema = z.strictObject({
  name: z.union([z.string().trim().min(1).max(LIMITS.topicName), localized(LIMITS.topicName)]),
  description: z.union([z.string().trim().min(1).max(LIMITS.topicDescription), localized(LIMITS.topicDescription)]).optional(),
  category: z.string().trim().min(1).max(64).optional(),
  channels: uniqueList(channelSchema, LIMITS.channelsPerTenant).min(1).optional(),
  defaultSubscribed: z.boolean().optional(),
  required: z.boolean().optional(),
  order: z.number().int().min(-1_000_000).max(1_000_000).optional(),
})

export const topicSchema = z.object({
  key: slugSchema,
  name: localizedTextSchema,
  description: localizedTextSchema.nullable(),
  category: z.string(),
  channels: z.array(channelSchema),
  defaultSubscribed: z.boolean(),
  required: z.boolean(),
  order: z.number().int(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
})

export const subscriberStatusSchema = z.enum(['subscribed', 'unsubscribed'])
export const channelSwitchesSchema = z.record(channelSchema, z.boolean())

export const topicPreferenceSchema = z.strictObject({
  subscribed: z.boolean().optional(),
  channels: channelSwitchesSchema.optional(),
  cap: capSchema.nullable().optional(),
})

/** A partial subscriber state: what is given changes, what is left out stays, `null` clears. */
export const subscriberPatchSchema = z.strictObject({
  email: z.email().max(254).nullable().optional(),
  locale: localeSchema.nullable().optional(),
  timezone: timeZoneSchema.nullable().optional(),
  status: subscriberStatusSchema.optional(),
  channels: channelSwitchesSchema.optional(),
  topics: z.record(slugSchema, topicPreferenceSchema.nullable()).optional(),
  cap: capSchema.nullable().optional(),
  quietHours: quietHoursSchema.nullable().optional(),
  pausedUntil: instantSchema.nullable().optional(),
})

export const storedTopicPreferenceSchema = z.object({
  subscribed: z.boolean().optional(),
  channels: channelSwitchesSchema.optional(),
  cap: capSchema.optional(),
})

export const subscriberSchema = z.object({
  id: subscriberIdSchema,
  email: z.string().nullable(),
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  status: subscriberStatusSchema,
  channels: channelSwitchesSchema,
  topics: z.record(z.string(), storedTopicPreferenceSchema),
  cap: capSchema.nullable(),
  quietHours: quietHoursSchema.nullable(),
  pausedUntil: instantSchema.nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
})

export const decisionReasonSchema = z.enum([
  'unknown_subscriber',
  'unknown_topic',
  'required',
  'unsubscribed',
  'channel_opted_out',
  'topic_opted_out',
  'paused',
  'quiet_hours',
  'frequency_cap',
  'ok',
])

export const decisionSchema = z.object({
  allowed: z.boolean(),
  reason: decisionReasonSchema,
  retryAt: instantSchema.nullable(),
  subscriberId: z.string(),
  topic: z.string(),
  channel: z.string(),
})

export const checkItemSchema = z.strictObject({
  subscriberId: subscriberIdSchema,
  topic: slugSchema,
  channel: channelSchema.optional(),
})
export const checkBodySchema = checkItemSchema.extend({ at: instantSchema.optional() })

export const MAX_BATCH_CHECKS = 10_000
export const batchCheckBodySchema = z.strictObject({
  at: instantSchema.optional(),
  checks: z.array(checkItemSchema).min(1).max(MAX_BATCH_CHECKS, `at most ${MAX_BATCH_CHECKS} checks per batch`),
})
const CHECK_KEYS = new Set(['subscriberId', 'topic', 'channel'])

/**
 * True when every item would pass `checkItemSchema`: the same rules, written out for the
 * 10,000-item hot path (a fifth of the cost). Anything it does not accept is handed to the
 * schema, which stays the one source of truth and of error messages.
 */
export function isValidCheckItems(items: unknown): items is z.infer<typeof checkItemSchema>[] {
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_BATCH_CHECKS) return false
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return false
    for (const key in item) if (!CHECK_KEYS.has(key)) return false
    const { subscriberId, topic, channel } = item as Record<string, unknown>
    if (typeof subscriberId !== 'string' || subscriberId.length < 1 || subscriberId.length > 128) return false
    if (typeof topic !== 'string' || topic.length > 64 || !SLUG.test(topic)) return false
    if (channel !== undefined && (typeof channel !== 'string' || channel.length > 32 || !SLUG.test(channel))) return false
  }
  return true
}

export const batchCheckResponseSchema = z.object({ results: z.array(decisionSchema) })

export const dispatchBodySchema = checkBodySchema.extend({
  messageId: z.string().min(1).max(255),
  enforce: z.boolean().optional(),
})
export const dispatchResponseSchema = z.object({ recorded: z.boolean(), decision: decisionSchema })

export const consentSourceSchema = z.enum(['widget', 'link', 'one_click', 'api', 'import'])
/**
 * What a consent event records: a subscriber created or changed, an unsubscribe reason given
 * after the fact (consent unchanged), or an erasure (their earlier events stay in the chain,
 * their content gone).
 */
export const consentEventTypeSchema = z.enum(['subscriber.created', 'subscriber.updated', 'subscriber.reason_given', 'subscriber.erased'])

export type Cap = z.infer<typeof capSchema>
export type CapPeriod = z.infer<typeof capPeriodSchema>
export type QuietHours = z.infer<typeof quietHoursSchema>
export type LocalizedText = z.infer<typeof localizedTextSchema>
export type TenantSettings = z.infer<typeof tenantSettingsSchema>
export type Tenant = z.infer<typeof tenantSchema>
export type CreateTenantBody = z.infer<typeof createTenantBodySchema>
export type PatchTenantBody = z.infer<typeof patchTenantBodySchema>
export type ApiKeyRole = z.infer<typeof apiKeyRoleSchema>
export type ApiKey = z.infer<typeof apiKeySchema>
export type TopicBody = z.infer<typeof topicBodySchema>
export type Topic = z.infer<typeof topicSchema>
export type SubscriberStatus = z.infer<typeof subscriberStatusSchema>
export type TopicPreference = z.infer<typeof storedTopicPreferenceSchema>
export type SubscriberPatch = z.infer<typeof subscriberPatchSchema>
export type Subscriber = z.infer<typeof subscriberSchema>
export type DecisionReason = z.infer<typeof decisionReasonSchema>
export type Decision = z.infer<typeof decisionSchema>
export type CheckBody = z.infer<typeof checkBodySchema>
export type BatchCheckBody = z.infer<typeof batchCheckBodySchema>
export type DispatchBody = z.infer<typeof dispatchBodySchema>
export type DispatchResponse = z.infer<typeof dispatchResponseSchema>
export type ConsentSource = z.infer<typeof consentSourceSchema>
export type ConsentEventType = z.infer<typeof consentEventTypeSchema>

export const linkBodySchema = z.strictObject({
  subscriberId: subscriberIdSchema,
  /** Shorter than the tenant's linkTtlSeconds, for a session minted by a logged-in page. */
  ttlSeconds: z.number().int().min(60).optional(),
})
export const linkResponseSchema = z.object({
  token: z.string(),
  preferencesUrl: z.url(),
  unsubscribeUrl: z.url(),
  expiresAt: instantSchema,
  headers: z.object({ 'List-Unsubscribe': z.string(), 'List-Unsubscribe-Post': z.literal('List-Unsubscribe=One-Click') }),
})

/** A preview token for the console's widget preview: it speaks for no subscriber and stores nothing. */
export const previewLinkResponseSchema = z.object({
  token: z.string(),
  expiresAt: instantSchema,
})

export const rotateSigningKeyBodySchema = z.strictObject({
  /** How long links signed with earlier keys keep working; default the tenant's linkTtlSeconds, 0 ends them now. */
  retireAfterSeconds: z.number().int().min(0).max(400 * DAY_SECONDS).optional(),
})

/** What a subscriber may change about themselves through a link (not their email). */
export const mePatchSchema = subscriberPatchSchema.omit({ email: true })
export const unsubscribeBodySchema = z.strictObject({
  reason: z.string().trim().max(500).optional(),
})

export const meTopicSchema = topicSchema.omit({ createdAt: true, updatedAt: true })
export const meResponseSchema = z.object({
  tenant: z.object({
    id: z.string(),
    name: z.string(),
    defaultLocale: z.string(),
    defaultTimezone: z.string(),
    channels: z.array(z.string()),
    frequencyOptions: z.array(frequencyOptionSchema),
    branding: brandingSchema,
  }),
  topics: z.array(meTopicSchema),
  subscriber: subscriberSchema.omit({ createdAt: true, updatedAt: true }).extend({
    /** Masked: `m***@example.com`. */
    email: z.string().nullable(),
  }),
  link: z.object({ expiresAt: instantSchema }),
})

/** An import's job and the consent proof its row gave; only on events an import made. */
export const consentProofSchema = z.object({
  importId: z.string(),
  consentedAt: instantSchema.optional(),
  consentSource: z.string().optional(),
  consentText: z.string().optional(),
  ip: z.string().optional(),
})
export const consentEventSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  subscriberId: z.string().nullable(),
  type: consentEventTypeSchema,
  source: consentSourceSchema,
  actor: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  userAgent: z.string().nullable(),
  proof: consentProofSchema.nullable(),
  at: instantSchema,
  hash: z.string(),
  erased: z.boolean(),
})
/** The largest `seq` a ledger holds (a 32-bit column on PostgreSQL). */
export const MAX_EVENT_SEQ = 2_147_483_647
export const eventsQuerySchema = z.object({
  subscriberId: subscriberIdSchema.optional(),
  type: consentEventTypeSchema.optional(),
  source: consentSourceSchema.optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
  after: z.coerce.number().int().min(0).max(MAX_EVENT_SEQ).optional(),
  before: z.coerce.number().int().min(1).max(MAX_EVENT_SEQ).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})
export type EventsQuery = z.infer<typeof eventsQuerySchema>

export type LinkBody = z.infer<typeof linkBodySchema>
export type LinkResponse = z.infer<typeof linkResponseSchema>
export type PreviewLinkResponse = z.infer<typeof previewLinkResponseSchema>
export type MePatch = z.infer<typeof mePatchSchema>
export type MeResponse = z.infer<typeof meResponseSchema>
export type MeTopic = z.infer<typeof meTopicSchema>
export type ConsentEvent = z.infer<typeof consentEventSchema>

// ---- the merchant console: people and sign-in ---------------------------------------------

const personNameSchema = z.string().trim().min(1).max(100)

export const signInBodySchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(CONSOLE_PASSWORD_MAX),
})
export const consoleUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: consoleRoleSchema,
  createdAt: instantSchema,
})
export const sessionResponseSchema = z.object({
  user: consoleUserSchema.pick({ id: true, email: true, name: true, role: true }),
  tenant: z.object({ id: z.string(), name: z.string() }),
})
export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: consoleRoleSchema,
  invitedBy: z.string().nullable(),
  createdAt: instantSchema,
  expiresAt: instantSchema,
})
export const inviteBodySchema = z.strictObject({ email: consoleEmailSchema, role: consoleRoleSchema })
export const changeRoleBodySchema = z.strictObject({ role: consoleRoleSchema })
export const acceptInvitationBodySchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: consolePasswordSchema,
  name: personNameSchema.optional(),
})
export const changePasswordBodySchema = z.strictObject({
  current: z.string().min(1).max(CONSOLE_PASSWORD_MAX),
  new: consolePasswordSchema,
})

export type ConsoleRole = z.infer<typeof consoleRoleSchema>
export type ConsoleUser = z.infer<typeof consoleUserSchema>
export type SessionResponse = z.infer<typeof sessionResponseSchema>
export type Invitation = z.infer<typeof invitationSchema>
