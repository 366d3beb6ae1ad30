import type { Config } from './config.ts'
import type { ApiKeyRole, ConsoleRole } from '@heed/shared'
import type { ApiKeyRecord, ImportRecord, SessionRecord, Store, TenantRecord } from './db/store.ts'

/** A decided batch: the answer's JSON, UTF-8, and where the time went (the route's `Server-Timing`). */
export interface BatchAnswer {
  json: Uint8Array
  /** The database read of the batch's decision data, ms. */
  readMs: number
  /** Everything else: decode, parse, validate, decide, serialise, ms. */
  workMs: number
}

/**
 * Decides `POST /v1/check/batch` requests: on a worker thread or in the calling thread
 * (`checks/batch.ts`, `checks/batch-worker.ts`).
 */
export interface BatchDecider {
  /** Refusals are thrown as ApiError. */
  decide(tenant: TenantRecord, body: ArrayBuffer, now: number): Promise<BatchAnswer>
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
  /** Runs import jobs (imports/queue.ts ImportQueue); by default one made for the app. */
  imports?: { submit(job: ImportRecord, file: string): Promise<unknown> }
}

/** Who a request acts as: an API key, or a console user signed in with the session cookie. */
export interface Principal {
  kind: 'key' | 'user'
  /** The key's or the user's id: the actor recorded for what it changes. */
  id: string
  role: ApiKeyRole | ConsoleRole
}

export type Env = {
  Variables: {
    deps: Required<Deps>
    tenant: TenantRecord
    principal: Principal
    /** Set for requests authenticated by an API key. */
    apiKey: ApiKeyRecord
    /** Set for requests authenticated by the console's session cookie. */
    session: SessionRecord
  }
}
