import { isUtf8 } from 'node:buffer'
import { parse as csvParser, type Parser } from 'csv-parse'
import { ImportFileError, parseHeader, RowReader, type Column, type ImportContext, type ImportRow, type RowError } from './columns.ts'

export { ImportFileError, type ImportConsent, type ImportContext, type ImportRow, type RowError } from './columns.ts'

/**
 * Reads an uploaded subscriber file as it streams in: rows come out one at a time, and what it
 * holds at once is bounded by the longest row allowed, whatever the size of the file.
 *
 * Bytes first go through a splitter that finds where each record ends (a CSV newline outside
 * quotes, an NDJSON newline), counts physical lines, and drops a record longer than 64 KiB
 * without keeping it. Each record is then checked to be UTF-8, and a CSV record is split into
 * fields by csv-parse. A problem with one row is a `RowError` and reading goes on with the next;
 * a problem with the file as a whole (empty, a header that is not UTF-8 or names an unknown
 * column, no `id` column) throws `ImportFileError`.
 */

export type ImportFormat = 'csv' | 'ndjson'

/** Bytes of a record (a line, or a CSV record over several lines), line break excluded, at most. */
export const MAX_RECORD_BYTES = 64 * 1024

const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const COMMA = 0x2c
const SEMICOLON = 0x3b

/**
 * The rows of a subscriber file: an `ImportRow` per good row and a `RowError` per bad one, in
 * file order. Blank lines, and CSV rows whose every field is empty, are skipped. The CSV
 * delimiter, comma or semicolon, is the one the header line uses most; a UTF-8 BOM is skipped.
 */
export async function* readImport(
  body: AsyncIterable<Uint8Array>,
  format: ImportFormat,
  context: ImportContext,
): AsyncGenerator<ImportRow | RowError, void, undefined> {
  const bytes = withoutBom(body)
  try {
    yield* rowsOf(bytes, format, new RowReader(context))
  } finally {
    await bytes.return?.()
  }
}

async function* rowsOf(bytes: Chunks, format: ImportFormat, rows: RowReader): AsyncGenerator<ImportRow | RowError, void, undefined> {
  const first = await firstLine(bytes)
  const splitter = new Splitter(format === 'csv' ? delimiterOf(first) : null)
  const records = splitter.records(first, bytes)
  if (format === 'ndjson') {
    let any = false
    for await (const batch of records) {
      for (const r of batch) {
        any = true
        yield 'reason' in r ? { line: r.line, id: null, column: null, reason: r.reason } : rows.ndjson(r.text, r.line)
      }
    }
    if (!any) throw new ImportFileError(EMPTY)
    return
  }
  const fields = new CsvFields(splitter.delimiter!)
  let columns: Column[] | null = null
  for await (const batch of records) {
    if (batch.length === 0) continue
    if (columns === null) {
      const r = batch.shift()!
      if ('reason' in r) throw new ImportFileError(`the header line ${HEADER_PROBLEMS[r.reason] ?? r.reason}`)
      const header = fields.split(r.bytes)
      if (typeof header === 'string') throw new ImportFileError(`the header line is not valid CSV: ${header}`)
      columns = parseHeader(header)
    }
    const split = fields.splitAll(batch)
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!
      const f = split[i]!
      if ('reason' in r) yield { line: r.line, id: null, column: null, reason: r.reason }
      else if (typeof f === 'string') yield { line: r.line, id: null, column: null, reason: f }
      else {
        const row = rows.csv(f, columns, r.line)
        if (row) yield row
      }
    }
  }
  if (columns === null) throw new ImportFileError(EMPTY)
}

const EMPTY = 'the file is empty: it needs a header line naming its columns, such as "id,email"'
const NOT_UTF8 = 'not UTF-8'
const TOO_LONG = `line longer than ${MAX_RECORD_BYTES / 1024} KiB`
const HAS_NUL = 'holds the NUL character (U+0000)'
const HEADER_PROBLEMS: Readonly<Record<string, string>> = {
  [NOT_UTF8]: 'is not UTF-8 text',
  [TOO_LONG]: `is longer than ${MAX_RECORD_BYTES / 1024} KiB`,
  [HAS_NUL]: HAS_NUL,
}

/** A record found by the splitter: its bytes (CSV) or text (NDJSON), or why it was dropped. */
type Found = { line: number; bytes: Uint8Array; text: string } | { line: number; reason: string }

/** A pulled async iterator of chunks, so the first line can be read before the rest. */
type Chunks = AsyncIterator<Uint8Array, unknown>

async function* bomless(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  let start = true
  let held: Uint8Array = new Uint8Array(0)
  for await (const chunk of body) {
    if (!start) {
      yield* slices(chunk)
      continue
    }
    held = concat([held, chunk])
    if (held.length < 3 && held.every((b, i) => b === BOM[i])) continue
    start = false
    yield* slices(held[0] === 0xef && held[1] === 0xbb && held[2] === 0xbf ? held.subarray(3) : held)
  }
  if (start && held.length > 0) yield held
}

const BOM = [0xef, 0xbb, 0xbf]
const withoutBom = (body: AsyncIterable<Uint8Array>): Chunks => bomless(body)[Symbol.asyncIterator]()

/** A chunk in pieces of at most 64 KiB, so the rows one chunk gives stay few. */
function* slices(chunk: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < chunk.length; at += MAX_RECORD_BYTES) yield chunk.subarray(at, at + MAX_RECORD_BYTES)
}

/** The chunks up to and including the first line break (or the first 64 KiB past the limit, or all). */
async function firstLine(chunks: Chunks): Promise<Uint8Array[]> {
  const taken: Uint8Array[] = []
  let length = 0
  while (length <= MAX_RECORD_BYTES) {
    const next = await chunks.next()
    if (next.done) break
    taken.push(next.value)
    length += next.value.length
    if (next.value.includes(LF)) break
  }
  return taken
}

/** Comma or semicolon: whichever the header line holds more of. */
function delimiterOf(first: readonly Uint8Array[]): number {
  let commas = 0
  let semicolons = 0
  for (const chunk of first) {
    const end = chunk.indexOf(LF)
    for (const b of end === -1 ? chunk : chunk.subarray(0, end)) {
      if (b === COMMA) commas++
      else if (b === SEMICOLON) semicolons++
    }
    if (end !== -1) break
  }
  return semicolons > commas ? SEMICOLON : COMMA
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!
  return Buffer.concat(pieces)
}

const FIELD_START = 0
const UNQUOTED = 1
const QUOTED = 2
const AFTER_QUOTE = 3

/**
 * Finds records in a byte stream. With a delimiter (CSV) a newline inside a quoted field does
 * not end the record; a quote opens a field only at its start, as csv-parse with `relax_quotes`
 * reads it. Without one (NDJSON) every newline does. A record past `MAX_RECORD_BYTES` is
 * dropped as it goes, so a 10 MB line costs no more memory than a 64 KiB one.
 */
class Splitter {
  /** Physical line of the next byte. */
  #line = 1
  /** Physical line the current record starts on. */
  #start = 1
  #state = FIELD_START
  /** The current record's bytes from earlier chunks, copied. */
  #pieces: Uint8Array[] = []
  #length = 0
  #tooLong = false

  constructor(readonly delimiter: number | null) {}

  /** The records of `first`, then of `rest`, in batches: those that end in one chunk of at most 64 KiB. */
  async *records(first: readonly Uint8Array[], rest: Chunks): AsyncGenerator<Found[], void, undefined> {
    for (const chunk of first) {
      const out: Found[] = []
      this.#push(chunk, out)
      yield out
    }
    for (;;) {
      const next = await rest.next()
      if (next.done) break
      const out: Found[] = []
      this.#push(next.value, out)
      yield out
    }
    const out: Found[] = []
    if (this.#length > 0 || this.#tooLong) this.#finish(new Uint8Array(0), out)
    yield out
  }

  #push(chunk: Uint8Array, out: Found[]): void {
    let from = 0
    if (this.delimiter === null) {
      for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, from)) {
        this.#finish(chunk.subarray(from, end), out)
        from = end + 1
        this.#start = ++this.#line
      }
    } else {
      const delimiter = this.delimiter
      let state = this.#state
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]
        if (b === LF) {
          if (state === QUOTED) {
            this.#line++
            continue
          }
          this.#finish(chunk.subarray(from, i), out)
          from = i + 1
          this.#start = ++this.#line
          state = FIELD_START
        } else if (b === QUOTE) {
          state = state === FIELD_START || state === AFTER_QUOTE ? QUOTED : state === QUOTED ? AFTER_QUOTE : UNQUOTED
        } else if (b === delimiter && state !== QUOTED) {
          state = FIELD_START
        } else if (state !== QUOTED) {
          state = UNQUOTED
        }
      }
      this.#state = state
    }
    const rest = chunk.length - from
    if (rest === 0 || this.#tooLong) return
    if (this.#length + rest > MAX_RECORD_BYTES + 1) {
      this.#drop()
      return
    }
    this.#pieces.push(chunk.slice(from))
    this.#length += rest
  }

  #drop(): void {
    this.#tooLong = true
    this.#pieces = []
    this.#length = 0
  }

  /** Ends the current record with `tail`, its bytes in the last chunk. */
  #finish(tail: Uint8Array, out: Found[]): void {
    const line = this.#start
    if (this.#tooLong || this.#length + tail.length > MAX_RECORD_BYTES + 1) {
      this.#tooLong = false
      this.#pieces = []
      this.#length = 0
      out.push({ line, reason: TOO_LONG })
      return
    }
    let bytes = this.#length === 0 ? tail : concat([...this.#pieces, tail])
    this.#pieces = []
    this.#length = 0
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1)
    if (bytes.length > MAX_RECORD_BYTES) return void out.push({ line, reason: TOO_LONG })
    if (bytes.length === 0) return
    if (!isUtf8(bytes)) return void out.push({ line, reason: NOT_UTF8 })
    if (bytes.includes(0)) return void out.push({ line, reason: HAS_NUL })
    out.push({ line, bytes, text: this.delimiter === null ? UTF8.decode(bytes) : '' })
  }
}

const UTF8 = new TextDecoder()

/**
 * Splits one CSV record into fields with csv-parse's stream: the record goes in, its fields
 * come out before the next goes in. A record it refuses (a quote closed in mid-field, a quote
 * left open) gets a fresh parser, so nothing of it leaks into the next record.
 */
class CsvFields {
  #parser: Parser
  #skipped: string | null = null

  constructor(readonly delimiter: number) {
    this.#parser = this.#open()
  }

  #open(): Parser {
    const parser = csvParser({
      delimiter: String.fromCharCode(this.delimiter),
      record_delimiter: '\n',
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    })
    parser.on('skip', (err: Error) => {
      this.#skipped = err.message
    })
    parser.on('error', () => {})
    return parser
  }

  /** The record's fields, or why csv-parse would not read it. */
  split(bytes: Uint8Array): string[] | string {
    const out = this.#parse([bytes, END_OF_RECORD])
    if (this.#skipped === null && out.length === 1) return out[0]!
    const reason = this.#skipped === null ? 'a quoted field is not closed' : csvReason(this.#skipped)
    this.#reset()
    return reason
  }

  /**
   * The fields of each record found (null for one the splitter dropped), parsed in one write.
   * When csv-parse refuses one, or gives another number of records, the batch is parsed
   * again one record at a time, so each gets its own answer.
   */
  splitAll(found: readonly Found[]): (string[] | string | null)[] {
    const pieces: Uint8Array[] = []
    for (const r of found) if ('bytes' in r) pieces.push(r.bytes, NEWLINE)
    const records = pieces.length / 2
    if (records === 0) return found.map(() => null)
    pieces.push(END_OF_RECORD)
    const out = this.#parse(pieces)
    if (this.#skipped === null && out.length === records) {
      let i = 0
      return found.map((r) => ('bytes' in r ? out[i++]! : null))
    }
    this.#reset()
    return found.map((r) => ('bytes' in r ? this.split(r.bytes) : null))
  }

  #parse(pieces: readonly Uint8Array[]): string[][] {
    this.#parser.write(Buffer.concat(pieces))
    const out: string[][] = []
    for (let r: string[] | null; (r = this.#parser.read()) !== null; ) out.push(r)
    return out
  }

  #reset(): void {
    this.#skipped = null
    this.#parser.destroy()
    this.#parser = this.#open()
  }
}

/**
 * csv-parse holds back the last few bytes it was given until more come (they could begin a
 * delimiter or a multi-byte space), so each record is followed by empty lines it skips: the
 * record's own line break is read at once, and the record comes out.
 */
const END_OF_RECORD = Buffer.from('\n'.repeat(8))
const NEWLINE = Buffer.from('\n')

/** csv-parse's message without its position (the row error has the line). */
const csvReason = (message: string) => message.replace(/ at line \d+.*$/s, '').replace(/:\s*/, ': ').replace(/^Invalid/, 'invalid')
