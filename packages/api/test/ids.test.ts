/** Ids: random ones, and the time-ordered ones consent events get. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newId, newTimeOrderedId } from '../src/db/ids.ts'

test('time-ordered ids sort by the instant they were made at, and differ within one millisecond', () => {
  const instants = [0, 1, 31, 32, 1_000, Date.parse('2026-05-04T10:00:00Z'), Date.parse('2026-05-04T10:00:00.001Z'), Date.parse('2999-12-31T23:59:59.999Z')]
  const ids = instants.map((at) => newTimeOrderedId('evt', at))
  assert.deepEqual([...ids].sort(), ids)
  for (const id of ids) assert.match(id, /^evt_[0-9a-hjkmnp-tv-z]{26}$/)
  const sameMs = new Set(Array.from({ length: 1000 }, () => newTimeOrderedId('evt', 5)))
  assert.equal(sameMs.size, 1000)
})

test('random ids keep their length and alphabet, and do not repeat', () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => newId('key')))
  assert.equal(ids.size, 10_000)
  for (const id of ids) assert.match(id, /^key_[0-9a-hjkmnp-tv-z]{16}$/)
})
