import { DataError, UsageError } from '../errors.js'
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
  for (const name of ignore) {
    if (!names.has(name)) {
      const shown = [...names].slice(0, 12).join(', ') + (names.size > 12 ? `, ... (${names.size} columns)` : '')
      throw new UsageError(`--ignore: no column "${name}" in ${table.source} (columns: ${shown})`)
    }
    if (name === target) throw new UsageError(`--ignore: "${name}" is the target column`)
  }
  const leftOut: LeftOut[] = []
  const kept = table.columns.filter((column) => {
    if (column.name === target) return true
    const reason = ignore.includes(column.name)
      ? 'ignored (--ignore)'
      : isConstant(column)
        ? isMissingAt(column, 0)
          ? 'no value in any row'
          : 'the same value in every row'
        : isRowNumber(column, table.nRows)
          ? `a row number: counts up by one on every row`
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
