import type { Translation } from './translation.ts'

const PER = { day: '每天', week: '每周', month: '每月' } as const
const CATEGORIES: Record<string, string> = {
  general: '一般',
  account: '您的账户',
  orders: '订单',
  shopping: '购物',
  marketing: '优惠',
  news: '最新消息',
  content: '故事与指南',
  stories: '故事',
  product: '产品更新',
}
const CHANNELS: Record<string, string> = { email: '电子邮件', sms: '短信', push: '推送通知' }

const translation: Translation = {
  $code: 'zh-Hans',

  title: '消息偏好设置',
  intro: (brand) => `选择 ${brand} 向您发送哪些内容，以及发送频率。`,
  sentTo: (email) => `发送至 ${email}`,
  loading: '正在加载您的偏好设置…',
  saving: '正在保存…',
  saved: '已保存',

  topicsHeading: '主题',
  categories: CATEGORIES,
  requiredWhy: '始终开启：与您的订单和账户有关。',
  channelsFor: (topic) => `${topic}的接收渠道`,
  channelName: (c) => CHANNELS[c] ?? c,
  topicFrequency: '频率',

  channelsHeading: '接收渠道',
  channelsIntro: '关闭某个渠道后，我们将不再通过该渠道向您发送任何内容。',

  frequencyHeading: '接收频率',
  frequencyIntro: '我们向您发送的消息数量上限，所有主题合并计算。',
  noLimit: '不限',
  overallLimit: (cap) => `按总体上限（${cap}）`,
  channelOffEverywhere: (channels) => `${channels}已在“接收渠道”中对所有主题关闭。`,
  capLabel: (n, per) => `${PER[per]}最多 ${n} 条`,

  quietHeading: '免打扰时段',
  quietIntro: '在这段时间内，您不会收到任何消息。',
  quietFrom: '开始',
  quietTo: '结束',
  timeZone: '时区',

  pauseHeading: '暂停一段时间',
  pauseIntro: '暂时停止接收所有消息。',
  pauseWeek: '1 周',
  pauseMonth: '1 个月',
  pauseUntilDate: '暂停至指定日期',
  pauseButton: '暂停',
  pausedUntil: (when) => `已暂停至 ${when}`,
  resume: '立即恢复',

  unsubscribeAll: '全部退订',
  unsubscribeAllHint: (brand) => `停止接收 ${brand} 的所有消息，订单相关消息除外。`,
  unsubscribeQuestion: (brand) => `要退订 ${brand} 的消息吗？`,
  unsubscribedTitle: '您已退订',
  unsubscribedBody: (brand) => `${brand} 将不再向您发送消息。`,
  requiredStillSent: '与订单和账户有关的消息仍会照常发送给您。',
  undo: '撤销',
  resubscribe: '重新订阅',
  resubscribed: '您已重新订阅',
  lessInstead: '或者，改为少收一些消息',
  lessPauseMonth: '暂停一个月',
  lessWeekly: '每周最多一条',
  lessWeeklyDone: '从现在起，每周最多一条消息',
  chooseTopics: '改为选择主题',
  reasonHeading: '能告诉我们原因吗？（选填）',
  reasons: {
    too_many: '消息太多',
    not_relevant: '内容与我无关',
    never_signed_up: '我从未订阅过',
    other: '其他原因',
  },
  reasonSend: '提交',
  reasonThanks: '感谢您的反馈。',

  expiredTitle: '此链接已失效',
  expiredBody: '请打开我们最近发给您的消息中的链接，查看您的偏好设置。',
  noTokenTitle: '请从电子邮件中打开此页面',
  noTokenBody: '请使用我们发给您的任意一条消息末尾的链接。',
  networkTitle: '无法加载您的偏好设置',
  networkBody: '请检查网络连接后重试。',
  serverBody: '我们这边出了点问题，请稍后重试。',
  retry: '重试',
  originTitle: '无法在此显示偏好设置',
  originBody: '请使用我们发给您的任意一条消息中的链接来管理偏好设置。',
  loadFailed: '这部分无法加载，请检查网络连接后重试。',

  notSaved: (why) => `未保存：${why}已恢复为之前的选择。`,
  whyOffline: '您似乎处于离线状态。',
  whyBusy: '更改过于频繁，请稍等一分钟再试。',
  whyServer: '我们这边出了点问题。',
  whyRejected: '该选项已不再提供。',
}

export default translation
