/**
 * The in-memory table every stage reads: columnar typed arrays, no per-row objects.
 * Numeric and boolean columns hold Float64 values with NaN for missing (booleans as 0/1);
 * categorical columns are dictionary-coded, -1 for missing.
 */
export type ColumnType = 'numeric' | 'boolean' | 'categorical'

export interface NumericColumn {
  name: string
  type: 'numeric' | 'boolean'
  values: Float64Array
  /**
   * Cells of a numeric column that were text, not numbers, read as missing (see ColumnBuilder): how
   * many, the first one's row (0-based), and their different texts.
   */
  oddCells?: { count: number; firstRow: number; texts: string[] }
  /** Some cells were numbers with a decimal comma (`1,5`: see parseCommaNumber), and how many. */
  commaCells?: { count: number; firstRow: number }
  /** Some cells were ISO dates, read as days since 1970-01-01 UTC (see parseIsoDate), and how many. */
  dateCells?: { count: number; firstRow: number }
}

export interface CategoricalColumn {
  name: string
  type: 'categorical'
  codes: Int32Array
  levels: string[]
}

export type Column = NumericColumn | CategoricalColumn

export interface Table {
  /** Where the rows came from, for messages: a file path or `topic NAME`. */
  source: string
  /** Line in the source of row i is `firstLine + i` only for files without blank lines; use `lineOf`. */
  nRows: number
  columns: Column[]
  /** sha256 of the source bytes (files) or of the messages (topics). */
  fingerprint: string
  /** Source line number (1-based) of each row, when the source has lines. */
  lines?: Int32Array
}

export function columnIndex(table: Table, name: string): number {
  return table.columns.findIndex((c) => c.name === name)
}

export function isMissingAt(column: Column, row: number): boolean {
  return column.type === 'categorical' ? column.codes[row] < 0 : Number.isNaN(column.values[row])
}

/** The cell as a user wrote it (for error messages and CSV output). */
export function cellText(column: Column, row: number): string {
  if (column.type === 'categorical') {
    const code = column.codes[row]
    return code < 0 ? '' : column.levels[code]
  }
  const v = column.values[row]
  if (Number.isNaN(v)) return ''
  if (column.type === 'boolean') return v === 1 ? 'true' : 'false'
  return String(v)
}
