// @ts-check
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A real Heed API for the widget's browser tests and screenshots: `packages/api/src/server.ts`
 * in a child process, on a free port, with a fresh SQLite file, no demo data and generous rate
 * limits. `start()` resolves once /healthz answers; `stop()` ends the process and removes the file.
 */

const repo = fileURLToPath(new URL('../../../', import.meta.url))

/** A free TCP port on this machine. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * @param {{ allowedOrigins?: string[], log?: boolean }} [options]
 */
export async function startApi(options = {}) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'heed-widget-'))
  const rootToken = 'widget-tests-root-token-' + Math.random().toString(36).slice(2)
  const url = `http://localhost:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'packages/api/src/server.ts')], {
    cwd: repo,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'heed.db')}`,
      HEED_ADMIN_TOKEN: rootToken,
      HEED_DEMO: '0',
      HEED_PUBLIC_URL: url,
      HEED_RATE_LIMIT_PER_IP: '100000',
      HEED_RATE_LIMIT_PER_TOKEN: '100000',
      HEED_SHUTDOWN_TIMEOUT_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => {
    output += d
    if (options.log) process.stdout.write(d)
  })
  child.stderr.on('data', (d) => {
    output += d
    if (options.log) process.stderr.write(d)
  })
  let exited = false
  child.on('exit', () => (exited = true))
  const kill = () => {
    if (!exited) child.kill('SIGKILL')
  }
  process.on('exit', kill)

  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited) throw new Error(`the API exited before it was ready:\n${output}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      kill()
      throw new Error(`the API did not answer /healthz within 30 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }

  /**
   * One API call with the root token or a tenant key.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @param {string} [key]
   */
  async function call(method, path, body, key = rootToken) {
    const res = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    let json = null
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: res.status, body: json }
  }

  return {
    url,
    rootToken,
    call,
    async stop() {
      process.off('exit', kill)
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(kill, 3000)
        await done
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The fixture tenant every test and screenshot uses: two channels, four topics in three categories. */
export const FIXTURE_TOPICS = {
  'order-updates': {
    name: { en: 'Order updates', 'zh-Hans': '订单动态', 'zh-Hant': '訂單動態', et: 'Tellimuste teated' },
    description: { en: 'Receipts, shipping and delivery notices.', 'zh-Hans': '收据、发货和送达通知。', 'zh-Hant': '收據、出貨與送達通知。', et: 'Kviitungid, saatmis- ja kättetoimetamise teated.' },
    category: 'account',
    channels: ['email', 'sms'],
    required: true,
    defaultSubscribed: true,
    order: 0,
  },
  'new-arrivals': {
    name: { en: 'New arrivals', 'zh-Hans': '新品上架', 'zh-Hant': '新品上架', et: 'Uued tooted' },
    description: { en: 'The week’s new gear, every Thursday.', 'zh-Hans': '每周四为您介绍新品。', 'zh-Hant': '每週四為您介紹新品。', et: 'Nädala uued tooted igal neljapäeval.' },
    category: 'shopping',
    channels: ['email'],
    order: 10,
  },
  sales: {
    name: { en: 'Sales and offers', 'zh-Hans': '促销与优惠', 'zh-Hant': '促銷與優惠', et: 'Allahindlused ja pakkumised' },
    description: { en: 'Discounts and members-only offers.', 'zh-Hans': '折扣和会员专享优惠。', 'zh-Hant': '折扣與會員專屬優惠。', et: 'Soodustused ja ainult liikmetele mõeldud pakkumised.' },
    category: 'shopping',
    channels: ['email', 'sms'],
    order: 20,
  },
  'trail-journal': {
    name: { en: 'Trail journal', 'zh-Hans': '山径月刊', 'zh-Hant': '山徑月刊', et: 'Matkapäevik' },
    description: { en: 'Stories and guides from the trail, monthly.', 'zh-Hans': '每月为您带来山径故事与指南。', 'zh-Hant': '每月為您帶來山徑故事與指南。', et: 'Igakuised lood ja juhendid matkaradadelt.' },
    category: 'content',
    channels: ['email'],
    order: 30,
  },
}

/**
 * Creates the fixture tenant and its topics; returns the tenant's admin key.
 * @param {Awaited<ReturnType<typeof startApi>>} api
 * @param {string[]} allowedOrigins
 */
export async function seedTenant(api, allowedOrigins) {
  const created = await api.call('POST', '/v1/admin/tenants', {
    name: 'Trailhead Outfitters',
    channels: ['email', 'sms'],
    allowedOrigins,
    defaultLocale: 'en',
    defaultTimezone: 'Europe/Tallinn',
    branding: { accentColor: '#0f766e' },
  })
  if (created.status !== 201) throw new Error(`creating the tenant: ${JSON.stringify(created.body)}`)
  const key = created.body.apiKey.secret
  for (const [topicKey, topic] of Object.entries(FIXTURE_TOPICS)) {
    const put = await api.call('PUT', `/v1/topics/${topicKey}`, topic, key)
    if (put.status >= 300) throw new Error(`creating topic ${topicKey}: ${JSON.stringify(put.body)}`)
  }
  return key
}
