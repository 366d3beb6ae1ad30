/**
 * Time zones for the quiet-hours picker: pure functions over Intl, no DOM. Loaded on demand
 * with <heed-zone-picker>; unit-tested in test/zones.test.ts.
 */

/**
 * Legacy ids to their current IANA names (IANA's `backward` file). Chromium's ICU lists the
 * CLDR ids, which are the legacy ones for all but the last three (what a stored zone may hold).
 */
const AR = 'America/Argentina/'
const ALIASES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': AR + 'Buenos_Aires',
  'America/Catamarca': AR + 'Catamarca',
  'America/Cordoba': AR + 'Cordoba',
  'America/Jujuy': AR + 'Jujuy',
  'America/Mendoza': AR + 'Mendoza',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Asia/Ulan_Bator': 'Asia/Ulaanbaatar',
  'Europe/Uzhgorod': 'Europe/Kyiv',
  'Europe/Zaporozhye': 'Europe/Kyiv',
}

export interface Zone {
  /** Current IANA id. */
  id: string
  /** From the id: its last segment, underscores as spaces. */
  city: string
  /** The localized generic name ("Eastern European Time", "台北標準時間"), or '' when Intl has none. */
  name: string
  /** Minutes east of UTC at the instant the list was made. */
  offset: number
  /** "(GMT+02:00) Tallinn — Eastern European Time" */
  label: string
  /** What search looks in: the ids (legacy too), the label, the offset as UTC±hh:mm; folded. */
  text: string
}

/** Lower case, no accents, full-width forms as ASCII, any minus sign as "-". */
const fold = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2212\u2012-\u2014]/g, '-')
    .toLowerCase()

/** The current IANA name of a zone id that may be legacy ("Asia/Calcutta" → "Asia/Kolkata", "US/Eastern" → "America/New_York"). */
export function canonicalZone(id: string): string {
  let z = id
  try {
    // ICU resolves any alias it knows to its CLDR id (US/Eastern, Etc/UTC, Asia/Ulan_Bator…)
    z = new Intl.DateTimeFormat('en', { timeZone: id }).resolvedOptions().timeZone
  } catch {
    // unknown here: keep the id, the table may still know it
  }
  return ALIASES[z] ?? ALIASES[id] ?? z
}

/** Every zone this browser knows by its current name, once each, with UTC and no other Etc/*. */
export function zoneIds(): string[] {
  let ids: string[] = []
  try {
    ids = Intl.supportedValuesOf('timeZone')
  } catch {
    // an old browser: UTC only (and whatever zoneList is asked to add)
  }
  // These are ICU's canonical ids already: only the table can make them current.
  return [...new Set(['UTC', ...ids.filter((id) => !id.startsWith('Etc/')).map((id) => ALIASES[id] ?? id)])]
}

const legacyOf = (id: string): string[] => Object.keys(ALIASES).filter((k) => ALIASES[k] === id)

/**
 * The wall-clock fields and the zone name of `id` at `now`, from one formatter (each costs):
 * Gregorian, Latin digits, 24 h whatever the locale. An engine that does not know a current
 * name gets its legacy one.
 */
function fields(locale: string | undefined, id: string, timeZoneName: 'longGeneric' | 'long', now: number): Record<string, string> {
  const o = { timeZoneName, calendar: 'gregory', numberingSystem: 'latn', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' } as const
  let f: Intl.DateTimeFormat
  try {
    f = new Intl.DateTimeFormat(locale, { ...o, timeZone: id })
  } catch {
    f = new Intl.DateTimeFormat(locale, { ...o, timeZone: legacyOf(id)[0] ?? id })
  }
  return Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]))
}

const pad = (n: number) => String(n).padStart(2, '0')

/** One zone, labelled in `locale` for the instant `now`; throws for an id no engine knows. */
export function zone(id: string, locale: string | undefined, now: number): Zone {
  const f = fields(locale, id, 'longGeneric', now)
  const offset = (Date.UTC(+f.year!, +f.month! - 1, +f.day!, +f.hour!, +f.minute!) - Math.floor(now / 60_000) * 60_000) / 60_000
  const gmt = `GMT${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  const city = id.split('/').pop()!.replaceAll('_', ' ')
  // The generic name, else the standard one ("Coordinated Universal Time"), but never an offset again.
  let name = f.timeZoneName ?? ''
  if (/\d/.test(name)) name = fields(locale, id, 'long', now).timeZoneName ?? ''
  if (/\d/.test(name)) name = ''
  const label = `(${gmt}) ${city}${name && name !== city ? ` — ${name}` : ''}`
  return { id, city, name, offset, label, text: fold([id, ...legacyOf(id), label, gmt.replace('GMT', 'UTC')].join(' ')) }
}

/** A locale tag Intl accepts, else the browser's default. */
function safeLocale(locale: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(locale)[0]
  } catch {
    return undefined
  }
}

/**
 * Every zone, labelled in `locale` for the instant `now`, sorted by offset then city, with the
 * zones in `first` (the browser's, the subscriber's; legacy ids allowed) first and always listed.
 * `all` false lists only those (fast: each zone costs a formatter, ~0.2 ms).
 */
export function zoneList(locale: string, now = Date.now(), first: readonly (string | null | undefined)[] = [], all = true): Zone[] {
  const loc = safeLocale(locale)
  const pinned = [...new Set(first.filter((z): z is string => !!z).map(canonicalZone))]
  const zones: Zone[] = []
  for (const id of new Set([...(all ? zoneIds() : []), ...pinned])) {
    try {
      zones.push(zone(id, loc, now))
    } catch {
      // an id this engine does not know: not offered
    }
  }
  const collator = new Intl.Collator(loc)
  const rank = (z: Zone) => {
    const i = pinned.indexOf(z.id)
    return i < 0 ? pinned.length : i
  }
  return zones.sort((a, b) => rank(a) - rank(b) || a.offset - b.offset || collator.compare(a.city, b.city))
}

/** An offset typed as "+2", "GMT+2", "UTC-3:30", "+02:00" or "+0530", in minutes; null for other text. */
export function parseOffset(text: string): number | null {
  const m = /^(?:gmt|utc)?([+-])(\d\d?)(?::?(\d\d)|:\d?)?$/.exec(fold(text).replace(/\s/g, ''))
  return m ? (m[1] === '-' ? -1 : 1) * (+m[2]! * 60 + +(m[3] ?? 0)) : null
}

/**
 * The zones that match `query`, case- and accent-insensitively: every word of it must be in the
 * id (current or legacy), the city, the localized name or the offset; an offset matches exactly.
 */
export function matchZones(query: string, zones: readonly Zone[]): Zone[] {
  const words = fold(query).match(/(?:gmt|utc)?\s*[+-]\s*\d[\d:]*|\S+/g) ?? []
  const tests = words.map((w) => {
    const offset = parseOffset(w)
    return offset === null ? (z: Zone) => z.text.includes(w) : (z: Zone) => z.offset === offset
  })
  return zones.filter((z) => tests.every((t) => t(z)))
}
