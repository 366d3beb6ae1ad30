import type { Translation } from './translation.ts'

const PER = { day: '每天', week: '每週', month: '每月' } as const
const CATEGORIES: Record<string, string> = {
  general: '一般',
  account: '你的帳戶',
  orders: '訂單',
  shopping: '購物',
  marketing: '優惠',
  news: '新聞',
  content: '故事與指南',
  stories: '故事',
  product: '產品更新',
}
const CHANNELS: Record<string, string> = { email: '電子郵件', sms: '簡訊', push: '推播通知' }

const translation: Translation = {
  $code: 'zh-Hant',

  title: '訊息偏好設定',
  intro: (brand) => `選擇 ${brand} 要寄給你哪些內容，以及多久一次。`,
  sentTo: (email) => `寄送至 ${email}`,
  loading: '正在載入你的偏好設定…',
  saving: '正在儲存…',
  saved: '已儲存',

  topicsHeading: '主題',
  categories: CATEGORIES,
  requiredWhy: '一律開啟：與你的訂單和帳戶有關。',
  channelsFor: (topic) => `${topic}的接收管道`,
  channelName: (c) => CHANNELS[c] ?? c,
  topicFrequency: '頻率',

  channelsHeading: '接收管道',
  channelsIntro: '關閉某個管道後，我們就不會再透過它寄送任何內容。',

  frequencyHeading: '寄送頻率',
  frequencyIntro: '所有主題合計，我們最多寄給你的數量。',
  noLimit: '不限',
  capLabel: (n, per) => `${PER[per]}最多 ${n} 則`,

  quietHeading: '勿擾時段',
  quietIntro: '這段時間內不會收到訊息。',
  quietFrom: '開始',
  quietTo: '結束',
  timeZone: '時區',
  quietSameTime: '開始與結束時間不能相同。',

  pauseHeading: '暫停一段時間',
  pauseIntro: '暫時停止所有訊息。',
  pauseWeek: '1 週',
  pauseMonth: '1 個月',
  pauseUntilDate: '直到某天',
  pauseButton: '暫停',
  pausedUntil: (when) => `已暫停，直到 ${when}`,
  resume: '立即恢復',

  unsubscribeAll: '全部取消訂閱',
  unsubscribeAllHint: (brand) => `停止接收 ${brand} 的所有訊息，訂單相關通知除外。`,
  unsubscribeQuestion: (brand) => `要取消訂閱 ${brand} 的訊息嗎？`,
  unsubscribedTitle: '你已取消訂閱',
  unsubscribedBody: (brand) => `${brand} 不會再寄訊息給你。`,
  requiredStillSent: '與訂單和帳戶有關的訊息仍會照常寄送。',
  undo: '復原',
  resubscribe: '重新訂閱',
  resubscribed: '你已重新訂閱',
  lessInstead: '或者，改成少收一點',
  lessPauseMonth: '暫停一個月',
  lessWeekly: '每週最多一則',
  lessWeeklyDone: '從現在起每週最多一則訊息',
  chooseTopics: '改為選擇主題',
  reasonHeading: '可以告訴我們原因嗎？（選填）',
  reasons: {
    too_many: '訊息太多',
    not_relevant: '內容與我無關',
    never_signed_up: '我從未訂閱',
    other: '其他原因',
  },
  reasonSend: '送出',
  reasonThanks: '謝謝你的回饋。',

  expiredTitle: '這個連結已失效',
  expiredBody: '請開啟我們最近寄給你的訊息中的連結。',
  noTokenTitle: '請從電子郵件開啟此頁面',
  noTokenBody: '請使用我們寄給你的任何訊息末尾的連結。',
  networkTitle: '無法載入你的偏好設定',
  networkBody: '請檢查網路連線後再試一次。',
  serverBody: '我們這邊發生問題，請稍後再試。',
  retry: '再試一次',

  notSaved: (why) => `未儲存：${why}已恢復為先前的選擇。`,
  whyOffline: '你似乎已離線。',
  whyBusy: '變更太頻繁，請稍候一分鐘再試。',
  whyServer: '我們這邊發生問題。',
  whyRejected: '這個選項已不再提供。',
}

export default translation
