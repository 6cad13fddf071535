import { createReadStream } from 'node:fs'
import { once } from 'node:events'
import { parse, CsvError } from 'csv-parse'
import { csvErrorToDataError, describeDelimiter, headerNames, openCsv, unclosedQuoteLine } from '../data/csv.js'
import { csvLine } from '../data/csv-writer.js'
import { NotUtf8, notUtf8Error, Utf8Check } from '../data/utf8.js'
import { DataError } from '../errors.js'
import { ScoringError } from '../features/record.js'
import { compileModel } from './evaluate.js'
import type { ModelIR } from './model.js'

export interface RowProblem {
  line: number
  message: string
}

export interface ScoreCsvResult {
  rows: number
  scored: number
  problems: RowProblem[]
  /** Output columns named otherwise, as the input has a column of their name: prediction -> prediction_mlkafka. */
  renamed: { column: string; as: string }[]
}

/** The output columns added after the input's own: prediction, p_<class> per class, prediction_error. */
export function predictionColumns(ir: ModelIR, taken: Set<string>): string[] {
  const free = (name: string): string => {
    let n = name
    while (taken.has(n)) n = `${n}_mlkafka`
    taken.add(n)
    return n
  }
  const cols = [free('prediction')]
  for (const c of ir.target.classes ?? []) cols.push(free(`p_${c}`))
  cols.push(free('prediction_error'))
  return cols
}

/**
 * Scores every row of a CSV file with the model, streaming: the output is the input's columns plus the
 * prediction columns. A row that cannot be scored keeps its place, with empty predictions and the
 * reason in `prediction_error`, and is reported with its line number.
 */
export async function scoreCsv(ir: ModelIR, file: string, out: NodeJS.WritableStream, options: { delimiter?: string } = {}): Promise<ScoreCsvResult> {
  const { delimiter } = await openCsv(file, options.delimiter)
  const model = compileModel(ir)
  const input = createReadStream(file)
  // A row with more or fewer fields than the header is reported as a row problem, in its place (below).
  const parser = input.pipe(parse({ bom: true, delimiter, skip_empty_lines: true, info: true, relax_column_count: true }))
  // Text that is not UTF-8 stops the scoring with an error naming its line (see Utf8Check).
  const utf8 = new Utf8Check()
  input.on('data', (data: string | Buffer) => {
    const bad = utf8.push(data as Buffer)
    if (bad >= 0) {
      input.unpipe()
      input.destroy()
      parser.destroy(new NotUtf8(bad))
    }
  })
  let header: string[] | null = null
  const result: ScoreCsvResult = { rows: 0, scored: 0, problems: [], renamed: [] }
  const write = async (line: string): Promise<void> => {
    if (!out.write(line)) await once(out, 'drain')
  }
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item
      if (header === null) {
        header = headerNames(file, record)
        // A model from before header names were trimmed may name a column ` b` (a header `a, b`): take the cell as written.
        const modelNames = new Set(ir.input.columns.map((c) => c.name))
        header = header.map((h, j) => (!modelNames.has(h) && modelNames.has(record[j]) ? record[j] : h))
        const missing = ir.input.columns.map((c) => c.name).filter((n) => !header!.includes(n))
        if (missing.length > 0) {
          throw new DataError(
            { file, line: 1 },
            `the model needs column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}, not in the header`,
            'Score a file with the columns the model was trained on',
          )
        }
        // The output's header is the input's own (a blank name stays blank), then the prediction columns.
        const added = predictionColumns(ir, new Set(header))
        const plain = predictionColumns(ir, new Set())
        result.renamed = plain.flatMap((column, j) => (added[j] !== column ? [{ column, as: added[j] }] : []))
        await write(csvLine([...record, ...added], delimiter))
        continue
      }
      result.rows++
      const k = ir.target.classes?.length ?? 0
      if (record.length !== header.length) {
        // Its fields cannot be matched to columns: it keeps its place, cut or padded to the header's width.
        const message = `row has ${record.length} field${record.length === 1 ? '' : 's'} but the header has ${header.length}: fix the row, or quote fields that contain ${describeDelimiter(delimiter)}`
        result.problems.push({ line: info.lines, message })
        const cells = Array.from({ length: header.length }, (_, j) => record[j] ?? '')
        await write(csvLine([...cells, ...new Array<string>(1 + k).fill(''), message], delimiter))
        continue
      }
      // No prototype: a column named __proto__ is a field like any other (on {} its assignment is dropped).
      const fields: Record<string, string> = Object.create(null) as Record<string, string>
      for (let j = 0; j < header.length; j++) fields[header[j]] = record[j]
      let added: string[]
      try {
        // A row the model gives no number for (a value far beyond what training saw) throws ScoringError too.
        const p = model.predictRecord(fields)
        added = 'value' in p ? [String(p.value), ''] : [p.label, ...p.probabilities.map(String), '']
        result.scored++
      } catch (err) {
        if (!(err instanceof ScoringError)) throw err
        result.problems.push({ line: info.lines, message: err.message })
        added = [...new Array<string>(1 + k).fill(''), err.message]
      }
      await write(csvLine([...record, ...added], delimiter))
    }
    const bad = utf8.end()
    if (bad >= 0) throw new NotUtf8(bad)
  } catch (err) {
    if (err instanceof NotUtf8) throw await notUtf8Error(file, err.offset)
    if (err instanceof CsvError) {
      throw csvErrorToDataError(file, err, delimiter, header?.length ?? 0, err.code === 'CSV_QUOTE_NOT_CLOSED' ? await unclosedQuoteLine(file, delimiter) : undefined)
    }
    throw err
  }
  if (header === null) throw new DataError({ file }, 'file is empty', 'Pass a CSV file with a header row and data rows')
  if (result.rows === 0) throw new DataError({ file, line: 2 }, 'the file has a header but no data rows', 'Add data rows below the header')
  return result
}
