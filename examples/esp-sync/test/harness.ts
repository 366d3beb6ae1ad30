/**
 * The receiver under test, configured from the same environment variables as in production
 * and pointed at the fakes, plus Heed-shaped events signed the way Heed signs them.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { configFromEnv, createReceiver } from '../server.ts'
import { AWS_CREDENTIALS, Fakes, POSTMARK_STREAM, POSTMARK_TOKEN, SENDGRID_KEY, SES_LIST, SES_REGION } from './fakes.ts'

export const SECRET = `whsec_${randomBytes(24).toString('base64')}`
export const EMAIL = 'mari.tamm+news@example.com'
/** SENDGRID_GROUPS and SES_TOPICS of the tests. */
export const GROUP = { news: '101', sales: '102' }
export const TOPIC = { news: 'Newsletter', sales: 'Sales' }

export interface Harness {
  fakes: Fakes
  /** POSTs a raw body with the given headers to the receiver. */
  post(body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }>
  /** Signs `event` as Heed does and POSTs it. */
  deliver(event: unknown, id?: string): Promise<{ status: number; body: unknown }>
  close(): Promise<void>
}

export async function start(): Promise<Harness> {
  const fakes = await new Fakes().start()
  const config = configFromEnv(
    {
      HEED_WEBHOOK_SECRET: SECRET,
      SENDGRID_API_KEY: SENDGRID_KEY,
      SENDGRID_GROUPS: `news:${GROUP.news},sales:${GROUP.sales}`,
      SENDGRID_API_URL: fakes.urls.sendgrid,
      POSTMARK_SERVER_TOKEN: POSTMARK_TOKEN,
      POSTMARK_STREAM,
      POSTMARK_API_URL: fakes.urls.postmark,
      SES_CONTACT_LIST: SES_LIST,
      SES_TOPICS: `news:${TOPIC.news},sales:${TOPIC.sales}`,
      SES_API_URL: fakes.urls.ses,
      AWS_REGION: SES_REGION,
      AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
    },
    () => {},
  )
  const server = createReceiver(config)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/heed`

  const post = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body })
    return { status: res.status, body: await res.json() }
  }
  return {
    fakes,
    post,
    deliver: (event, id = nextId()) => {
      const body = JSON.stringify(event)
      return post(body, signed(id, body))
    },
    close: async () => {
      await new Promise((done) => server.close(done))
      await fakes.close()
    },
  }
}

let n = 0
export const nextId = () => `msg_${Date.now().toString(36)}_${++n}`

export function signed(id: string, body: string, secret = SECRET, at = new Date()): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  }
}

type Topics = Record<string, { subscribed: boolean; channels?: Record<string, boolean> }>

/** A subscriber's state as Heed's consent events carry it. */
export const state = (over: { status?: 'subscribed' | 'unsubscribed'; topics?: Topics; email?: string | null } = {}) => ({
  email: EMAIL,
  locale: 'et',
  timezone: 'Europe/Tallinn',
  status: 'subscribed' as const,
  channels: { email: true },
  topics: {},
  cap: null,
  quietHours: null,
  pausedUntil: null,
  ...over,
})

let seq = 0
export function consent(type: string, before: unknown, after: unknown) {
  const at = new Date().toISOString()
  seq++
  return {
    type,
    timestamp: at,
    data: { eventId: `evt_${seq}`, seq, tenantId: 'ten_demo', subscriberId: 'sub_1001', at, source: 'widget', reason: null, before, after },
  }
}
