/// <reference types="mocha" />
import { expect } from '@open-wc/testing'
import { canonicalZone, matchZones, parseOffset, zoneIds, zoneList, type Zone } from '../src/zones.ts'

/** Mid-January: no daylight saving time in Europe or North America. */
const WINTER = Date.UTC(2026, 0, 15, 12)
/** Mid-July: daylight saving time in Europe. */
const SUMMER = Date.UTC(2026, 6, 15, 12)

/** Legacy ids that Chromium's ICU lists (its CLDR ids) or that a stored zone may hold. */
const LEGACY = [
  'Africa/Asmera',
  'America/Buenos_Aires',
  'America/Catamarca',
  'America/Coral_Harbour',
  'America/Cordoba',
  'America/Godthab',
  'America/Indianapolis',
  'America/Jujuy',
  'America/Louisville',
  'America/Mendoza',
  'Asia/Calcutta',
  'Asia/Katmandu',
  'Asia/Rangoon',
  'Asia/Saigon',
  'Asia/Ulan_Bator',
  'Atlantic/Faeroe',
  'Europe/Kiev',
  'Europe/Uzhgorod',
  'Europe/Zaporozhye',
  'Pacific/Enderbury',
  'Pacific/Ponape',
  'Pacific/Truk',
]

const byId = (zones: readonly Zone[], id: string): Zone => {
  const z = zones.find((x) => x.id === id)
  if (!z) throw new Error(`${id} is not listed`)
  return z
}
const ids = (zones: readonly Zone[]) => zones.map((z) => z.id)

describe('zones: the canonical list', () => {
  it('lists every zone once by its current name, with UTC and no other Etc/* zone', () => {
    const list = zoneIds()
    expect(list.length).to.be.greaterThan(400)
    expect(new Set(list).size).to.equal(list.length)
    for (const legacy of LEGACY) expect(list, legacy).not.to.include(legacy)
    for (const current of ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'America/Argentina/Buenos_Aires', 'America/Nuuk', 'Atlantic/Faroe', 'Pacific/Chuuk', 'UTC', 'Europe/Tallinn']) {
      expect(list.filter((z) => z === current), current).to.have.length(1)
    }
    expect(list.filter((z) => z.startsWith('Etc/'))).to.deep.equal([])
  })

  it('every listed zone is one this browser can format', () => {
    const list = zoneList('en', WINTER)
    expect(list.length).to.equal(zoneIds().length)
    expect(new Set(ids(list)).size).to.equal(list.length)
    for (const legacy of LEGACY) expect(ids(list)).not.to.include(legacy)
  })

  it('canonicalZone maps legacy ids to current names and leaves current ones alone', () => {
    const cases: Record<string, string> = {
      'Asia/Calcutta': 'Asia/Kolkata',
      'Asia/Kolkata': 'Asia/Kolkata',
      'Europe/Kiev': 'Europe/Kyiv',
      'Europe/Kyiv': 'Europe/Kyiv',
      'Europe/Uzhgorod': 'Europe/Kyiv',
      'Europe/Zaporozhye': 'Europe/Kyiv',
      'Asia/Saigon': 'Asia/Ho_Chi_Minh',
      'Asia/Katmandu': 'Asia/Kathmandu',
      'Asia/Rangoon': 'Asia/Yangon',
      'Asia/Ulan_Bator': 'Asia/Ulaanbaatar',
      'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
      'America/Godthab': 'America/Nuuk',
      'Atlantic/Faeroe': 'Atlantic/Faroe',
      'Pacific/Truk': 'Pacific/Chuuk',
      'Pacific/Ponape': 'Pacific/Pohnpei',
      'US/Eastern': 'America/New_York',
      'Etc/UTC': 'UTC',
      UTC: 'UTC',
      'Europe/Tallinn': 'Europe/Tallinn',
      'Mars/Olympus_Mons': 'Mars/Olympus_Mons',
    }
    for (const [from, to] of Object.entries(cases)) expect(canonicalZone(from), from).to.equal(to)
  })
})

describe('zones: labels', () => {
  it('labels a zone with its offset at the given instant, its city and its localized name', () => {
    const winter = zoneList('en', WINTER)
    expect(byId(winter, 'Europe/Tallinn').label).to.equal('(GMT+02:00) Tallinn — Eastern European Time')
    expect(byId(zoneList('en', SUMMER), 'Europe/Tallinn').label).to.match(/^\(GMT\+03:00\) Tallinn — Eastern European/)
    expect(byId(winter, 'Asia/Kolkata').label).to.equal('(GMT+05:30) Kolkata — India Standard Time')
    expect(byId(winter, 'America/New_York').label).to.equal('(GMT-05:00) New York — Eastern Time')
    expect(byId(winter, 'America/Argentina/Buenos_Aires').city).to.equal('Buenos Aires')
    expect(byId(winter, 'UTC').label).to.equal('(GMT+00:00) UTC — Coordinated Universal Time')
    expect(byId(winter, 'Asia/Kolkata').offset).to.equal(330)
    expect(byId(winter, 'America/St_Johns').offset).to.equal(-210)
  })

  it('localizes the names in Estonian and Traditional Chinese', () => {
    const et = byId(zoneList('et', WINTER), 'Europe/Tallinn')
    expect(et.label).to.match(/^\(GMT\+02:00\) Tallinn — \S/)
    expect(et.name).to.match(/Ida-Euroopa/)
    expect(et.label).not.to.match(/European|Time/)
    const zh = byId(zoneList('zh-Hant', WINTER), 'Asia/Taipei')
    expect(zh.label).to.match(/^\(GMT\+08:00\) Taipei — .*台北/)
    expect(zh.name).not.to.match(/[A-Za-z]/)
    expect(byId(zoneList('zh-Hant', WINTER), 'Europe/Tallinn').name).not.to.match(/[A-Za-z]/)
  })

  it('sorts by offset then city, with the pinned zones first (legacy ids canonicalized)', () => {
    const list = zoneList('en', WINTER, ['Asia/Calcutta', 'Europe/Tallinn', undefined, 'Asia/Kolkata'])
    expect(ids(list).slice(0, 3)).to.deep.equal(['Asia/Kolkata', 'Europe/Tallinn', 'Pacific/Midway'])
    expect(ids(list).filter((id) => id === 'Asia/Kolkata')).to.have.length(1)
    const rest = list.slice(2)
    for (let i = 1; i < rest.length; i++) {
      const [a, b] = [rest[i - 1]!, rest[i]!]
      expect(a.offset <= b.offset, `${a.id} before ${b.id}`).to.equal(true)
      if (a.offset === b.offset) expect(a.city.localeCompare(b.city, 'en') <= 0, `${a.city} before ${b.city}`).to.equal(true)
    }
  })

  it('always lists a pinned zone, even one the canonical list leaves out', () => {
    const list = zoneList('en', WINTER, ['Etc/GMT-3', 'Mars/Olympus_Mons'])
    expect(ids(list)[0]).to.equal('Etc/GMT-3')
    expect(list[0]!.offset).to.equal(180)
    expect(ids(list)).not.to.include('Mars/Olympus_Mons')
  })

  it('falls back to the browser language for a bad locale tag', () => {
    expect(byId(zoneList('not a locale!', WINTER), 'Europe/Tallinn').label).to.match(/^\(GMT\+02:00\) Tallinn/)
  })
})

describe('zones: search', () => {
  const en = zoneList('en', WINTER)

  it('finds a zone by its current and its legacy name', () => {
    expect(ids(matchZones('Kyiv', en))).to.deep.equal(['Europe/Kyiv'])
    expect(ids(matchZones('kiev', en))).to.deep.equal(['Europe/Kyiv'])
    expect(ids(matchZones('calcutta', en))).to.deep.equal(['Asia/Kolkata'])
    expect(ids(matchZones('  KOLKATA ', en))).to.deep.equal(['Asia/Kolkata'])
  })

  it('ignores case and accents, and matches every word', () => {
    expect(ids(matchZones('São Paulo', en))).to.include('America/Sao_Paulo')
    expect(ids(matchZones('zürich', en))).to.deep.equal(['Europe/Zurich'])
    expect(ids(matchZones('york new', en))).to.deep.equal(['America/New_York'])
    expect(ids(matchZones('new_york', en))).to.deep.equal(['America/New_York'])
    expect(ids(matchZones('eastern european', en))).to.include.members(['Europe/Tallinn', 'Europe/Kyiv', 'Europe/Helsinki'])
  })

  it('finds zones by offset, written any common way', () => {
    const plusTwo = en.filter((z) => z.offset === 120)
    expect(plusTwo.map((z) => z.id)).to.include('Europe/Tallinn')
    for (const q of ['GMT+2', 'gmt+2', '+2', '+02:00', 'UTC+2', 'GMT +2', '+0200', 'GMT+02']) {
      expect(ids(matchZones(q, en)), q).to.deep.equal(ids(plusTwo))
    }
    expect(ids(matchZones('+5:30', en))).to.include('Asia/Kolkata')
    expect(ids(matchZones('gmt−3:30', en))).to.include('America/St_Johns')
    expect(ids(matchZones('GMT+2 tallinn', en))).to.deep.equal(['Europe/Tallinn'])
    expect(ids(matchZones('+1', en))).not.to.include('Pacific/Auckland')
    // half typed: "GMT+" is every positive offset, not nothing
    expect(matchZones('GMT+', en).length).to.be.greaterThan(100)
    expect(parseOffset('Tallinn')).to.equal(null)
    expect(parseOffset('-3')).to.equal(-180)
  })

  it('finds zones by localized name', () => {
    const zh = zoneList('zh-Hant', WINTER)
    expect(ids(matchZones('台北', zh))).to.deep.equal(['Asia/Taipei'])
    const et = zoneList('et', WINTER)
    expect(ids(matchZones('ida-euroopa', et))).to.include.members(['Europe/Tallinn', 'Europe/Kyiv'])
  })

  it('returns nothing for text nothing matches, everything for no text', () => {
    expect(matchZones('qwertyuiop', en)).to.deep.equal([])
    expect(matchZones('', en)).to.have.length(en.length)
  })
})
