/**
 * Limits no real brand meets and every abuser does: each refusal is a 400 that names the limit
 * (README "Limits"). Everything a tenant's topics hold goes to every subscriber who opens the
 * widget, so these bound every subscriber's wait.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { LIMITS } from '@heed/shared'
import { assertFieldError, assertProblem, setup, type Harness } from './harness.ts'

const LOCALES = ['en', 'et', 'de', 'fr', 'es', 'it', 'nl', 'sv', 'fi', 'da', 'nb', 'pl', 'cs', 'sk', 'hu', 'ro', 'bg', 'el', 'lt', 'lv', 'sl', 'hr', 'pt', 'ja', 'ko']

describe('limits of a tenant', () => {
  let h: Harness
  before(async () => {
    h = await setup()
  })
  after(() => h.close())

  test(`a topic name of more than ${LIMITS.topicName} characters is a 400 naming /name, in any locale`, async () => {
    assertFieldError(await h.req('PUT', '/v1/topics/long', { name: 'n'.repeat(LIMITS.topicName + 1) }), '/name')
    assertFieldError(await h.req('PUT', '/v1/topics/long', { name: { en: 'News', et: 'u'.repeat(LIMITS.topicName + 1) } }), '/name/et')
    assert.equal((await h.req('PUT', '/v1/topics/long', { name: 'n'.repeat(LIMITS.topicName) })).status, 201)
  })

  test(`a description of more than ${LIMITS.topicDescription} characters is a 400 naming /description`, async () => {
    assertFieldError(await h.req('PUT', '/v1/topics/wordy', { name: 'Wordy', description: 'd'.repeat(LIMITS.topicDescription + 1) }), '/description')
    assert.equal((await h.req('PUT', '/v1/topics/wordy', { name: 'Wordy', description: 'd'.repeat(LIMITS.topicDescription) })).status, 201)
  })

  test(`text in more than ${LIMITS.localesPerText} locales is a 400 naming the field`, async () => {
    const text = (n: number) => Object.fromEntries(LOCALES.slice(0, n).map((l) => [l, `News ${l}`]))
    assertFieldError(await h.req('PUT', '/v1/topics/babel', { name: text(LIMITS.localesPerText + 1) }), '/name')
    assertFieldError(await h.req('PUT', '/v1/topics/babel', { name: 'Babel', description: text(LIMITS.localesPerText + 1) }), '/description')
    assert.equal((await h.req('PUT', '/v1/topics/babel', { name: text(LIMITS.localesPerText) })).status, 201)
  })

  test(`a tenant has at most ${LIMITS.topicsPerTenant} topics: one more is a 400 naming the limit; replacing or deleting one still works`, async () => {
    const t = await h.createTenant()
    for (let i = 0; i < LIMITS.topicsPerTenant; i++) {
      const res = await t.req('PUT', `/v1/topics/t-${i}`, { name: `Topic ${i}` })
      assert.equal(res.status, 201, res.text)
    }
    const over = await t.req('PUT', '/v1/topics/one-more', { name: 'One more' })
    assertProblem(over, 400)
    assert.match(over.body.detail, new RegExp(`at most ${LIMITS.topicsPerTenant} topics`))
    assert.equal((await t.req('PUT', '/v1/topics/t-0', { name: 'Topic zero, renamed' })).status, 200)
    assert.equal((await t.req('DELETE', '/v1/topics/t-1')).status, 204)
    assert.equal((await t.req('PUT', '/v1/topics/one-more', { name: 'One more' })).status, 201)
  })
})
