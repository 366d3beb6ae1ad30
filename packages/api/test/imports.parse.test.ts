import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEFAULT_TENANT_SETTINGS, type SubscriberPatch, type TenantSettings } from '@heed/shared/schemas'
import type { SubscriberRecord, TopicRecord } from '../src/db/store.ts'
import { csvHeader, exportLayout, isRowError, subscriberToCsvRecord, subscriberToNdjson } from '../src/imports/columns.ts'
import { ImportFileError, readImport, type ImportFormat, type ImportRow, type RowError } from '../src/imports/parse.ts'
import { applyPatch, blankSubscriber } from '../src/subscribers/patch.ts'

const settings: TenantSettings = { ...DEFAULT_TENANT_SETTINGS, name: 'Shop', channels: ['email', 'sms', 'push'] }

const topic = (key: string, over: Partial<TopicRecord> = {}): TopicRecord => ({
  key,
  name: { en: key },
  description: null,
  category: 'marketing',
  channels: ['email', 'sms'],
  defaultSubscribed: true,
  required: false,
  order: 0,
  createdAt: 0,
  updatedAt: 0,
  ...over,
})
const topics = [topic('news'), topic('offers', { channels: ['email'], defaultSubscribed: false }), topic('orders', { required: true })]
const context = { settings, topics }

const UTF8 = new TextEncoder()
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? UTF8.encode(p) : Uint8Array.from(p))))

/** The file in chunks of `size` bytes, so records cross chunk boundaries. */
async function* chunks(file: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < file.length; at += size) yield file.subarray(at, at + size)
}

async function read(file: string | Uint8Array, format: ImportFormat = 'csv', size?: number): Promise<(ImportRow | RowError)[]> {
  const out: (ImportRow | RowError)[] = []
  for await (const row of readImport(chunks(typeof file === 'string' ? UTF8.encode(file) : file, size), format, context)) out.push(row)
  return out
}

const good = (r: ImportRow | RowError | undefined): ImportRow => {
  assert.ok(r && !isRowError(r), `expected a row, got ${JSON.stringify(r)}`)
  return r
}
const bad = (r: ImportRow | RowError | undefined): RowError => {
  assert.ok(r && isRowError(r), `expected a row error, got ${JSON.stringify(r)}`)
  return r
}

describe('readImport: CSV', () => {
  test('a comma file gives a patch per row, with the line each starts on', async () => {
    const rows = await read('id,email,locale,timezone,status\ncust_1,Mari@Example.com,et,Europe/Tallinn,unsubscribed\ncust_2,,,,\n')
    assert.deepEqual(rows, [
      { line: 2, id: 'cust_1', patch: { email: 'Mari@Example.com', locale: 'et', timezone: 'Europe/Tallinn', status: 'unsubscribed' }, consent: null },
      { line: 3, id: 'cust_2', patch: {}, consent: null },
    ])
  })

  test('a BOM is skipped and semicolons are detected from the header', async () => {
    const rows = await read(bytes([0xef, 0xbb, 0xbf], 'id;email;cap\r\ncust_1;a@example.com;2/week\r\n'))
    assert.deepEqual(rows, [{ line: 2, id: 'cust_1', patch: { email: 'a@example.com', cap: { max: 2, per: 'week' } }, consent: null }])
  })

  test('a quoted field may hold newlines, quotes and the delimiter; the next row has its own line number', async () => {
    const rows = await read('id,consentText\n"cust ""1""","I agree,\nto news\r\nand offers"\ncust_2,ok\n')
    assert.deepEqual(rows, [
      { line: 2, id: 'cust "1"', patch: {}, consent: { text: 'I agree,\nto news\r\nand offers' } },
      { line: 5, id: 'cust_2', patch: {}, consent: { text: 'ok' } },
    ])
  })

  test('every column kind becomes its part of the patch', async () => {
    const header =
      'id,email,locale,timezone,status,channel:sms,topic:news,topic:news:channel:sms,topic:news:cap,cap,quietHours,pausedUntil,' +
      'consentedAt,consentSource,consentText,ip,createdAt,updatedAt'
    const row =
      'cust_1,a@example.com,zh-Hant,Asia/Taipei,subscribed,no,yes,no,1/day/sms,5/month/email,22:00-07:30@0,6,2026-06-01T00:00:00Z,' +
      '2026-01-02T03:04:05Z,checkout form,Yes send me news,2001:db8::1,2020-01-01T00:00:00Z,whatever'
    const [r] = await read(`${header}\n${row.replace('22:00-07:30@0,6', '"22:00-07:30@0,6"')}\n`)
    assert.deepEqual(good(r), {
      line: 2,
      id: 'cust_1',
      patch: {
        email: 'a@example.com',
        locale: 'zh-Hant',
        timezone: 'Asia/Taipei',
        status: 'subscribed',
        channels: { sms: false },
        topics: { news: { subscribed: true, channels: { sms: false }, cap: { max: 1, per: 'day', channel: 'sms' } } },
        cap: { max: 5, per: 'month', channel: 'email' },
        quietHours: { start: '22:00', end: '07:30', days: [0, 6] },
        pausedUntil: '2026-06-01T00:00:00Z',
      },
      consent: { consentedAt: Date.parse('2026-01-02T03:04:05Z'), source: 'checkout form', text: 'Yes send me news', ip: '2001:db8::1' },
    })
  })

  test('an empty cell leaves the field as it is; yes/no, true/false and 1/0 in any case', async () => {
    const rows = await read('id,channel:email,channel:sms,channel:push,topic:news,topic:offers\na,YES,no,,True,0\nb,,,1,,FALSE\n')
    assert.deepEqual(good(rows[0]).patch, { channels: { email: true, sms: false }, topics: { news: { subscribed: true }, offers: { subscribed: false } } })
    assert.deepEqual(good(rows[1]).patch, { channels: { push: true }, topics: { offers: { subscribed: false } } })
  })

  test('quiet hours without days, and with an empty day list', async () => {
    const rows = await read('id,quietHours\na,21:00-08:00\nb,09:00-09:00@1\nc,12:00-13:00@\n')
    assert.deepEqual(rows.map((r) => good(r).patch.quietHours), [
      { start: '21:00', end: '08:00' },
      { start: '09:00', end: '09:00', days: [1] },
      { start: '12:00', end: '13:00', days: [] },
    ])
  })

  test('a ragged row is an error on its line and the next row still reads', async () => {
    const rows = await read('id,email\na,a@example.com,extra\nb\nc,c@example.com\n')
    assert.deepEqual(rows, [
      { line: 2, id: 'a', column: null, reason: 'has 3 fields, the header has 2' },
      { line: 3, id: 'b', column: null, reason: 'has 1 field, the header has 2' },
      { line: 4, id: 'c', patch: { email: 'c@example.com' }, consent: null },
    ])
  })

  test('a row that is not UTF-8 is an error and the rest reads', async () => {
    const rows = await read(bytes('id,consentText\na,caf', [0xc3, 0x28], '\nb,caf\u00e9\n'))
    assert.deepEqual(rows, [
      { line: 2, id: null, column: null, reason: 'not UTF-8' },
      { line: 3, id: 'b', patch: {}, consent: { text: 'caf\u00e9' } },
    ])
  })

  test('a 10 MB line is an error, read without keeping it, and the rows after it read', async () => {
    const fill = new Uint8Array(64 * 1024).fill(0x61)
    async function* file(): AsyncGenerator<Uint8Array> {
      yield UTF8.encode('id,consentText\na,before\nb,')
      for (let i = 0; i < 160; i++) yield fill
      yield UTF8.encode('\nc,after\nd,"quoted\nafter"\n')
    }
    const before = process.memoryUsage().arrayBuffers
    let peak = 0
    const rows: (ImportRow | RowError)[] = []
    for await (const row of readImport(file(), 'csv', context)) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before)
      rows.push(row)
    }
    assert.deepEqual(rows, [
      { line: 2, id: 'a', patch: {}, consent: { text: 'before' } },
      { line: 3, id: null, column: null, reason: 'line longer than 64 KiB' },
      { line: 4, id: 'c', patch: {}, consent: { text: 'after' } },
      { line: 5, id: 'd', patch: {}, consent: { text: 'quoted\nafter' } },
    ])
    assert.ok(peak < 4 * 1024 * 1024, `grew by ${peak} bytes`)
  })

  test('an unknown topic is a row error naming its column', async () => {
    const rows = await read('id,topic:nwes,topic:news\na,yes,yes\nb,,no\n')
    const e = bad(rows[0])
    assert.equal(e.line, 2)
    assert.equal(e.id, 'a')
    assert.equal(e.column, 'topic:nwes')
    assert.match(e.reason, /^no topic "nwes"/)
    assert.deepEqual(good(rows[1]).patch, { topics: { news: { subscribed: false } } })
  })

  test('bad values are row errors naming their column', async () => {
    const rows = await read(
      [
        'id,channel:fax,topic:orders:channel:sms,cap,quietHours,status,timezone,ip,consentedAt,topic:news',
        'a,no,,,,,,,,',
        'b,,no,,,,,,,',
        'c,,,3/fortnight,,,,,,',
        'd,,,,25:00-07:00,,,,,',
        'e,,,,,active,,,,',
        'f,,,,,,Mars/Base,,,',
        'g,,,,,,,999.1.1.1,,',
        'h,,,,,,,,yesterday,',
        'i,,,,,,,,,maybe',
        'j,,,0/day,,,,,,',
      ].join('\n'),
    )
    assert.deepEqual(
      rows.map((r) => [bad(r).id, bad(r).column]),
      [
        ['a', 'channel:fax'],
        ['b', 'topic:orders:channel:sms'],
        ['c', 'cap'],
        ['d', 'quietHours'],
        ['e', 'status'],
        ['f', 'timezone'],
        ['g', 'ip'],
        ['h', 'consentedAt'],
        ['i', 'topic:news'],
        ['j', 'cap'],
      ],
    )
    assert.match(bad(rows[1]).reason, /required/)
  })

  test('a row with no id is an error; a row of empty cells is skipped', async () => {
    const rows = await read('id,email\n,a@example.com\n,\n\nb,\n')
    assert.deepEqual(rows, [
      { line: 2, id: null, column: 'id', reason: 'is required' },
      { line: 5, id: 'b', patch: {}, consent: null },
    ])
  })

  test('an unknown header column fails the file, naming it', async () => {
    await assert.rejects(read('id,email,favouriteColour\na,,\n'), (e: unknown) => e instanceof ImportFileError && e.message.includes('"favouriteColour"'))
    await assert.rejects(read('id,topic:News\n'), ImportFileError)
  })

  test('an empty file, a header without id or one that is not UTF-8 fails the file', async () => {
    await assert.rejects(read(''), /empty/)
    await assert.rejects(read(bytes([0xef, 0xbb, 0xbf])), /empty/)
    await assert.rejects(read('email\na@example.com\n'), /no "id" column/)
    await assert.rejects(read(bytes('id,e', [0xff], 'mail\n')), /not UTF-8/)
  })
})

describe('readImport: NDJSON', () => {
  test('good lines are patches; bad JSON and unknown keys are row errors and reading goes on', async () => {
    const file = [
      JSON.stringify({ id: 'a', email: null, topics: { news: { subscribed: false, cap: null } }, consentSource: 'import', createdAt: 'x' }),
      '{"id": "b", "email": ',
      '',
      JSON.stringify({ id: 'c', colour: 'blue' }),
      JSON.stringify({ id: 'd', topics: { nwes: { subscribed: true } } }),
      JSON.stringify({ id: 'e', ip: 'localhost' }),
      '[1]',
      JSON.stringify({ id: 'f', quietHours: { start: '22:00', end: '07:00', days: [6] }, pausedUntil: null }),
    ].join('\n')
    const rows = await read(file, 'ndjson')
    assert.deepEqual(rows[0], { line: 1, id: 'a', patch: { email: null, topics: { news: { subscribed: false, cap: null } } }, consent: { source: 'import' } })
    assert.deepEqual(rows[1], { line: 2, id: null, column: null, reason: 'not valid JSON' })
    assert.deepEqual(rows[2], { line: 4, id: 'c', column: 'colour', reason: 'unknown key "colour"' })
    assert.equal(bad(rows[3]).column, 'topics.nwes')
    assert.equal(bad(rows[4]).column, 'ip')
    assert.equal(bad(rows[5]).reason, 'must be a JSON object')
    assert.deepEqual(good(rows[6]).patch, { quietHours: { start: '22:00', end: '07:00', days: [6] }, pausedUntil: null })
    assert.equal(rows.length, 7)
  })
})

describe('export, then import', () => {
  const at = Date.parse('2026-01-01T00:00:00Z')
  const make = (id: string, patch: SubscriberPatch): SubscriberRecord => applyPatch(blankSubscriber(id, at), patch)
  const subscribers = [
    make('plain', {}),
    make('full', {
      email: 'Mari@Example.com',
      locale: 'et',
      timezone: 'Europe/Tallinn',
      channels: { sms: false, push: true },
      topics: {
        news: { subscribed: true, channels: { sms: false, push: false }, cap: { max: 2, per: 'week' } },
        offers: { channels: { email: true }, cap: { max: 1, per: 'day', channel: 'email' } },
        orders: { channels: { sms: true } },
      },
      cap: { max: 10, per: 'month', channel: 'sms' },
      quietHours: { start: '22:00', end: '07:00', days: [0, 6] },
      pausedUntil: '2026-03-04T05:06:07.089Z',
    }),
    make('gone, "quoted"', { status: 'unsubscribed', topics: { offers: { subscribed: false } }, quietHours: { start: '09:00', end: '17:00' } }),
    make('paused', { email: 'p@example.com', pausedUntil: '2027-01-01T00:00:00Z', cap: { max: 1, per: 'week' } }),
  ]
  const preferences = ({ email, locale, timezone, status, channels, topics, cap, quietHours, pausedUntil }: SubscriberRecord) => ({
    email,
    locale,
    timezone,
    status,
    channels,
    topics,
    cap,
    quietHours,
    pausedUntil,
  })
  const layout = exportLayout(context)

  const roundTrip = async (file: string, format: ImportFormat) => {
    const rows = await read(file, format, 100)
    assert.equal(rows.length, subscribers.length)
    rows.forEach((r, i) => {
      const row = good(r)
      const original = subscribers[i]!
      assert.equal(row.id, original.id)
      assert.deepEqual(preferences(applyPatch(blankSubscriber(row.id, at), row.patch)), preferences(original), `${format} ${row.id}`)
    })
  }

  test('a CSV export imports to the same state', async () => {
    const file = csvHeader(layout) + subscribers.map((s) => subscriberToCsvRecord(s, layout)).join('')
    await roundTrip(file, 'csv')
  })

  test('an NDJSON export imports to the same state', async () => {
    await roundTrip(subscribers.map((s) => subscriberToNdjson(s, layout)).join(''), 'ndjson')
  })

  test('the CSV header names every channel and topic of the tenant', () => {
    const header = csvHeader(layout).trimEnd().split(',')
    for (const name of ['id', 'channel:push', 'topic:offers', 'topic:offers:cap', 'topic:offers:channel:sms', 'createdAt']) assert.ok(header.includes(name), name)
  })
})
