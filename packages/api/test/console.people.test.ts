import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openStore } from '../src/db/open.ts'
import { DEMO_OWNER_EMAIL, demoMerchantOrigin, seedDemo } from '../src/demo.ts'
import { smtpTransport } from '../src/mail/transport.ts'
import { assertProblem, DAY, request, ROOT_TOKEN, setup, uid, type Harness, type TestMailSender } from './harness.ts'
import { consoleOrigin, email, PASSWORD, sessionToken, signIn, signInRequest, userWithRole, withCookie, SLOW_HASHES, type SignedIn } from './console-helpers.ts'
import { smtpInbox, type Inbox } from './mail-helpers.ts'

/** The one-time token of an invitation mail's link. */
function acceptToken(text: string, publicUrl: string): string {
  const m = new RegExp(`${publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/console/accept#token=([A-Za-z0-9_-]+)`).exec(text)
  assert.ok(m, `an accept link in:\n${text}`)
  return m[1]!
}

describe('invitations, end to end over SMTP', () => {
  let inbox: Inbox
  let h: Harness & { mail: TestMailSender }
  let owner: SignedIn
  before(async () => {
    inbox = await smtpInbox()
    h = await setup({ tenant: { name: 'Acme Outdoor', defaultLocale: 'en' }, mail: smtpTransport(inbox.url), env: SLOW_HASHES })
    owner = await userWithRole(h, h, 'owner')
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  const accept = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.raw('POST', '/v1/invitations/accept', body, { headers: { origin: consoleOrigin(h), ...headers } })

  test('an owner invites; the mail carries a one-time link; accepting creates the user and signs them in', async () => {
    const address = email('invitee')
    const invited = await owner.req('POST', '/v1/users/invitations', { email: address.toUpperCase(), role: 'editor' })
    assert.equal(invited.status, 201, invited.text)
    assert.equal(invited.body.email, address, 'stored in lower case')
    assert.equal(invited.body.invitedBy, owner.user.id)
    assert.equal(Date.parse(invited.body.expiresAt) - Date.parse(invited.body.createdAt), 7 * DAY)

    const listed = await owner.req('GET', '/v1/users')
    assert.ok(listed.body.invitations.some((i: any) => i.id === invited.body.id))

    const before = inbox.mails.length
    assert.equal(await h.mail.drain(), 1)
    const mail = inbox.mails[before]!
    assert.deepEqual(mail.envelope.to, [address])
    assert.match(mail.parsed.subject ?? '', /Acme Outdoor/)
    assert.match(mail.parsed.text ?? '', /editor/)
    assert.ok(mail.parsed.html, 'an HTML part')
    const token = acceptToken(mail.parsed.text ?? '', h.config.publicUrl)
    assert.ok(String(mail.parsed.html).includes(`/console/accept#token=${token}`))

    const res = await accept({ token, password: 'a long enough password', name: 'Sam Lee' })
    assert.equal(res.status, 201, res.text)
    assert.deepEqual(res.body.user, { id: res.body.user.id, email: address, name: 'Sam Lee', role: 'editor' })
    const cookie = sessionToken(res)
    assert.ok(cookie)
    assert.equal((await withCookie(h, cookie)('GET', '/v1/session')).body.user.email, address)

    // The link works once; the invitation is no longer pending; the password signs in.
    assertProblem(await accept({ token, password: 'another long password' }), 404)
    const after = await owner.req('GET', '/v1/users')
    assert.ok(!after.body.invitations.some((i: any) => i.id === invited.body.id))
    assert.ok(after.body.users.some((u: any) => u.email === address && u.role === 'editor'))
    assert.equal((await signInRequest(h, address, 'a long enough password')).status, 200)
  })

  test('an unknown, a withdrawn and an expired token all get the same 404', async () => {
    const unknown = await accept({ token: 'x'.repeat(43), password: 'a long enough password' })
    assertProblem(unknown, 404)

    const withdrawn = await owner.req('POST', '/v1/users/invitations', { email: email(), role: 'viewer' })
    await h.mail.drain()
    const withdrawnToken = acceptToken(inbox.mails.at(-1)!.parsed.text ?? '', h.config.publicUrl)
    assert.equal((await owner.req('DELETE', `/v1/users/invitations/${withdrawn.body.id}`)).status, 204)
    const gone = await accept({ token: withdrawnToken, password: 'a long enough password' })

    await owner.req('POST', '/v1/users/invitations', { email: email(), role: 'viewer' })
    await h.mail.drain()
    const lateToken = acceptToken(inbox.mails.at(-1)!.parsed.text ?? '', h.config.publicUrl)
    const start = h.clock.now
    h.clock.now += 7 * DAY
    const late = await accept({ token: lateToken, password: 'a long enough password' })
    h.clock.now = start

    for (const res of [gone, late]) {
      assertProblem(res, 404)
      assert.equal(res.text, unknown.text)
    }
  })

  test('a withdrawn invitation’s mail, not yet sent, is not sent', async () => {
    const invited = await owner.req('POST', '/v1/users/invitations', { email: email(), role: 'viewer' })
    assert.equal((await owner.req('DELETE', `/v1/users/invitations/${invited.body.id}`)).status, 204)
    assert.equal(await h.mail.drain(), 0)
  })

  test('inviting again replaces the invitation: only the newest link works', async () => {
    const address = email()
    await owner.req('POST', '/v1/users/invitations', { email: address, role: 'viewer' })
    await h.mail.drain()
    const first = acceptToken(inbox.mails.at(-1)!.parsed.text ?? '', h.config.publicUrl)
    await owner.req('POST', '/v1/users/invitations', { email: address, role: 'editor' })
    await h.mail.drain()
    const second = acceptToken(inbox.mails.at(-1)!.parsed.text ?? '', h.config.publicUrl)
    assertProblem(await accept({ token: first, password: 'a long enough password' }), 404)
    const res = await accept({ token: second, password: 'a long enough password' })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.user.role, 'editor')
  })

  test('the mail is in the tenant’s default language', async () => {
    const other = await h.createTenant({ name: 'Pood', defaultLocale: 'et' })
    const estonian = await userWithRole(h, other, 'owner')
    assert.equal((await estonian.req('POST', '/v1/users/invitations', { email: email(), role: 'viewer' })).status, 201)
    await h.mail.drain()
    const mail = inbox.mails.at(-1)!
    assert.match(mail.parsed.subject ?? '', /Kutse/)
    assert.match(mail.parsed.text ?? '', /vaataja/)
  })

  test('erasing a subscriber who shares the address leaves a pending invitation mail alone', async () => {
    const address = email('both')
    assert.equal((await owner.req('POST', '/v1/users/invitations', { email: address, role: 'viewer' })).status, 201)
    const id = uid('s-')
    assert.equal((await h.req('PUT', `/v1/subscribers/${id}`, { email: address })).status, 201)
    assert.equal((await h.req('DELETE', `/v1/subscribers/${id}`)).status, 204)
    assert.equal(await h.mail.drain(), 1)
    assert.deepEqual(inbox.mails.at(-1)!.envelope.to, [address])
  })

  test('an address that is a console user already cannot be invited (409)', async () => {
    assertProblem(await owner.req('POST', '/v1/users/invitations', { email: owner.user.email, role: 'viewer' }), 409)
  })

  test('accepting validates the password and refuses a foreign Origin', async () => {
    assertProblem(await accept({ token: 'x'.repeat(43), password: 'short' }), 400)
    assertProblem(await accept({ token: 'x'.repeat(43), password: 'a long enough password' }, { origin: 'https://evil.example' }), 403)
  })
})

describe('people: roles, removal and the last owner', () => {
  let h: Harness
  before(async () => {
    h = await setup({ env: SLOW_HASHES })
  })
  after(() => h.close())

  test('the last owner can be neither demoted nor removed (409); with a second owner both work', async () => {
    const tenant = await h.createTenant({ name: 'Solo' })
    const owner = await userWithRole(h, tenant, 'owner')
    assertProblem(await owner.req('PATCH', `/v1/users/${owner.user.id}`, { role: 'editor' }), 409)
    assertProblem(await owner.req('DELETE', `/v1/users/${owner.user.id}`), 409)
    assertProblem(await tenant.req('DELETE', `/v1/users/${owner.user.id}`), 409, 'an admin key neither')

    const second = await userWithRole(h, tenant, 'editor')
    assert.equal((await owner.req('PATCH', `/v1/users/${second.user.id}`, { role: 'owner' })).body.role, 'owner')
    assert.equal((await second.req('PATCH', `/v1/users/${owner.user.id}`, { role: 'viewer' })).status, 200)
    assertProblem(await second.req('DELETE', `/v1/users/${second.user.id}`), 409, 'now the last owner again')
  })

  test('removing a user ends their sessions at once', async () => {
    const owner = await userWithRole(h, h, 'owner')
    const gone = await userWithRole(h, h, 'editor')
    assert.equal((await gone.req('GET', '/v1/topics')).status, 200)
    assert.equal((await owner.req('DELETE', `/v1/users/${gone.user.id}`)).status, 204)
    assertProblem(await gone.req('GET', '/v1/topics'), 401)
    assertProblem(await signInRequest(h, gone.user.email, PASSWORD), 401)
    assertProblem(await owner.req('DELETE', `/v1/users/${gone.user.id}`), 404)
  })

  test('a role must be one of owner, editor, viewer', async () => {
    const owner = await userWithRole(h, h, 'owner')
    assertProblem(await owner.req('PATCH', `/v1/users/${owner.user.id}`, { role: 'admin' }), 400)
    assertProblem(await owner.req('POST', '/v1/users/invitations', { email: 'not an address', role: 'viewer' }), 400)
  })
})

describe('POST /v1/admin/tenants with a first owner', () => {
  let inbox: Inbox
  let h: Harness & { mail: TestMailSender }
  before(async () => {
    inbox = await smtpInbox()
    h = await setup({ mail: smtpTransport(inbox.url), env: SLOW_HASHES })
  })
  after(async () => {
    await h.close()
    await inbox.close()
  })

  test('with a password, the owner signs in at once', async () => {
    const address = email('founder')
    const tenant = await h.createTenant({ name: 'Founded', owner: { email: address.toUpperCase(), password: PASSWORD } })
    const owner = await signIn(h, address)
    assert.equal(owner.user.role, 'owner')
    assert.equal((await owner.req('GET', '/v1/tenant')).body.id, tenant.id)
  })

  test('without a password, an invitation mail goes out; accepting makes them the owner', async () => {
    const address = email('founder')
    const tenant = await h.createTenant({ name: 'Invited Inc', owner: { email: address } })
    assert.equal(await h.mail.drain(), 1)
    const mail = inbox.mails.at(-1)!
    assert.deepEqual(mail.envelope.to, [address])
    const token = acceptToken(mail.parsed.text ?? '', h.config.publicUrl)
    const res = await h.raw('POST', '/v1/invitations/accept', { token, password: PASSWORD })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.user.role, 'owner')
    assert.equal(res.body.tenant.id, tenant.id)
  })

  test('an owner address that is a console user already is a 409 and creates nothing', async () => {
    const address = email('founder')
    await h.createTenant({ name: 'First', owner: { email: address, password: PASSWORD } })
    const id = uid('t-')
    const res = await h.raw('POST', '/v1/admin/tenants', { id, name: 'Second', owner: { email: address, password: PASSWORD } }, { root: true })
    assertProblem(res, 409)
    assert.equal(await h.store.getTenant(id), null)
  })

  test('a short owner password is a 400', async () => {
    assertProblem(await h.raw('POST', '/v1/admin/tenants', { name: 'Short', owner: { email: email(), password: 'short' } }, { root: true }), 400)
  })
})

describe('the demo’s console owner', () => {
  // The demo tenant has a fixed id: its own SQLite file, never a shared database.
  const dir = mkdtempSync(join(tmpdir(), 'heed-demo-owner-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('seeding makes an owner with a random password that signs in; a second seeding makes none', async () => {
    const url = `file:${join(dir, 'heed.db')}`
    const store = await openStore(url)
    try {
      const config = loadConfig({ DATABASE_URL: url, HEED_ADMIN_TOKEN: ROOT_TOKEN, HEED_DEMO: '0' })
      const seeded = await seedDemo(store, config.publicUrl, demoMerchantOrigin(8788))
      assert.ok(seeded)
      assert.equal(seeded.owner.email, DEMO_OWNER_EMAIL)
      assert.ok(seeded.owner.password.length >= 16)
      const app = createApp({ store, config })
      const res = await request(app, null, 'POST', '/v1/session', { email: DEMO_OWNER_EMAIL, password: seeded.owner.password })
      assert.equal(res.status, 200, res.text)
      assert.deepEqual(res.body.tenant, { id: 'demo', name: 'Demo Outfitters' })
      assert.equal(res.body.user.role, 'owner')
      assert.equal(await seedDemo(store, config.publicUrl, demoMerchantOrigin(8788)), null)
    } finally {
      await store.close()
    }
  })
})
