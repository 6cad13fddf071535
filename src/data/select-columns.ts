import { DataError, UsageError } from '../errors.js'
import { thousandsCells } from './schema.js'
import { isMissingAt, type Column, type Table } from './table.js'

/** A column left out of training, and why (for the run's log and run.json). */
export interface LeftOut {
  column: string
  reason: string
}

/** Whether every row of the column holds the same value (or none). */
function isConstant(column: Column): boolean {
  if (column.type === 'categorical') {
    const first = column.codes[0]
    return column.codes.every((c) => c === first)
  }
  const v = column.values
  const first = v[0]
  return Number.isNaN(first) ? v.every(Number.isNaN) : v.every((x) => x === first)
}

/**
 * A row number: whole numbers counting up by one from 0 or 1 on every row (as a pandas index written
 * with the file, or a spreadsheet's row column). It says where a row sits in the file, which a row to
 * score does not share: at best noise to the models, at worst a leak when the file is sorted.
 */
function isRowNumber(column: Column, nRows: number): boolean {
  if (column.type !== 'numeric' || nRows < 3) return false
  const v = column.values
  const start = v[0]
  if (start !== 0 && start !== 1) return false
  for (let i = 1; i < nRows; i++) if (v[i] !== start + i) return false
  return true
}

/** Every value a whole number, present, and different from the others'. */
function distinctWholeNumbers(column: Column, nRows: number): boolean {
  if (column.type !== 'numeric' || nRows < 3) return false
  const seen = new Set<number>()
  for (let i = 0; i < nRows; i++) {
    const x = column.values[i]
    if (!Number.isInteger(x) || seen.has(x)) return false
    seen.add(x)
  }
  return true
}

/**
 * A pandas index written with a shuffled (or split) frame: the first column, its header blank (read as
 * `column_1`; `Unnamed: 0` once pandas has read and written the file again), a different whole number on
 * every row. It does not count up by one as a row number does, but it still says where a row sat before
 * the shuffle: a leak when the frame was sorted (a table sorted by its target scored 0.999 AUC by it).
 */
function isPandasIndex(column: Column, position: number, nRows: number): boolean {
  return position === 0 && /^(column_1|Unnamed: 0)$/.test(column.name) && distinctWholeNumbers(column, nRows)
}

/**
 * Notes on input columns that look like identifiers (a name such as `id`, `PID` or `user_id`, and a
 * different whole number on every row): kept, as an id can carry signal (a player's), but said, since
 * it is often a leak or noise. (A pandas index is left out: see isPandasIndex.)
 */
export function identifierNotes(table: Table, target: string): string[] {
  return table.columns
    .filter((c) => c.name !== target && /^id|id$/i.test(c.name) && distinctWholeNumbers(c, table.nRows))
    .map((c) => `note: column ${c.name} looks like an identifier (a different whole number on every row): it is used as a number; if it only names the rows, leave it out with --ignore ${c.name}`)
}

/**
 * Notes on input columns of free text: a categorical column whose texts are nearly all different, none
 * of them in `minLevelCount` rows (the fewest rows a level needs to be a feature of its own; see
 * features/pipeline.ts). Models see only whether such a field is blank: its texts are not read (no words, no lengths).
 * Kept, as that can still carry signal, but said, since a user would expect the text to count.
 */
export function freeTextNotes(table: Table, target: string, minLevelCount: number): string[] {
  return table.columns.flatMap((c) => {
    // Numbers with thousands separators have a note of their own (textCellNotes).
    if (c.name === target || c.type !== 'categorical' || thousandsCells(c) !== undefined) return []
    const counts = new Int32Array(c.levels.length)
    let present = 0
    let most = 0
    for (let i = 0; i < table.nRows; i++) {
      const code = c.codes[i]
      if (code < 0) continue
      present++
      most = Math.max(most, ++counts[code])
      if (most >= minLevelCount) return []
    }
    const note = freeTextNote(c.name, c.levels.length, present, table.nRows, most, minLevelCount)
    return note === null ? [] : [note]
  })
}

/** The note of freeTextNotes for a text column of `distinct` texts in `present` of `rows` rows, the most frequent in `most` rows; null when it is no free text. */
export function freeTextNote(name: string, distinct: number, present: number, rows: number, most: number, minLevelCount: number): string | null {
  if (most >= minLevelCount || present < 2 * minLevelCount || distinct < present / 2) return null
  const sees = present < rows ? 'they see only whether a value is there' : 'with a value in every row, it tells them nothing'
  return `note: column ${name} has ${distinct} different texts in ${present} rows, none in ${minLevelCount} rows: models do not read free text; ${sees} (--ignore ${name} leaves it out)`
}

/** Throws a UsageError for an --ignore name that is no column of the table. */
export function checkIgnored(table: Table, ignore: string[]): void {
  const names = new Set(table.columns.map((c) => c.name))
  for (const name of ignore) {
    if (!names.has(name)) {
      const shown = [...names].slice(0, 12).join(', ') + (names.size > 12 ? `, ... (${names.size} columns)` : '')
      throw new UsageError(`--ignore: no column "${name}" in ${table.source} (columns: ${shown})`)
    }
  }
}

/**
 * The table the search trains on: the target and the input columns, without the ones given in
 * `ignore` (--ignore) and those that cannot help a model: constant columns (one value, or none, in
 * every row) and row numbers. A model's input columns are the ones kept; a file to score needs only
 * those. Throws when no input column is left.
 */
export function selectTrainingColumns(table: Table, target: string, ignore: string[] = []): { table: Table; leftOut: LeftOut[] } {
  const names = new Set(table.columns.map((c) => c.name))
  // A target not in the header is prepareTarget's error to report (with the columns there are).
  if (!names.has(target)) return { table, leftOut: [] }
  checkIgnored(table, ignore)
  for (const name of ignore) if (name === target) throw new UsageError(`--ignore: "${name}" is the target column`)
  const leftOut: LeftOut[] = []
  const kept = table.columns.filter((column, position) => {
    if (column.name === target) return true
    const reason = ignore.includes(column.name)
      ? 'ignored (--ignore)'
      : isConstant(column)
        ? isMissingAt(column, 0)
          ? 'no value in any row'
          : 'the same value in every row'
        : isRowNumber(column, table.nRows)
          ? `a row number: counts up by one on every row`
          : isPandasIndex(column, position, table.nRows)
            ? 'a pandas index: a blank header and a different whole number on every row (where each row sat before the frame was shuffled or split)'
            : null
    if (reason !== null) leftOut.push({ column: column.name, reason })
    return reason === null
  })
  if (kept.length <= 1) {
    const why = leftOut.length === 0 ? 'the file has only the target column' : `left out: ${leftOut.map((l) => `"${l.column}" (${l.reason})`).join(', ')}`
    throw new DataError({ file: table.source }, `no input column to learn from (${why})`, 'Add columns that describe each row, or pass fewer --ignore columns')
  }
  return { table: { ...table, columns: kept }, leftOut }
}
