/** The header encoding of the sender example (mail.ts): ASCII headers, names and subjects that decode back. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { encodedWords, header, headerText, isPlainAddress, mailbox } from '../mail.ts'
import { decodeWords } from './decode.ts'

const ASCII_LINE = /^[\x20-\x7e]*$/

describe('mail headers', () => {
  test('a name in another script goes as a UTF-8 encoded-word that decodes back to it', () => {
    const to = mailbox('wang.fang@example.com', '王方')
    assert.equal(to, '=?UTF-8?B?546L5pa5?= <wang.fang@example.com>')
    assert.equal(decodeWords(to), '王方 <wang.fang@example.com>')
    assert.equal(decodeWords(mailbox('a@example.com', 'Łukasz Żółć')), 'Łukasz Żółć <a@example.com>')
  })

  test('plain ASCII names stay readable; specials are quoted; no name, just the address', () => {
    assert.equal(mailbox('mari.tamm@example.com', 'Mari Tamm'), 'Mari Tamm <mari.tamm@example.com>')
    assert.equal(mailbox('p@example.com', 'O"Brien, Pat'), '"O\\"Brien, Pat" <p@example.com>')
    assert.equal(mailbox('p@example.com', 'Dr. A\\B'), '"Dr. A\\\\B" <p@example.com>')
    assert.equal(mailbox('p@example.com'), '<p@example.com>')
    assert.equal(mailbox('p@example.com', '  '), '<p@example.com>')
    // Text that looks like an encoded-word is encoded, so no client decodes what was not meant.
    assert.equal(decodeWords(mailbox('p@example.com', '=?UTF-8?B?QQ==?=')), '=?UTF-8?B?QQ==?= <p@example.com>')
  })

  test('a long name becomes several words of at most 75 characters, split between characters, folded within 78', () => {
    const name = `${'王'.repeat(40)} 👩‍👩‍👧 ${'é'.repeat(30)}`
    const words = encodedWords(name)
    assert.ok(words.length > 3)
    for (const w of words) {
      assert.ok(w.length <= 75, w)
      decodeWords(w) // each word is whole UTF-8 on its own (the decoder is fatal on broken sequences)
    }
    const field = header('To', mailbox('long@example.com', name))
    for (const line of field.split('\r\n')) {
      assert.match(line, ASCII_LINE)
      assert.ok(line.length <= 78, line)
    }
    assert.equal(decodeWords(field.replace(/\r\n /g, ' ')), `To: ${name} <long@example.com>`)
  })

  test('a line break in a name or subject cannot start a header of its own', () => {
    const field = header('To', mailbox('eve@example.com', 'Eve\r\nBcc: everyone@example.com'))
    assert.doesNotMatch(field, /\r\n(?![ \t])/)
    assert.equal(headerText('Sale\r\nBcc: x@example.com'), 'Sale Bcc: x@example.com')
  })

  test('a subject is left as it is in ASCII and encoded otherwise', () => {
    assert.equal(headerText('The winter sale starts now'), 'The winter sale starts now')
    const subject = headerText('冬季促销开始了 — 40 % off')
    assert.match(subject, ASCII_LINE)
    assert.equal(decodeWords(subject), '冬季促销开始了 — 40 % off')
  })

  test('only plain ASCII addresses are written', () => {
    assert.ok(isPlainAddress('li.wei+news@example.com'))
    for (const bad of ['a b@example.com', 'a@example.com\r\nBcc: x@example.com', 'ü@example.com', '<a@example.com>', 'a@', 'a@-example.com', 'a@example.com>'])
      assert.ok(!isPlainAddress(bad), bad)
    assert.throws(() => mailbox('a@example.com\r\nBcc: x@example.com', 'A'))
  })
})

describe('header folding', () => {
  test('a long single value stays on the field line; several words fold at spaces', () => {
    const url = `<https://heed.example/u/${'x'.repeat(300)}>`
    assert.equal(header('List-Unsubscribe', url), `List-Unsubscribe: ${url}`)
    assert.equal(header('Subject', 'The winter sale starts now'), 'Subject: The winter sale starts now')
    const folded = header('Subject', 'word '.repeat(30).trim())
    assert.ok(folded.includes('\r\n '))
    for (const line of folded.split('\r\n')) assert.ok(line.length <= 78, line)
    assert.equal(folded.replace(/\r\n /g, ' '), `Subject: ${'word '.repeat(30).trim()}`)
  })
})
