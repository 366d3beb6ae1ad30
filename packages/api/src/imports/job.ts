import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { newId } from '../db/ids.ts'
import type { ConsentProof } from '../db/ledger.ts'
import type { ImportCounts, ImportErrorRecord, ImportRecord, Store, SubscriberRecord } from '../db/store.ts'
import { suppressionHashes } from '../subscribers/suppression.ts'
import { isRowError, type ImportRow } from './columns.ts'
import { ImportFileError, readImport } from './parse.ts'
import { planRow, type RowPlan } from './plan.ts'

/**
 * Runs an import job: reads the file it was given (spooled to disk as it was uploaded), row by
 * row, and applies it in batches, each batch one transaction with a ledger event per changed
 * subscriber (source `import`, the job id and the row's consent proof). Between batches the
 * job's counts are written, so `GET /v1/imports/{id}` shows progress, and a cancel is seen.
 * A dry run reads the subscribers instead and writes only its counts and errors.
 *
 * Checks keep their pace during an import: a batch holds the tenant's ledger lock (and on
 * SQLite the one writer's lock) for a few milliseconds, and the job yields between batches.
 */

/** The largest file an import takes: a million rows of a kilobyte. */
export const IMPORT_MAX_BYTES = 1024 * 1024 * 1024

/** Between two batches, ms. */
const BATCH_PAUSE_MS = 2

/** Rows a batch writes in one transaction. */
const IMPORT_BATCH = 500

export interface ImportJobOptions {
  now?: () => number
  log?: (line: string) => void
  /** Told the counts after every batch (the command line's progress bar). */
  onProgress?: (counts: Readonly<ImportCounts>) => void
}

/** A new job, queued, with nothing counted yet. */
export function newImportJob(fields: Pick<ImportRecord, 'tenantId' | 'mode' | 'dryRun' | 'format' | 'fileName' | 'actor' | 'createdAt'>): ImportRecord {
  return {
    id: newId('imp'),
    state: 'queued',
    startedAt: null,
    finishedAt: null,
    heartbeatAt: null,
    cancelRequested: false,
    read: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    kept: 0,
    error: null,
    ...fields,
  }
}

export async function runImport(store: Store, job: ImportRecord, file: string, options: ImportJobOptions = {}): Promise<ImportRecord> {
  const now = options.now ?? Date.now
  const counts: ImportCounts = { read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, kept: 0 }
  let errors: ImportErrorRecord[] = []
  /** Subscriber id → the line it was first seen on: a later row with it is a duplicate. */
  const seen = new Map<string, number>()
  let batch: ImportRow[] = []

  // Cancelled while it waited: nothing to do.
  if (!(await store.startImport(job.id, now()))) {
    await rm(file, { force: true })
    return (await store.getImport(job.tenantId, job.id)) ?? job
  }
  const flush = async (): Promise<boolean> => {
    if (batch.length > 0) await applyBatch(store, job, batch, counts, errors, now())
    batch = []
    const going = await store.recordImportProgress(job.id, counts, errors, now())
    errors = []
    options.onProgress?.(counts)
    // A breath between batches: on SQLite, a writer of the main thread (a reserve, a claim) waiting
    // for the write lock gets it now, instead of its busy wait missing one gap after another.
    await new Promise((resolve) => setTimeout(resolve, BATCH_PAUSE_MS))
    return going
  }

  try {
    const tenant = await store.getTenant(job.tenantId)
    if (!tenant) throw new Error(`no tenant ${job.tenantId}`)
    const context = { settings: tenant.settings, topics: await store.listTopics(tenant.id) }
    for await (const item of readImport(createReadStream(file), job.format, context)) {
      counts.read++
      if (isRowError(item)) {
        counts.failed++
        errors.push({ importId: job.id, line: item.line, subscriberId: item.id, column: item.column, reason: item.reason })
      } else {
        const first = seen.get(item.id)
        if (first !== undefined) {
          counts.failed++
          errors.push({ importId: job.id, line: item.line, subscriberId: item.id, column: 'id', reason: `the same id as line ${first}: a file names each subscriber once` })
        } else {
          seen.set(item.id, item.line)
          batch.push(item)
        }
      }
      if ((batch.length >= IMPORT_BATCH || errors.length >= IMPORT_BATCH) && !(await flush())) {
        return await store.finishImport(job.id, 'cancelled', null, now())
      }
    }
    if (!(await flush())) return await store.finishImport(job.id, 'cancelled', null, now())
    return await store.finishImport(job.id, 'completed', null, now())
  } catch (error) {
    const message = error instanceof ImportFileError ? error.message : 'the import stopped on an unexpected error; rows applied so far stay, and running the file again changes nothing twice'
    if (!(error instanceof ImportFileError)) options.log?.(`import ${job.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    await store.recordImportProgress(job.id, counts, errors, now()).catch(() => undefined)
    return await store.finishImport(job.id, 'failed', message, now())
  } finally {
    await rm(file, { force: true })
  }
}

/** Plans and (unless a dry run) writes one batch; adds to `counts` and `errors`. */
async function applyBatch(store: Store, job: ImportRecord, rows: readonly ImportRow[], counts: ImportCounts, errors: ImportErrorRecord[], at: number): Promise<void> {
  // Erased people of the tenant, by their hashed id and e-mail (most tenants have none: then no row is hashed).
  let isSuppressed = (_id: string) => false
  if (await store.hasSuppressions(job.tenantId)) {
    const hashes = new Map(rows.map((r) => [r.id, suppressionHashes(job.tenantId, r.id, r.patch.email)]))
    const suppressed = new Set(await store.suppressedAmong(job.tenantId, [...hashes.values()].flat()))
    isSuppressed = (id) => hashes.get(id)!.some((h) => suppressed.has(h))
  }
  const plans = new Map<string, RowPlan>()
  const plan = (row: ImportRow, current: SubscriberRecord | null) => {
    const p = planRow(current, row.id, row.patch, job.mode, isSuppressed(row.id), at)
    plans.set(row.id, p)
    return p
  }

  if (job.dryRun) {
    const existing = new Map((await store.getSubscribers(job.tenantId, rows.map((r) => r.id))).map((s) => [s.id, s]))
    for (const row of rows) plan(row, existing.get(row.id) ?? null)
  } else {
    await store.changeSubscribers(
      job.tenantId,
      rows.map((row) => ({ id: row.id, change: (current: SubscriberRecord | null) => plan(row, current).next, proof: proofOf(job, row) })),
      { source: 'import', actor: job.actor, userAgent: null, at },
    )
  }

  for (const row of rows) {
    const p = plans.get(row.id)!
    counts[p.outcome]++
    if (p.kept) counts.kept++
    if (p.skipReason) errors.push({ importId: job.id, line: row.line, subscriberId: row.id, column: 'id', reason: p.skipReason })
  }
}

function proofOf(job: ImportRecord, row: ImportRow): ConsentProof {
  const c = row.consent
  return {
    importId: job.id,
    ...(c?.consentedAt !== undefined ? { consentedAt: new Date(c.consentedAt).toISOString() } : {}),
    ...(c?.source !== undefined ? { consentSource: c.source } : {}),
    ...(c?.text !== undefined ? { consentText: c.text } : {}),
    ...(c?.ip !== undefined ? { ip: c.ip } : {}),
  }
}
