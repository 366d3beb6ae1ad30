import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hashPassword, verifyPassword } from '../src/console/passwords.ts'

describe('console passwords (scrypt)', () => {
  test('a hash names its parameters and a random salt; the password verifies, another does not', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')])
    assert.match(a, /^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    assert.notEqual(a, b, 'a salt of its own')
    assert.equal(await verifyPassword('correct horse battery', a), true)
    assert.equal(await verifyPassword('correct horse batterY', a), false)
  })

  test('a missing, malformed or tampered hash never verifies', async () => {
    const hash = await hashPassword('correct horse battery')
    assert.equal(await verifyPassword('correct horse battery', null), false)
    assert.equal(await verifyPassword('correct horse battery', 'not a hash'), false)
    const tampered = hash.slice(0, -2) + (hash.endsWith('AA') ? 'BB' : 'AA')
    assert.equal(await verifyPassword('correct horse battery', tampered), false)
    assert.equal(await verifyPassword('correct horse battery', hash.replace('N=32768', 'N=16384')), false, 'other parameters, another key')
  })

  test('a hash made with other parameters still verifies with them', async () => {
    // What a hash from before a change of parameters looks like: its own N, r, p are used.
    const { scryptSync } = await import('node:crypto')
    const salt = Buffer.from('0123456789abcdef')
    const key = scryptSync('old password here', salt, 32, { N: 2 ** 14, r: 8, p: 1 })
    const old = `scrypt$N=16384,r=8,p=1$${salt.toString('base64url')}$${key.toString('base64url')}`
    assert.equal(await verifyPassword('old password here', old), true)
  })
})
