import type { Translation } from './translation.ts'

const PER = { day: '每天', week: '每周', month: '每月' } as const
const CATEGORIES: Record<string, string> = {
  general: '常规',
  account: '你的账户',
  orders: '订单',
  shopping: '购物',
  marketing: '优惠',
  news: '新闻',
  content: '故事与指南',
  stories: '故事',
  product: '产品更新',
}
const CHANNELS: Record<string, string> = { email: '电子邮件', sms: '短信', push: '推送通知' }

const translation: Translation = {
  $code: 'zh-Hans',

  title: '消息偏好设置',
  intro: (brand) => `选择 ${brand} 给你发送哪些内容，以及发送频率。`,
  sentTo: (email) => `发送至 ${email}`,
  loading: '正在加载你的偏好设置…',
  saving: '正在保存…',
  saved: '已保存',

  topicsHeading: '主题',
  categories: CATEGORIES,
  requiredWhy: '始终开启：与你的订单和账户有关。',
  channelsFor: (topic) => `${topic}的接收渠道`,
  channelName: (c) => CHANNELS[c] ?? c,
  topicFrequency: '频率',

  channelsHeading: '接收渠道',
  channelsIntro: '关闭某个渠道后，我们将不再通过它发送任何内容。',

  frequencyHeading: '发送频率',
  frequencyIntro: '所有主题合计，我们最多给你发送的数量。',
  noLimit: '不限',
  capLabel: (n, per) => `${PER[per]}最多 ${n} 条`,

  quietHeading: '免打扰时段',
  quietIntro: '这段时间内不会收到消息。',
  quietFrom: '开始',
  quietTo: '结束',
  timeZone: '时区',
  quietSameTime: '开始和结束时间不能相同。',

  pauseHeading: '暂停一段时间',
  pauseIntro: '暂时停止所有消息。',
  pauseWeek: '1 周',
  pauseMonth: '1 个月',
  pauseUntilDate: '直到某天',
  pauseButton: '暂停',
  pausedUntil: (when) => `已暂停，直到 ${when}`,
  resume: '立即恢复',

  unsubscribeAll: '全部退订',
  unsubscribeAllHint: (brand) => `停止接收 ${brand} 的所有消息，订单相关通知除外。`,
  unsubscribeQuestion: (brand) => `要退订 ${brand} 的消息吗？`,
  unsubscribedTitle: '你已退订',
  unsubscribedBody: (brand) => `${brand} 不会再给你发送消息。`,
  requiredStillSent: '与订单和账户有关的消息仍会照常发送。',
  undo: '撤销',
  resubscribe: '重新订阅',
  resubscribed: '你已重新订阅',
  lessInstead: '或者，改为少收一些',
  lessPauseMonth: '暂停一个月',
  lessWeekly: '每周最多一条',
  lessWeeklyDone: '从现在起每周最多一条消息',
  chooseTopics: '改为选择主题',
  reasonHeading: '能告诉我们原因吗？（选填）',
  reasons: {
    too_many: '消息太多',
    not_relevant: '内容与我无关',
    never_signed_up: '我从未订阅过',
    other: '其他原因',
  },
  reasonSend: '发送',
  reasonThanks: '感谢你的反馈。',

  expiredTitle: '此链接已失效',
  expiredBody: '请打开我们最近发给你的消息中的链接。',
  noTokenTitle: '请从邮件中打开此页面',
  noTokenBody: '请使用我们发给你的任意消息末尾的链接。',
  networkTitle: '无法加载你的偏好设置',
  networkBody: '请检查网络连接后重试。',
  serverBody: '我们这边出了点问题，请稍后重试。',
  retry: '重试',

  notSaved: (why) => `未保存：${why}已恢复为之前的选择。`,
  whyOffline: '你似乎处于离线状态。',
  whyBusy: '更改过于频繁，请稍等一分钟再试。',
  whyServer: '我们这边出了点问题。',
  whyRejected: '该选项已不再提供。',
}

export default translation
