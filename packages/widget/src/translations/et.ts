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
/** Intl names the month in the nominative ("30. detsember 2026"); "until" takes the terminative ("30. detsembrini 2026"). */
const UNTIL: Record<string, string> = {
  jaanuar: 'jaanuarini', veebruar: 'veebruarini', märts: 'märtsini', aprill: 'aprillini', mai: 'maini', juuni: 'juunini',
  juuli: 'juulini', august: 'augustini', september: 'septembrini', oktoober: 'oktoobrini', november: 'novembrini', detsember: 'detsembrini',
}
/** "30. detsember 2026, kell 0:00" → "30. detsembrini 2026 kell 0:00". */
const untilDate = (when: string) =>
  when.replace(/(?<!\p{L})(jaanuar|veebruar|märts|aprill|mai|juuni|juuli|august|september|oktoober|november|detsember)(?!\p{L})/u, (m) => UNTIL[m] ?? m).replace(', kell ', ' kell ')

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
  frequencyIntro: 'Kõige rohkem sõnumeid, mida me sulle saadame, kõigi teemade peale kokku.',
  noLimit: 'Piiranguta',
  overallLimit: (cap) => `Üldine piirang (${cap.charAt(0).toLowerCase()}${cap.slice(1)})`,
  channelOffEverywhere: (channels) => `${channels} on jaotises „Kanalid“ kõigi teemade jaoks välja lülitatud.`,
  capLabel: (n, per) => `Kuni ${n} ${plural('et', n, { one: 'sõnum', other: 'sõnumit' })} ${PER[per]}`,

  quietHeading: 'Vaikne aeg',
  quietIntro: 'Sel ajal sõnumeid ei tule.',
  quietFrom: 'Alates',
  quietTo: 'Kuni',
  timeZone: 'Ajavöönd',

  pauseHeading: 'Tee paus',
  pauseIntro: 'Peata kõik sõnumid mõneks ajaks.',
  pauseWeek: '1 nädal',
  pauseMonth: '1 kuu',
  pauseUntilDate: 'Kuni kuupäevani',
  pauseButton: 'Peata',
  pausedUntil: (when) => `Peatatud kuni ${untilDate(when)}`,
  resume: 'Jätka kohe',

  unsubscribeAll: 'Loobu kõigist',
  unsubscribeAllHint: (brand) => `Lõpetab kõik saatja ${brand} sõnumid, välja arvatud tellimustega seotud sõnumid.`,
  unsubscribeQuestion: (brand) => `Kas loobud saatja ${brand} sõnumitest?`,
  unsubscribedTitle: 'Oled tellimusest loobunud',
  unsubscribedBody: (brand) => `Saatja ${brand} ei saada sulle enam sõnumeid.`,
  requiredStillSent: 'Tellimuste ja kontoga seotud sõnumid tulevad endiselt.',
  undo: 'Võta tagasi',
  resubscribe: 'Telli uuesti',
  resubscribed: 'Oled taas tellija',
  lessInstead: 'Või saa meilt hoopis vähem sõnumeid',
  lessPauseMonth: 'Peata üheks kuuks',
  lessWeekly: 'Kõige rohkem üks sõnum nädalas',
  lessWeeklyDone: 'Nüüdsest saad kõige rohkem ühe sõnumi nädalas',
  chooseTopics: 'Vali hoopis teemad',
  reasonHeading: 'Kas ütleksid meile, miks? (vabatahtlik)',
  reasons: {
    too_many: 'Liiga palju sõnumeid',
    not_relevant: 'Pole minu jaoks asjakohane',
    never_signed_up: 'Ma ei tellinud seda',
    other: 'Muu põhjus',
  },
  reasonSend: 'Saada',
  reasonThanks: 'Aitäh, et andsid teada.',

  expiredTitle: 'See link on aegunud',
  expiredBody: 'Eelistuste nägemiseks ava link mõnest meie hiljutisest sõnumist.',
  noTokenTitle: 'Ava see leht e-kirjas oleva lingiga',
  noTokenBody: 'Kasuta linki, mis on iga meie sõnumi lõpus.',
  networkTitle: 'Eelistusi ei õnnestunud laadida',
  networkBody: 'Kontrolli internetiühendust ja proovi uuesti.',
  serverBody: 'Meie poolel läks midagi valesti. Proovi hetke pärast uuesti.',
  retry: 'Proovi uuesti',
  originTitle: 'Eelistusi ei saa siin näidata',
  originBody: 'Eelistuste muutmiseks kasuta linki mõnes meie saadetud sõnumis.',
  loadFailed: 'Seda osa ei õnnestunud laadida. Kontrolli ühendust ja proovi uuesti.',

  notSaved: (why) => `Salvestamine ebaõnnestus: ${why} Eelmine valik on taastatud.`,
  whyOffline: 'tundub, et sul pole internetiühendust.',
  whyBusy: 'liiga palju muudatusi korraga. Oota minut ja proovi uuesti.',
  whyServer: 'meie poolel läks midagi valesti.',
  whyRejected: 'seda valikut enam ei pakuta.',
}

export default translation
