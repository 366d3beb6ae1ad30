/** The hosted pages' words, per locale; English is the fallback. */
export const PAGE_LOCALES = ['en', 'zh-Hans', 'zh-Hant', 'et'] as const
export type PageLocale = (typeof PAGE_LOCALES)[number]

export interface PageStrings {
  preferencesTitle: (brand: string) => string
  unsubscribeTitle: (brand: string) => string
  sentTo: (email: string) => string
  unsubscribeAll: string
  unsubscribeAllHint: string
  /** On the page of an expired or revoked link, which can only unsubscribe. */
  staleLink: string
  lessInstead: string
  pauseMonth: string
  weekly: string
  chooseTopics: string
  unsubscribedTitle: string
  unsubscribedBody: (brand: string) => string
  undo: string
  resubscribedTitle: string
  resubscribedBody: string
  pausedBody: (until: string) => string
  weeklyBody: string
  invalidTitle: string
  invalidBody: string
  noScript: string
  /** The dead-end pages' "e-mail me a new link" form and its answers. */
  expiredBody: string
  newLinkIntro: string
  emailLabel: string
  newLinkButton: string
  newLinkSentTitle: string
  newLinkSentBody: string
  newLinkBadEmail: string
  newLinkTooMany: string
  /** After "send me less": still subscribed, what is in effect, and the way back. */
  stillSubscribedTitle: string
  pausedUntil: (until: string) => string
  weeklyInEffect: string
  inEffect: string
  /** Offered to someone already unsubscribed, instead of "hear from us less". */
  subscribeAgain: string
  subscribeAgainHint: string
  /** After a fresh unsubscribe: the "less" choices subscribe again, so they say so. */
  lessInsteadAfter: string
}

const en: PageStrings = {
  preferencesTitle: (b) => `Message preferences · ${b}`,
  unsubscribeTitle: (b) => `Unsubscribe from ${b}`,
  sentTo: (e) => `Messages are sent to ${e}.`,
  unsubscribeAll: 'Unsubscribe from all',
  unsubscribeAllHint: 'You will still get messages you need about your orders and account.',
  staleLink: 'This link is old, so it can only unsubscribe you. To change your preferences, use the link in a recent message.',
  lessInstead: 'Or hear from us less',
  pauseMonth: 'Pause for a month',
  weekly: 'At most one a week',
  chooseTopics: 'Choose topics',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedBody: (b) => `${b} will not send you marketing messages any more.`,
  undo: 'Undo',
  resubscribedTitle: 'Welcome back.',
  resubscribedBody: 'Your preferences are as they were.',
  pausedBody: (d) => `Paused until ${d}.`,
  weeklyBody: 'You will get at most one message a week.',
  invalidTitle: 'This link is no longer valid',
  invalidBody: 'Links in older messages stop working after a while. Use the link in a recent message, or contact the sender.',
  noScript: 'Turn on JavaScript to choose topics here, or use the unsubscribe link in the message.',
  expiredBody: 'Links in older messages stop working after a while, so this one cannot show your preferences any more.',
  newLinkIntro: 'Enter the address our messages reach you at, and we will e-mail you a new link.',
  emailLabel: 'Your e-mail address',
  newLinkButton: 'E-mail me a new link',
  newLinkSentTitle: 'Check your inbox',
  newLinkSentBody: 'If this address is on our list, a link is on its way. It can take a few minutes.',
  newLinkBadEmail: 'Enter an e-mail address, like name@example.com.',
  newLinkTooMany: 'That was a lot of requests in a short time. Please try again in a few minutes.',
  stillSubscribedTitle: 'You are still subscribed',
  pausedUntil: (d) => `Paused until ${d}. You will get no marketing messages before then.`,
  weeklyInEffect: 'You will get at most one marketing message a week.',
  inEffect: 'In effect',
  subscribeAgain: 'Subscribe again',
  subscribeAgainHint: 'Your earlier topic choices come back with it.',
  lessInsteadAfter: 'Changed your mind? Stay subscribed, but hear from us less',
}

const zhHans: PageStrings = {
  preferencesTitle: (b) => `消息偏好设置 · ${b}`,
  unsubscribeTitle: (b) => `退订 ${b} 的消息`,
  sentTo: (e) => `消息发送至 ${e}。`,
  unsubscribeAll: '全部退订',
  unsubscribeAllHint: '您仍会收到与订单和账户有关的必要消息。',
  staleLink: '此链接已过期，只能用于退订。如需更改偏好设置，请使用最近一条消息中的链接。',
  lessInstead: '或者，少收一些消息',
  pauseMonth: '暂停一个月',
  weekly: '每周最多一条',
  chooseTopics: '选择主题',
  unsubscribedTitle: '您已退订',
  unsubscribedBody: (b) => `${b} 将不再向您发送营销消息。`,
  undo: '撤销',
  resubscribedTitle: '欢迎回来。',
  resubscribedBody: '您的偏好设置已恢复原样。',
  pausedBody: (d) => `已暂停至 ${d}。`,
  weeklyBody: '您每周最多会收到一条消息。',
  invalidTitle: '此链接已失效',
  invalidBody: '旧消息中的链接会在一段时间后失效。请使用最近一条消息中的链接，或联系发送方。',
  noScript: '请启用 JavaScript 以在此选择主题，或使用消息中的退订链接。',
  expiredBody: '旧消息中的链接会在一段时间后失效，因此此链接已无法显示您的偏好设置。',
  newLinkIntro: '请输入您接收我们消息的电子邮件地址，我们会通过邮件把新链接发送给您。',
  emailLabel: '您的电子邮件地址',
  newLinkButton: '通过邮件给我发送新链接',
  newLinkSentTitle: '请查看收件箱',
  newLinkSentBody: '如果此地址在我们的名单中，新链接已在发送途中，可能需要几分钟才能送达。',
  newLinkBadEmail: '请输入电子邮件地址，例如 name@example.com。',
  newLinkTooMany: '短时间内请求次数过多，请几分钟后再试。',
  stillSubscribedTitle: '您仍在订阅中',
  pausedUntil: (d) => `已暂停至 ${d}。在此之前，您不会收到营销消息。`,
  weeklyInEffect: '您每周最多会收到一条营销消息。',
  inEffect: '当前设置',
  subscribeAgain: '重新订阅',
  subscribeAgainHint: '您之前选择的主题也会一并恢复。',
  lessInsteadAfter: '改变主意了？继续订阅，但少收一些消息',
}

const zhHant: PageStrings = {
  preferencesTitle: (b) => `訊息偏好設定 · ${b}`,
  unsubscribeTitle: (b) => `取消訂閱 ${b} 的訊息`,
  sentTo: (e) => `訊息寄送至 ${e}。`,
  unsubscribeAll: '全部取消訂閱',
  unsubscribeAllHint: '您仍會收到與訂單和帳戶有關的必要訊息。',
  staleLink: '此連結已過期，只能用於取消訂閱。如需變更偏好設定，請使用最近一則訊息中的連結。',
  lessInstead: '或者，少收一些訊息',
  pauseMonth: '暫停一個月',
  weekly: '每週最多一則',
  chooseTopics: '選擇主題',
  unsubscribedTitle: '您已取消訂閱',
  unsubscribedBody: (b) => `${b} 將不再傳送行銷訊息給您。`,
  undo: '復原',
  resubscribedTitle: '歡迎回來。',
  resubscribedBody: '您的偏好設定已恢復原狀。',
  pausedBody: (d) => `已暫停至 ${d}。`,
  weeklyBody: '您每週最多會收到一則訊息。',
  invalidTitle: '此連結已失效',
  invalidBody: '舊訊息中的連結會在一段時間後失效。請使用最近一則訊息中的連結，或聯絡發送方。',
  noScript: '請啟用 JavaScript 以在此選擇主題，或使用訊息中的取消訂閱連結。',
  expiredBody: '舊訊息中的連結會在一段時間後失效，因此此連結已無法顯示您的偏好設定。',
  newLinkIntro: '請輸入您接收我們訊息的電子郵件地址，我們會以電子郵件將新連結寄給您。',
  emailLabel: '您的電子郵件地址',
  newLinkButton: '以電子郵件寄送新連結給我',
  newLinkSentTitle: '請查看收件匣',
  newLinkSentBody: '如果此地址在我們的名單中，新連結已在寄送途中，可能需要幾分鐘才會送達。',
  newLinkBadEmail: '請輸入電子郵件地址，例如 name@example.com。',
  newLinkTooMany: '短時間內的請求次數過多，請幾分鐘後再試。',
  stillSubscribedTitle: '您仍在訂閱中',
  pausedUntil: (d) => `已暫停至 ${d}。在此之前，您不會收到行銷訊息。`,
  weeklyInEffect: '您每週最多會收到一則行銷訊息。',
  inEffect: '目前設定',
  subscribeAgain: '重新訂閱',
  subscribeAgainHint: '您先前選擇的主題也會一併恢復。',
  lessInsteadAfter: '改變主意了？繼續訂閱，但少收一些訊息',
}

/** Intl names the month in the nominative ("3. juuni 2026"); "until" takes the terminative ("3. juunini 2026"). */
const UNTIL: Record<string, string> = {
  jaanuar: 'jaanuarini', veebruar: 'veebruarini', märts: 'märtsini', aprill: 'aprillini', mai: 'maini', juuni: 'juunini',
  juuli: 'juulini', august: 'augustini', september: 'septembrini', oktoober: 'oktoobrini', november: 'novembrini', detsember: 'detsembrini',
}
/** A date as Intl writes it in Estonian, turned into "until <date>": "3. juuni 2026" → "3. juunini 2026". */
const untilDate = (when: string) =>
  when.replace(/(?<!\p{L})(jaanuar|veebruar|märts|aprill|mai|juuni|juuli|august|september|oktoober|november|detsember)(?!\p{L})/u, (m) => UNTIL[m] ?? m).replace(', kell ', ' kell ')

const et: PageStrings = {
  preferencesTitle: (b) => `Sõnumite eelistused · ${b}`,
  unsubscribeTitle: (b) => `Loobu saatja ${b} sõnumitest`,
  sentTo: (e) => `Sõnumid saadetakse aadressile ${e}.`,
  unsubscribeAll: 'Loobu kõigist',
  unsubscribeAllHint: 'Tellimuste ja kontoga seotud vajalikud sõnumid tulevad endiselt.',
  staleLink: 'See link on vana, nii et sellega saad ainult tellimusest loobuda. Eelistuste muutmiseks kasuta mõne hiljutise sõnumi linki.',
  lessInstead: 'Või saa meilt vähem sõnumeid',
  pauseMonth: 'Peata üheks kuuks',
  weekly: 'Kõige rohkem üks sõnum nädalas',
  chooseTopics: 'Vali teemad',
  unsubscribedTitle: 'Oled tellimusest loobunud',
  unsubscribedBody: (b) => `Saatja ${b} ei saada sulle enam turundussõnumeid.`,
  undo: 'Võta tagasi',
  resubscribedTitle: 'Tere tulemast tagasi!',
  resubscribedBody: 'Sinu eelistused on taastatud.',
  pausedBody: (d) => `Peatatud kuni ${untilDate(d)}.`,
  weeklyBody: 'Saad kõige rohkem ühe sõnumi nädalas.',
  invalidTitle: 'See link ei kehti enam',
  invalidBody: 'Vanemate sõnumite lingid aeguvad mõne aja pärast. Kasuta mõne hiljutise sõnumi linki või võta saatjaga ühendust.',
  noScript: 'Teemade valimiseks lülita JavaScript sisse või kasuta sõnumis olevat loobumislinki.',
  expiredBody: 'Vanemate sõnumite lingid aeguvad mõne aja pärast, seega see link sinu eelistusi enam ei näita.',
  newLinkIntro: 'Sisesta e-posti aadress, kuhu meie sõnumid jõuavad, ja saadame sulle e-kirjaga uue lingi.',
  emailLabel: 'Sinu e-posti aadress',
  newLinkButton: 'Saada mulle uus link',
  newLinkSentTitle: 'Vaata oma postkasti',
  newLinkSentBody: 'Kui see aadress on meie nimekirjas, on link teel. Selleks võib kuluda mõni minut.',
  newLinkBadEmail: 'Sisesta e-posti aadress, näiteks nimi@example.com.',
  newLinkTooMany: 'Lühikese aja jooksul tuli liiga palju päringuid. Proovi mõne minuti pärast uuesti.',
  stillSubscribedTitle: 'Sinu tellimus kehtib edasi',
  pausedUntil: (d) => `Peatatud kuni ${untilDate(d)}. Enne seda sa meilt turundussõnumeid ei saa.`,
  weeklyInEffect: 'Saad kõige rohkem ühe turundussõnumi nädalas.',
  inEffect: 'Kehtib',
  subscribeAgain: 'Telli uuesti',
  subscribeAgainHint: 'Ka sinu varasemad teemavalikud taastatakse.',
  lessInsteadAfter: 'Mõtlesid ümber? Jää tellijaks, aga saa meilt vähem sõnumeid',
}

export const PAGE_STRINGS: Record<PageLocale, PageStrings> = { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant, et }

/** The best page locale for a language tag, or null. */
export function matchLocale(tag: string | null | undefined): PageLocale | null {
  if (!tag) return null
  let loc: Intl.Locale
  try {
    loc = new Intl.Locale(tag).maximize()
  } catch {
    return null
  }
  if (loc.language === 'zh') return loc.script === 'Hant' ? 'zh-Hant' : 'zh-Hans'
  return (PAGE_LOCALES as readonly string[]).includes(loc.language) ? (loc.language as PageLocale) : null
}

/** Subscriber's language, then the browser's (Accept-Language), then the tenant's. */
export function pickLocale(subscriberLocale: string | null, acceptLanguage: string | undefined, tenantLocale: string): PageLocale {
  const fromHeader = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=')
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q) }
    })
    .filter((x) => x.tag && x.tag !== '*' && x.q > 0)
    .sort((a, b) => b.q - a.q)
  for (const t of [subscriberLocale, ...fromHeader.map((x) => x.tag), tenantLocale]) {
    const m = matchLocale(t)
    if (m) return m
  }
  return 'en'
}
