import type { LocaleCode } from './index.ts'

/**
 * The quiet-hours editor's own strings, every locale: they load with the editor (its own
 * chunk), not with widget.js. Days and times come from `Intl` (see ../quiet.ts).
 */
export interface QuietText {
  /** The day picker's label, and "All day" (start and end at midnight). */
  quietDays: string
  quietAllDay: string
  quietNoDays: string
  /** All day on every day: it would stop every message. */
  quietAlways: string
  /** A rule in words: `days` null is every day; `nextDay` when it ends after midnight. */
  quietRule: (days: string | null, from: string, to: string, nextDay: boolean) => string
  quietAllDayRule: (days: string) => string
  /** "Monday to Friday": a run of three or more days. */
  dayRange: (first: string, last: string) => string
  zoneSearch: string
  zoneNoMatch: string
}

export const QUIET_TEXT: Record<LocaleCode, QuietText> = {
  en: {
    quietDays: 'Days',
    quietAllDay: 'All day',
    quietNoDays: 'Choose at least one day.',
    quietAlways: 'Quiet all day on every day would stop every message: leave out at least one day, or set a start and end time.',
    quietRule: (days, from, to, nextDay) => `${days ?? 'Every day'}, ${from} to ${to}${nextDay ? ' the next day' : ''}`,
    quietAllDayRule: (days) => `All day on ${days}`,
    dayRange: (first, last) => `${first} to ${last}`,
    zoneSearch: 'Search time zones',
    zoneNoMatch: 'No time zone matches.',
  },
  'zh-Hans': {
    quietDays: '星期',
    quietAllDay: '全天',
    quietNoDays: '请至少选择一天。',
    quietAlways: '每天全天勿扰将停止所有消息：请至少去掉一天，或设置开始和结束时间。',
    quietRule: (days, from, to, nextDay) => `${days ?? '每天'} ${from} 至${nextDay ? '次日 ' : ' '}${to}`,
    quietAllDayRule: (days) => `${days}全天`,
    dayRange: (first, last) => `${first}至${last}`,
    zoneSearch: '搜索时区',
    zoneNoMatch: '没有匹配的时区。',
  },
  'zh-Hant': {
    quietDays: '星期',
    quietAllDay: '全天',
    quietNoDays: '請至少選擇一天。',
    quietAlways: '每天全天勿擾將停止所有訊息：請至少取消一天，或設定開始與結束時間。',
    quietRule: (days, from, to, nextDay) => `${days ?? '每天'} ${from} 至${nextDay ? '隔天 ' : ' '}${to}`,
    quietAllDayRule: (days) => `${days}全天`,
    dayRange: (first, last) => `${first}至${last}`,
    zoneSearch: '搜尋時區',
    zoneNoMatch: '找不到符合的時區。',
  },
  et: {
    quietDays: 'Päevad',
    quietAllDay: 'Terve päev',
    quietNoDays: 'Vali vähemalt üks päev.',
    quietAlways: 'Vaikus terve päeva igal päeval peataks kõik sõnumid: jäta vähemalt üks päev välja või määra algus- ja lõpuaeg.',
    quietRule: (days, from, to, nextDay) => `${days ?? 'Iga päev'}: ${from}–${to}${nextDay ? ' (järgmisel päeval)' : ''}`,
    quietAllDayRule: (days) => `Terve päev: ${days}`,
    dayRange: (first, last) => `${first}–${last}`,
    zoneSearch: 'Otsi ajavööndit',
    zoneNoMatch: 'Ükski ajavöönd ei sobi.',
  },
}
