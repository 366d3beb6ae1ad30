import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { loadConfig } from './config.ts'
import { openStore } from './db/open.ts'
import { seedDemo } from './demo.ts'

const config = loadConfig()
const store = await openStore(config.DATABASE_URL, { poolSize: config.HEED_DATABASE_POOL_SIZE })

if (config.HEED_DEMO === '1') {
  const demo = await seedDemo(store, config.publicUrl)
  if (demo) {
    const base = config.publicUrl
    console.log(`
Seeded the demo tenant "Demo Outfitters" (HEED_DEMO=0 skips this).
Its admin API key, shown this once:

  export HEED_KEY=${demo.secret}

May I send subscriber ${demo.subscriberId} a "sales" email now?

  curl -s ${base}/v1/check -H "Authorization: Bearer $HEED_KEY" \\
    -H 'Content-Type: application/json' \\
    -d '{"subscriberId":"${demo.subscriberId}","topic":"sales","channel":"email"}'
`)
  }
}

let draining = false
const app = createApp({ store, config }, { isDraining: () => draining })
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  console.log(`Heed listening on ${config.publicUrl} (port ${info.port}, ${store.dialect})`)
})

async function shutdown(signal: string) {
  if (draining) return
  draining = true
  console.log(`${signal}: draining in-flight requests…`)
  const force = setTimeout(() => {
    if ('closeAllConnections' in server) server.closeAllConnections()
  }, config.HEED_SHUTDOWN_TIMEOUT_MS)
  force.unref()
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    if ('closeIdleConnections' in server) server.closeIdleConnections()
  })
  await store.close()
  console.log('closed')
  process.exit(0)
}

process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
