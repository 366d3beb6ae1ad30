/**
 * The words people read, in every locale, across the widget, the hosted pages, Heed's mails
 * and the demo data: every locale has every key English has; zh-Hant is written in Taiwan's
 * Traditional characters and zh-Hans in Simplified ones (checked with OpenCC), both address
 * the reader as 您; Estonian says "until <date>" with the terminative; and the widget and the
 * pages call the same things by the same words.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { describe, test } from 'node:test'
import * as OpenCC from 'opencc-js'
import type { Translation } from '../../widget/src/translations/translation.ts'
import { DEMO_TOPICS } from '../src/demo.ts'
import { PAGE_LOCALES, PAGE_STRINGS, type PageLocale } from '../src/links/page-strings.ts'
import { invitationMail, MAIL_STRINGS, newLinkMail } from '../src/mail/messages.ts'

type Text = { where: string; text: string }

/**
 * The widget's words: each locale file's default export (by its `$code`), and every table the
 * translation folder exports with all the locales in it (the strings of parts that load on
 * their own, like the quiet-hours editor).
 */
const WIDGET_DIR = new URL('../../widget/src/translations/', import.meta.url)
const widgetModules: Array<[string, Record<string, unknown>]> = await Promise.all(
  readdirSync(WIDGET_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map(async (f) => [f, (await import(new URL(f, WIDGET_DIR).href)) as Record<string, unknown>] as [string, Record<string, unknown>]),
)
const TRANSLATIONS = Object.fromEntries(
  widgetModules.flatMap(([, m]) => {
    const t = m.default as Translation | undefined
    return t && typeof t === 'object' && typeof t.$code === 'string' ? [[t.$code, t]] : []
  }),
) as Record<PageLocale, Translation>
const isTable = (v: unknown): v is Record<PageLocale, unknown> =>
  !!v && typeof v === 'object' && PAGE_LOCALES.every((l) => l in v) && (v as Record<string, unknown>).en !== TRANSLATIONS.en
const WIDGET_TABLES: Array<[string, Record<PageLocale, unknown>]> = widgetModules.flatMap(([file, m]) =>
  Object.entries(m).flatMap(([name, v]) => (name !== 'default' && isTable(v) ? [[`${file} ${name}`, v] as [string, Record<PageLocale, unknown>]] : [])),
)

/** Arguments for the functions whose parameters are not plain strings, by key. */
const SAMPLES: Record<string, unknown[][]> = {
  capLabel: [[1, 'day'], [3, 'week'], [5, 'month']],
  channelName: [['email'], ['sms'], ['push']],
  quietRule: [[null, '22:00', '07:00', true], ['Acme', '13:00', '14:00', false]],
  'newLink.intro': [['Acme', 1], ['Acme', 90]],
  'invitation.intro': [['Acme', null], ['Acme', 'Mia']],
  'invitation.expires': [[1], [7]],
}

/** Every string a value holds or makes: functions are called with sample arguments. */
function texts(value: unknown, where: string, out: Text[] = []): Text[] {
  if (typeof value === 'string') out.push({ where, text: value })
  else if (typeof value === 'function') {
    const key = where.split('.').slice(-1)[0]!
    const named = Object.entries(SAMPLES).find(([k]) => where.endsWith(`.${k}`) || k === key)
    const argLists = named?.[1] ?? [Array.from({ length: value.length }, () => 'Acme')]
    for (const args of argLists) {
      const made: unknown = value(...args)
      if (typeof made === 'string') out.push({ where: `${where}(${args.map((a) => JSON.stringify(a)).join(', ')})`, text: made })
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) texts(v, `${where}.${k}`, out)
  }
  return out
}

/** Where `other` lacks a key of `reference`, has one it does not, or has a value of another kind. */
function shapeProblems(reference: unknown, other: unknown, where: string): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : typeof v)
  if (kind(reference) !== kind(other)) return [`${where}: ${kind(other)}, not ${kind(reference)} as in English`]
  if (typeof reference !== 'object' || reference === null) return []
  const r = reference as Record<string, unknown>
  const o = other as Record<string, unknown>
  return [
    ...Object.keys(r).flatMap((k) => (k in o ? shapeProblems(r[k], o[k], `${where}.${k}`) : [`${where}.${k}: missing`])),
    ...Object.keys(o).filter((k) => !(k in r)).map((k) => `${where}.${k}: not in English`),
  ]
}

const LOCALES = PAGE_LOCALES

/** Everything each locale says, from every source. */
function allTexts(locale: PageLocale): Text[] {
  const out: Text[] = []
  texts(TRANSLATIONS[locale], `widget ${locale}`, out)
  for (const [name, table] of WIDGET_TABLES) texts(table[locale], `widget ${name} ${locale}`, out)
  texts(PAGE_STRINGS[locale], `pages ${locale}`, out)
  texts(MAIL_STRINGS.newLink[locale], `mail ${locale}.newLink`, out)
  texts(MAIL_STRINGS.invitation[locale], `mail ${locale}.invitation`, out)
  texts(MAIL_STRINGS.roles[locale], `mail ${locale}.roles`, out)
  for (const [key, topic] of Object.entries(DEMO_TOPICS)) {
    for (const field of ['name', 'description'] as const) {
      const v = topic[field]
      if (v && typeof v === 'object') {
        const text = (v as Record<string, string>)[locale]
        if (text !== undefined) out.push({ where: `demo ${locale}.${key}.${field}`, text })
      }
    }
  }
  // The rendered mails: their templates add words (colons, labels) of their own.
  const newLink = newLinkMail({ locale, brand: 'Acme', preferencesUrl: 'https://x.example/p/t', unsubscribeUrl: 'https://x.example/u/t', days: 90 })
  const invite = invitationMail({ locale, brand: 'Acme', inviter: 'Mia', role: 'editor', acceptUrl: 'https://x.example/accept', days: 7 })
  for (const [name, mail] of [['newLink', newLink], ['invitation', invite]] as const) {
    out.push({ where: `mail ${locale}.${name} subject`, text: mail.subject }, { where: `mail ${locale}.${name} text`, text: mail.text })
  }
  return out
}

const toTaiwan = OpenCC.Converter({ from: 'cn', to: 'tw' })
const toMainland = OpenCC.Converter({ from: 'tw', to: 'cn' })

/**
 * Characters OpenCC would change though they are right in that script. Keep this short and say
 * why for each one.
 */
const SHARED: Record<'zh-Hant' | 'zh-Hans', Set<string>> = {
  // 台: Taiwan writes 主控台 (console) and 平台 with 台; OpenCC's Taiwan standard turns every 台 into 臺.
  'zh-Hant': new Set<string>(['台']),
  'zh-Hans': new Set<string>([]),
}

/** The characters of `text` that `convert` changes: those of the other script. */
function otherScript(text: string, convert: (s: string) => string, shared: Set<string>): string[] {
  const before = [...text]
  const after = [...convert(text)]
  if (before.length !== after.length) return [`${text} → ${after.join('')}`]
  return before.flatMap((c, i) => (c !== after[i] && !shared.has(c) ? [`${c}→${after[i]}`] : []))
}

function scriptProblems(locale: 'zh-Hant' | 'zh-Hans'): string[] {
  const convert = locale === 'zh-Hant' ? toTaiwan : toMainland
  return allTexts(locale).flatMap(({ where, text }) => {
    const wrong = otherScript(text, convert, SHARED[locale])
    return wrong.length ? [`${where}: ${JSON.stringify(text)} has ${wrong.join(' ')}`] : []
  })
}

/** Words that must not come back, per locale: [pattern, why]. */
const BANNED: Record<PageLocale, Array<[RegExp, string]>> = {
  en: [[/\bEmail preferences\b/i, 'the title is "Message preferences"']],
  'zh-Hant': [
    [/[你妳]/, 'the reader is 您'],
    [/直到/, '"until" is 至 (暫停至指定日期, 已暫停至 X)'],
    [/郵件偏好|來信/, 'messages are 訊息, not only mail (訊息偏好設定)'],
    [/新聞/, 'news is 最新消息'],
  ],
  'zh-Hans': [
    [/[你妳]/, 'the reader is 您'],
    [/直到/, '"until" is 至 (暂停至指定日期, 已暂停至 X)'],
    [/邮件偏好|来信/, 'messages are 消息, not only mail (消息偏好设置)'],
    [/新闻|常规/, 'news is 最新消息, general is 一般'],
  ],
  et: [
    [/(?<!e-|nime)kir[ij](?!el|ut)/iu, 'messages are sõnumid (e-kiri only where it means e-mail)'],
    [/E-kirjade eelistused/iu, 'the title is "Sõnumite eelistused"'],
    [/Oled loobunud|Peata kuuks/, 'Oled tellimusest loobunud, Peata üheks kuuks'],
    [/kuni \d+\. (jaanuar|veebruar|märts|aprill|mai|juuni|juuli|august|september|oktoober|november|detsember)\b/u, '"kuni" takes the terminative: kuni 30. detsembrini'],
  ],
}

describe('words', () => {
  test('the widget: every locale has every key English has, with values of the same kind', () => {
    assert.deepEqual(Object.keys(TRANSLATIONS).sort(), [...LOCALES].sort(), 'a translation file per locale')
    for (const [code, t] of Object.entries(TRANSLATIONS)) assert.deepEqual(shapeProblems(TRANSLATIONS.en, t, code), [], code)
    for (const [name, table] of WIDGET_TABLES) {
      for (const locale of LOCALES) assert.deepEqual(shapeProblems(table.en, table[locale], `${name} ${locale}`), [])
    }
  })

  test('the hosted pages, the mails and the demo topics: every locale has every key English has', () => {
    for (const locale of LOCALES) {
      assert.deepEqual(shapeProblems(PAGE_STRINGS.en, PAGE_STRINGS[locale], `pages ${locale}`), [])
      for (const [name, table] of Object.entries(MAIL_STRINGS)) {
        assert.deepEqual(shapeProblems(table.en, table[locale], `mail ${name} ${locale}`), [])
      }
    }
    for (const [key, topic] of Object.entries(DEMO_TOPICS)) {
      for (const field of ['name', 'description'] as const) {
        const v = topic[field]
        assert.ok(v && typeof v === 'object', `demo ${key}.${field} is translated`)
        assert.deepEqual(Object.keys(v).sort(), [...LOCALES].sort(), `demo ${key}.${field}`)
      }
    }
  })

  test('the string walk reaches the functions, the nested tables and the rendered mails', () => {
    const all = allTexts('zh-Hant').map((x) => x.text)
    for (const expected of ['已暫停至 X', '最新消息', '每週最多 3 則', '推播通知', '訊息偏好設定 · Acme', '您的 Acme 新連結']) {
      assert.ok(all.some((s) => s.includes(expected.replace('X', 'Acme'))), expected)
    }
  })

  for (const locale of ['zh-Hant', 'zh-Hans'] as const) {
    test(`${locale}: no character of the other script, by OpenCC`, () => {
      assert.deepEqual(scriptProblems(locale), [])
    })
  }

  test('the script check catches a character of the other script', () => {
    assert.deepEqual(otherScript('您们的訊息', toTaiwan, SHARED['zh-Hant']), ['们→們'])
    assert.deepEqual(otherScript('您們的消息', toMainland, SHARED['zh-Hans']), ['們→们'])
    assert.deepEqual(otherScript('訊息偏好設定', toTaiwan, SHARED['zh-Hant']), [])
    assert.deepEqual(otherScript('消息偏好设置', toMainland, SHARED['zh-Hans']), [])
  })

  for (const locale of LOCALES) {
    test(`${locale}: none of the retired words`, () => {
      const problems = allTexts(locale).flatMap(({ where, text }) =>
        BANNED[locale].filter(([re]) => re.test(text)).map(([, why]) => `${where}: ${JSON.stringify(text)}: ${why}`),
      )
      assert.deepEqual(problems, [])
    })
  }

  test('the widget and the hosted pages call the same things by the same words', () => {
    for (const locale of LOCALES) {
      const w = TRANSLATIONS[locale]
      const p = PAGE_STRINGS[locale]
      const pairs: Array<[string, string, string]> = [
        ['unsubscribeAll', w.unsubscribeAll, p.unsubscribeAll],
        ['unsubscribedTitle', w.unsubscribedTitle, p.unsubscribedTitle],
        ['undo', w.undo, p.undo],
        ['resubscribe / subscribeAgain', w.resubscribe, p.subscribeAgain],
        ['lessPauseMonth / pauseMonth', w.lessPauseMonth, p.pauseMonth],
        ['lessWeekly / weekly', w.lessWeekly, p.weekly],
        ['pausedUntil', w.pausedUntil('X'), p.pausedBody('X').replace(/[.。]$/, '')],
      ]
      for (const [what, widget, page] of pairs) assert.equal(page, widget, `${locale}: ${what}`)
      assert.ok(p.preferencesTitle('Acme').startsWith(w.title), `${locale}: the page title is the widget's "${w.title}"`)
    }
  })

  test('et: "paused until" puts the month in the terminative, for every month, as the widget and the pages format dates', () => {
    const terminative = ['jaanuarini', 'veebruarini', 'märtsini', 'aprillini', 'maini', 'juunini', 'juulini', 'augustini', 'septembrini', 'oktoobrini', 'novembrini', 'detsembrini']
    const widgetFormat = (zoneName: boolean) =>
      new Intl.DateTimeFormat('et', { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'Europe/Tallinn', ...(zoneName ? { timeZoneName: 'short' } : {}) })
    const pageFormat = new Intl.DateTimeFormat('et', { dateStyle: 'long', timeZone: 'Europe/Tallinn' })
    for (const [i, month] of terminative.entries()) {
      const at = Date.UTC(2026, i, 30 - (i === 1 ? 2 : 0), 10, 5)
      const day = i === 1 ? 28 : 30
      const widget = TRANSLATIONS.et.pausedUntil(widgetFormat(false).format(at))
      assert.match(widget, new RegExp(`^Peatatud kuni ${day}\\. ${month} 2026 kell 1[23]:05$`), widget)
      const zoned = TRANSLATIONS.et.pausedUntil(widgetFormat(true).format(at))
      assert.match(zoned, new RegExp(`^Peatatud kuni ${day}\\. ${month} 2026 kell 1[23]:05 \\S`), zoned)
      const page = PAGE_STRINGS.et.pausedUntil(pageFormat.format(at))
      assert.equal(page, `Peatatud kuni ${day}. ${month} 2026. Enne seda sa meilt turundussõnumeid ei saa.`)
      assert.equal(PAGE_STRINGS.et.pausedBody(pageFormat.format(at)), `Peatatud kuni ${day}. ${month} 2026.`)
    }
    // Something that is not a date written out stays as it is.
    assert.equal(TRANSLATIONS.et.pausedUntil('30.12.2026'), 'Peatatud kuni 30.12.2026')
  })
})
