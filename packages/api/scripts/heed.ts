/**
 * `npm run heed -- <command>`: Heed's command line for operators (SPEC F10), on the database
 * DATABASE_URL names, read as the server reads it (loadConfig(); a relative SQLite path from
 * packages/api, where `npm start` runs the server). An import runs in this process through the
 * same runImport as `POST /v1/imports`: the same rules, the same ledger events, and a job that
 * `GET /v1/imports` lists. Files named on the command line are read from where it was typed.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, extname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Presets, SingleBar } from 'cli-progress'
import { loadConfig } from '../src/config.ts'
import { ChainVerifier, MAX_BAD_LISTED, type StoredEvent } from '../src/db/ledger.ts'
import { openStore } from '../src/db/open.ts'
import type { ImportCounts, ImportMode, ImportRecord, Store, TenantRecord } from '../src/db/store.ts'
import { ledgerLines, subscriberLines } from '../src/imports/exports.ts'
import { IMPORT_MAX_BYTES, newImportJob, runImport } from '../src/imports/job.ts'
import type { ImportFormat } from '../src/imports/parse.ts'
import { IMPORT_MODES } from '../src/imports/plan.ts'

const USAGE = `usage: npm run heed -- <command>

  import FILE --tenant ID [--dry-run] [--mode upsert|createOnly|updateOnly] [--format csv|ndjson]
      imports subscribers from a CSV or NDJSON file (the format from its extension unless
      given), as POST /v1/imports does; --dry-run reports what it would do and writes nothing
  export --tenant ID [--format csv|ndjson] [--out FILE]
      every subscriber, in the columns an import reads (csv by default; stdout without --out)
  export-ledger --tenant ID [--out FILE]
      the tenant's consent ledger as NDJSON with the chain's hashes, as GET /v1/events/export
  verify-ledger FILE
      checks the hash chain of a ledger export offline

The database is DATABASE_URL's (default file:./data/heed.db, from packages/api).
Exit codes: 0 done, 1 failed or bad arguments, 2 no such tenant, 130 import stopped by Ctrl-C.
`

/** The options each command takes. */
const COMMANDS: Record<string, { files: number; options: readonly string[] }> = {
  import: { files: 1, options: ['tenant', 'dry-run', 'mode', 'format'] },
  export: { files: 0, options: ['tenant', 'format', 'out'] },
  'export-ledger': { files: 0, options: ['tenant', 'out'] },
  'verify-ledger': { files: 1, options: [] },
}

/** Where the command was typed (npm run moves to the repository root). */
const here = process.env.INIT_CWD ?? process.cwd()

class Usage extends Error {}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof Usage) {
    console.error(`${error.message}\n\n${USAGE}`)
    return 1
  }
  console.error(error instanceof Error ? error.message : String(error))
  return 1
})

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv)
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const [command, ...files] = positionals
  const spec = command === undefined ? undefined : COMMANDS[command]
  if (!spec) throw new Usage(command === undefined ? 'a command is needed' : `unknown command "${command}"`)
  const given = Object.keys(values).find((o) => !spec.options.includes(o))
  if (given) throw new Usage(`${command} takes no --${given}`)
  if (files.length !== spec.files) throw new Usage(spec.files === 0 ? `${command} takes no file` : `${command} takes one file`)
  const file = files[0] === undefined ? undefined : resolve(here, files[0])
  const out = values.out === undefined ? undefined : resolve(here, values.out)
  const format = oneOf(values.format, ['csv', 'ndjson'] as const, 'format')
  const mode = oneOf(values.mode, IMPORT_MODES, 'mode')

  if (command === 'verify-ledger') return verifyLedger(file!)
  if (values.tenant === undefined) throw new Usage(`${command} needs --tenant ID`)
  const importing = command === 'import' ? { mode: mode ?? 'upsert', dryRun: values['dry-run'] ?? false, format: format ?? formatOf(file!) } : null

  const config = loadConfig()
  // A relative SQLite path means what it means to the server, which runs in packages/api.
  process.chdir(fileURLToPath(new URL('..', import.meta.url)))
  const store = await openStore(config.DATABASE_URL, { poolSize: config.HEED_DATABASE_POOL_SIZE, synchronous: config.HEED_SQLITE_SYNCHRONOUS, timeoutMs: config.HEED_DATABASE_TIMEOUT_MS })
  try {
    const tenant = await store.getTenant(values.tenant)
    if (!tenant) {
      console.error(`no tenant "${values.tenant}" in this database`)
      return 2
    }
    if (importing) return await importFile(store, tenant, file!, importing)
    const lines = command === 'export' ? subscriberLines(store, tenant, format ?? 'csv', Date.now()) : ledgerLines(store, tenant.id)
    await write(lines, out)
    return 0
  } finally {
    await store.close()
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        'dry-run': { type: 'boolean' },
        mode: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new Usage((error as Error).message)
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined
  throw new Usage(`--${name} is one of ${allowed.join(', ')}`)
}

function formatOf(file: string): ImportFormat {
  const ext = extname(file).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson'
  throw new Usage(`cannot tell the format of ${basename(file)} from its name: add --format csv or --format ndjson`)
}

// ---- import ---------------------------------------------------------------------------------

async function importFile(store: Store, tenant: TenantRecord, file: string, how: { mode: ImportMode; dryRun: boolean; format: ImportFormat }): Promise<number> {
  const size = (await stat(file).catch(() => null))?.size
  if (size === undefined) throw new Error(`cannot read ${file}`)
  if (size === 0) throw new Error(`${file} is empty: an import needs a header line naming its columns, such as "id,email"`)
  if (size > IMPORT_MAX_BYTES) throw new Error(`an import file is at most ${IMPORT_MAX_BYTES / 1024 ** 3} GiB; split it`)
  const dir = await mkdtemp(join(tmpdir(), 'heed-import-'))
  try {
    // runImport deletes the file it reads: it gets a copy, whose lines are counted on the way.
    const copy = join(dir, 'upload')
    const lines = await copyCountingLines(file, copy)
    const job = newImportJob({ tenantId: tenant.id, ...how, fileName: basename(file), actor: 'cli', createdAt: Date.now() })
    await store.createImport(job)
    console.error(`import ${job.id}: ${basename(file)} into tenant ${tenant.id}${how.dryRun ? ' (dry run: nothing is written)' : ''}`)

    // Rows are at most the lines (a blank line or a line break inside quotes makes fewer): the
    // total is an estimate, set to the true count at the end.
    const estimate = Math.max(1, how.format === 'csv' ? lines - 1 : lines)
    const bar = new SingleBar(
      { format: '{bar} {value}/~{total} rows | {rate} rows/s | {created} created, {updated} updated, {unchanged} unchanged, {skipped} skipped, {failed} failed', hideCursor: true },
      Presets.shades_classic,
    )
    const started = Date.now()
    const show = (c: Readonly<ImportCounts>) => {
      bar.setTotal(Math.max(bar.getTotal(), c.read))
      bar.update(c.read, { ...c, rate: Math.round((c.read * 1000) / Math.max(1, Date.now() - started)) })
    }
    bar.start(estimate, 0, { rate: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 })
    const cancel = () => {
      console.error(`\nstopping import ${job.id} after the batch it is writing…`)
      void store.cancelImport(tenant.id, job.id, Date.now())
    }
    process.once('SIGINT', cancel)
    const done = await runImport(store, job, copy, { onProgress: show, log: (line) => console.error(line) })
    process.off('SIGINT', cancel)
    bar.setTotal(done.read)
    show(done)
    bar.stop()
    await report(store, done)
    return done.state === 'completed' ? 0 : done.state === 'cancelled' ? 130 : 1
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function copyCountingLines(from: string, to: string): Promise<number> {
  let lines = 0
  let last = 0x0a
  await pipeline(
    createReadStream(from),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++
        last = chunk[chunk.length - 1] ?? last
        yield chunk
      }
    },
    createWriteStream(to),
  )
  return last === 0x0a ? lines : lines + 1
}

/** What GET /v1/imports/{id} would show: the state, the counts and the first errors. */
async function report(store: Store, job: ImportRecord): Promise<void> {
  const { read, created, updated, unchanged, skipped, failed, kept } = job
  const out = [
    `import ${job.id} ${job.state} (${job.mode}${job.dryRun ? ', dry run' : ''})`,
    `  read ${read}, created ${created}, updated ${updated}, unchanged ${unchanged}, skipped ${skipped}, failed ${failed}, kept ${kept}`,
  ]
  if (job.error) out.push(`  ${job.error}`)
  const shown = 10
  const errors = await store.listImportErrors(job.id, 0, shown + 1)
  if (errors.length > 0) {
    out.push(errors.length > shown ? `first ${shown} rejected or skipped rows:` : 'rejected or skipped rows:')
    for (const e of errors.slice(0, shown)) out.push(`  line ${e.line}${e.column === null ? '' : `, ${e.column}`}${e.subscriberId === null ? '' : ` (${e.subscriberId})`}: ${e.reason}`)
    out.push(`all of them: GET /v1/imports/${job.id}/errors (format=csv for a file)`)
  }
  console.log(out.join('\n'))
}

// ---- export ---------------------------------------------------------------------------------

/** `lines` into the file `out`, or to stdout; a file left half written is removed. */
async function write(lines: AsyncIterable<string>, out: string | undefined): Promise<void> {
  if (out === undefined) return pipeline(Readable.from(lines), process.stdout as Writable, { end: false })
  try {
    await pipeline(Readable.from(lines), createWriteStream(out))
  } catch (error) {
    await rm(out, { force: true })
    throw error
  }
}

// ---- verify-ledger --------------------------------------------------------------------------

async function verifyLedger(file: string): Promise<number> {
  const verifier = new ChainVerifier()
  let line = 0
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++
    if (text.trim() === '') continue
    let event: unknown
    try {
      event = JSON.parse(text)
    } catch {
      event = null
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      console.log(`line ${line} is not an event (a JSON object per line, as GET /v1/events/export writes)`)
      return 1
    }
    verifier.step(event as StoredEvent)
  }
  const result = verifier.result()
  if (result.ok) {
    console.log(`the chain verifies: ${result.count} event${result.count === 1 ? '' : 's'}, head ${result.head}`)
    return 0
  }
  const { seq, id, problem } = result.firstBad
  const more = result.bad.length >= MAX_BAD_LISTED ? 'more bad events' : `${result.bad.length - 1} more bad event${result.bad.length === 2 ? '' : 's'}`
  console.log(`the chain does not verify: event #${seq} (${id}): ${problem}${result.bad.length > 1 ? ` (and ${more} after it)` : ''}`)
  return 1
}
