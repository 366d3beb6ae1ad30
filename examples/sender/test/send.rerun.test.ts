/**
 * The sender example against a real Heed (the demo tenant on a SQLite file of its own), run
 * as a user runs it: the same campaign run again sends no one a second copy (a replayed
 * reserve is "already sent, skipped"), a message deferred in one run goes out in a later run
 * of the same campaign, and what it writes is a valid message (ASCII headers, RFC 2047 names).
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { decodeWords, headerField, headerLines, part } from './decode.ts'
import { outcomeOf, runSender, startHeed, type Heed } from './heed.ts'

// A Tuesday, daytime in every demo customer's zone; and a Friday 22:00 UTC, night in Tallinn.
const DAY_RUN = '2031-03-04T10:00:00Z'
const NIGHT_RUN = '2031-03-06T22:00:00Z'
const LONG_AGO = new Date('2001-01-01T00:00:00Z')

const emlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
const sentIds = (summary: string) => [...summary.matchAll(/^(\S+)\s+sent\s/gm)].map((m) => m[1]!)
const schedule = (dir: string) => JSON.parse(readFileSync(join(dir, 'schedule.json'), 'utf8')) as Array<{ subscriberId: string; retryAt: string; messageId: string }>

describe('the sender example, run more than once', () => {
  let heed: Heed
  before(async () => {
    heed = await startHeed()
  })
  after(async () => {
    await heed?.stop()
  })

  test('running the same campaign again sends no one a second copy: replayed reserves are skipped, the .eml files stay as they were', async () => {
    const out = join(heed.work, 'winter')
    const args = ['--campaign', 'winter', '--topic', 'sales', '--at', DAY_RUN, '--out', out]

    const first = await runSender(heed, args)
    const sent = sentIds(first)
    // cust_1001 (1 a week) and cust_1011 (1 a day) have caps that this very send fills, so
    // the batch check of the second run refuses them: the reserve must still say "already sent".
    for (const id of ['cust_1001', 'cust_1003', 'cust_1007', 'cust_1011']) assert.ok(sent.includes(id), `${id} not sent in:\n${first}`)
    assert.deepEqual(emlFiles(out), sent.map((id) => `winter.${id}.eml`).sort())
    assert.match(outcomeOf(first, 'cust_1006'), /dropped unsubscribed/)

    const before = new Map<string, string>()
    for (const f of emlFiles(out)) {
      before.set(f, readFileSync(join(out, f), 'utf8'))
      utimesSync(join(out, f), LONG_AGO, LONG_AGO)
    }

    const second = await runSender(heed, args)
    for (const id of sent) assert.match(outcomeOf(second, id), /^\S+ skipped already sent, skipped \(winter\.cust_\d+ was reserved by an earlier run\)$/)
    assert.match(second, /^sent 0 · already sent, skipped \d+ ·/m)
    assert.match(second, new RegExp(`already sent, skipped ${sent.length} `))
    // Nothing was written again, and nothing new.
    assert.deepEqual(emlFiles(out), [...before.keys()])
    for (const [f, content] of before) {
      assert.equal(statSync(join(out, f)).mtimeMs, LONG_AGO.getTime(), `${f} was written again`)
      assert.equal(readFileSync(join(out, f), 'utf8'), content)
    }
    // What was sent is not scheduled for later either (the caps it fills are not a deferral).
    assert.deepEqual(schedule(out).filter((s) => sent.includes(s.subscriberId)), [])
    // Those dropped the first time are dropped again, as before.
    assert.match(outcomeOf(second, 'cust_1006'), /dropped unsubscribed/)
  })

  test('a message deferred by one run goes out in the run at its retryAt, once; what went out the first time is skipped', async () => {
    const out = join(heed.work, 'arrivals')
    const first = await runSender(heed, ['--campaign', 'arrivals', '--topic', 'new-arrivals', '--at', NIGHT_RUN, '--out', out])
    // 00:00 in Tallinn, inside cust_1001's quiet hours (21:00–08:00): deferred, nothing recorded.
    assert.match(outcomeOf(first, 'cust_1001'), /deferred quiet_hours until 2031-03-07T06:00:00/)
    const sentFirst = sentIds(first)
    assert.ok(sentFirst.length > 0, first)
    const retry = schedule(out).find((s) => s.subscriberId === 'cust_1001')
    assert.equal(retry?.messageId, 'arrivals.cust_1001')

    const second = await runSender(heed, ['--campaign', 'arrivals', '--topic', 'new-arrivals', '--at', retry!.retryAt, '--out', out])
    assert.match(outcomeOf(second, 'cust_1001'), /sent arrivals\.cust_1001\.eml/)
    for (const id of sentFirst) assert.match(outcomeOf(second, id), /skipped already sent/)
    assert.ok(!schedule(out).some((s) => s.subscriberId === 'cust_1001'))

    const third = await runSender(heed, ['--campaign', 'arrivals', '--topic', 'new-arrivals', '--at', retry!.retryAt, '--out', out])
    assert.match(outcomeOf(third, 'cust_1001'), /skipped already sent/)
    assert.match(third, /^sent 0 ·/m)
  })

  test('the messages it writes have ASCII headers; names in other scripts are RFC 2047 encoded-words and the greeting uses the full name', async () => {
    const out = join(heed.work, 'names')
    const summary = await runSender(heed, ['--campaign', 'names', '--topic', 'new-arrivals', '--at', DAY_RUN, '--out', out])
    const expected: Record<string, string> = { cust_1001: 'Mari Tamm', cust_1004: '陳宇', cust_1012: 'Li Wei' }
    for (const [id, name] of Object.entries(expected)) {
      assert.match(outcomeOf(summary, id), /sent/)
      const eml = readFileSync(join(out, `names.${id}.eml`), 'utf8')
      for (const line of headerLines(eml)) {
        assert.match(line, /^[\x20-\x7e]+$/, `a header line that is not ASCII: ${JSON.stringify(line)}`)
        assert.ok(line.length <= 998, line)
      }
      const to = headerField(eml, 'To')!
      assert.equal(decodeWords(to), `${name} <${id === 'cust_1001' ? 'mari.tamm' : id === 'cust_1004' ? 'chen.yu' : 'li.wei'}@example.com>`)
      if (!/^[\x20-\x7e]+$/.test(name)) assert.match(to, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= </)
      assert.equal(decodeWords(headerField(eml, 'Subject')!), 'New this week')
      // The one-click headers are written as Heed gave them, each on one line.
      assert.match(eml, /^List-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/u\/[^\s>]+>\r$/m)
      assert.match(eml, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m)
      const text = part(eml, 'text/plain')
      assert.match(text.headers, /^Content-Transfer-Encoding: 8bit$/m)
      assert.ok(text.body.startsWith(`Hi ${name},\r\n`), text.body)
      assert.ok(part(eml, 'text/html').body.startsWith(`<p>Hi ${name},</p>`))
    }
  })

  test("the README's Node snippet sends a message once, however often it runs, and schedules a refused one", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
    const code = readme.match(/From Node:\n\n```js\n([\s\S]*?)```/)?.[1]
    assert.ok(code, 'no "From Node:" snippet in README.md')
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>
    const snippet = new AsyncFunction('HEED_URL', 'process', 'subscriberId', 'messageId', 'message', 'send', 'schedule', code)
    const run = async (subscriberId: string, messageId: string) => {
      const sent: unknown[] = []
      const scheduled: unknown[] = []
      await snippet(heed.api, { env: { HEED_KEY: heed.senderKey } }, subscriberId, messageId, { subscriberId }, async (m: unknown) => void sent.push(m), (m: unknown, at: string) => void scheduled.push(at))
      return { sent: sent.length, scheduled }
    }
    // cust_1007 takes sales; the first run sends, every later one (a replay) does not.
    assert.deepEqual(await run('cust_1007', 'readme.cust_1007'), { sent: 1, scheduled: [] })
    assert.deepEqual(await run('cust_1007', 'readme.cust_1007'), { sent: 0, scheduled: [] })
    assert.deepEqual(await run('cust_1007', 'readme.cust_1007'), { sent: 0, scheduled: [] })
    // cust_1011 allows one sale a day, and the demo seeds one sent hours ago: refused for now, scheduled.
    const capped = await run('cust_1011', 'readme.cust_1011')
    assert.equal(capped.sent, 0)
    assert.equal(capped.scheduled.length, 1)
    // The same messageId for another subscriber is a 409: an error, nothing sent.
    await assert.rejects(run('cust_1010', 'readme.cust_1007'), /409/)
  })

  test('the README sample, 王方, is addressed as 王方 in the To header and the greeting', async () => {
    const out = join(heed.work, 'wang')
    const summary = await runSender(heed, ['--campaign', 'wang', '--topic', 'sales', '--at', DAY_RUN, '--out', out])
    assert.match(outcomeOf(summary, 'cust_1003'), /sent wang\.cust_1003\.eml/)
    const eml = readFileSync(join(out, 'wang.cust_1003.eml'), 'utf8')
    assert.equal(headerField(eml, 'To'), '=?UTF-8?B?546L5pa5?= <wang.fang@example.com>')
    assert.equal(decodeWords(headerField(eml, 'To')!), '王方 <wang.fang@example.com>')
    assert.ok(part(eml, 'text/plain').body.startsWith('Hi 王方,\r\n'))
    assert.ok(!eml.includes('Hi 方,'))
  })
})
