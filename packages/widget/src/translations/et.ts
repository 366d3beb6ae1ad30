import { plural, type Translation } from './translation.ts'

const PER = { day: 'päevas', week: 'nädalas', month: 'kuus' } as const
const CATEGORIES: Record<string, string> = {
  general: 'Üldine',
  account: 'Sinu konto',
  orders: 'Tellimused',
  shopping: 'Ostlemine',
  marketing: 'Pakkumised',
  news: 'Uudised',
  content: 'Lood ja juhendid',
  stories: 'Lood',
  product: 'Tooteuuendused',
}
const CHANNELS: Record<string, string> = { email: 'E-post', sms: 'SMS', push: 'Tõuketeated' }

const translation: Translation = {
  $code: 'et',

  title: 'Sõnumite eelistused',
  intro: (brand) => `Vali, mida ja kui tihti ${brand} sulle saadab.`,
  sentTo: (email) => `Aadressile ${email}`,
  loading: 'Eelistuste laadimine…',
  saving: 'Salvestamine…',
  saved: 'Salvestatud',

  topicsHeading: 'Teemad',
  categories: CATEGORIES,
  requiredWhy: 'Alati sees: puudutab sinu tellimusi ja kontot.',
  channelsFor: (topic) => `Kanalid: ${topic}`,
  channelName: (c) => CHANNELS[c] ?? c,
  topicFrequency: 'Kui tihti',

  channelsHeading: 'Kanalid',
  channelsIntro: 'Lülita kanal välja ja me ei saada selle kaudu enam midagi.',

  frequencyHeading: 'Kui tihti',
  frequencyIntro: 'Kõige rohkem, mida me sulle saadame, kõik teemad kokku.',
  noLimit: 'Piiranguta',
  capLabel: (n, per) => `Kuni ${n} ${plural('et', n, { one: 'sõnum', other: 'sõnumit' })} ${PER[per]}`,

  quietHeading: 'Vaikne aeg',
  quietIntro: 'Sel ajal sõnumeid ei tule.',
  quietFrom: 'Alates',
  quietTo: 'Kuni',
  timeZone: 'Ajavöönd',
  quietSameTime: 'Vali erinev algus- ja lõpuaeg.',

  pauseHeading: 'Tee paus',
  pauseIntro: 'Peata kõik sõnumid mõneks ajaks.',
  pauseWeek: '1 nädal',
  pauseMonth: '1 kuu',
  pauseUntilDate: 'Kuni kuupäevani',
  pauseButton: 'Peata',
  pausedUntil: (when) => `Peatatud kuni ${when}`,
  resume: 'Jätka kohe',

  unsubscribeAll: 'Loobu kõigist',
  unsubscribeAllHint: (brand) => `Lõpetab kõik sõnumid saatjalt ${brand}, välja arvatud tellimuste kohta.`,
  unsubscribeQuestion: (brand) => `Kas loobud saatja ${brand} sõnumitest?`,
  unsubscribedTitle: 'Oled loobunud',
  unsubscribedBody: (brand) => `Saatja ${brand} ei saada sulle enam sõnumeid.`,
  requiredStillSent: 'Sõnumid tellimuste ja konto kohta tulevad endiselt.',
  undo: 'Võta tagasi',
  resubscribe: 'Telli uuesti',
  resubscribed: 'Oled taas tellija',
  lessInstead: 'Või saa meilt hoopis vähem sõnumeid',
  lessPauseMonth: 'Peata kuuks',
  lessWeekly: 'Kuni üks nädalas',
  lessWeeklyDone: 'Nüüdsest kuni üks sõnum nädalas',
  chooseTopics: 'Vali hoopis teemad',
  reasonHeading: 'Kas ütled, miks? (vabatahtlik)',
  reasons: {
    too_many: 'Liiga palju sõnumeid',
    not_relevant: 'Pole minu jaoks asjakohane',
    never_signed_up: 'Ma ei tellinud seda',
    other: 'Muu põhjus',
  },
  reasonSend: 'Saada',
  reasonThanks: 'Aitäh, et andsid teada.',

  expiredTitle: 'See link on aegunud',
  expiredBody: 'Ava link meie hiljutisest sõnumist, et eelistusi näha.',
  noTokenTitle: 'Ava see leht oma e-kirjast',
  noTokenBody: 'Kasuta linki iga meie sõnumi lõpus.',
  networkTitle: 'Eelistusi ei õnnestunud laadida',
  networkBody: 'Kontrolli internetiühendust ja proovi uuesti.',
  serverBody: 'Meie poolel läks midagi valesti. Proovi hetke pärast uuesti.',
  retry: 'Proovi uuesti',

  notSaved: (why) => `Ei salvestatud: ${why} Eelmine valik on taastatud.`,
  whyOffline: 'tundub, et oled võrguühenduseta.',
  whyBusy: 'liiga palju muudatusi korraga. Oota minut ja proovi uuesti.',
  whyServer: 'meie poolel läks midagi valesti.',
  whyRejected: 'seda valikut enam ei pakuta.',
}

export default translation
