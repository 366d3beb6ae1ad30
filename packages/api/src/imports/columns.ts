import { isIP } from 'node:net'
import { instantSchema, subscriberIdSchema, subscriberPatchSchema, type Cap, type QuietHours, type SubscriberPatch, type TenantSettings } from '@heed/shared/schemas'
import type { Preferences } from '@heed/shared/subscriber'
import { formatInstant } from '@heed/shared/time'
import type { SubscriberRecord, TopicRecord } from '../db/store.ts'
import { patchErrors } from '../subscribers/patch.ts'

/**
 * The columns of a subscriber file, both ways: what a CSV header or an NDJSON line may hold,
 * how one row becomes a subscriber patch (with the consent proof that came with it), and how a
 * stored subscriber is written back, so an exported file imports to the same state.
 *
 * CSV columns:
 *
 * | column                          | cell                                                        |
 * | ------------------------------- | ----------------------------------------------------------- |
 * | `id`                            | required                                                    |
 * | `email`, `locale`, `timezone`   | as in the subscriber API                                    |
 * | `status`                        | `subscribed` or `unsubscribed`                              |
 * | `channel:<channel>`             | yes/no: the channel's global switch                         |
 * | `topic:<key>`                   | yes/no: `topics[key].subscribed`                            |
 * | `topic:<key>:channel:<channel>` | yes/no: the topic's own switch for a channel                |
 * | `cap`, `topic:<key>:cap`        | `<max>/<per>` or `<max>/<per>/<channel>`: `2/week`, `1/day/sms` |
 * | `quietHours`                    | `22:00-07:00`, or on some days only `22:00-07:00@0,6`       |
 * | `pausedUntil`, `consentedAt`    | an ISO 8601 instant with a zone                             |
 * | `consentSource`, `consentText`, `ip` | the consent proof                                      |
 * | `createdAt`, `updatedAt`        | written by the export, ignored by the import                |
 *
 * Yes/no cells also take true/false and 1/0, in any case. An empty cell is "not given": the
 * field stays as it is (so a CSV cannot clear a field; NDJSON can, with `null`). Cells other
 * than `id` and `consentText` are read without their surrounding spaces.
 *
 * An NDJSON line is one object: `id`, the fields of `subscriberPatchSchema`, and `consentedAt`,
 * `consentSource`, `consentText`, `ip`; `createdAt` and `updatedAt` are ignored.
 */

/** A problem with the file as a whole: nothing of it is imported. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError'
}

/** The proof of consent a row brought: when, where and to what the person agreed, and from which address. */
export interface ImportConsent {
  /** Epoch ms. */
  consentedAt?: number
  source?: string
  text?: string
  ip?: string
}

/** A row read: the subscriber it is about, what it changes, and its consent proof if it has one. */
export interface ImportRow {
  /** The 1-based physical line the row starts on (the CSV header is line 1). */
  line: number
  id: string
  patch: SubscriberPatch
  consent: ImportConsent | null
}

/** A row that cannot be imported, and why; the rest of the file still is. */
export interface RowError {
  line: number
  /** The row's subscriber id, when it could be read. */
  id: string | null
  /** The CSV column or the NDJSON field (a dotted path such as `topics.news.cap`) at fault, if one is. */
  column: string | null
  reason: string
}

/** What a file is checked against: the tenant's channels and its live topics. */
export interface ImportContext {
  settings: TenantSettings
  topics: readonly TopicRecord[]
}

/** True for a row that cannot be imported. */
export const isRowError = (r: ImportRow | RowError): r is RowError => 'reason' in r

/** Characters of a consent proof's text and source, at most. */
export const CONSENT_LIMITS = { text: 2000, source: 200 } as const

/** One column of a CSV header, as understood. */
export type Column =
  | { kind: 'id' | 'email' | 'locale' | 'timezone' | 'status' | 'cap' | 'quietHours' | 'pausedUntil' | 'ignored'; name: string }
  | { kind: 'consentedAt' | 'consentSource' | 'consentText' | 'ip'; name: string }
  | { kind: 'channel'; name: string; channel: string }
  | { kind: 'topic' | 'topicCap'; name: string; key: string }
  | { kind: 'topicChannel'; name: string; key: string; channel: string }

const SLUG = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/
const isKey = (s: string | undefined, max: number): s is string => s !== undefined && s.length <= max && SLUG.test(s)

const PLAIN_COLUMNS = new Set(['id', 'email', 'locale', 'timezone', 'status', 'cap', 'quietHours', 'pausedUntil', 'consentedAt', 'consentSource', 'consentText', 'ip'])
const IGNORED_COLUMNS = new Set(['createdAt', 'updatedAt'])
const COLUMN_HELP =
  'a header may name id, email, locale, timezone, status, channel:<channel>, topic:<key>, topic:<key>:channel:<channel>, ' +
  'topic:<key>:cap, cap, quietHours, pausedUntil, consentedAt, consentSource, consentText, ip, createdAt and updatedAt'

/** The column a header name stands for, or null when it is none of them. */
function columnOf(name: string): Column | null {
  if (PLAIN_COLUMNS.has(name)) return { kind: name as 'id', name }
  if (IGNORED_COLUMNS.has(name)) return { kind: 'ignored', name }
  const parts = name.split(':')
  if (parts[0] === 'channel' && parts.length === 2 && isKey(parts[1], 32)) return { kind: 'channel', name, channel: parts[1] }
  if (parts[0] !== 'topic' || !isKey(parts[1], 64)) return null
  const key = parts[1]
  if (parts.length === 2) return { kind: 'topic', name, key }
  if (parts.length === 3 && parts[2] === 'cap') return { kind: 'topicCap', name, key }
  if (parts.length === 4 && parts[2] === 'channel' && isKey(parts[3], 32)) return { kind: 'topicChannel', name, key, channel: parts[3] }
  return null
}

/**
 * The columns a CSV header names, in order. Throws `ImportFileError` for a name that is none
 * of the columns above, a name given twice, or a header without `id`. Topics and channels the
 * tenant does not have are not refused here: a row that gives such a cell is.
 */
export function parseHeader(names: readonly string[]): Column[] {
  const seen = new Set<string>()
  const columns = names.map((raw, i) => {
    const name = raw.trim()
    if (name === '') throw new ImportFileError(`column ${i + 1} of the header has no name`)
    const column = columnOf(name)
    if (!column) throw new ImportFileError(`unknown column "${name}": ${COLUMN_HELP}`)
    if (seen.has(name)) throw new ImportFileError(`column "${name}" appears twice in the header`)
    seen.add(name)
    return column
  })
  if (!seen.has('id')) throw new ImportFileError('the header has no "id" column')
  return columns
}

// ---- cell formats, both ways --------------------------------------------------------------

const YES_NO: Record<string, boolean> = { yes: true, no: false, true: true, false: false, '1': true, '0': false }
const CAP = /^(\d{1,9})\/([a-z]+)(?:\/(.*))?$/
const QUIET_HOURS = /^(\d\d:\d\d)-(\d\d:\d\d)(?:@([\d,\s]*))?$/

const readYesNo = (cell: string): boolean | undefined => YES_NO[cell.toLowerCase()]

function readCap(cell: string): Cap | undefined {
  const m = CAP.exec(cell)
  if (!m) return undefined
  const cap = { max: Number(m[1]), per: m[2] as Cap['per'] }
  return m[3] === undefined ? cap : { ...cap, channel: m[3] }
}

function readQuietHours(cell: string): QuietHours | undefined {
  const m = QUIET_HOURS.exec(cell)
  if (!m) return undefined
  const hours = { start: m[1]!, end: m[2]! }
  if (m[3] === undefined) return hours
  const days = m[3].trim() === '' ? [] : m[3].split(',').map((d) => d.trim())
  if (!days.every((d) => /^\d$/.test(d))) return undefined
  return { ...hours, days: days.map(Number) }
}

const writeYesNo = (b: boolean | undefined) => (b === undefined ? '' : b ? 'yes' : 'no')
const writeCap = (cap: Cap | null | undefined) => (cap ? `${cap.max}/${cap.per}${cap.channel === undefined ? '' : `/${cap.channel}`}` : '')
const writeQuietHours = (q: QuietHours | null) => (q ? `${q.start}-${q.end}${q.days ? `@${q.days.join(',')}` : ''}` : '')

const YES_NO_REASON = 'must be yes or no (or true/false, 1/0)'
const CAP_REASON = 'must be "<max>/<per>" or "<max>/<per>/<channel>", such as "2/week" or "1/day/sms"'
const QUIET_HOURS_REASON = 'must be "HH:MM-HH:MM", or with days (0 is Sunday) "22:00-07:00@0,6"'

// ---- rows ----------------------------------------------------------------------------------

/** A CSV row's fields are checked one by one with the patch schema's own field schemas. */
const FIELDS = subscriberPatchSchema.shape

type Cell<T> = { value: T } | { reason: string }

/** A field schema as a cell check: the value it gives, or its first issue's message. */
const schemaCell =
  <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { message: string }[] } } }) =>
  (value: unknown): Cell<NonNullable<T>> => {
    const r = schema.safeParse(value)
    return r.success ? { value: r.data as NonNullable<T> } : { reason: r.error.issues[0]!.message }
  }

/** Distinct cells remembered per field, at most; past it the memo starts over. */
const MAX_CELLS = 1024

/**
 * Reads a kind of cell once per distinct text: a million rows hold a few locales, zones, caps
 * and quiet hours, and a locale or zone check is the slowest part of a row. Values handed out
 * are shared: copy before keeping one.
 */
class CellReader<T> {
  readonly #seen = new Map<string, Cell<T>>()
  constructor(readonly check: (cell: string) => Cell<T>) {}

  read(cell: string): Cell<T> {
    let r = this.#seen.get(cell)
    if (r === undefined) {
      r = this.check(cell)
      if (this.#seen.size >= MAX_CELLS) this.#seen.clear()
      this.#seen.set(cell, r)
    }
    return r
  }
}

type Path = readonly PropertyKey[]
type Checked = { patch: SubscriberPatch } | { path: Path; reason: string }

const isEmpty = (o: object) => {
  for (const _ in o) return false
  return true
}

/**
 * Turns rows into patches and checks them against one tenant: the shape with
 * `subscriberPatchSchema`, the tenant's channels and topics with `patchErrors`. Build one per
 * file; it keeps the lookups rows share.
 */
export class RowReader {
  readonly #settings: TenantSettings
  readonly #topics: ReadonlyMap<string, TopicRecord>
  /** CSV cells of the fields a file repeats (locales, zones, caps...), read once each. */
  readonly #cells = {
    locale: new CellReader(schemaCell(FIELDS.locale)),
    timezone: new CellReader(schemaCell(FIELDS.timezone)),
    status: new CellReader(schemaCell(FIELDS.status)),
    pausedUntil: new CellReader(schemaCell(FIELDS.pausedUntil)),
    cap: new CellReader((cell) => {
      const cap = readCap(cell)
      return cap ? schemaCell(FIELDS.cap)(cap) : { reason: CAP_REASON }
    }),
    quietHours: new CellReader((cell) => {
      const hours = readQuietHours(cell)
      return hours ? schemaCell(FIELDS.quietHours)(hours) : { reason: QUIET_HOURS_REASON }
    }),
  }

  constructor(context: ImportContext) {
    this.#settings = context.settings
    this.#topics = new Map(context.topics.map((t) => [t.key, t]))
  }

  /**
   * A CSV record under `columns` (from `parseHeader`) as a row, or why it is not one. A record
   * with another number of fields than the header is an error; one whose every field is empty
   * is `null` (nothing to import).
   */
  csv(fields: readonly string[], columns: readonly Column[], line: number): ImportRow | RowError | null {
    const idAt = columns.findIndex((c) => c.kind === 'id')
    const rawId = fields[idAt]
    const id = rawId !== undefined && subscriberIdSchema.safeParse(rawId).success ? rawId : null
    if (fields.length !== columns.length) {
      if (fields.every((f) => f.trim() === '')) return null
      return { line, id, column: null, reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${columns.length}` }
    }
    if (id === null) {
      if (fields.every((f) => f.trim() === '')) return null
      return { line, id: null, column: 'id', reason: rawId === '' ? 'is required' : 'must be 1 to 128 characters' }
    }
    const fail = (column: string, reason: string): RowError => ({ line, id, column, reason })
    const patch: Record<string, unknown> = {}
    const channels: Record<string, boolean> = {}
    const topics: Record<string, { subscribed?: boolean; channels?: Record<string, boolean>; cap?: Cap }> = {}
    const topic = (key: string) => (Object.hasOwn(topics, key) ? topics[key]! : (topics[key] = {}))
    const consent: ImportConsent = {}
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!
      const raw = fields[i]!
      const cell = column.kind === 'consentText' ? raw : raw.trim()
      if (cell === '' || column.kind === 'id' || column.kind === 'ignored') continue
      switch (column.kind) {
        case 'email': {
          const email = FIELDS.email.safeParse(cell)
          if (!email.success) return fail(column.name, email.error.issues[0]!.message)
          patch.email = cell
          break
        }
        case 'locale':
        case 'timezone':
        case 'status':
        case 'pausedUntil': {
          const read = this.#cells[column.kind].read(cell)
          if ('reason' in read) return fail(column.name, read.reason)
          patch[column.kind] = cell
          break
        }
        case 'channel': {
          const on = readYesNo(cell)
          if (on === undefined) return fail(column.name, YES_NO_REASON)
          channels[column.channel] = on
          break
        }
        case 'topic': {
          const on = readYesNo(cell)
          if (on === undefined) return fail(column.name, YES_NO_REASON)
          topic(column.key).subscribed = on
          break
        }
        case 'topicChannel': {
          const on = readYesNo(cell)
          if (on === undefined) return fail(column.name, YES_NO_REASON)
          const pref = topic(column.key)
          ;(pref.channels ??= {})[column.channel] = on
          break
        }
        case 'cap':
        case 'topicCap': {
          const read = this.#cells.cap.read(cell)
          if ('reason' in read) return fail(column.name, read.reason)
          const cap = { ...read.value }
          if (column.kind === 'topicCap') topic(column.key).cap = cap
          else patch.cap = cap
          break
        }
        case 'quietHours': {
          const read = this.#cells.quietHours.read(cell)
          if ('reason' in read) return fail(column.name, read.reason)
          const { days, ...hours } = read.value
          patch.quietHours = days ? { ...hours, days: [...days] } : hours
          break
        }
        default: {
          const problem = readConsent(consent, column.kind, cell)
          if (problem) return fail(column.name, problem)
        }
      }
    }
    if (!isEmpty(channels)) patch.channels = channels
    if (!isEmpty(topics)) patch.topics = topics
    const checked = this.#checkTenant(patch as SubscriberPatch)
    if ('reason' in checked) return fail(csvColumn(checked.path, patch) ?? 'id', checked.reason)
    return { line, id, patch: checked.patch, consent: isEmpty(consent) ? null : consent }
  }

  /** One NDJSON line (its text, without the newline) as a row, or why it is not one. */
  ndjson(text: string, line: number): ImportRow | RowError {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return { line, id: null, column: null, reason: 'not valid JSON' }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, id: null, column: null, reason: 'must be a JSON object' }
    const record = value as Record<string, unknown>
    const rawId = record.id
    const id = typeof rawId === 'string' && subscriberIdSchema.safeParse(rawId).success ? rawId : null
    const fail = (column: string | null, reason: string): RowError => ({ line, id, column, reason })
    if (id === null) return fail('id', rawId === undefined ? 'is required' : 'must be a string of 1 to 128 characters')
    if (SURROGATE_ESCAPE.test(text)) {
      const path = illFormedPath(record)
      if (path) return fail(path.join('.'), 'must be well-formed Unicode text (it holds a lone surrogate)')
    }
    if (NUL_ESCAPE.test(text)) return fail(null, 'must not contain the NUL character (U+0000)')
    const patch: Record<string, unknown> = {}
    const consent: ImportConsent = {}
    for (const key of Object.keys(record)) {
      const v = record[key]
      if (PATCH_KEYS.has(key)) patch[key] = v
      else if (CONSENT_KEYS.has(key)) {
        if (v === null || v === undefined) continue
        if (typeof v !== 'string') return fail(key, 'must be a string')
        const problem = readConsent(consent, key as ConsentKind, v)
        if (problem) return fail(key, problem)
      } else if (key !== 'id' && !IGNORED_COLUMNS.has(key)) return fail(key, `unknown key "${key}"`)
    }
    const checked = this.#check(patch)
    if ('reason' in checked) return fail(checked.path.length === 0 ? null : checked.path.join('.'), checked.reason)
    return { line, id, patch: checked.patch, consent: isEmpty(consent) ? null : consent }
  }

  /** The patch through the schema, then against the tenant's channels and topics: the first problem found. */
  #check(candidate: Record<string, unknown>): Checked {
    const parsed = subscriberPatchSchema.safeParse(candidate)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      return { path: issue.path, reason: issue.message }
    }
    return this.#checkTenant(parsed.data)
  }

  /** A patch of the schema's shape against the tenant's channels and topics (`patchErrors`). */
  #checkTenant(patch: SubscriberPatch): Checked {
    const named: TopicRecord[] = []
    for (const key in patch.topics) {
      const t = this.#topics.get(key)
      if (t) named.push(t)
    }
    const first = patchErrors(patch, this.#settings, named)[0]
    if (!first) return { patch }
    const path = first.pointer.split('/').slice(1)
    const [field, key] = path
    const pref = field === 'topics' && key !== undefined && path.length === 2 ? patch.topics?.[key] : undefined
    if (pref && pref.subscribed !== false && first.detail.includes('required')) {
      const off = Object.entries(pref.channels ?? {}).find(([, on]) => !on)
      if (off) path.push('channels', off[0])
    }
    return { path, reason: first.detail }
  }
}

type ConsentKind = 'consentedAt' | 'consentSource' | 'consentText' | 'ip'
const CONSENT_KEYS = new Set<string>(['consentedAt', 'consentSource', 'consentText', 'ip'])
const PATCH_KEYS = new Set(Object.keys(subscriberPatchSchema.shape))

/** Adds one consent field to `consent`; the problem with it, if any. */
function readConsent(consent: ImportConsent, kind: ConsentKind, value: string): string | undefined {
  switch (kind) {
    case 'consentedAt': {
      if (!instantSchema.safeParse(value).success) return 'must be an ISO 8601 date-time with a zone, such as "2026-05-01T09:00:00Z"'
      consent.consentedAt = Date.parse(value)
      return
    }
    case 'consentSource':
      if (value.length > CONSENT_LIMITS.source) return `must be at most ${CONSENT_LIMITS.source} characters`
      consent.source = value
      return
    case 'consentText':
      if (value.length > CONSENT_LIMITS.text) return `must be at most ${CONSENT_LIMITS.text} characters`
      consent.text = value
      return
    case 'ip':
      if (isIP(value) === 0) return 'must be an IPv4 or IPv6 address'
      consent.ip = value
      return
  }
}

/** The CSV column a path into a patch came from. */
function csvColumn(path: Path, patch: Record<string, unknown>): string | null {
  const [field, key, sub, channel] = path.map(String)
  switch (field) {
    case undefined:
      return null
    case 'channels':
      return key === undefined ? null : `channel:${key}`
    case 'topics':
      if (key === undefined) return null
      if (sub === 'channels' && channel !== undefined) return `topic:${key}:channel:${channel}`
      if (sub === 'cap') return `topic:${key}:cap`
      return `topic:${key}`
    default:
      return field in patch ? field : null
  }
}

/** `\u0000` in JSON text that is not itself an escaped backslash followed by "u0000". */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/i
/** JSON text holds a lone surrogate only as an escape, so only text with one needs the walk. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
const LONE_SURROGATE = /\p{Cs}/u

function illFormedPath(value: unknown): PropertyKey[] | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? [] : null
  if (typeof value !== 'object' || value === null) return null
  for (const [key, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return [key]
    const inner = illFormedPath(v)
    if (inner) return [key, ...inner]
  }
  return null
}

// ---- export --------------------------------------------------------------------------------

/** A stored subscriber as the export reads it. */
export type ExportedSubscriber = Pick<SubscriberRecord, 'id' | 'email' | 'createdAt' | 'updatedAt'> & Preferences<number>

/** The columns of an export, known before its first row: every channel and topic of the tenant. */
export interface ExportLayout {
  readonly columns: readonly Column[]
  readonly channels: ReadonlySet<string>
  readonly topics: ReadonlySet<string>
}

/**
 * The layout of a tenant's export: `id`, `email`, `locale`, `timezone`, `status`, a
 * `channel:<channel>` per channel, `cap`, `quietHours`, `pausedUntil`, then per topic
 * `topic:<key>`, `topic:<key>:cap` and a `topic:<key>:channel:<channel>` for each channel of
 * the tenant (a topic's switch may be stored for any of them, not only the topic's own), and last `createdAt`, `updatedAt`. Preferences for channels and topics the tenant no longer
 * has are left out: the import would refuse them.
 */
export function exportLayout(context: { settings: Pick<TenantSettings, 'channels'>; topics: readonly Pick<TopicRecord, 'key'>[] }): ExportLayout {
  const plain = (kind: 'id' | 'email' | 'locale' | 'timezone' | 'status' | 'cap' | 'quietHours' | 'pausedUntil'): Column => ({ kind, name: kind })
  const channels = context.settings.channels
  const columns: Column[] = [plain('id'), plain('email'), plain('locale'), plain('timezone'), plain('status')]
  for (const channel of channels) columns.push({ kind: 'channel', name: `channel:${channel}`, channel })
  columns.push(plain('cap'), plain('quietHours'), plain('pausedUntil'))
  for (const { key } of context.topics) {
    columns.push({ kind: 'topic', name: `topic:${key}`, key }, { kind: 'topicCap', name: `topic:${key}:cap`, key })
    for (const channel of channels) columns.push({ kind: 'topicChannel', name: `topic:${key}:channel:${channel}`, key, channel })
  }
  columns.push({ kind: 'ignored', name: 'createdAt' }, { kind: 'ignored', name: 'updatedAt' })
  return { columns, channels: new Set(channels), topics: new Set(context.topics.map((t) => t.key)) }
}

const NEEDS_QUOTES = /[",;\r\n]/
const csvCell = (s: string) => (NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s)
/** One CSV record (RFC 4180), quoted where a cell needs it, ending in CRLF. */
export const csvLine = (cells: readonly string[]) => cells.map(csvCell).join(',') + '\r\n'

/** The header line of a CSV export, with its line break. */
export function csvHeader(layout: ExportLayout): string {
  return csvLine(layout.columns.map((c) => c.name))
}

/** One subscriber as a CSV line of `layout`, with its line break: empty cells for what is null or not set. */
export function subscriberToCsvRecord(sub: ExportedSubscriber, layout: ExportLayout): string {
  const topic = (key: string) => (Object.hasOwn(sub.topics, key) ? sub.topics[key] : undefined)
  const own = <T>(r: Record<string, T> | undefined, k: string) => (r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined)
  const cells = layout.columns.map((c): string => {
    switch (c.kind) {
      case 'id':
        return sub.id
      case 'email':
      case 'locale':
      case 'timezone':
        return sub[c.kind] ?? ''
      case 'status':
        return sub.status
      case 'channel':
        return writeYesNo(own(sub.channels, c.channel))
      case 'cap':
        return writeCap(sub.cap)
      case 'quietHours':
        return writeQuietHours(sub.quietHours)
      case 'pausedUntil':
        return sub.pausedUntil === null ? '' : formatInstant(sub.pausedUntil)
      case 'topic':
        return writeYesNo(topic(c.key)?.subscribed)
      case 'topicCap':
        return writeCap(topic(c.key)?.cap)
      case 'topicChannel':
        return writeYesNo(own(topic(c.key)?.channels, c.channel))
      case 'ignored':
        return c.name === 'createdAt' ? formatInstant(sub.createdAt) : formatInstant(sub.updatedAt)
      default:
        return ''
    }
  })
  return csvLine(cells)
}

/**
 * One subscriber as an NDJSON line, with its line break. Given the export's layout, channels
 * and topics the tenant no longer has are left out, as in the CSV.
 */
export function subscriberToNdjson(sub: ExportedSubscriber, layout?: ExportLayout): string {
  const keep = <T>(r: Record<string, T>, names: ReadonlySet<string> | undefined) =>
    names ? Object.fromEntries(Object.entries(r).filter(([k]) => names.has(k))) : r
  const topics = keep(sub.topics, layout?.topics)
  const view = {
    id: sub.id,
    email: sub.email,
    locale: sub.locale,
    timezone: sub.timezone,
    status: sub.status,
    channels: keep(sub.channels, layout?.channels),
    topics: layout
      ? Object.fromEntries(Object.entries(topics).map(([k, t]) => [k, t.channels ? { ...t, channels: keep(t.channels, layout.channels) } : t]))
      : topics,
    cap: sub.cap,
    quietHours: sub.quietHours,
    pausedUntil: sub.pausedUntil === null ? null : formatInstant(sub.pausedUntil),
    createdAt: formatInstant(sub.createdAt),
    updatedAt: formatInstant(sub.updatedAt),
  }
  return JSON.stringify(view) + '\n'
}
