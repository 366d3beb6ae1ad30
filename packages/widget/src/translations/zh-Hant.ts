import type { Translation } from './translation.ts'

const PER = { day: '每天', week: '每週', month: '每月' } as const
const CATEGORIES: Record<string, string> = {
  general: '一般',
  account: '您的帳戶',
  orders: '訂單',
  shopping: '購物',
  marketing: '優惠',
  news: '最新消息',
  content: '故事與指南',
  stories: '故事',
  product: '產品更新',
}
const CHANNELS: Record<string, string> = { email: '電子郵件', sms: '簡訊', push: '推播通知' }

const translation: Translation = {
  $code: 'zh-Hant',

  title: '訊息偏好設定',
  intro: (brand) => `選擇 ${brand} 要傳送哪些內容給您，以及傳送頻率。`,
  sentTo: (email) => `寄送至 ${email}`,
  loading: '正在載入您的偏好設定…',
  saving: '正在儲存…',
  saved: '已儲存',

  topicsHeading: '主題',
  categories: CATEGORIES,
  requiredWhy: '一律開啟：與您的訂單和帳戶有關。',
  channelsFor: (topic) => `${topic}的接收管道`,
  channelName: (c) => CHANNELS[c] ?? c,
  topicFrequency: '頻率',

  channelsHeading: '接收管道',
  channelsIntro: '關閉某個管道後，我們就不會再透過該管道傳送任何內容給您。',

  frequencyHeading: '接收頻率',
  frequencyIntro: '我們傳送給您的訊息數量上限，所有主題合併計算。',
  noLimit: '不限',
  overallLimit: (cap) => `依整體上限（${cap}）`,
  channelOffEverywhere: (channels) => `${channels}已在「接收管道」中對所有主題關閉。`,
  capLabel: (n, per) => `${PER[per]}最多 ${n} 則`,

  quietHeading: '勿擾時段',
  quietIntro: '在這段時間內，您不會收到任何訊息。',
  quietFrom: '開始',
  quietTo: '結束',
  timeZone: '時區',

  pauseHeading: '暫停一段時間',
  pauseIntro: '暫時停止接收所有訊息。',
  pauseWeek: '1 週',
  pauseMonth: '1 個月',
  pauseUntilDate: '暫停至指定日期',
  pauseButton: '暫停',
  pausedUntil: (when) => `已暫停至 ${when}`,
  resume: '立即恢復',

  unsubscribeAll: '全部取消訂閱',
  unsubscribeAllHint: (brand) => `停止接收 ${brand} 的所有訊息，訂單相關訊息除外。`,
  unsubscribeQuestion: (brand) => `要取消訂閱 ${brand} 的訊息嗎？`,
  unsubscribedTitle: '您已取消訂閱',
  unsubscribedBody: (brand) => `${brand} 將不再傳送訊息給您。`,
  requiredStillSent: '與訂單和帳戶有關的訊息仍會照常傳送給您。',
  undo: '復原',
  resubscribe: '重新訂閱',
  resubscribed: '您已重新訂閱',
  lessInstead: '或者，改為少收一些訊息',
  lessPauseMonth: '暫停一個月',
  lessWeekly: '每週最多一則',
  lessWeeklyDone: '從現在起，每週最多一則訊息',
  chooseTopics: '改為選擇主題',
  reasonHeading: '可以告訴我們原因嗎？（選填）',
  reasons: {
    too_many: '訊息太多',
    not_relevant: '內容與我無關',
    never_signed_up: '我從未訂閱',
    other: '其他原因',
  },
  reasonSend: '送出',
  reasonThanks: '謝謝您的回饋。',

  expiredTitle: '此連結已失效',
  expiredBody: '請開啟我們最近傳送給您的訊息中的連結，查看您的偏好設定。',
  noTokenTitle: '請從電子郵件開啟此頁面',
  noTokenBody: '請使用我們傳送給您的任何一則訊息末尾的連結。',
  networkTitle: '無法載入您的偏好設定',
  networkBody: '請檢查網路連線後再試一次。',
  serverBody: '我們這邊發生問題，請稍後再試。',
  retry: '再試一次',
  originTitle: '無法在此顯示偏好設定',
  originBody: '請使用我們傳送給您的任何一則訊息中的連結來管理偏好設定。',
  loadFailed: '這部分無法載入，請檢查網路連線後再試一次。',

  notSaved: (why) => `未儲存：${why}已恢復為先前的選擇。`,
  whyOffline: '您似乎已離線。',
  whyBusy: '變更太頻繁，請稍候一分鐘再試。',
  whyServer: '我們這邊發生問題。',
  whyRejected: '此選項已不再提供。',
}

export default translation
