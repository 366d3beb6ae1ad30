/**
 * After an erasure, nothing of the erased person can be read back from the SQLite database's
 * files: not from freed pages of the database file, not from the write-ahead log.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { iso, putStandardTopics, setup, T0, uid, type Harness } from './harness.ts'
import { asSubscriber, subscriberWithLink } from './links-helpers.ts'

describe('erasure on SQLite leaves nothing in the files', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('the id, e-mail, reason, user agent and message ids of an erased subscriber are in neither the database file nor its WAL', async (t) => {
    const spec = h.store.readerSpec()
    if (h.store.dialect !== 'sqlite' || !spec || !('sqlite' in spec)) return t.skip('SQLite only: PostgreSQL keeps dead rows until VACUUM (see the README)')
    const id = uid('erasable_person_')
    const email = `${uid('erasable.mail.')}@example.com`
    const reason = uid('erasable reason ')
    const agent = uid('ErasableBrowser/')
    const messageId = uid('erasable-message-')
    const link = await subscriberWithLink(h, id, { email, topics: { news: { subscribed: true } } })
    const sent = await h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId, at: iso(T0) })
    assert.equal(sent.status, 201, sent.text)
    await asSubscriber(h, 'POST', '/v1/me/unsubscribe', link.token, { reason }, { 'user-agent': agent })
    const before = readFileSync(spec.sqlite).toString('latin1') + (existsSync(`${spec.sqlite}-wal`) ? readFileSync(`${spec.sqlite}-wal`).toString('latin1') : '')
    assert.ok(before.includes(email), 'the test writes what it then looks for')

    assert.equal((await h.req('DELETE', `/v1/subscribers/${id}`)).status, 204)
    const files = [spec.sqlite, `${spec.sqlite}-wal`].filter((f) => existsSync(f))
    for (const file of files) {
      const bytes = readFileSync(file).toString('latin1')
      for (const [what, text] of Object.entries({ id, email, reason, agent, messageId })) {
        assert.ok(!bytes.includes(text), `the erased ${what} is still in ${file.endsWith('-wal') ? 'the WAL' : 'the database file'}`)
      }
    }
  })
})
