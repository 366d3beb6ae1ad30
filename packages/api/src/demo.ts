import { randomBytes } from 'node:crypto'
import { DEFAULT_TENANT_SETTINGS, type SubscriberPatch, type TenantSettings } from '@heed/shared/schemas'
import { DAY_MS } from '@heed/shared/time'
import { decideFrom } from './checks/decisions.ts'
import type { Store, TopicRecord } from './db/store.ts'
import { mintApiKey } from './tenants/keys.ts'
import { hashPassword } from './console/passwords.ts'
import { newUserId } from './console/people.ts'
import { applyPatch, blankSubscriber } from './subscribers/patch.ts'

/** The demo tenant seeded into an empty database by `npm start` (HEED_DEMO=0 skips it). */
export const DEMO_TENANT_ID = 'demo'
/** The demo merchant site's origin, which the demo tenant allows: it follows MERCHANT_PORT. */
export const demoMerchantOrigin = (merchantPort: number) => `http://localhost:${merchantPort}`
/** The customer the demo merchant page is "logged in" as. */
export const DEMO_CUSTOMER = 'cust_1001'
/** The demo tenant's console owner; their password is random, printed once at seeding. */
export const DEMO_OWNER_EMAIL = 'owner@demo-outfitters.example'

type TopicSeed = Omit<TopicRecord, 'key' | 'createdAt' | 'updatedAt'>

/** The demo topics, with their names and descriptions in the four languages. */
export const DEMO_TOPICS: Record<string, TopicSeed> = {
  'order-updates': {
    name: { en: 'Order updates', 'zh-Hans': '订单动态', 'zh-Hant': '訂單動態', et: 'Tellimuste teated' },
    description: { en: 'Receipts, shipping and delivery notices.', 'zh-Hans': '收据、发货和送达通知。', 'zh-Hant': '收據、出貨與送達通知。', et: 'Kviitungid, saatmis- ja kättetoimetamise teated.' },
    category: 'Your account', channels: ['email', 'sms'], defaultSubscribed: true, required: true, order: 0,
  },
  'new-arrivals': {
    name: { en: 'New arrivals', 'zh-Hans': '新品上架', 'zh-Hant': '新品上架', et: 'Uued tooted' },
    description: { en: 'The week’s new gear, every Thursday.', 'zh-Hans': '每周四为您介绍新品。', 'zh-Hant': '每週四為您介紹新品。', et: 'Nädala uued tooted igal neljapäeval.' },
    category: 'Shopping', channels: ['email'], defaultSubscribed: false, required: false, order: 10,
  },
  sales: {
    name: { en: 'Sales and offers', 'zh-Hans': '促销与优惠', 'zh-Hant': '促銷與優惠', et: 'Allahindlused ja pakkumised' },
    description: { en: 'Discounts and members-only offers.', 'zh-Hans': '折扣和会员专享优惠。', 'zh-Hant': '折扣與會員專屬優惠。', et: 'Soodustused ja ainult liikmetele mõeldud pakkumised.' },
    category: 'Shopping', channels: ['email', 'sms'], defaultSubscribed: false, required: false, order: 20,
  },
  'back-in-stock': {
    name: { en: 'Back in stock', 'zh-Hans': '到货提醒', 'zh-Hant': '到貨提醒', et: 'Taas laos' },
    description: { en: 'When something on your wish list returns.', 'zh-Hans': '心愿单中的商品重新到货时通知您。', 'zh-Hant': '願望清單中的商品重新到貨時通知您。', et: 'Teade, kui sinu soovinimekirja toode on taas saadaval.' },
    category: 'Shopping', channels: ['email', 'sms'], defaultSubscribed: false, required: false, order: 30,
  },
  'trail-journal': {
    name: { en: 'Trail journal', 'zh-Hans': '山径月刊', 'zh-Hant': '山徑月刊', et: 'Matkapäevik' },
    description: { en: 'Stories and guides from the trail, monthly.', 'zh-Hans': '每月为您带来山径故事与指南。', 'zh-Hant': '每月為您帶來山徑故事與指南。', et: 'Igakuised lood ja juhendid matkaradadelt.' },
    category: 'Stories', channels: ['email'], defaultSubscribed: false, required: false, order: 40,
  },
}

const on = (...keys: string[]) => Object.fromEntries(keys.map((k) => [k, { subscribed: true }]))

/** A dozen customers across zones and languages, with the kinds of choices people make. */
const SUBSCRIBERS: Array<[string, SubscriberPatch]> = [
  [DEMO_CUSTOMER, { email: 'mari.tamm@example.com', locale: 'et', timezone: 'Europe/Tallinn', topics: { ...on('new-arrivals', 'trail-journal'), sales: { subscribed: true, cap: { max: 1, per: 'week' } } }, quietHours: { start: '21:00', end: '08:00' } }],
  ['cust_1002', { email: 'alex.rivera@example.com', locale: 'en', timezone: 'America/New_York', topics: on('new-arrivals', 'sales', 'back-in-stock'), cap: { max: 3, per: 'week' } }],
  ['cust_1003', { email: 'wang.fang@example.com', locale: 'zh-Hans', timezone: 'Asia/Shanghai', topics: on('sales', 'back-in-stock'), channels: { sms: false } }],
  ['cust_1004', { email: 'chen.yu@example.com', locale: 'zh-Hant', timezone: 'Asia/Taipei', topics: on('new-arrivals', 'trail-journal'), quietHours: { start: '22:30', end: '07:30' } }],
  ['cust_1005', { email: 'priya.nair@example.com', locale: 'en', timezone: 'Asia/Kolkata', topics: on('sales', 'trail-journal'), cap: { max: 2, per: 'month' } }],
  ['cust_1006', { email: 'jonas.berg@example.com', locale: 'en', timezone: 'Europe/Berlin', topics: on('new-arrivals'), status: 'unsubscribed' }],
  ['cust_1007', { email: 'sofia.rossi@example.com', locale: 'en', timezone: 'Europe/Rome', topics: on('new-arrivals', 'sales') }],
  ['cust_1008', { email: 'liis.kask@example.com', locale: 'et', timezone: 'Europe/Tallinn', topics: on('trail-journal', 'back-in-stock'), quietHours: { start: '00:00', end: '00:00', days: [0, 6] } }],
  ['cust_1009', { email: 'sam.okafor@example.com', locale: 'en', timezone: 'Africa/Lagos', topics: { sales: { subscribed: true, channels: { sms: false } }, 'new-arrivals': { subscribed: true } } }],
  ['cust_1010', { email: 'lucas.martin@example.com', locale: 'en', timezone: 'America/Los_Angeles', topics: on('new-arrivals', 'sales', 'trail-journal') }],
  ['cust_1011', { email: 'emma.wilson@example.com', locale: 'en', timezone: 'Australia/Sydney', topics: on('sales'), cap: { max: 1, per: 'day' } }],
  ['cust_1012', { email: 'li.wei@example.com', locale: 'zh-Hans', timezone: 'Asia/Singapore', topics: on('new-arrivals', 'sales') }],
]

export interface DemoSeed {
  adminKey: string
  senderKey: string
  customerId: string
  /** The console owner's sign-in. */
  owner: { email: string; password: string }
}

/**
 * Seeds "Demo Outfitters" into an empty database: topics in four languages, two channels,
 * a dozen subscribers, some dispatch history and a console owner. Returns the keys and the
 * owner's sign-in, or null when the demo tenant exists already.
 */
export async function seedDemo(store: Store, publicUrl: string, merchantOrigin: string, now = Date.now()): Promise<DemoSeed | null> {
  if (await store.getTenant(DEMO_TENANT_ID)) return null
  const settings: TenantSettings = {
    ...DEFAULT_TENANT_SETTINGS,
    name: 'Demo Outfitters',
    allowedOrigins: [new URL(publicUrl).origin, merchantOrigin].filter((o, i, all) => all.indexOf(o) === i),
    defaultTimezone: 'Europe/Tallinn',
    channels: ['email', 'sms'],
    branding: { accentColor: '#0f766e' },
  }
  const admin = mintApiKey(DEMO_TENANT_ID, 'admin', 'demo admin key', now)
  const tenant = { id: DEMO_TENANT_ID, settings, createdAt: now, updatedAt: now }
  const password = randomBytes(12).toString('base64url')
  const owner = { id: newUserId(), tenantId: DEMO_TENANT_ID, email: DEMO_OWNER_EMAIL, name: 'Demo Owner', role: 'owner' as const, passwordHash: await hashPassword(password), createdAt: now, updatedAt: now }
  if (!(await store.createTenant(tenant, admin.record, { user: owner }))) return null
  const sender = mintApiKey(DEMO_TENANT_ID, 'sender', 'demo merchant site and sender', now)
  await store.createApiKey(sender.record)

  for (const [key, t] of Object.entries(DEMO_TOPICS)) await store.putTopic(DEMO_TENANT_ID, { key, ...t, createdAt: now, updatedAt: now })
  for (const [id, patch] of SUBSCRIBERS) {
    await store.changeSubscriber(DEMO_TENANT_ID, id, () => applyPatch(blankSubscriber(id, now), patch), {
      source: 'import',
      actor: null,
      userAgent: null,
      at: now,
    })
  }

  // Some history: last week's campaigns, recorded as sent.
  const history: Array<[string, string, number]> = [
    ['cust_1002', 'sales', 6], ['cust_1002', 'new-arrivals', 4], ['cust_1002', 'sales', 1],
    ['cust_1005', 'sales', 9], ['cust_1005', 'trail-journal', 3],
    ['cust_1011', 'sales', 0.2],
    [DEMO_CUSTOMER, 'sales', 2], [DEMO_CUSTOMER, 'order-updates', 1],
    ['cust_1007', 'new-arrivals', 5], ['cust_1010', 'sales', 2],
  ]
  for (const [i, [subscriberId, topic, daysAgo]] of history.entries()) {
    const at = now - daysAgo * DAY_MS
    await store.reserve(
      DEMO_TENANT_ID,
      { subscriberId, topic, channel: 'email', messageId: `demo-history-${i}`, at, enforce: false },
      (data) => decideFrom(data, tenant, { subscriberId, topic, channel: 'email' }, at),
    )
  }
  return { adminKey: admin.secret, senderKey: sender.secret, customerId: DEMO_CUSTOMER, owner: { email: DEMO_OWNER_EMAIL, password } }
}

