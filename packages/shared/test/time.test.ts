import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  civilFromDays,
  dateIn,
  daysFromCivil,
  formatInstant,
  fromLocalMs,
  fromWallClock,
  nextOffsetChange,
  parseClockTime,
  startOfDate,
  toLocalMs,
  wallClock,
  weekdayFromDays,
  zoneOffset,
} from '../src/time.ts'

const ms = (iso: string): number => Date.parse(iso)
const HOUR = 3_600_000

describe('zoneOffset', () => {
  const rows: Array<[string, string, number]> = [
    ['America/New_York', '2026-03-08T06:59:59.999Z', -5 * HOUR],
    ['America/New_York', '2026-03-08T07:00:00Z', -4 * HOUR],
    ['America/New_York', '2026-11-01T05:59:59.999Z', -4 * HOUR],
    ['America/New_York', '2026-11-01T06:00:00Z', -5 * HOUR],
    ['Europe/Tallinn', '2026-03-29T00:59:59.999Z', 2 * HOUR],
    ['Europe/Tallinn', '2026-03-29T01:00:00Z', 3 * HOUR],
    ['Europe/Tallinn', '2026-10-25T00:59:59.999Z', 3 * HOUR],
    ['Europe/Tallinn', '2026-10-25T01:00:00Z', 2 * HOUR],
    ['Asia/Kolkata', '2026-05-01T00:00:00Z', 5.5 * HOUR],
    ['UTC', '2026-05-01T00:00:00Z', 0],
  ]
  for (const [zone, iso, want] of rows) {
    test(`${zone} at ${iso} is ${want / HOUR} h`, () => {
      assert.equal(zoneOffset(zone, ms(iso)), want)
      assert.equal(zoneOffset(zone, ms(iso)), want, 'the memoised answer is the same')
    })
  }

  test('an unknown zone throws a RangeError', () => {
    assert.throws(() => zoneOffset('Mars/Olympus_Mons', 0), RangeError)
  })
})

describe('wallClock', () => {
  test('New York at the spring-forward jump reads Sunday 03:00', () => {
    assert.deepEqual(wallClock('America/New_York', ms('2026-03-08T07:00:00Z')), {
      year: 2026, month: 3, day: 8, weekday: 0, hour: 3, minute: 0, second: 0, millisecond: 0,
      localMs: ms('2026-03-08T03:00:00Z'), offset: -4 * HOUR,
    })
  })

  test('New York 1 ms before the jump reads 01:59:59.999 EST', () => {
    const w = wallClock('America/New_York', ms('2026-03-08T06:59:59.999Z'))
    assert.deepEqual([w.hour, w.minute, w.second, w.millisecond, w.offset], [1, 59, 59, 999, -5 * HOUR])
  })

  test('Kolkata crosses into the next local day and weekday at 18:30Z', () => {
    const w = wallClock('Asia/Kolkata', ms('2026-05-01T18:30:00Z'))
    assert.deepEqual([w.year, w.month, w.day, w.weekday, w.hour, w.minute], [2026, 5, 2, 6, 0, 0])
  })

  test('Tallinn reads 03:15 twice on the fall-back night, an hour apart', () => {
    const first = wallClock('Europe/Tallinn', ms('2026-10-25T00:15:00Z'))
    const second = wallClock('Europe/Tallinn', ms('2026-10-25T01:15:00Z'))
    assert.equal(first.localMs, second.localMs)
    assert.deepEqual([first.hour, first.minute, first.offset, second.offset], [3, 15, 3 * HOUR, 2 * HOUR])
  })

  test('years below 100 are not read as 19xx', () => {
    const w = wallClock('UTC', ms('0050-06-01T12:00:00Z'))
    assert.deepEqual([w.year, w.month, w.day, w.hour], [50, 6, 1, 12])
  })

  test('toLocalMs is the instant plus the offset', () => {
    assert.equal(toLocalMs('Asia/Kolkata', ms('2026-05-01T17:00:00Z')), ms('2026-05-01T22:30:00Z'))
  })
})

describe('local → instant', () => {
  const rows: Array<[string, string, [number, number, number, number, number], string]> = [
    ['an ordinary New York morning', 'America/New_York', [2026, 5, 1, 9, 0], '2026-05-01T13:00:00.000Z'],
    ['New York 02:30 skipped by spring-forward gives the jump', 'America/New_York', [2026, 3, 8, 2, 30], '2026-03-08T07:00:00.000Z'],
    ['New York 03:00 right after the jump', 'America/New_York', [2026, 3, 8, 3, 0], '2026-03-08T07:00:00.000Z'],
    ['New York 01:30 read twice on fall-back gives the first (EDT)', 'America/New_York', [2026, 11, 1, 1, 30], '2026-11-01T05:30:00.000Z'],
    ['New York 02:00 after fall-back is EST', 'America/New_York', [2026, 11, 1, 2, 0], '2026-11-01T07:00:00.000Z'],
    ['Tallinn 03:30 skipped by spring-forward gives the jump', 'Europe/Tallinn', [2026, 3, 29, 3, 30], '2026-03-29T01:00:00.000Z'],
    ['Tallinn 03:30 read twice on fall-back gives the first (EEST)', 'Europe/Tallinn', [2026, 10, 25, 3, 30], '2026-10-25T00:30:00.000Z'],
    ['Kolkata midnight is the previous day 18:30Z', 'Asia/Kolkata', [2026, 5, 1, 0, 0], '2026-04-30T18:30:00.000Z'],
  ]
  for (const [name, zone, [y, mo, d, h, mi], want] of rows) {
    test(name, () => {
      assert.equal(new Date(fromWallClock(zone, y, mo, d, h, mi)).toISOString(), want)
      assert.equal(new Date(fromLocalMs(zone, Date.UTC(y, mo - 1, d, h, mi))).toISOString(), want)
    })
  }
})

describe('nextOffsetChange', () => {
  test('finds the New York spring-forward instant within a day', () => {
    assert.equal(nextOffsetChange('America/New_York', ms('2026-03-08T00:00:00Z'), ms('2026-03-09T00:00:00Z')), ms('2026-03-08T07:00:00Z'))
  })
  test('finds the Tallinn fall-back instant', () => {
    assert.equal(nextOffsetChange('Europe/Tallinn', ms('2026-10-24T12:00:00Z'), ms('2026-10-25T12:00:00Z')), ms('2026-10-25T01:00:00Z'))
  })
  test('is null when the offset is the same at both ends', () => {
    assert.equal(nextOffsetChange('America/New_York', ms('2026-05-01T00:00:00Z'), ms('2026-05-02T00:00:00Z')), null)
    assert.equal(nextOffsetChange('Asia/Kolkata', ms('2026-03-01T00:00:00Z'), ms('2026-03-02T00:00:00Z')), null)
  })
})

describe('calendar arithmetic', () => {
  const rows: Array<[number, number, number, number, number]> = [
    // year, month, day, days since 1970-01-01, weekday
    [1970, 1, 1, 0, 4],
    [1969, 12, 31, -1, 3],
    [2000, 2, 29, 11_016, 2],
    [2026, 5, 1, 20_574, 5],
    [2026, 3, 8, 20_520, 0],
  ]
  for (const [y, m, d, days, weekday] of rows) {
    test(`${y}-${m}-${d} is day ${days}, weekday ${weekday}, and back`, () => {
      assert.equal(daysFromCivil(y, m, d), days)
      assert.deepEqual(civilFromDays(days), { year: y, month: m, day: d })
      assert.equal(weekdayFromDays(days), weekday)
    })
  }
  test('parseClockTime reads minutes after midnight', () => {
    assert.deepEqual(['00:00', '08:05', '22:30', '23:59'].map(parseClockTime), [0, 485, 1350, 1439])
  })
  test('formatInstant equals Date#toISOString', () => {
    for (const iso of ['2026-05-01T09:00:00.000Z', '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '+010000-01-01T00:00:00.000Z', '-000001-06-01T00:00:00.000Z']) {
      assert.equal(formatInstant(Date.parse(iso)), iso)
    }
  })
})

describe('calendar dates in a zone (the widget\'s "pause until a date")', () => {
  test('a date starts at local midnight, also on the day the clocks change', () => {
    assert.equal(formatInstant(startOfDate('Asia/Taipei', '2026-06-01')), '2026-05-31T16:00:00.000Z')
    assert.equal(formatInstant(startOfDate('Europe/Tallinn', '2026-03-29')), '2026-03-28T22:00:00.000Z')
    assert.equal(formatInstant(startOfDate('Europe/Tallinn', '2026-03-30')), '2026-03-29T21:00:00.000Z')
    assert.equal(formatInstant(startOfDate('America/New_York', '2026-11-02')), '2026-11-02T05:00:00.000Z')
  })

  test('the date at an instant is the one on the local calendar', () => {
    assert.equal(dateIn('Asia/Taipei', ms('2026-05-31T17:00:00Z')), '2026-06-01')
    assert.equal(dateIn('UTC', ms('2026-05-31T17:00:00Z')), '2026-05-31')
    assert.equal(dateIn('America/New_York', ms('2026-06-01T03:59:00Z')), '2026-05-31')
  })
})
