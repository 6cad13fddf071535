import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { parse, CsvError } from 'csv-parse'
import { parse as parseSync } from 'csv-parse/sync'
import { DataError } from '../errors.js'
import { ColumnBuilder } from './column-builder.js'
import type { Table } from './table.js'
import { NotUtf8, notUtf8Error, Utf8Check } from './utf8.js'
import { plural } from '../words.js'

export interface CsvReadOptions {
  /** Field delimiter; detected from the header line when absent. */
  delimiter?: string
  /** Keep each row's source line number (for per-row messages); costs some speed. */
  trackLines?: boolean
  /** Called every few thousand rows with rows and bytes read so far. */
  onProgress?: (rows: number, bytesRead: number, totalBytes: number) => void
  /** Read ISO dates in a column as days since 1970-01-01 (default true); false keeps them as text (`topic load`). */
  isoDates?: boolean
}

const CANDIDATE_DELIMITERS = [',', ';', '\t'] as const

export function describeDelimiter(d: string): string {
  return d === '\t' ? 'tab' : `'${d}'`
}

/** Picks the candidate that splits the header line (outside quotes) most often; `,` on a tie or none. */
export function detectDelimiter(headText: string): string {
  let best: string = ','
  let bestCount = 0
  for (const d of CANDIDATE_DELIMITERS) {
    let count = 0
    let quoted = false
    for (let i = 0; i < headText.length; i++) {
      const ch = headText[i]
      if (ch === '"') quoted = !quoted
      else if (!quoted && (ch === '\n' || ch === '\r')) break
      else if (!quoted && ch === d) count++
    }
    if (count > bestCount) {
      best = d
      bestCount = count
    }
  }
  return best
}

async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '')
  } finally {
    await handle.close()
  }
}

async function checkReadable(file: string): Promise<number> {
  let info
  try {
    info = await stat(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new DataError({ file }, 'file not found', 'Check the path')
    if (code === 'EACCES') throw new DataError({ file }, 'permission denied', 'Make the file readable')
    throw new DataError({ file }, `cannot read the file (${code ?? String(err)})`)
  }
  if (info.isDirectory()) throw new DataError({ file }, 'is a directory, not a CSV file', 'Pass the path of a .csv file')
  return info.size
}

/**
 * Checks that a CSV file can be read and is not empty, and picks its delimiter (`given`, else detected
 * on its first 64 kB): what reading it for training and scoring it start with.
 */
export async function openCsv(file: string, given: string | undefined): Promise<{ totalBytes: number; delimiter: string }> {
  const totalBytes = await checkReadable(file)
  const head = await readHead(file, 64 * 1024)
  if (head.trim().length === 0) throw new DataError({ file }, 'file is empty', 'Pass a CSV file with a header row and data rows')
  return { totalBytes, delimiter: given ?? detectDelimiter(head) }
}

/**
 * The column names a header row gives: blanks around a name are layout, not part of it (a header
 * `age, income` names `income`); a blank name becomes `column_<position>` (as a pandas index column's
 * is); a duplicated one is a DataError. Training and scoring name columns alike.
 */
export function headerNames(file: string, header: string[]): string[] {
  const seen = new Map<string, number>()
  return header.map((raw, i) => {
    const trimmed = raw.trim()
    const name = trimmed.length === 0 ? `column_${i + 1}` : trimmed
    const first = seen.get(name)
    if (first !== undefined) {
      throw new DataError(
        { file, line: 1, column: i + 1 },
        `duplicated column name "${name}" (also column ${first + 1})`,
        'Rename one of them in the header',
      )
    }
    seen.set(name, i)
    return name
  })
}

export function csvErrorToDataError(file: string, err: CsvError, delimiter: string, headerLength: number, quoteLine?: number): DataError {
  const e = err as CsvError & { lines?: number; record?: string[]; column?: number | string | null }
  const line = e.lines
  if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    const got = e.record?.length ?? 0
    return new DataError(
      { file, line, column: Math.min(got, headerLength) + 1 },
      `row has ${plural(got, 'field')} but the header has ${headerLength}`,
      `Fix the row, quote fields that contain ${describeDelimiter(delimiter)}, or set --delimiter (detected ${describeDelimiter(delimiter)})`,
    )
  }
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new DataError({ file, line: quoteLine ?? line }, 'a quoted field opens here and is never closed', 'Close the quote ("...") or escape quotes inside fields by doubling them ("")')
  }
  const column = typeof e.column === 'number' ? e.column + 1 : undefined
  return new DataError({ file, line, column }, `malformed CSV (${err.message.replace(/\s+/g, ' ')})`, 'Check the quoting on that line')
}

/**
 * The line where the quoted field that is never closed opens (the parser only notices at the end of
 * the file): a quote at a field's start opens one, `""` inside is a quote, and a quote followed by
 * anything else closes it.
 */
export async function unclosedQuoteLine(file: string, delimiter: string): Promise<number | undefined> {
  let line = 1
  let atFieldStart = true
  let quoted = false
  let quoteSeen = false
  let openedAt = 0
  for await (const chunk of createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    for (const ch of chunk) {
      if (quoted) {
        if (quoteSeen) {
          quoteSeen = false
          if (ch === '"') continue
          quoted = false
        } else if (ch === '"') {
          quoteSeen = true
          continue
        } else {
          if (ch === '\n') line++
          continue
        }
      }
      if (ch === '"' && atFieldStart) {
        quoted = true
        openedAt = line
        atFieldStart = false
      } else if (ch === delimiter || ch === '\n') {
        if (ch === '\n') line++
        atFieldStart = true
      } else if (ch !== '\r' && ch !== '\uFEFF') atFieldStart = false
    }
  }
  return quoted && !quoteSeen ? openedAt : undefined
}

/**
 * Streams a CSV file into a columnar Table: the whole file is never held as one string, and cells go
 * straight into typed arrays. Throws DataError (file, line, column) for anything a user must fix.
 */
export async function readCsv(file: string, options: CsvReadOptions = {}): Promise<Table> {
  const { totalBytes, delimiter } = await openCsv(file, options.delimiter)

  const trackLines = options.trackLines ?? false
  const parser = parse({ bom: true, delimiter, skip_empty_lines: true, info: trackLines })
  const hash = createHash('sha256')
  const input = createReadStream(file, { highWaterMark: 1 << 20 })
  let bytesRead = 0
  const utf8 = new Utf8Check()

  let builders: ColumnBuilder[] | null = null
  let headerLength = 0
  let rows = 0
  const lines: number[] = []
  const consume = (fields: string[]): void => {
    if (builders === null) {
      const names = headerNames(file, fields)
      headerLength = names.length
      // `1,5` is a number in a `;`-separated file (a European locale's); elsewhere `1,234` may be a thousand.
      builders = names.map((n) => new ColumnBuilder(n, { decimalComma: delimiter === ';', isoDates: options.isoDates ?? true }))
      return
    }
    for (let j = 0; j < headerLength; j++) builders[j].push(fields[j])
    rows++
    if (options.onProgress && (rows & 0x3fff) === 0) options.onProgress(rows, bytesRead, totalBytes)
  }

  try {
    await new Promise<void>((resolve, reject) => {
      input.on('error', reject)
      parser.on('error', reject)
      parser.on('end', () => {
        const bad = utf8.end()
        if (bad >= 0) reject(new NotUtf8(bad))
        else resolve()
      })
      input.on('data', (data: string | Buffer) => {
        const chunk = data as Buffer
        hash.update(chunk)
        bytesRead += chunk.length
        const bad = utf8.push(chunk)
        if (bad >= 0) {
          input.unpipe(parser)
          parser.destroy()
          reject(new NotUtf8(bad))
        }
      })
      const guarded = (fields: string[]): void => {
        try {
          consume(fields)
        } catch (err) {
          input.unpipe(parser)
          parser.destroy()
          reject(err)
        }
      }
      if (trackLines) {
        parser.on('data', (item: { record: string[]; info: { lines: number } }) => {
          if (builders !== null) lines.push(item.info.lines)
          guarded(item.record)
        })
      } else {
        parser.on('data', guarded)
      }
      input.pipe(parser)
    })
  } catch (err) {
    input.destroy()
    if (err instanceof NotUtf8) throw await notUtf8Error(file, err.offset)
    if (err instanceof DataError) throw err
    if (err instanceof CsvError) throw csvErrorToDataError(file, err, delimiter, headerLength, err.code === 'CSV_QUOTE_NOT_CLOSED' ? await unclosedQuoteLine(file, delimiter) : undefined)
    const code = (err as NodeJS.ErrnoException).code
    throw new DataError({ file }, `cannot read the file (${code ?? (err as Error).message})`)
  }

  if (builders === null) throw new DataError({ file }, 'file is empty', 'Pass a CSV file with a header row and data rows')
  if (rows === 0) throw new DataError({ file, line: 2 }, 'the file has a header but no data rows', 'Add data rows below the header')
  options.onProgress?.(rows, bytesRead, totalBytes)
  const built: ColumnBuilder[] = builders
  return {
    source: file,
    nRows: rows,
    columns: built.map((b) => b.finish()),
    fingerprint: `sha256:${hash.digest('hex')}`,
    lines: trackLines ? Int32Array.from(lines) : undefined,
  }
}

/**
 * A Kafka message's text as one CSV line of the fields --columns names (train --topic --format csv, serve
 * --format csv): parsed as a CSV file's lines are (a byte-order mark and blank lines ignored), else why it
 * is no row: not CSV, no line or several, another number of fields, or a header line (the names
 * themselves, blanks around them ignored, as `kafka-console-producer < file.csv` sends first).
 */
export function parseCsvMessage(text: string, columns: readonly string[]): { fields: string[] } | { bad: string } {
  let lines: string[][]
  try {
    lines = parseSync(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][]
  } catch (err) {
    return { bad: (err as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed' : 'malformed CSV' }
  }
  if (lines.length !== 1) return { bad: lines.length === 0 ? 'empty value' : `${lines.length} CSV lines in one message (one expected)` }
  const fields = lines[0]
  if (fields.length !== columns.length) return { bad: `${plural(fields.length, 'field')} but --columns names ${columns.length}` }
  if (fields.every((f, j) => f.trim() === columns[j])) return { bad: 'a header line (the names --columns gives), not a row' }
  return { fields }
}
