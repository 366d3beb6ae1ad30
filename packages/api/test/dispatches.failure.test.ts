/**
 * POST /v1/dispatches when the database refuses a write: reserves that arrive together are
 * committed together, and whatever fails, every answer tells the truth: a 201 is recorded,
 * an error is not. What a refused write costs the rest of its group is what README "Scaling
 * out" says: on PostgreSQL the whole group answers 500 with nothing recorded; on SQLite only
 * that reserve does (unless SQLite itself rolled the transaction back). The refusal comes from
 * a trigger on one messageId, made for this test.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import type { Store } from '../src/db/store.ts'
import { iso, putStandardTopics, putSubscriber, setup, uid, type Harness, type Res, type TenantHandle } from './harness.ts'

const T = Date.parse('2026-05-04T12:00:00Z')

/**
 * Makes every INSERT of this messageId fail; returns the undo. On SQLite `abort` undoes the
 * statement (the transaction goes on), `rollback` rolls the whole transaction back.
 */
async function refuseMessage(url: string, messageId: string, how: 'abort' | 'rollback' = 'abort'): Promise<() => Promise<void>> {
  const name = `refuse_${messageId.replace(/\W/g, '_')}`
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length))
    db.exec(`CREATE TRIGGER ${name} BEFORE INSERT ON dispatches WHEN NEW.message_id = '${messageId}' BEGIN SELECT RAISE(${how.toUpperCase()}, 'refused for the test'); END`)
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

/**
 * The app's reserves go through here. Armed with `gather(n)`, it holds them until n have come
 * and then hands all n to the store in one synchronous loop: issued in one turn of the event
 * loop, which both dialects put in one group (README: "a tenant's reserves that arrive
 * together share one transaction"). HTTP requests alone reach the store at times of their own
 * (authentication reads the database first), so without it the grouping would be luck.
 * Installed once, before the first reserve: the store's proxy keeps the method it first hands out.
 */
function reserveGate(store: Store) {
  const reserve = (Object.getPrototypeOf(store) as Store).reserve
  let gathering: { count: number; held: Array<() => void>; all: () => void } | null = null
  ;(store as { reserve: Store['reserve'] }).reserve = function (this: Store, ...args: Parameters<Store['reserve']>) {
    const g = gathering
    if (!g) return reserve.apply(this, args)
    return new Promise((resolve, reject) => {
      g.held.push(() => reserve.apply(this, args).then(resolve, reject))
      if (g.held.length < g.count) return
      gathering = null
      for (const go of g.held) go()
      g.all()
    })
  }
  return {
    /** Arms the gate for the next `count` reserves; resolves once they have gone to the store together. */
    gather(count: number): Promise<void> {
      return new Promise((resolve) => (gathering = { count, held: [], all: resolve }))
    },
  }
}

/**
 * SQLite: for each dispatch row the app's connection writes, how many of `messageIds` another
 * connection could see committed at that moment. All zeros while every row of them is written,
 * and all of them committed afterwards, means one transaction wrote them all: one group.
 */
function watchCommits(h: Harness, messageIds: readonly string[]) {
  // The store's connection, which it hands out for tests (`raw`; not on the Store interface).
  const app = (h.store as unknown as { raw: Database.Database }).raw
  const other = new Database(h.config.DATABASE_URL.slice('file:'.length), { readonly: true })
  const committed = other.prepare<[string], { n: number }>('SELECT count(*) AS n FROM dispatches WHERE message_id IN (SELECT value FROM json_each(?))')
  const ids = JSON.stringify(messageIds)
  const writes: Array<{ messageId: string; committedElsewhere: number }> = []
  app.function('heed_test_seen_write', (messageId: unknown) => {
    writes.push({ messageId: String(messageId), committedElsewhere: committed.get(ids)!.n })
    return null
  })
  // TEMP: on the app's connection only, where the function is.
  app.exec('CREATE TEMP TRIGGER heed_test_seen_write AFTER INSERT ON main.dispatches BEGIN SELECT heed_test_seen_write(NEW.message_id); END')
  return {
    writes,
    committedNow: () => committed.get(ids)!.n,
    stop() {
      app.exec('DROP TRIGGER temp.heed_test_seen_write')
      other.close()
    },
  }
}

describe('POST /v1/dispatches when a write fails', () => {
  let h: Harness
  let bystander: TenantHandle
  let gate: ReturnType<typeof reserveGate>
  const onPostgres = () => h.store.dialect === 'postgres'
  before(async () => {
    h = await setup()
    gate = reserveGate(h.store)
    await putStandardTopics(h)
    bystander = await h.createTenant()
    await putStandardTopics(bystander)
  })
  after(() => h.close())

  /** Twelve subscribers with room for one dispatch each; the sixth reserve is refused by the database. */
  async function twelveAndOnePoisoned() {
    const poison = uid('poison-')
    const ids = Array.from({ length: 12 }, (_, i) => `fail-${i}-${uid()}`)
    for (const id of ids) await putSubscriber(h, id, { topics: { news: { subscribed: true } }, cap: { max: 1, per: 'day' } })
    const messageIds = ids.map((_, i) => (i === 5 ? poison : uid('m-')))
    // Another tenant's reserve in the same turn: the trigger refuses nothing of it.
    const otherId = uid('other-')
    await putSubscriber(bystander, otherId, { topics: { news: { subscribed: true } } })
    const other = { subscriberId: otherId, topic: 'news', messageId: uid('m-'), at: iso(T) }
    const send = (i: number) => h.req('POST', '/v1/dispatches', { subscriberId: ids[i], topic: 'news', messageId: messageIds[i], at: iso(T) })
    return { poison, ids, messageIds, other, send }
  }

  /** Sends all thirteen reserves so that they reach the store in one turn; returns the answers. */
  async function sendTogether(c: Awaited<ReturnType<typeof twelveAndOnePoisoned>>): Promise<{ results: Res[]; other: Res }> {
    const together = gate.gather(13)
    const answers = Promise.all([...c.ids.map((_, i) => c.send(i)), bystander.req('POST', '/v1/dispatches', c.other)])
    await together
    const all = await answers
    return { results: all.slice(0, 12), other: all[12]! }
  }

  async function recorded(id: string): Promise<number> {
    const exported = await h.req('GET', `/v1/subscribers/${id}/export`)
    assert.equal(exported.status, 200, exported.text)
    return exported.body.dispatches.length
  }

  /** Nothing half-done stays behind: each one, sent again, records now (a cap of 1 with room); a replay only where recorded before. */
  async function sendAgain(c: Awaited<ReturnType<typeof twelveAndOnePoisoned>>, results: Res[]) {
    const again = await Promise.all(c.ids.map((_, i) => c.send(i)))
    for (const [i, r] of again.entries()) {
      assert.equal(r.status, 201, r.text)
      assert.equal(r.headers.get('idempotent-replayed') === 'true', results[i]!.status === 201, `${c.ids[i]}: replayed only when recorded before`)
    }
  }

  test('twelve reserves in one group, one refused by the database: on PostgreSQL all twelve answer 500 with nothing recorded; on SQLite only the refused one, the other eleven are recorded', async () => {
    const c = await twelveAndOnePoisoned()
    const watch = onPostgres() ? null : watchCommits(h, [...c.messageIds, c.other.messageId])
    const undo = await refuseMessage(h.config.DATABASE_URL, c.poison)
    let sent: Awaited<ReturnType<typeof sendTogether>>
    try {
      sent = await sendTogether(c)
    } finally {
      await undo()
      watch?.stop()
    }
    const { results, other } = sent
    assert.equal(other.status, 201, `another tenant's reserve of the same turn is recorded: the trigger refuses only the poisoned messageId: ${other.text}`)
    const statuses = results.map((r) => r.status)

    if (onPostgres()) {
      // Each of the eleven could only fail by sharing the poisoned reserve's transaction: one group.
      assert.deepEqual(statuses, Array(12).fill(500), statuses.join(','))
      for (const id of c.ids) assert.equal(await recorded(id), 0, `${id}: nothing of the failed group is recorded`)
    } else {
      assert.deepEqual(statuses, statuses.map((_, i) => (i === 5 ? 500 : 201)), statuses.join(','))
      for (const [i, id] of c.ids.entries()) assert.equal(await recorded(id), i === 5 ? 0 : 1, `${id} answered ${statuses[i]}`)
      // One group: all twelve rows (eleven and the other tenant's) were written by one
      // transaction, in arrival order, those after the refused one included, none of them
      // visible to another connection until the end, and all of them after it.
      const expected = [...c.messageIds.filter((_, i) => i !== 5), c.other.messageId]
      assert.deepEqual(
        watch!.writes.map((w) => w.messageId),
        expected,
      )
      assert.deepEqual(
        watch!.writes.map((w) => w.committedElsewhere),
        Array(12).fill(0),
        'a row of the group was committed before the rest were written: not one transaction',
      )
    }
    await sendAgain(c, results)
  })

  test('on SQLite, a write that makes SQLite roll the whole transaction back fails its whole group: all twelve answer 500 with nothing recorded', async (t) => {
    if (onPostgres()) return t.skip('PostgreSQL fails a whole group for any refused write (the test above)')
    const c = await twelveAndOnePoisoned()
    const undo = await refuseMessage(h.config.DATABASE_URL, c.poison, 'rollback')
    let sent: Awaited<ReturnType<typeof sendTogether>>
    try {
      sent = await sendTogether(c)
    } finally {
      await undo()
    }
    const { results, other } = sent
    const statuses = [...results, other].map((r) => r.status)
    // On SQLite every tenant's reserves of one turn share the group: the other tenant's fails too.
    assert.deepEqual(statuses, Array(13).fill(500), statuses.join(','))
    for (const id of c.ids) assert.equal(await recorded(id), 0, id)
    assert.equal((await bystander.req('GET', `/v1/subscribers/${c.other.subscriberId}/export`)).body.dispatches.length, 0)
    await sendAgain(c, results)
  })
})
