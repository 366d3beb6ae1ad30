import { plural, type Translation } from './translation.ts'

const PER = { day: 'a day', week: 'a week', month: 'a month' } as const
const CATEGORIES: Record<string, string> = {
  general: 'General',
  account: 'Your account',
  orders: 'Orders',
  shopping: 'Shopping',
  marketing: 'Offers',
  news: 'News',
  content: 'Stories and guides',
  stories: 'Stories',
  product: 'Product updates',
}
const CHANNELS: Record<string, string> = { email: 'Email', sms: 'SMS', push: 'Push' }

const translation: Translation = {
  $code: 'en',

  title: 'Message preferences',
  intro: (brand) => `Choose what ${brand} sends you, and how often.`,
  sentTo: (email) => `For ${email}`,
  loading: 'Loading your preferences…',
  saving: 'Saving…',
  saved: 'Saved',

  topicsHeading: 'Topics',
  categories: CATEGORIES,
  requiredWhy: 'Always on: about your orders and account.',
  channelsFor: (topic) => `Channels for ${topic}`,
  channelName: (c) => CHANNELS[c] ?? c,
  topicFrequency: 'How often',

  channelsHeading: 'Channels',
  channelsIntro: 'Turn a channel off to stop everything we send that way.',

  frequencyHeading: 'How often',
  frequencyIntro: 'The most we send you, counted across all topics.',
  noLimit: 'No limit',
  overallLimit: (cap) => `Overall limit (${cap.charAt(0).toLowerCase()}${cap.slice(1)})`,
  channelOffEverywhere: (channels) => `${channels} is turned off for every topic under Channels.`,
  capLabel: (n, per) => `At most ${n} ${plural('en', n, { one: 'message', other: 'messages' })} ${PER[per]}`,

  quietHeading: 'Quiet hours',
  quietIntro: 'Nothing arrives between these times.',
  quietFrom: 'From',
  quietTo: 'To',
  timeZone: 'Time zone',

  pauseHeading: 'Take a break',
  pauseIntro: 'Pause everything for a while.',
  pauseWeek: '1 week',
  pauseMonth: '1 month',
  pauseUntilDate: 'Until a date',
  pauseButton: 'Pause',
  pausedUntil: (when) => `Paused until ${when}`,
  resume: 'Resume now',

  unsubscribeAll: 'Unsubscribe from all',
  unsubscribeAllHint: (brand) => `Stops every message from ${brand}, except about your orders.`,
  unsubscribeQuestion: (brand) => `Unsubscribe from ${brand}?`,
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedBody: (brand) => `${brand} will not send you any more messages.`,
  requiredStillSent: 'Messages about your orders and account still arrive.',
  undo: 'Undo',
  resubscribe: 'Subscribe again',
  resubscribed: 'You are subscribed again',
  lessInstead: 'Or hear from us less instead',
  lessPauseMonth: 'Pause for a month',
  lessWeekly: 'At most one a week',
  lessWeeklyDone: 'At most one message a week from now on',
  chooseTopics: 'Choose topics instead',
  reasonHeading: 'Would you tell us why? (optional)',
  reasons: {
    too_many: 'Too many messages',
    not_relevant: 'Not relevant to me',
    never_signed_up: 'I never signed up',
    other: 'Another reason',
  },
  reasonSend: 'Send',
  reasonThanks: 'Thank you for telling us.',

  expiredTitle: 'This link has expired',
  expiredBody: 'Open the link in a recent message from us to see your preferences.',
  noTokenTitle: 'Open this page from your email',
  noTokenBody: 'Use the link at the end of any message we send you.',
  networkTitle: 'Your preferences could not load',
  networkBody: 'Check your connection and try again.',
  serverBody: 'Something went wrong on our side. Try again in a moment.',
  retry: 'Try again',
  originTitle: 'Preferences can’t be shown here',
  originBody: 'Use the link in any message we sent you to manage them.',
  loadFailed: 'This part could not load. Check your connection and try again.',

  notSaved: (why) => `Not saved: ${why} Your previous choice is back.`,
  whyOffline: 'you seem to be offline.',
  whyBusy: 'too many changes at once. Wait a minute and try again.',
  whyServer: 'something went wrong on our side.',
  whyRejected: 'that choice is no longer offered.',
}

export default translation
