import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '@heed/shared'
import type { Store, TopicRecord } from './db/store.ts'
import { mintApiKey } from './keys.ts'
import { applyPatch, blankSubscriber } from './subscriber-patch.ts'

export const DEMO_TENANT_ID = 'demo'

const topic = (key: string, t: Omit<TopicRecord, 'key' | 'createdAt' | 'updatedAt'>, at: number): TopicRecord => ({ key, ...t, createdAt: at, updatedAt: at })

/**
 * Seeds the demo tenant "Demo Outfitters" into an empty database and returns its admin key
 * secret, or null when the database already holds a tenant of that id.
 */
export async function seedDemo(store: Store, publicUrl: string, now = Date.now()): Promise<{ secret: string; subscriberId: string } | null> {
  if (await store.getTenant(DEMO_TENANT_ID)) return null
  const settings: TenantSettings = {
    ...DEFAULT_TENANT_SETTINGS,
    name: 'Demo Outfitters',
    allowedOrigins: [publicUrl, 'http://localhost:8788'],
    defaultTimezone: 'Europe/Tallinn',
    channels: ['email', 'sms'],
    branding: { accentColor: '#0f766e' },
  }
  const key = mintApiKey(DEMO_TENANT_ID, 'admin', 'demo admin key', now)
  if (!(await store.createTenant({ id: DEMO_TENANT_ID, settings, createdAt: now, updatedAt: now }, key.record))) return null

  const topics: TopicRecord[] = [
    topic('order-updates', {
      name: { en: 'Order updates', 'zh-Hans': '订单动态', 'zh-Hant': '訂單動態', et: 'Tellimuse uudised' },
      description: { en: 'Receipts, shipping and delivery notices.', 'zh-Hans': '收据、发货和送达通知。', 'zh-Hant': '收據、出貨與送達通知。', et: 'Kviitungid, saatmis- ja kohaletoimetamise teated.' },
      category: 'account', channels: ['email', 'sms'], defaultSubscribed: true, required: true, order: 0,
    }, now),
    topic('new-arrivals', {
      name: { en: 'New arrivals', 'zh-Hans': '新品上架', 'zh-Hant': '新品上架', et: 'Uued tooted' },
      description: { en: 'The week’s new gear, every Thursday.', 'zh-Hans': '每周四的新品。', 'zh-Hant': '每週四的新品。', et: 'Nädala uued tooted igal neljapäeval.' },
      category: 'shopping', channels: ['email'], defaultSubscribed: false, required: false, order: 10,
    }, now),
    topic('sales', {
      name: { en: 'Sales and offers', 'zh-Hans': '促销与优惠', 'zh-Hant': '促銷與優惠', et: 'Allahindlused ja pakkumised' },
      description: { en: 'Discounts and members-only offers.', 'zh-Hans': '折扣和会员专享优惠。', 'zh-Hant': '折扣與會員專屬優惠。', et: 'Soodustused ja pakkumised liikmetele.' },
      category: 'shopping', channels: ['email', 'sms'], defaultSubscribed: false, required: false, order: 20,
    }, now),
    topic('trail-journal', {
      name: { en: 'Trail journal', 'zh-Hans': '山径月刊', 'zh-Hant': '山徑月刊', et: 'Matkapäevik' },
      description: { en: 'Stories and guides from the trail, monthly.', 'zh-Hans': '每月的山径故事与指南。', 'zh-Hant': '每月的山徑故事與指南。', et: 'Igakuised lood ja juhised matkaradadelt.' },
      category: 'content', channels: ['email'], defaultSubscribed: false, required: false, order: 30,
    }, now),
  ]
  for (const t of topics) await store.putTopic(DEMO_TENANT_ID, t)

  const subscriberId = 'cust_1001'
  await store.changeSubscriber(
    DEMO_TENANT_ID,
    subscriberId,
    () =>
      applyPatch(blankSubscriber(subscriberId, now), {
        email: 'mari@example.com',
        locale: 'et',
        timezone: 'Europe/Tallinn',
        topics: { 'new-arrivals': { subscribed: true }, sales: { subscribed: true, cap: { max: 1, per: 'week' } } },
        quietHours: { start: '21:00', end: '08:00' },
      }),
    { source: 'import', actor: null, userAgent: null, at: now },
  )
  return { secret: key.secret, subscriberId }
}
