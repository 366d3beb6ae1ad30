/**
 * A campaign sender that obeys Heed, the way a real ESP integration should:
 *
 *  1. one batch check for the whole audience (cheap: drops the opted-out early);
 *  2. for each candidate, check-and-reserve (POST /v1/dispatches) — only a 201 means send,
 *     and concurrent senders can never exceed a subscriber's cap;
 *  3. Heed's links in every message: List-Unsubscribe + List-Unsubscribe-Post headers
 *     (RFC 8058 one-click) and a visible unsubscribe/preferences link in the body;
 *  4. refused messages with a retryAt are deferred to a schedule, the rest dropped.
 *
 * "Sent" messages are written as .eml files into --out.
 *
 *   node --import tsx send.ts [--campaign ID] [--topic sales] [--channel email]
 *        [--audience audience.json] [--out out] [--at ISO] [--api URL] [--key KEY]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Decision, DispatchResponse, LinkResponse } from '@heed/shared'

const here = fileURLToPath(new URL('.', import.meta.url))
// The demo file the API writes when it seeds the demo (HEED_DEMO_FILE: absolute, or relative
// to the repository root; default packages/api/data/demo.json), as the merchant site reads it.
const demoFile = resolve(here, '../..', process.env.HEED_DEMO_FILE || 'packages/api/data/demo.json')
const demo = existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as { apiUrl: string; senderKey: string }) : null

const { values: opts } = parseArgs({
  options: {
    campaign: { type: 'string', default: `campaign-${new Date().toISOString().slice(0, 10)}` },
    topic: { type: 'string', default: 'sales' },
    channel: { type: 'string', default: 'email' },
    audience: { type: 'string', default: join(here, 'audience.json') },
    out: { type: 'string', default: join(here, 'out') },
    at: { type: 'string' },
    api: { type: 'string', default: process.env.HEED_API_URL ?? demo?.apiUrl ?? 'http://localhost:8787' },
    key: { type: 'string', default: process.env.HEED_SENDER_KEY ?? demo?.senderKey },
    concurrency: { type: 'string', default: '8' },
    quiet: { type: 'boolean', default: false },
  },
})

interface Recipient {
  id: string
  email: string
  name?: string
}

type Outcome =
  | { kind: 'sent'; recipient: Recipient; file: string }
  | { kind: 'deferred'; recipient: Recipient; decision: Decision }
  | { kind: 'dropped'; recipient: Recipient; reason: string }

const API = opts.api.replace(/\/+$/, '')
if (!opts.key) {
  console.error(`No API key: pass --key or set HEED_SENDER_KEY (npm start writes the demo key to ${demoFile}; HEED_DEMO_FILE moves it).`)
  process.exit(2)
}

async function heed<T>(method: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { Authorization: `Bearer ${opts.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status >= 500 || res.status === 401 || res.status === 403) {
    // Fail closed: no answer from Heed means no send.
    throw new Error(`${method} ${path}: ${res.status} ${text}`)
  }
  return { status: res.status, body: JSON.parse(text) as T }
}

const CONTENT: Record<string, { subject: string; text: string }> = {
  sales: { subject: 'The winter sale starts now', text: 'Down jackets, merino layers and trail boots at up to 40 % off, this week only.' },
  'new-arrivals': { subject: 'New this week', text: 'Fresh gear for the cold season just landed.' },
  'trail-journal': { subject: 'Trail journal: frost on the bog boardwalks', text: 'Stories and guides from the trail.' },
  'back-in-stock': { subject: 'It is back', text: 'Something on your wish list is in stock again.' },
}

function eml(r: Recipient, link: LinkResponse, messageId: string, at: Date): string {
  const c = CONTENT[opts.topic] ?? { subject: `News about ${opts.topic}`, text: 'Hello!' }
  const boundary = `heed-${messageId.replace(/[^a-z0-9]/gi, '')}`
  const host = new URL(API).hostname
  return [
    `From: Demo Outfitters <news@demo-outfitters.example>`,
    `To: ${r.name ? `${r.name} ` : ''}<${r.email}>`,
    `Subject: ${c.subject}`,
    `Date: ${at.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}@${host}>`,
    `List-Unsubscribe: ${link.headers['List-Unsubscribe']}`,
    `List-Unsubscribe-Post: ${link.headers['List-Unsubscribe-Post']}`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    ``,
    `--${boundary}`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `Hi ${r.name ?? 'there'},`,
    ``,
    c.text,
    ``,
    `--`,
    `Choose what we send you: ${link.preferencesUrl}`,
    `Unsubscribe: ${link.unsubscribeUrl}`,
    ``,
    `--${boundary}`,
    `Content-Type: text/html; charset=utf-8`,
    ``,
    `<p>Hi ${r.name ?? 'there'},</p><p>${c.text}</p>`,
    `<hr><p style="font-size:12px;color:#666"><a href="${link.preferencesUrl}">Choose what we send you</a> · <a href="${link.unsubscribeUrl}">Unsubscribe</a></p>`,
    ``,
    `--${boundary}--`,
    ``,
  ].join('\r\n')
}

class Progress {
  #done = 0
  readonly #total: number
  readonly #live = process.stderr.isTTY && !opts.quiet
  constructor(total: number) {
    this.#total = total
  }
  tick() {
    this.#done++
    if (!this.#live) return
    const width = 30
    const filled = Math.round((this.#done / this.#total) * width)
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#done}/${this.#total}`)
    if (this.#done === this.#total) process.stderr.write('\n')
  }
}

async function main() {
  const audience = JSON.parse(readFileSync(resolve(opts.audience), 'utf8')) as Recipient[]
  const at = opts.at ? new Date(opts.at) : new Date()
  mkdirSync(opts.out, { recursive: true })
  const outcomes: Outcome[] = []

  // 1. One batch check (≤ 10,000 a call) sorts out who cannot get this at all.
  const candidates: Recipient[] = []
  for (let i = 0; i < audience.length; i += 10_000) {
    const chunk = audience.slice(i, i + 10_000)
    const { body } = await heed<{ results: Decision[] }>('POST', '/v1/check/batch', {
      at: at.toISOString(),
      checks: chunk.map((r) => ({ subscriberId: r.id, topic: opts.topic, channel: opts.channel })),
    })
    body.results.forEach((d, j) => {
      const recipient = chunk[j]!
      if (d.allowed) candidates.push(recipient)
      else if (d.retryAt) outcomes.push({ kind: 'deferred', recipient, decision: d })
      else outcomes.push({ kind: 'dropped', recipient, reason: d.reason })
    })
  }

  // 2. Reserve each message right before "sending" it; only a 201 means go.
  const progress = new Progress(candidates.length)
  const queue = [...candidates]
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      outcomes.push(await sendOne(r, at))
      progress.tick()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Number(opts.concurrency)) }, worker))

  // 3. Deferred messages go to a schedule a later run (or a queue) picks up at retryAt.
  const deferred = outcomes.filter((o): o is Extract<Outcome, { kind: 'deferred' }> => o.kind === 'deferred')
  writeFileSync(
    join(opts.out, 'schedule.json'),
    JSON.stringify(
      deferred.map((o) => ({ subscriberId: o.recipient.id, topic: opts.topic, channel: opts.channel, messageId: messageIdOf(o.recipient), retryAt: o.decision.retryAt, reason: o.decision.reason })),
      null,
      2,
    ) + '\n',
  )
  report(outcomes)
}

const messageIdOf = (r: Recipient) => `${opts.campaign}.${r.id}`

async function sendOne(r: Recipient, at: Date): Promise<Outcome> {
  const messageId = messageIdOf(r)
  const res = await heed<DispatchResponse>('POST', '/v1/dispatches', { subscriberId: r.id, topic: opts.topic, channel: opts.channel, messageId, at: at.toISOString() })
  if (res.status === 409) return { kind: 'dropped', recipient: r, reason: 'message_id_conflict' }
  if (res.status !== 201 || !res.body.recorded) {
    const d = res.body.decision
    return d.retryAt ? { kind: 'deferred', recipient: r, decision: d } : { kind: 'dropped', recipient: r, reason: d.reason }
  }
  const { body: link } = await heed<LinkResponse>('POST', '/v1/links', { subscriberId: r.id })
  const file = join(opts.out, `${messageId}.eml`)
  writeFileSync(file, eml(r, link, messageId, at))
  return { kind: 'sent', recipient: r, file }
}

function report(outcomes: Outcome[]) {
  const rows: Array<[string, string, string]> = []
  for (const o of outcomes.sort((a, b) => a.recipient.id.localeCompare(b.recipient.id))) {
    if (o.kind === 'sent') rows.push([o.recipient.id, 'sent', o.file.split('/').at(-1)!])
    else if (o.kind === 'deferred') rows.push([o.recipient.id, 'deferred', `${o.decision.reason} until ${o.decision.retryAt}`])
    else rows.push([o.recipient.id, 'dropped', o.reason])
  }
  const w0 = Math.max(10, ...rows.map((r) => r[0].length))
  const w1 = 8
  console.log(`Campaign ${opts.campaign} · topic ${opts.topic} · ${opts.channel} · ${outcomes.length} recipients`)
  console.log(`${'subscriber'.padEnd(w0)}  ${'outcome'.padEnd(w1)}  detail`)
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`)
  const count = (k: Outcome['kind']) => outcomes.filter((o) => o.kind === k).length
  const reasons = new Map<string, number>()
  for (const o of outcomes) {
    if (o.kind === 'sent') continue
    const reason = o.kind === 'deferred' ? o.decision.reason : o.reason
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
  }
  console.log(`\nsent ${count('sent')} · deferred ${count('deferred')} · dropped ${count('dropped')}`)
  for (const [reason, n] of [...reasons].sort()) console.log(`  ${reason}: ${n}`)
  console.log(`\nMessages in ${opts.out}; deferred ones in ${join(opts.out, 'schedule.json')}.`)
}

await main()
