import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Env } from '../env.ts'
import type { ImportErrorRecord, ImportRecord } from '../db/store.ts'
import { authorize } from '../http/auth.ts'
import { ApiError } from '../http/errors.ts'
import { declare, json, KEY_PROBLEMS, PROBLEMS, routes, SECURITY } from '../http/route.ts'
import { iso } from '../http/views.ts'
import { csvLine } from './columns.ts'
import { IMPORT_MAX_BYTES, newImportJob } from './job.ts'
import { IMPORT_MODES } from './plan.ts'

/**
 * Import jobs (SPEC F10): `POST /v1/imports` takes the file itself as the body, writes it to a
 * temporary file as it streams in (never whole in memory) and answers `202` with the job,
 * which this process's ImportQueue then runs; `GET` shows its progress, `/errors` its rejected
 * rows, `DELETE` cancels it.
 */

export const imports = routes<Env>()
imports.use('*', authorize('imports'))

const FORMATS: Record<string, 'csv' | 'ndjson'> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/jsonl': 'ndjson' }

const countsSchema = {
  read: z.number().int().openapi({ description: 'Rows read so far (good or not).' }),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int().openapi({ description: 'Rows the mode left out (createOnly: exists; updateOnly: does not).' }),
  failed: z.number().int().openapi({ description: 'Rows rejected: see `/errors`.' }),
  kept: z.number().int().openapi({ description: 'Rows that would have opted someone back in (unsubscribed, a topic or channel turned off, or erased): applied otherwise, the opt-in held back.' }),
}

const jobSchema = z
  .object({
    id: z.string(),
    state: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    mode: z.enum(IMPORT_MODES),
    dryRun: z.boolean(),
    format: z.enum(['csv', 'ndjson']),
    fileName: z.string().nullable(),
    ...countsSchema,
    error: z.string().nullable().openapi({ description: 'Why the whole job failed (a file it cannot read at all, or a stop).' }),
    cancelRequested: z.boolean(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ImportJob')

const errorSchema = z.object({
  line: z.number().int(),
  subscriberId: z.string().nullable(),
  column: z.string().nullable(),
  reason: z.string(),
})

const view = (job: ImportRecord) => ({
  id: job.id,
  state: job.state,
  mode: job.mode,
  dryRun: job.dryRun,
  format: job.format,
  fileName: job.fileName,
  read: job.read,
  created: job.created,
  updated: job.updated,
  unchanged: job.unchanged,
  skipped: job.skipped,
  failed: job.failed,
  kept: job.kept,
  error: job.error,
  cancelRequested: job.cancelRequested,
  createdAt: iso(job.createdAt),
  startedAt: job.startedAt === null ? null : iso(job.startedAt),
  finishedAt: job.finishedAt === null ? null : iso(job.finishedAt),
})

const idParam = z.object({ id: z.string().min(1).max(100) })

async function jobOr404(c: Context<Env>, id: string) {
  const job = await c.get('deps').store.getImport(c.get('tenant').id, id)
  if (!job) throw new ApiError('not_found', `no import "${id}"`)
  return job
}

/** The request's body into a new temporary file, at most IMPORT_MAX_BYTES (413 beyond). */
async function spool(c: Context<Env>): Promise<{ file: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'heed-import-'))
  const file = join(dir, 'upload')
  const dispose = () => rm(dir, { recursive: true, force: true })
  const body = c.req.raw.body
  let size = 0
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      if (size > IMPORT_MAX_BYTES) done(new ApiError('payload_too_large', `an import file is at most ${IMPORT_MAX_BYTES / 1024 ** 3} GiB; split it`))
      else done(null, chunk)
    },
  })
  try {
    await pipeline(body ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : Readable.from([]), counted, createWriteStream(file))
  } catch (error) {
    await dispose()
    if (error instanceof ApiError) throw error
    throw new ApiError('bad_request', 'the upload broke off before the file ended; send it again')
  }
  if (size === 0) {
    await dispose()
    throw new ApiError('validation', 'the file is empty', { errors: [{ pointer: '', detail: 'the body is the file itself, with its header row' }] })
  }
  return { file, dispose }
}

declare(
  imports,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Imports'],
    summary: 'Import subscribers from a file',
    description: [
      'The body is the file itself: CSV (`Content-Type: text/csv`; a header row; comma or semicolon; UTF-8 with or without BOM) or NDJSON (`application/x-ndjson`), up to 1 GiB and 1,000,000 rows. It answers `202` with the job as soon as the file is received; follow it with `GET /v1/imports/{id}`.',
      'Columns: `id` (required), `email`, `locale`, `timezone`, `status`, `channel:<channel>` and `topic:<key>` (yes/no), `topic:<key>:channel:<channel>`, `cap` and `topic:<key>:cap` (`2/week`, `1/day/sms`), `quietHours` (`22:00-07:00`, or `22:00-07:00@0,6` for some days), `pausedUntil`, and the consent proof `consentedAt`, `consentSource`, `consentText`, `ip`. An empty cell leaves the value as it is.',
      'Rules: an import never opts anyone back in — an unsubscribed subscriber, a topic or channel turned off, and an erased person stay so (`kept` counts such rows); bad rows are rejected one by one (`/errors`), never the whole file; a subscriber id twice in a file is an error on its second line; every subscriber changed gets a ledger event with source `import`, the job id and the row’s consent proof; the same file again changes nothing. `dryRun=true` reports what a run would do and writes nothing.',
    ].join('\n\n'),
    security: SECURITY.admin,
    request: {
      query: z.object({
        mode: z.enum(IMPORT_MODES).default('upsert').openapi({ description: '`upsert` (default) creates and updates; `createOnly` skips subscribers who exist; `updateOnly` skips those who do not.' }),
        dryRun: z.enum(['true', 'false']).default('false').openapi({ description: 'Report only; write nothing.' }),
        fileName: z.string().max(200).optional().openapi({ description: 'Shown with the job.' }),
      }),
    },
    bodyRules: { maxSize: IMPORT_MAX_BYTES, raw: true, types: Object.keys(FORMATS) },
    responses: { 202: json('The job, queued.', jobSchema), ...KEY_PROBLEMS, 413: PROBLEMS[413], 415: PROBLEMS[415] },
  }),
  async (c) => {
    const { mode, dryRun, fileName } = c.req.valid('query')
    // jsonOnly() has refused any other type already.
    const format = FORMATS[(c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()]!
    const { store, now, imports: queue } = c.get('deps')
    const { file, dispose } = await spool(c)
    const job = newImportJob({ tenantId: c.get('tenant').id, mode, dryRun: dryRun === 'true', format, fileName: fileName ?? null, actor: c.get('principal').id, createdAt: now() })
    try {
      await store.createImport(job)
    } catch (error) {
      await dispose()
      throw error
    }
    // The queue logs a job that could not run; its state says so.
    void queue.submit(job, file).catch(() => undefined).finally(dispose)
    return c.json(view(job), 202)
  },
)

declare(
  imports,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Imports'],
    summary: 'List imports',
    description: 'The tenant’s latest imports, the latest first.',
    security: SECURITY.admin,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
    responses: { 200: json('The imports.', z.object({ data: z.array(jobSchema) })), ...KEY_PROBLEMS },
  }),
  async (c) => c.json({ data: (await c.get('deps').store.listImports(c.get('tenant').id, c.req.valid('query').limit)).map(view) }),
)

declare(
  imports,
  createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['Imports'],
    summary: 'An import’s state and progress',
    description: 'Its state (`queued`, `running`, `completed`, `failed` or `cancelled`) and its counts so far, written after every batch of rows.',
    security: SECURITY.admin,
    request: { params: idParam },
    responses: { 200: json('The job.', jobSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => c.json(view(await jobOr404(c, c.req.valid('param').id))),
)

declare(
  imports,
  createRoute({
    method: 'get',
    path: '/{id}/errors',
    tags: ['Imports'],
    summary: 'An import’s rejected and skipped rows',
    description: 'Each with its line (the header is line 1), the subscriber id when it could be read, the column at fault and why. Page with `after` (the last line shown). `format=csv` gives them all as a CSV file to download.',
    security: SECURITY.admin,
    request: {
      params: idParam,
      query: z.object({
        after: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        format: z.enum(['json', 'csv']).default('json'),
      }),
    },
    responses: {
      200: { description: 'The rows.', content: { 'application/json': { schema: z.object({ data: z.array(errorSchema), next: z.number().int().nullable() }) }, 'text/csv': { schema: z.string() } } },
      ...KEY_PROBLEMS,
      404: PROBLEMS[404],
    },
  }),
  async (c) => {
    const job = await jobOr404(c, c.req.valid('param').id)
    const { after, limit, format } = c.req.valid('query')
    const { store } = c.get('deps')
    if (format === 'json') {
      const rows = await store.listImportErrors(job.id, after, limit + 1)
      const page = rows.slice(0, limit)
      return c.json({ data: page.map(errorView), next: rows.length > limit ? page[page.length - 1]!.line : null }, 200)
    }
    const encoder = new TextEncoder()
    let line = after
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(csvLine(['line', 'subscriberId', 'column', 'reason'])))
      },
      async pull(controller) {
        const rows = await store.listImportErrors(job.id, line, 1000)
        if (rows.length === 0) return controller.close()
        line = rows[rows.length - 1]!.line
        controller.enqueue(encoder.encode(rows.map((r) => csvLine([String(r.line), r.subscriberId ?? '', r.column ?? '', r.reason].map(notAFormula))).join('')))
      },
    })
    return new Response(stream, { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${job.id}-errors.csv"` } }) as never
  },
)

declare(
  imports,
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['Imports'],
    summary: 'Cancel an import',
    description: 'A queued import is cancelled at once; a running one stops after the batch it is writing (what it wrote stays: every row is a change of its own, in the ledger). An ended import is left as it is.',
    security: SECURITY.admin,
    request: { params: idParam },
    responses: { 200: json('The job.', jobSchema), ...KEY_PROBLEMS, 404: PROBLEMS[404] },
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const job = await c.get('deps').store.cancelImport(c.get('tenant').id, id, c.get('deps').now())
    if (!job) throw new ApiError('not_found', `no import "${id}"`)
    return c.json(view(job))
  },
)

const errorView = (e: ImportErrorRecord) => ({ line: e.line, subscriberId: e.subscriberId, column: e.column, reason: e.reason })

/** A cell of the errors file never read as a formula by a spreadsheet (it holds what a file sent). */
const notAFormula = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value)
