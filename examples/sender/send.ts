/**
 * A campaign sender that obeys Heed, the way a real ESP integration should:
 *
 *  1. one batch check for the whole audience (cheap: drops the opted-out early);
 *  2. for each candidate, check-and-reserve (POST /v1/dispatches) — only a new 201 means send,
 *     and concurrent senders can never exceed a subscriber's cap; a 201 with
 *     `Idempotent-Replayed: true` means an earlier run already reserved (and sent) this
 *     message: it is skipped, so running a campaign again never sends anyone a second copy;
 *  3. Heed's links in every message: List-Unsubscribe + List-Unsubscribe-Post headers
 *     (RFC 8058 one-click) and a visible unsubscribe/preferences link in the body;
 *  4. refused messages with a retryAt are deferred to a schedule, the rest dropped.
 *
 * "Sent" messages are written as .eml files into --out. The messageId of each is
 * `<campaign>.<subscriber id>`: the same campaign run again asks about the same messages.
 *
 *   node --import tsx send.ts [--campaign ID (default: <topic>-<today>)] [--topic sales] [--channel email]
 *        [--audience audience.json] [--out out] [--at ISO] [--api URL] [--key KEY]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Decision, DispatchResponse, LinkResponse } from '@heed/shared'
import { escapeHtml, header, headerText, isPlainAddress, mailbox } from './mail.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
// The demo file the API writes when it seeds the demo (HEED_DEMO_FILE: absolute, or relative
// to the repository root; default packages/api/data/demo.json), as the merchant site reads it.
const demoFile = resolve(here, '../..', process.env.HEED_DEMO_FILE || 'packages/api/data/demo.json')
const demo = existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as { apiUrl: string; senderKey: string }) : null

const { values: opts } = parseArgs({
  options: {
    campaign: { type: 'string' },
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

// One campaign id per topic and day, so a second topic the same day is a campaign of its own
// (a messageId already recorded for another topic would be a 409).
const campaign = opts.campaign ?? `${opts.topic}-${new Date().toISOString().slice(0, 10)}`

interface Recipient {
  id: string
  email: string
  /**
   * The customer's full name as they gave it, in their own script and order ("Mari Tamm",
   * "王方"). The message is addressed to it and greets with it as it is: which part is a
   * given name, and whether a brand may use it alone, depends on the culture ("Hi 方" is far
   * too familiar for 王方), so the example does not guess. Without a name: "Hi there".
   */
  name?: string
}

type Outcome =
  | { kind: 'sent'; recipient: Recipient; file: string }
  | { kind: 'skipped'; recipient: Recipient; messageId: string }
  | { kind: 'deferred'; recipient: Recipient; decision: Decision }
  | { kind: 'dropped'; recipient: Recipient; reason: string }

const API = opts.api.replace(/\/+$/, '')
if (!opts.key) {
  console.error(`No API key: pass --key or set HEED_SENDER_KEY (npm start writes the demo key to ${demoFile}; HEED_DEMO_FILE moves it).`)
  process.exit(2)
}

async function heed<T>(method: string, path: string, body: unknown): Promise<{ status: number; headers: Headers; body: T }> {
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
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as T }
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
  const name = r.name?.replace(/\s+/g, ' ').trim() || 'there'
  // Headers are ASCII: names and subjects in other scripts go as RFC 2047 encoded-words
  // (mail.ts). The bodies are UTF-8, sent as 8bit.
  return [
    header('From', mailbox('news@demo-outfitters.example', 'Demo Outfitters')),
    header('To', mailbox(r.email, r.name)),
    header('Subject', headerText(c.subject)),
    header('Date', at.toUTCString().replace('GMT', '+0000')),
    header('Message-ID', `<${messageId.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g, '_')}@${host}>`),
    header('List-Unsubscribe', link.headers['List-Unsubscribe']),
    header('List-Unsubscribe-Post', link.headers['List-Unsubscribe-Post']),
    `MIME-Version: 1.0`,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    ``,
    `--${boundary}`,
    `Content-Type: text/plain; charset=utf-8`,
    `Content-Transfer-Encoding: 8bit`,
    ``,
    `Hi ${name},`,
    ``,
    c.text,
    ``,
    `--`,
    `Choose what we send you: ${link.preferencesUrl}`,
    `Unsubscribe: ${link.unsubscribeUrl}`,
    ``,
    `--${boundary}`,
    `Content-Type: text/html; charset=utf-8`,
    `Content-Transfer-Encoding: 8bit`,
    ``,
    `<p>Hi ${escapeHtml(name)},</p><p>${escapeHtml(c.text)}</p>`,
    `<hr><p style="font-size:12px;color:#666"><a href="${escapeHtml(link.preferencesUrl)}">Choose what we send you</a> · <a href="${escapeHtml(link.unsubscribeUrl)}">Unsubscribe</a></p>`,
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

  // An address that cannot go into a header as it is (a typo, a line break) is never asked about.
  const valid: Recipient[] = []
  for (const recipient of audience) {
    if (isPlainAddress(recipient.email)) valid.push(recipient)
    else outcomes.push({ kind: 'dropped', recipient, reason: 'invalid_email' })
  }

  // 1. One batch check (≤ 10,000 a call) sorts out who cannot get this at all. The batch check
  //    knows nothing of messageIds, so a refusal that is only for now (it has a retryAt: a
  //    pause, quiet hours, a full cap) is not taken as it is: the reserve below also finds
  //    out whether this very message went out in an earlier run (whose dispatch may be what
  //    fills the cap now). Refusals without a retryAt (unsubscribed, opted out, unknown) are
  //    final, and dropped here.
  const candidates: Recipient[] = []
  for (let i = 0; i < valid.length; i += 10_000) {
    const chunk = valid.slice(i, i + 10_000)
    const { body } = await heed<{ results: Decision[] }>('POST', '/v1/check/batch', {
      at: at.toISOString(),
      checks: chunk.map((r) => ({ subscriberId: r.id, topic: opts.topic, channel: opts.channel })),
    })
    body.results.forEach((d, j) => {
      const recipient = chunk[j]!
      if (d.allowed || d.retryAt) candidates.push(recipient)
      else outcomes.push({ kind: 'dropped', recipient, reason: d.reason })
    })
  }

  // 2. Reserve each message right before "sending" it; only a 201 that is not a replay means go.
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

const messageIdOf = (r: Recipient) => `${campaign}.${r.id}`

async function sendOne(r: Recipient, at: Date): Promise<Outcome> {
  const messageId = messageIdOf(r)
  const res = await heed<DispatchResponse>('POST', '/v1/dispatches', { subscriberId: r.id, topic: opts.topic, channel: opts.channel, messageId, at: at.toISOString() })
  if (res.status === 409) return { kind: 'dropped', recipient: r, reason: 'message_id_conflict' }
  // A replay: this messageId was reserved before, and this run has not asked about it yet
  // (each message is reserved once a run, and an error ends the run), so an earlier run did,
  // and sent it. Sending it again would be the duplicate the idempotency key is there to
  // stop. The choice is at most once: a run that died between its reserve and writing the
  // message leaves that one unsent. (A sender that repeats its own reserve, because the
  // answer was lost, must treat the replay of that request as its go-ahead instead.)
  if (res.status === 201 && res.headers.get('Idempotent-Replayed') === 'true') return { kind: 'skipped', recipient: r, messageId }
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
    else if (o.kind === 'skipped') rows.push([o.recipient.id, 'skipped', `already sent, skipped (${o.messageId} was reserved by an earlier run)`])
    else if (o.kind === 'deferred') rows.push([o.recipient.id, 'deferred', `${o.decision.reason} until ${o.decision.retryAt}`])
    else rows.push([o.recipient.id, 'dropped', o.reason])
  }
  const w0 = Math.max(10, ...rows.map((r) => r[0].length))
  const w1 = 8
  console.log(`Campaign ${campaign} · topic ${opts.topic} · ${opts.channel} · ${outcomes.length} recipients`)
  console.log(`${'subscriber'.padEnd(w0)}  ${'outcome'.padEnd(w1)}  detail`)
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`)
  const count = (k: Outcome['kind']) => outcomes.filter((o) => o.kind === k).length
  const reasons = new Map<string, number>()
  for (const o of outcomes) {
    if (o.kind === 'sent' || o.kind === 'skipped') continue
    const reason = o.kind === 'deferred' ? o.decision.reason : o.reason
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
  }
  console.log(`\nsent ${count('sent')} · already sent, skipped ${count('skipped')} · deferred ${count('deferred')} · dropped ${count('dropped')}`)
  for (const [reason, n] of [...reasons].sort()) console.log(`  ${reason}: ${n}`)
  console.log(`\nMessages in ${opts.out}; deferred ones in ${join(opts.out, 'schedule.json')}.`)
}

await main()
