/**
 * Keeps an ESP's suppressions in step with Heed. Heed posts a webhook for every consent event;
 * this service verifies it (Standard Webhooks, on the raw body), works out what changed, and
 * mirrors it to SendGrid suppression groups, a Postmark message stream and Amazon SES
 * contact-list topics, each ESP on when its variables are set. It answers 2xx only once every
 * ESP call has succeeded; 401 to a bad signature; 503 when an ESP failed, so Heed retries.
 *
 * Run it against Heed:
 *
 *   1. Register the endpoint with a tenant's admin key; the secret in the answer is shown once.
 *      Heed sends to a localhost or plain-http URL only when it runs with
 *      HEED_WEBHOOK_ALLOW_PRIVATE=1; in production the URL is https:// and public.
 *        curl -X POST $HEED_API_URL/v1/webhooks -H "Authorization: Bearer $ADMIN_KEY" \
 *             -H 'Content-Type: application/json' -d '{"url": "http://localhost:8789/heed"}'
 *   2. HEED_WEBHOOK_SECRET=whsec_... SENDGRID_API_KEY=... SENDGRID_GROUPS=news:123 npm start
 *
 * Heed waits 15 s for an answer, so each ESP call here gives up after 6 s (SES may need two
 * in a row) and the message is answered 503 and retried rather than timed out.
 *
 *   PORT                    this service's port (default 8789); it listens on POST /heed
 *   HEED_WEBHOOK_SECRET     the endpoint's secret, whsec_...
 *   SENDGRID_API_KEY        SendGrid on, with SENDGRID_GROUPS=news:123,promo:456 (topic:group id)
 *   POSTMARK_SERVER_TOKEN   Postmark on, for the stream POSTMARK_STREAM (default broadcast)
 *   SES_CONTACT_LIST        SES on, with AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 *                           (AWS_SESSION_TOKEN if temporary) and SES_TOPICS=news:Newsletter
 *   SENDGRID_API_URL, POSTMARK_API_URL, SES_API_URL   the ESPs' base URLs, for a proxy or a fake
 *
 * A retried message carries the same webhook-id, and the ids of applied messages are kept so
 * a retry is not applied twice. Here they live in memory (the last 10,000); a real deployment
 * keeps them durable (a table with a unique key, or Redis SET NX with a TTL longer than Heed's
 * retry window), so a restart does not forget them. The ESP calls are idempotent (suppress,
 * lift, write the whole contact), so applying a message again after a partial failure does no
 * harm, unless a later change of the same subscriber got through in between: a real deployment
 * also applies each subscriber's events in `data.seq` order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { pathToFileURL } from 'node:url'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import * as postmark from './postmark.ts'
import * as sendgrid from './sendgrid.ts'
import * as ses from './ses.ts'
import { type ConsentData, parseEvent, parseTopicMap, plan } from './sync.ts'

export interface Config {
  secret: string
  sendgrid: sendgrid.SendgridConfig | null
  postmark: postmark.PostmarkConfig | null
  ses: ses.SesConfig | null
  log: (line: string) => void
  /** How many applied webhook-ids to remember. */
  remember: number
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')

/** Reads the configuration from the environment; throws on a half-configured ESP. */
export function configFromEnv(env: NodeJS.ProcessEnv, log: (line: string) => void = console.log): Config {
  if (!env.HEED_WEBHOOK_SECRET) throw new Error('HEED_WEBHOOK_SECRET is not set: it is the whsec_... secret Heed showed when the endpoint was registered.')
  const groups = parseTopicMap(env.SENDGRID_GROUPS, 'SENDGRID_GROUPS')
  if (env.SENDGRID_API_KEY && groups.size === 0) throw new Error('SENDGRID_GROUPS is empty: map Heed topics to suppression groups, e.g. news:123,promo:456.')
  const topics = parseTopicMap(env.SES_TOPICS, 'SES_TOPICS')
  const region = env.AWS_REGION
  if (env.SES_CONTACT_LIST && !(region && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)) {
    throw new Error('SES_CONTACT_LIST is set: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed too.')
  }
  return {
    secret: env.HEED_WEBHOOK_SECRET,
    sendgrid: env.SENDGRID_API_KEY ? { baseUrl: trimSlash(env.SENDGRID_API_URL || 'https://api.sendgrid.com'), apiKey: env.SENDGRID_API_KEY, groups } : null,
    postmark: env.POSTMARK_SERVER_TOKEN
      ? { baseUrl: trimSlash(env.POSTMARK_API_URL || 'https://api.postmarkapp.com'), serverToken: env.POSTMARK_SERVER_TOKEN, stream: env.POSTMARK_STREAM || 'broadcast' }
      : null,
    ses:
      env.SES_CONTACT_LIST && region && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            baseUrl: trimSlash(env.SES_API_URL || `https://email.${region}.amazonaws.com`),
            region,
            credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
            contactList: env.SES_CONTACT_LIST,
            topics,
          }
        : null,
    log,
    remember: 10_000,
  }
}

/** Insertion-ordered and bounded: the oldest id goes when a new one would exceed `limit`. */
class RecentIds {
  readonly #ids = new Set<string>()
  constructor(readonly limit: number) {}
  has(id: string) {
    return this.#ids.has(id)
  }
  add(id: string) {
    this.#ids.add(id)
    for (const oldest of this.#ids) {
      if (this.#ids.size <= this.limit) break
      this.#ids.delete(oldest)
    }
  }
}

interface Outcome {
  status: number
  body: Record<string, unknown>
}

const MAX_BODY = 1024 * 1024

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) return null
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(' ') : (v ?? '')
}

function reply(res: ServerResponse, { status, body }: Outcome) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
}

/** The HTTP server; `listen()` is the caller's. */
export function createReceiver(config: Config): Server {
  const webhook = new Webhook(config.secret)
  const applied = new RecentIds(config.remember)
  const inFlight = new Map<string, Promise<Outcome>>()
  const maps = { sendgrid: config.sendgrid?.groups ?? new Map<string, string>(), ses: config.ses?.topics ?? new Map<string, string>() }

  async function push(id: string, type: string, data: ConsentData): Promise<Outcome> {
    const p = plan(data, maps)
    const calls: Array<[string, () => Promise<unknown>]> = []
    if (p && config.sendgrid) {
      const { sendgrid: sg } = config
      if (p.sendgrid.suppress.length > 0) calls.push([`sendgrid suppress ${p.sendgrid.suppress.join(',')}`, () => sendgrid.suppress(sg, p.email, p.sendgrid.suppress)])
      if (p.sendgrid.lift.length > 0) calls.push([`sendgrid lift ${p.sendgrid.lift.join(',')}`, () => sendgrid.lift(sg, p.email, p.sendgrid.lift)])
    }
    if (p?.postmark && config.postmark) {
      const { postmark: pm } = config
      const action = p.postmark
      calls.push([`postmark ${action}`, () => postmark.change(pm, p.email, action)])
    }
    if (p?.ses && config.ses) {
      const { ses: sc } = config
      const contact = p.ses
      calls.push([`ses ${contact.UnsubscribeAll ? 'unsubscribe-all' : 'contact'}`, () => ses.putContact(sc, p.email, contact)])
    }
    const results = await Promise.allSettled(calls.map(([, run]) => run()))
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${calls[i]![0]}: ${(r.reason as Error).message}`] : []))
    const done = calls.map(([what]) => what)
    if (failed.length > 0) {
      config.log(`${id} ${type} ${data.eventId}: failed, Heed will retry · ${failed.join(' · ')}`)
      return { status: 503, body: { error: 'esp_failed', failed: failed.length, of: calls.length } }
    }
    config.log(`${id} ${type} ${data.eventId}: ${done.length > 0 ? done.join(' · ') : 'nothing to change'}`)
    return { status: 200, body: { applied: done } }
  }

  async function handle(id: string, body: unknown): Promise<Outcome> {
    const event = parseEvent(body)
    if (typeof event === 'string') {
      // Signed by Heed yet not the contract: a retry would not fix it.
      config.log(`${id}: not a Heed event (${event})`)
      return { status: 400, body: { error: 'invalid_event', detail: event } }
    }
    if (event.kind === 'erased') {
      // No personal data left to push; the ESP's own copy is the sender's to erase.
      config.log(`${id} subscriber.erased ${event.eventId}: nothing to push`)
      return { status: 200, body: { applied: [] } }
    }
    if (event.kind === 'other') {
      config.log(`${id} ${event.type}: ignored`)
      return { status: 200, body: { ignored: event.type } }
    }
    return push(id, event.type, event.data)
  }

  return createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path !== '/heed') return reply(res, { status: 404, body: { error: 'not_found' } })
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return reply(res, { status: 405, body: { error: 'method_not_allowed' } })
    }
    const raw = await readBody(req)
    if (raw === null) return reply(res, { status: 413, body: { error: 'too_large' } })

    let body: unknown
    try {
      body = webhook.verify(raw.toString('utf8'), {
        'webhook-id': header(req, 'webhook-id'),
        'webhook-timestamp': header(req, 'webhook-timestamp'),
        'webhook-signature': header(req, 'webhook-signature'),
      })
    } catch (err) {
      if (err instanceof WebhookVerificationError) return reply(res, { status: 401, body: { error: 'invalid_signature' } })
      return reply(res, { status: 400, body: { error: 'invalid_json' } })
    }

    const id = header(req, 'webhook-id')
    if (applied.has(id)) return reply(res, { status: 200, body: { duplicate: true } })
    // A retry that arrives while the first delivery is still at work gets the same outcome.
    let outcome = inFlight.get(id)
    if (!outcome) {
      outcome = handle(id, body)
        .catch((err: Error): Outcome => {
          config.log(`${id}: ${err.message}`)
          return { status: 500, body: { error: 'internal' } }
        })
        .finally(() => inFlight.delete(id))
      inFlight.set(id, outcome)
    }
    const result = await outcome
    if (result.status < 300) applied.add(id)
    reply(res, result)
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let config: Config
  try {
    config = configFromEnv(process.env)
  } catch (err) {
    console.error((err as Error).message)
    process.exit(2)
  }
  const port = Number(process.env.PORT || 8789)
  const on = [config.sendgrid && 'SendGrid', config.postmark && 'Postmark', config.ses && 'Amazon SES'].filter(Boolean)
  createReceiver(config).listen(port, () => {
    console.log(`Heed webhooks on http://localhost:${port}/heed → ${on.length > 0 ? on.join(', ') : 'no ESP configured: messages are verified and logged only'}`)
  })
}
