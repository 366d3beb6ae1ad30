/** Localized text of a topic (`{"en": "…", "zh-Hant": "…"}`) in the console's locale, with fallbacks. */
export function localized(text: Record<string, string> | string | null | undefined, locale: string): string {
  if (!text) return ''
  if (typeof text === 'string') return text
  const lang = locale.split('-')[0]!
  return text[locale] ?? text[lang] ?? (lang === 'zh' ? text[locale === 'zh-Hant' ? 'zh-Hans' : 'zh-Hant'] : undefined) ?? text.en ?? Object.values(text)[0] ?? ''
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v))

/**
 * What a consent event changed, field by field: `status: subscribed → unsubscribed`. Objects
 * (topics, channels, caps) are shown compactly; at most `max` fields.
 */
export function changes(before: unknown, after: unknown, max = 6): string[] {
  const a = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>
  const b = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>
  const out: string[] = []
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'updatedAt' || key === 'createdAt' || JSON.stringify(a[key]) === JSON.stringify(b[key])) continue
    const from = show(a[key])
    const to = show(b[key])
    out.push(from.length + to.length > 80 ? key : `${key}: ${from} → ${to}`)
  }
  return out.length > max ? [...out.slice(0, max), '…'] : out
}
