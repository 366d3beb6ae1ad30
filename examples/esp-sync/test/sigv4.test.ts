import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { authorization, canonicalUri } from '../sigv4.ts'

// The example credentials of AWS's SigV4 documentation and test suite.
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const signatureOf = (auth: string) => auth.split('Signature=')[1]

describe('SigV4', () => {
  test('signs AWS test-suite case get-vanilla to its published signature', () => {
    const auth = authorization(
      { method: 'GET', url: 'https://example.amazonaws.com/', headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' }, body: '', region: 'us-east-1', service: 'service' },
      credentials,
    )
    assert.equal(auth, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31')
  })

  test('signs the documented IAM ListUsers request (query string, content-type) to its published signature', () => {
    const auth = authorization(
      {
        method: 'GET',
        url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
        headers: { Host: 'iam.amazonaws.com', 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'X-Amz-Date': '20150830T123600Z' },
        body: '',
        region: 'us-east-1',
        service: 'iam',
      },
      credentials,
    )
    assert.equal(signatureOf(auth), '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7')
  })

  test('encodes each path segment once more than on the wire, as every service but S3 expects', () => {
    assert.equal(canonicalUri('/v2/email/contact-lists/news/contacts/mari%2Btamm%40example.com'), '/v2/email/contact-lists/news/contacts/mari%252Btamm%2540example.com')
    assert.equal(canonicalUri(''), '/')
  })
})
