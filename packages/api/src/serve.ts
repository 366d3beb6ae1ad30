import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import { createApp, type Env } from './app.ts'
import { BatchWorker, batchDecider } from './checks/batch-worker.ts'
import { SENDER_LANES } from './checks/lanes.ts'
import { demoFilePath, loadConfig, type Config } from './config.ts'
import { openStore } from './db/open.ts'
import type { Store } from './db/store.ts'
import { DEMO_TENANT_ID, demoMerchantOrigin, seedDemo } from './demo.ts'
import { issueToken } from './links/tokens.ts'
import { requestDeadline } from './http/deadline.ts'
import { withLanes, type Lane } from './http/lane.ts'
import { MailSender } from './mail/outbox.ts'
import { WebhookDeliverer } from './webhooks/deliverer.ts'
import { ImportQueue } from './imports/queue.ts'
import { describeTransport, openTransport } from './mail/transport.ts'

export interface ServeOptions {
  /** Adds routes to the app before it serves (the benchmark's floor route). */
  extend?: (app: Hono<Env>) => void
  /** Lanes beside the sender's (the benchmark's floor). */
  lanes?: readonly Lane[]
}

/**
 * The server: opens and migrates the database, seeds the demo when asked, serves the app on
 * PORT and drains on SIGTERM/SIGINT. `src/server.ts` runs it as it is.
 */
export async function serveHeed(options: ServeOptions = {}) {
  const config = loadConfig()
  const store = await openStore(config.DATABASE_URL, { poolSize: config.HEED_DATABASE_POOL_SIZE, synchronous: config.HEED_SQLITE_SYNCHRONOUS, timeoutMs: config.HEED_DATABASE_TIMEOUT_MS })

  if (config.HEED_DEMO === '1') await announceDemo(store, config)

  let draining = false
  const batches = batchDecider(store)
  // The batch thread loads and connects while nothing waits for it, not on the first batch.
  if (batches instanceof BatchWorker) batches.warm()
  const transport = openTransport(config)
  const mailer = new MailSender(store, transport, { publicUrl: config.publicUrl, from: config.mailFrom })
  mailer.start()
  const deliverer = new WebhookDeliverer(store, { allowPrivate: config.HEED_WEBHOOK_ALLOW_PRIVATE === '1' })
  deliverer.start()
  const imports = new ImportQueue(store)
  imports.start()
  const app = createApp({ store, config, batches, mailer, imports }, { isDraining: () => draining })
  options.extend?.(app)
  const lanes = [...SENDER_LANES, ...(options.lanes ?? [])]
  const server = createServer(withLanes({ store, now: Date.now, deadlineMs: requestDeadline(store, config) }, lanes, getRequestListener(app.fetch, { hostname: config.HOST })))
  server.listen(config.PORT, config.HOST, () => {
    const info = server.address() as AddressInfo
    // SQLite's durability as the connection runs it (PRAGMA synchronous), not as configured.
    const reader = store.readerSpec()
    const durability = reader && 'sqlite' in reader ? `, synchronous=${reader.synchronous ?? 'NORMAL'}` : ''
    console.log(`Heed listening on ${config.publicUrl} (port ${info.port}, ${store.dialect}${durability})`)
    console.log(`Heed's own mail is ${describeTransport(config)}`)
  })

  /** Ends the drain period early: a second signal during it. */
  let endDrain: (() => void) | null = null

  async function shutdown(signal: string) {
    if (draining) return endDrain?.()
    draining = true
    // Behind a load balancer: go on accepting while /healthz answers 503, until it has noticed.
    // Ctrl-C (SIGINT) comes from a person at a terminal, who has no load balancer to wait for.
    const drainMs = signal === 'SIGTERM' ? config.HEED_SHUTDOWN_DRAIN_MS : 0
    console.log(`${signal}: draining: /healthz answers 503${drainMs > 0 ? `, still accepting connections for ${drainMs} ms` : ''}`)
    if (drainMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs)
        endDrain = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      endDrain = null
    }
    const force = setTimeout(() => {
      console.log(`closing the requests still open after HEED_SHUTDOWN_TIMEOUT_MS (${config.HEED_SHUTDOWN_TIMEOUT_MS} ms)`)
      if ('closeAllConnections' in server) server.closeAllConnections()
    }, config.HEED_SHUTDOWN_TIMEOUT_MS)
    force.unref()
    // Keep-alive connections become idle as their last response goes out: close them then,
    // rather than waiting out the keep-alive timeout.
    const idle = setInterval(() => {
      if ('closeIdleConnections' in server) server.closeIdleConnections()
    }, 25)
    const closed = new Promise<void>((resolve) => {
      server.close(() => resolve())
      if ('closeIdleConnections' in server) server.closeIdleConnections()
    })
    console.log('stopped accepting connections; letting in-flight requests finish')
    await closed
    clearInterval(idle)
    await batches.close()
    // The pass under way finishes (its mails marked sent) before the database closes.
    await mailer.close()
    await deliverer.close()
    await imports.close()
    await transport.close()
    await store.close()
    console.log('closed')
    process.exit(0)
  }

  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** Seeds the demo into an empty database and prints where to start. */
async function announceDemo(store: Store, config: Config) {
  const merchantOrigin = demoMerchantOrigin(config.MERCHANT_PORT)
  const demo = await seedDemo(store, config.publicUrl, merchantOrigin)
  if (!demo) return
  const customer = await store.getSubscriber(DEMO_TENANT_ID, demo.customerId)
  const link = await issueToken(store, { issuer: config.publicUrl, tenantId: DEMO_TENANT_ID, subscriber: customer!, kind: 'link', ttlSeconds: 90 * 86_400, now: Date.now() })
  // The examples (merchant site, sender) read the sender key from here, by the same rule
  // (HEED_DEMO_FILE, default packages/api/data/demo.json), wherever the database is.
  const demoFile = demoFilePath(config.HEED_DEMO_FILE)
  mkdirSync(dirname(demoFile), { recursive: true })
  writeFileSync(
    demoFile,
    JSON.stringify({ apiUrl: config.publicUrl, tenantId: DEMO_TENANT_ID, senderKey: demo.senderKey, customerId: demo.customerId }, null, 2) + '\n',
    { mode: 0o600 },
  )
  const base = config.publicUrl
  console.log(`
Seeded the demo tenant "Demo Outfitters" (HEED_DEMO=0 skips this).

  Preferences page of customer ${demo.customerId}:  ${base}/p/${link.token}
  Unsubscribe page:                          ${base}/u/${link.token}
  Demo merchant "My account" page:           ${merchantOrigin}/account
  API reference:                             ${base}/docs

Admin API key and the console's sign-in, shown this once:

  export HEED_KEY=${demo.adminKey}
  Console: ${base}/console  sign in as ${demo.owner.email} / ${demo.owner.password}

May I send ${demo.customerId} a "sales" email now?

  curl -s ${base}/v1/check -H "Authorization: Bearer $HEED_KEY" -H 'Content-Type: application/json' \\
    -d '{"subscriberId":"${demo.customerId}","topic":"sales","channel":"email"}'

Check and record it (reserve) in one step:

  curl -s ${base}/v1/dispatches -H "Authorization: Bearer $HEED_KEY" -H 'Content-Type: application/json' \\
    -d '{"subscriberId":"${demo.customerId}","topic":"sales","messageId":"demo-'$(date +%s)'"}'
`)
}
