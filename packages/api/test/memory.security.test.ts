/** Input sent only to be refused leaves nothing behind in the server's memory. */
import assert from 'node:assert/strict'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { after, before, describe, test } from 'node:test'
import { assertFieldError, setup, uid, type Harness } from './harness.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapAfterGc = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const MB = 1024 * 1024

describe('memory under refused input', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test('time zones refused by the hundred, 200 KB each, are not kept: the heap stays where it was', async () => {
    const id = uid('cust_')
    const name = (i: number) => `Europe/${String(i).padStart(6, '0')}${'x'.repeat(200 * 1024)}`
    // Warm up the route, the validator and the store first, so only what the refusals keep counts.
    for (let i = 0; i < 20; i++) assertFieldError(await h.req('PUT', `/v1/subscribers/${id}`, { timezone: name(i) }), '/timezone')
    const start = heapAfterGc()
    const N = 400
    for (let i = 20; i < 20 + N; i++) assertFieldError(await h.req('PUT', `/v1/subscribers/${id}`, { timezone: name(i) }), '/timezone')
    const grown = heapAfterGc() - start
    // 400 names of 200 KB are 80 MB: a memo that kept them would show it.
    assert.ok(grown < 20 * MB, `the heap grew by ${(grown / MB).toFixed(1)} MB after ${N} refused time zones`)
  })
})
