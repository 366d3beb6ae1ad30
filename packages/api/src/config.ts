import { dirname, resolve } from 'node:path'
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
  /** How long SIGTERM keeps accepting connections, answering `/healthz` 503 `draining`, before it stops accepting. */
  HEED_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Batch checks read and decided at once by one process; more get 503 with Retry-After. */
  HEED_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Heed's own mail goes out over SMTP when set: `smtp://user:pass@host:587` (STARTTLS when
   * the server offers it) or `smtps://user:pass@host:465` (TLS from the start). Unset, each
   * mail is written as an .eml file under the data folder (see mailDir).
   */
  HEED_SMTP_URL: z
    .string()
    .refine(isSmtpUrl, 'use smtp://user:pass@host:587 or smtps://user:pass@host:465 (user and password URL-encoded)')
    .optional(),
  /** The sender address of Heed's mail, e.g. `Heed <no-reply@heed.example>`; each mail shows the tenant's name with it. */
  HEED_MAIL_FROM: z
    .string()
    .transform((s, ctx) => {
      const from = parseMailbox(s)
      if (!from) ctx.addIssue({ code: 'custom', message: 'use an address such as no-reply@heed.example or "Heed <no-reply@heed.example>"' })
      return from ?? z.NEVER
    })
    .optional(),
  /** Where mail is written without HEED_SMTP_URL; by default `mail/` in the data folder. */
  HEED_MAIL_DIR: z.string().optional(),
  /**
   * `1` lets webhook endpoints be loopback, private or link-local addresses (and http://):
   * on-premises setups and tests. Off, such targets are refused when saved and, checked on the
   * address connected to, when sent.
   */
  HEED_WEBHOOK_ALLOW_PRIVATE: z.enum(['0', '1']).default('0'),
  /** `1` lets webhook endpoints be http:// (public addresses still); https:// only by default. */
  HEED_WEBHOOK_ALLOW_HTTP: z.enum(['0', '1']).default('0'),
})

/** A sender: the name shown and the address. */
export interface Mailbox {
  name: string
  address: string
}

export type Config = Omit<z.infer<typeof configSchema>, 'HEED_MAIL_FROM'> & {
  publicUrl: string
  /** HEED_MAIL_FROM, by default `Heed <no-reply@HOST>` with the host of the public URL. */
  mailFrom: Mailbox
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))
  const parsed = configSchema.safeParse(clean)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`invalid configuration:\n${lines.join('\n')}`)
  }
  const { HEED_MAIL_FROM, ...cfg } = parsed.data
  const publicUrl = cfg.HEED_PUBLIC_URL ?? `http://localhost:${cfg.PORT}`
  return { ...cfg, publicUrl, mailFrom: HEED_MAIL_FROM ?? { name: 'Heed', address: `no-reply@${new URL(publicUrl).hostname}` } }
}

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== ''
  } catch {
    return false
  }
}

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/

/** `addr@host`, `Name <addr@host>` or `"Name" <addr@host>`; null for anything else. */
function parseMailbox(value: string): Mailbox | null {
  const trimmed = value.trim()
  if (ADDRESS.test(trimmed)) return { name: '', address: trimmed }
  const m = /^(?:"([^"]*)"|([^"<>]*?))\s*<([^<>]+)>$/.exec(trimmed)
  if (!m || !ADDRESS.test(m[3]!)) return null
  return { name: (m[1] ?? m[2] ?? '').trim(), address: m[3]! }
}

/**
 * The folder Heed keeps its files in: the SQLite file's folder for a `file:` DATABASE_URL,
 * otherwise `./data` of the working directory.
 */
export function dataDir(config: Pick<Config, 'DATABASE_URL'>): string {
  const url = config.DATABASE_URL
  const memory = url === ':memory:' || url === 'file::memory:'
  return url.startsWith('file:') && !memory ? dirname(resolve(url.slice('file:'.length))) : resolve('data')
}

/** Where mail is written without SMTP: HEED_MAIL_DIR, or `mail/` in the data folder. */
export function mailDir(config: Pick<Config, 'DATABASE_URL' | 'HEED_MAIL_DIR'>): string {
  return config.HEED_MAIL_DIR ? resolve(config.HEED_MAIL_DIR) : resolve(dataDir(config), 'mail')
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
