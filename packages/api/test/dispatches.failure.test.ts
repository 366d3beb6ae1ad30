/**
 * POST /v1/dispatches when the database refuses a write: reserves that arrive together are
 * committed together, and whatever fails, every answer tells the truth: a 201 is recorded,
 * an error is not. The refusal comes from a trigger on one messageId, made for this test.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { iso, putStandardTopics, putSubscriber, setup, uid, type Harness } from './harness.ts'

const T = Date.parse('2026-05-04T12:00:00Z')

/** Makes every INSERT of this messageId fail; returns the undo. */
async function refuseMessage(url: string, messageId: string): Promise<() => Promise<void>> {
  const name = `refuse_${messageId.replace(/\W/g, '_')}`
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length))
    db.exec(`CREATE TRIGGER ${name} BEFORE INSERT ON dispatches WHEN NEW.message_id = '${messageId}' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`)
    return async () => {
      db.exec(`DROP TRIGGER ${name}`)
      db.close()
    }
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  await sql.unsafe(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.message_id = '${messageId}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON dispatches FOR EACH ROW EXECUTE FUNCTION ${name}();`)
  return async () => {
    await sql.unsafe(`DROP TRIGGER ${name} ON dispatches; DROP FUNCTION ${name}();`)
    await sql.end({ timeout: 5 })
  }
}

describe('POST /v1/dispatches when a write fails', () => {
  let h: Harness
  before(async () => {
    h = await setup()
    await putStandardTopics(h)
  })
  after(() => h.close())

  test('among concurrent reserves, the refused one is a 500 and not recorded; every 201 is recorded, every error is not', async () => {
    const poison = uid('poison-')
    const ids = Array.from({ length: 12 }, (_, i) => `fail-${i}-${uid()}`)
    for (const id of ids) await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    const messageIds = ids.map((_, i) => (i === 5 ? poison : uid('m-')))
    const undo = await refuseMessage(h.config.DATABASE_URL, poison)
    let results: Awaited<ReturnType<Harness['req']>>[]
    try {
      results = await Promise.all(ids.map((id, i) => h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: messageIds[i], at: iso(T) })))
    } finally {
      await undo()
    }
    assert.equal(results[5]!.status, 500, results[5]!.text)
    for (const [i, id] of ids.entries()) {
      const status = results[i]!.status
      assert.ok(status === 201 || status === 500, `${id}: ${results[i]!.text}`)
      const exported = await h.req('GET', `/v1/subscribers/${id}/export`)
      assert.equal(exported.body.dispatches.length, status === 201 ? 1 : 0, `${id} answered ${status}: ${exported.text}`)
    }
    // Nothing half-done stays behind: each one, sent again, records now (a cap of 1 with room).
    const again = await Promise.all(ids.map((id, i) => h.req('POST', '/v1/dispatches', { subscriberId: id, topic: 'news', messageId: messageIds[i], at: iso(T) })))
    for (const [i, r] of again.entries()) {
      assert.equal(r.status, 201, r.text)
      assert.equal(r.headers.get('idempotent-replayed') === 'true', results[i]!.status === 201, `${ids[i]}: replayed only when recorded before`)
    }
  })
})
