import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { DEFAULT_DATABASE_TIMEOUT_MS } from './db/availability.ts'

/** Everything the server reads from its environment, parsed once at start. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('file:./data/heed.db')
    .refine((u) => u.startsWith('file:') || u === ':memory:' || /^postgres(ql)?:\/\//.test(u), 'use file:PATH for SQLite or postgres://… for PostgreSQL'),
  /** SQLite: NORMAL (default) survives a crash of the server; FULL also a power cut, slower. */
  HEED_SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  /** PostgreSQL connections in each process's pool. */
  HEED_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * PostgreSQL: how long a request waits for the database (connecting, waiting for a pooled
   * connection, querying) before it is answered 503; statements and idle transactions are
   * ended by the server after twice this.
   */
  HEED_DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(DEFAULT_DATABASE_TIMEOUT_MS),
  /** Root token for POST /v1/admin/tenants; the admin API is off when unset. */
  HEED_ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** The URL people and mailbox providers reach this server at; links are built on it. */
  HEED_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** `0` leaves an empty database empty instead of seeding the demo tenant. */
  HEED_DEMO: z.enum(['0', '1']).default('1'),
  /** Where the seeded demo's keys are written for the examples; see demoFilePath. */
  HEED_DEMO_FILE: z.string().optional(),
  /** The demo merchant site's port: the demo tenant allows http://localhost:MERCHANT_PORT. */
  MERCHANT_PORT: z.coerce.number().int().min(1).max(65535).default(8788),
  /** Requests a minute one client IP may make to /u, /p and /v1/me (mailbox providers burst). */
  HEED_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(600),
  /** Requests a minute one link token may make to /u, /p and /v1/me. */
  HEED_RATE_LIMIT_PER_TOKEN: z.coerce.number().int().min(1).default(60),
  /** `1` takes the client IP from X-Forwarded-For (only behind a proxy you run). */
  HEED_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  /** Milliseconds SIGTERM waits for in-flight requests before closing anyway. */
  HEED_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Batch checks read and decided at once by one process; more get 503 with Retry-After. */
  HEED_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
})

export type Config = z.infer<typeof configSchema> & { publicUrl: string }

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))
  const parsed = configSchema.safeParse(clean)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`invalid configuration:\n${lines.join('\n')}`)
  }
  const cfg = parsed.data
  return { ...cfg, publicUrl: cfg.HEED_PUBLIC_URL ?? `http://localhost:${cfg.PORT}` }
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * The demo file (apiUrl, tenantId, senderKey, customerId): HEED_DEMO_FILE, absolute or
 * relative to the repository root, by default packages/api/data/demo.json, whatever
 * DATABASE_URL says. The merchant site and sender examples read it by the same rule.
 */
export function demoFilePath(value: string | undefined): string {
  return resolve(REPO_ROOT, value || 'packages/api/data/demo.json')
}
