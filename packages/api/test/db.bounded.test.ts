/**
 * The database bound (db/availability.ts `bounded`): a call with no answer is refused as
 * "no answer within N ms" only once N ms have passed, by the clock, since it was made. A timer
 * of the event loop counts from the loop's own idea of now, taken when its turn began, so a
 * timer set late in a long turn fires early: the answer would claim a wait it did not make, and
 * tell the sender a change may still be made although nothing waited out the bound.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bounded, DatabaseUnavailable } from '../src/db/availability.ts'

describe('the database bound', () => {
  test('a call made late in a long turn of the event loop is refused no sooner than the bound after it was made', async () => {
    // Twenty calls, each made a different fraction of a millisecond into its turn.
    for (let i = 0; i < 20; i++) {
      const [busyMs, boundMs] = [i === 0 ? 60 : 1 + i * 0.37, i === 0 ? 100 : 10]
      await new Promise((resolve) => setImmediate(resolve))
      // A turn that has already worked busyMs when the call is made.
      const turn = performance.now()
      while (performance.now() - turn < busyMs);
      const made = performance.now()
      const error = await bounded(new Promise(() => {}), boundMs).catch((e: unknown) => e)
      const waited = performance.now() - made
      assert.ok(error instanceof DatabaseUnavailable, String(error))
      assert.match(error.message, new RegExp(`${boundMs} ms`))
      assert.ok(waited >= boundMs, `refused after ${waited.toFixed(1)} ms, under the bound of ${boundMs} ms (the turn was ${busyMs.toFixed(2)} ms old)`)
    }
  })

  test('an answer within the bound is the answer', async () => {
    assert.equal(await bounded(new Promise((resolve) => setTimeout(() => resolve('rows'), 5)), 1000), 'rows')
  })
})
