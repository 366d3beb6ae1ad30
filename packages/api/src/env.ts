import type { Config } from './config.ts'
import type { ApiKeyRecord, Store, TenantRecord } from './db/store.ts'

/**
 * Decides `POST /v1/check/batch` requests: on a worker thread or in the calling thread
 * (`checks/batch.ts`, `checks/batch-worker.ts`).
 */
export interface BatchDecider {
  /** The answer's JSON, UTF-8; refusals are thrown as ApiError. */
  decide(tenant: TenantRecord, body: ArrayBuffer, now: number): Promise<Uint8Array>
  close(): Promise<void>
}

/** What createApp needs from the outside world. */
export interface Deps {
  store: Store
  config: Config
  /** The clock, in epoch ms; tests may pin it. */
  now?: () => number
  /** Where batch checks are decided; by default in the request's thread. */
  batches?: BatchDecider
  /** Told when a request has written to the mail outbox (mail/outbox.ts MailSender); by default nobody is. */
  mailer?: { wake(): void }
}

export type Env = {
  Variables: {
    deps: Required<Deps>
    tenant: TenantRecord
    apiKey: ApiKeyRecord
  }
}
