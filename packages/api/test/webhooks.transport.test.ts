import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { Webhook } from 'standardwebhooks'
import { checkUrl, deliver, isPrivateAddress, newSecret, signature, signatureHeader } from '../src/webhooks/transport.ts'

interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

interface Receiver {
  port: number
  url: string
  requests: Received[]
  /** Every TCP connection, even one that never sends a request. */
  connections: number
  close(): Promise<void>
}

/**
 * A real HTTP server on every local address (`::` takes IPv4 too), so a connection to
 * 127.0.0.1, ::1 or ::ffff:127.0.0.1 would all reach it. It records each request whole
 * before `answer` runs; the default answer is a 204.
 */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.writeHead(204).end()): Promise<Receiver> {
  const requests: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      answer(req, res)
    })
  })
  const r: Receiver = {
    port: 0,
    url: '',
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  server.on('connection', () => r.connections++)
  await new Promise<void>((resolve) => server.listen(0, '::', resolve))
  r.port = (server.address() as AddressInfo).port
  r.url = `http://127.0.0.1:${r.port}/hooks/heed?x=1`
  return r
}

/** The headers as a plain string map, the way a receiver would hand them to `verify`. */
function plain(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]))
}

const now = () => Math.floor(Date.now() / 1000)
const body = JSON.stringify({ type: 'subscriber.updated', timestamp: '2025-01-01T00:00:00Z', data: { id: 'mia', topics: ['news'] } })
const local = { allowPrivate: true }

describe('webhook signatures', () => {
  test('signature is what the official standardwebhooks library computes for the same id, timestamp and body', () => {
    const secret = newSecret()
    const ts = 1_674_087_231
    assert.equal(signature(secret, 'msg_1', ts, body), new Webhook(secret).sign('msg_1', new Date(ts * 1000), body))
    assert.match(signature(secret, 'msg_1', ts, body), /^v1,[A-Za-z0-9+/]{43}=$/)
    assert.notEqual(signature(secret, 'msg_1', ts, body), signature(secret, 'msg_2', ts, body))
    assert.notEqual(signature(secret, 'msg_1', ts, body), signature(secret, 'msg_1', ts + 1, body))
  })

  test('newSecret is whsec_ and 24 random bytes in base64, different every time', () => {
    const a = newSecret()
    const b = newSecret()
    assert.match(a, /^whsec_[A-Za-z0-9+/]{32}$/)
    assert.equal(Buffer.from(a.slice('whsec_'.length), 'base64').length, 24)
    assert.notEqual(a, b)
  })

  test('signatureHeader is one v1 signature per secret, space-separated, in the order given', () => {
    const [next, previous] = [newSecret(), newSecret()]
    const header = signatureHeader([next, previous], 'msg_1', 1_700_000_000, body)
    assert.deepEqual(header.split(' '), [signature(next, 'msg_1', 1_700_000_000, body), signature(previous, 'msg_1', 1_700_000_000, body)])
  })

  test('a secret with no key after whsec_ is refused rather than signing with an empty key', () => {
    assert.throws(() => signature('whsec_', 'msg_1', 1, body), /whsec_/)
  })
})

describe('deliver: what the receiver gets', () => {
  let r: Receiver
  before(async () => {
    r = await receiver()
  })
  after(() => r.close())

  test('a POST whose signature verifies with the official standardwebhooks package; a tampered body does not', async () => {
    const secret = newSecret()
    const ts = now()
    const attempt = await deliver({ url: r.url, secrets: [secret] }, { id: 'msg_2KWPBgLl', timestamp: ts, body }, local)
    assert.equal(attempt.status, 204, attempt.error ?? '')
    assert.equal(r.requests.length, 1)
    const got = r.requests.at(-1)!
    assert.equal(got.method, 'POST')
    assert.equal(got.url, '/hooks/heed?x=1')
    assert.equal(got.body, body)
    assert.equal(got.headers['content-type'], 'application/json')
    assert.equal(got.headers['user-agent'], 'Heed-Webhooks/1')
    assert.equal(got.headers['webhook-id'], 'msg_2KWPBgLl')
    assert.equal(got.headers['webhook-timestamp'], String(ts))

    assert.deepEqual(new Webhook(secret).verify(got.body, plain(got.headers)), JSON.parse(body))
    assert.throws(() => new Webhook(secret).verify(got.body.replace('mia', 'ola'), plain(got.headers)), /No matching signature/)
    assert.throws(() => new Webhook(newSecret()).verify(got.body, plain(got.headers)), /No matching signature/)
  })

  test('during a secret rotation a receiver holding either the new or the previous secret verifies', async () => {
    const [next, previous] = [newSecret(), newSecret()]
    const attempt = await deliver({ url: r.url, secrets: [next, previous] }, { id: 'msg_rot', timestamp: now(), body }, local)
    assert.equal(attempt.status, 204, attempt.error ?? '')
    const got = r.requests.at(-1)!
    assert.equal(String(got.headers['webhook-signature']).split(' ').length, 2)
    for (const secret of [next, previous]) assert.deepEqual(new Webhook(secret).verify(got.body, plain(got.headers)), JSON.parse(body))
    assert.throws(() => new Webhook(newSecret()).verify(got.body, plain(got.headers)), /No matching signature/)
  })

  test('the user-agent can be set', async () => {
    await deliver({ url: r.url, secrets: [newSecret()] }, { id: 'msg_ua', timestamp: now(), body }, { ...local, userAgent: 'Heed-Webhooks/1 (test)' })
    assert.equal(r.requests.at(-1)!.headers['user-agent'], 'Heed-Webhooks/1 (test)')
  })
})

describe('deliver: what an attempt reports', () => {
  const receivers: Receiver[] = []
  const start = async (answer?: (req: IncomingMessage, res: ServerResponse) => void) => {
    const r = await receiver(answer)
    receivers.push(r)
    return r
  }
  after(() => Promise.all(receivers.map((r) => r.close())))
  const send = (url: string, options: { allowPrivate: boolean; timeoutMs?: number } = local) =>
    deliver({ url, secrets: [newSecret()] }, { id: 'msg_1', timestamp: now(), body }, options)

  test('the status and the time until it came, no Retry-After and no error on a plain 200', async () => {
    const r = await start((_, res) => setTimeout(() => res.writeHead(200).end('ok'), 60))
    const attempt = await send(r.url)
    assert.equal(attempt.status, 200)
    assert.equal(attempt.error, null)
    assert.equal(attempt.retryAfterMs, null)
    assert.ok(attempt.latencyMs >= 50 && attempt.latencyMs < 5000, `latency ${attempt.latencyMs} ms`)
  })

  test('Retry-After in seconds is reported in milliseconds, with the status', async () => {
    const r = await start((_, res) => res.writeHead(503, { 'retry-after': '120' }).end())
    assert.deepEqual({ ...(await send(r.url)), latencyMs: 0 }, { status: 503, latencyMs: 0, retryAfterMs: 120_000, error: null })
  })

  test('Retry-After as an HTTP date is reported as the time until then', async () => {
    const r = await start((_, res) => res.writeHead(429, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }).end())
    const attempt = await send(r.url)
    assert.equal(attempt.status, 429)
    // The date has whole seconds: a little under a minute from now.
    assert.ok(attempt.retryAfterMs !== null && attempt.retryAfterMs > 55_000 && attempt.retryAfterMs <= 60_000, `retryAfterMs ${attempt.retryAfterMs}`)
  })

  test('a 3xx is reported as it is and its Location is not followed', async () => {
    const elsewhere = await start()
    const r = await start((_, res) => res.writeHead(302, { location: elsewhere.url }).end())
    const attempt = await send(r.url)
    assert.equal(attempt.status, 302)
    assert.equal(r.requests.length, 1)
    assert.equal(elsewhere.connections, 0, 'the Location server is never contacted')
  })

  test('an endless response body is not read to its end: the attempt returns with the status', { timeout: 5000 }, async () => {
    let ended = false
    const r = await start((_, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 'x')
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump)
      }
      res.on('close', () => (ended = true))
      pump()
    })
    const t0 = Date.now()
    const attempt = await send(r.url, { allowPrivate: true, timeoutMs: 10_000 })
    assert.equal(attempt.status, 200)
    assert.equal(attempt.error, null)
    assert.ok(Date.now() - t0 < 5000, 'returned long before the deadline')
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(ended, 'the connection was closed under the sender')
  })

  test('a receiver that never answers is a timeout: no status, and the error says so', { timeout: 5000 }, async () => {
    const r = await start(() => {})
    const t0 = Date.now()
    const attempt = await send(r.url, { allowPrivate: true, timeoutMs: 300 })
    assert.equal(attempt.status, null)
    assert.equal(attempt.error, 'timed out after 0.3 s')
    assert.equal(attempt.retryAfterMs, null)
    assert.ok(Date.now() - t0 < 5000)
  })

  test('a closed port is a refused connection, not an exception', async () => {
    const r = await receiver()
    const { url } = r
    await r.close()
    const attempt = await send(url)
    assert.equal(attempt.status, null)
    assert.equal(attempt.error, 'connection refused')
  })

  test('a URL that is not one, or not http(s), is an error, not an exception', async () => {
    assert.deepEqual({ ...(await send('not a url')), latencyMs: 0 }, { status: null, latencyMs: 0, retryAfterMs: null, error: 'not a URL' })
    assert.match((await send('ftp://hooks.example.com/')).error ?? '', /only http and https/)
  })

  test('a message id with a line break, an empty secret or no secret at all is an error, and nothing is sent', async () => {
    const r = await start()
    const broken = await deliver({ url: r.url, secrets: [newSecret()] }, { id: 'msg_1\r\nx-evil: 1', timestamp: now(), body }, local)
    assert.equal(broken.status, null)
    assert.ok(broken.error)
    const noKey = await deliver({ url: r.url, secrets: ['whsec_'] }, { id: 'msg_1', timestamp: now(), body }, local)
    assert.equal(noKey.status, null)
    assert.match(noKey.error ?? '', /whsec_/)
    const unsigned = await deliver({ url: r.url, secrets: [] }, { id: 'msg_1', timestamp: now(), body }, local)
    assert.equal(unsigned.status, null)
    assert.match(unsigned.error ?? '', /at least one secret/)
    assert.equal(r.connections, 0)
  })
})

describe('deliver: internal addresses', () => {
  let r: Receiver
  before(async () => {
    r = await receiver()
  })
  after(() => r.close())
  const send = (url: string, allowPrivate = false) =>
    deliver({ url, secrets: [newSecret()] }, { id: 'msg_1', timestamp: now(), body }, { allowPrivate, timeoutMs: 3000 })

  test('loopback targets are refused without a connection: IPv4, IPv6, IPv4-mapped and a name resolving to loopback', async () => {
    const refused = [
      [`http://127.0.0.1:${r.port}/`, 'refused: 127.0.0.1 is a loopback address'],
      [`http://[::1]:${r.port}/`, 'refused: ::1 is a loopback address'],
      [`http://[::ffff:127.0.0.1]:${r.port}/`, 'refused: ::ffff:7f00:1 is a loopback address'],
      // The decimal form of 127.0.0.1.
      [`http://2130706433:${r.port}/`, 'refused: 127.0.0.1 is a loopback address'],
    ]
    for (const [url, error] of refused) assert.deepEqual({ ...(await send(url!)), latencyMs: 0 }, { status: null, latencyMs: 0, retryAfterMs: null, error }, url)

    // A name is not checked until delivery (see checkUrl below): this refusal comes from the lookup.
    assert.equal(checkUrl(`http://localhost:${r.port}/`, false), null)
    const byName = await send(`http://localhost:${r.port}/`)
    assert.equal(byName.status, null)
    assert.match(byName.error ?? '', /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/)

    assert.equal(r.connections, 0)
    assert.equal(r.requests.length, 0)
  })

  for (const [url, error] of [
    ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is a link-local address'],
    ['http://10.1.2.3/', 'refused: 10.1.2.3 is a private address'],
    ['http://[::ffff:10.0.0.1]/', 'refused: ::ffff:a00:1 is a private address'],
    ['http://100.64.0.1/', 'refused: 100.64.0.1 is a carrier-grade NAT address'],
    ['http://0.0.0.0/', 'refused: 0.0.0.0 is an unspecified address'],
  ] as const) {
    test(`${url} is refused before any connection`, async () => {
      assert.deepEqual({ ...(await send(url)), latencyMs: 0 }, { status: null, latencyMs: 0, retryAfterMs: null, error })
    })
  }

  test('allowPrivate lets a delivery reach 127.0.0.1 and localhost', async () => {
    const before = r.requests.length
    assert.equal((await send(`http://127.0.0.1:${r.port}/`, true)).status, 204)
    assert.equal((await send(`http://localhost:${r.port}/`, true)).status, 204)
    assert.equal(r.requests.length, before + 2)
  })
})

describe('isPrivateAddress', () => {
  const internal = [
    '127.0.0.1', '127.255.255.254', '::1',
    '0.0.0.0', '::',
    '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fc00::1', 'fd12:3456::1',
    '169.254.169.254', 'fe80::1', 'fe80::1%eth0',
    '100.64.0.1', '100.127.255.255',
    '::ffff:10.0.0.1', '::ffff:a00:1', '0:0:0:0:0:ffff:7f00:1', '::ffff:169.254.169.254',
    '224.0.0.1', 'ff02::1', '255.255.255.255', '240.0.0.1', '192.0.2.1', '2001:db8::1', '64:ff9b::a00:1',
    'hooks.example.com', '',
  ]
  const publicOnes = ['8.8.8.8', '1.1.1.1', '11.0.0.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8']

  for (const ip of internal) test(`${JSON.stringify(ip)} is not public`, () => assert.equal(isPrivateAddress(ip), true))
  for (const ip of publicOnes) test(`${ip} is public`, () => assert.equal(isPrivateAddress(ip), false))
})

describe('checkUrl', () => {
  test('accepts an https URL on a host name, and a host name that is only resolved on delivery', () => {
    assert.equal(checkUrl('https://hooks.example.com/heed', false), null)
    assert.equal(checkUrl('http://hooks.example.com:8080/heed?tenant=1', false), null)
    assert.equal(checkUrl('http://localhost/', false), null)
  })

  test('refuses other schemes, credentials and things that are not URLs', () => {
    assert.match(checkUrl('ftp://hooks.example.com/heed', false) ?? '', /only http and https/)
    assert.match(checkUrl('file:///etc/passwd', true) ?? '', /only http and https/)
    assert.match(checkUrl('http://user:pw@hooks.example.com/', false) ?? '', /user name or password/)
    assert.match(checkUrl('https://user@hooks.example.com/', true) ?? '', /user name or password/)
    assert.equal(checkUrl('hooks.example.com/heed', false), 'not a URL')
  })

  test('refuses an internal IP literal unless private targets are allowed', () => {
    assert.equal(checkUrl('http://10.0.0.5/hook', false), 'refused: 10.0.0.5 is a private address')
    assert.equal(checkUrl('http://[::1]:8080/', false), 'refused: ::1 is a loopback address')
    assert.equal(checkUrl('http://10.0.0.5/hook', true), null)
    assert.equal(checkUrl('http://8.8.8.8/hook', false), null)
  })
})
