import type { BatchDecider } from './checks/batch.ts'
import type { Config } from './config.ts'
import type { ApiKeyRecord, Store, TenantRecord } from './db/store.ts'

/** What createApp needs from the outside world. */
export interface Deps {
  store: Store
  config: Config
  /** The clock, in epoch ms; tests may pin it. */
  now?: () => number
  /** Where batch checks are decided; by default in the request's thread. */
  batches?: BatchDecider
}

export type Env = {
  Variables: {
    deps: Required<Deps>
    tenant: TenantRecord
    apiKey: ApiKeyRecord
  }
}
