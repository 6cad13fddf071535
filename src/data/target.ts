import { DataError, formatLocation, UsageError } from '../errors.js'
import { thousandsCells } from './schema.js'
import { columnIndex, type Column, type Table } from './table.js'

export type Task = 'binary' | 'multiclass' | 'regression'
export const TASKS: readonly Task[] = ['binary', 'multiclass', 'regression']

/** The target column made ready for learning: rows with a missing target are left out (and counted). */
export interface TargetData {
  name: string
  task: Task
  /** Class labels in a fixed order (sorted); classification only. Binary: classes[1] is the positive class. */
  classes?: string[]
  /** Per usable row: class index (classification) or value (regression). */
  y: Float64Array
  /** Table row of each usable row. */
  rows: Int32Array
  /** Rows left out because the target is missing. */
  missing: number
  /** Rows per class (classification). */
  classCounts?: number[]
}

const MAX_INFERRED_CLASSES = 10
/** --task multiclass on a numeric target that reads as a quantity needs this many rows per class on average. */
const MIN_ROWS_PER_CLASS = 5
/** A target with more classes than half its rows is refused from this many rows on (smaller tables are toys and tests). */
const MIN_ROWS_FOR_CLASS_CHECK = 10

function compareLabels(numeric: boolean) {
  return numeric ? (a: string, b: string) => Number(a) - Number(b) : (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
}

/** Target labels per row as text (null when missing). */
function labelsOf(column: Column): { labels: (string | null)[]; numeric: boolean } {
  if (column.type === 'categorical') {
    return { labels: Array.from(column.codes, (c) => (c < 0 ? null : column.levels[c])), numeric: false }
  }
  const asText = column.type === 'boolean' ? (v: number) => (v === 1 ? 'true' : 'false') : (v: number) => String(v)
  return { labels: Array.from(column.values, (v) => (Number.isNaN(v) ? null : asText(v))), numeric: column.type === 'numeric' }
}

export function inferTask(column: Column, presentRows: number): Task {
  if (column.type !== 'numeric') {
    const distinct = column.type === 'categorical' ? new Set(column.codes.filter((c) => c >= 0)).size : 2
    return distinct <= 2 ? 'binary' : 'multiclass'
  }
  const seen = new Set<number>()
  for (const v of column.values) {
    if (Number.isNaN(v)) continue
    if (!Number.isInteger(v)) return 'regression'
    seen.add(v)
    if (seen.size > MAX_INFERRED_CLASSES) return 'regression'
  }
  if (seen.size <= 2) return 'binary'
  // A few integer values with plenty of rows each reads as classes (ratings, codes); otherwise a quantity.
  return presentRows >= 20 * seen.size ? 'multiclass' : 'regression'
}

export function prepareTarget(table: Table, name: string, task?: Task): TargetData {
  const index = columnIndex(table, name)
  if (index < 0) {
    const names = table.columns.map((c) => c.name)
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? `, ... (${names.length} columns)` : '')
    // A bad flag value (exit 2, like --ignore's), said with the header's place.
    throw new UsageError(`${formatLocation({ file: table.source, line: 1 })}: --target: column "${name}" is not in the header. Columns: ${shown}`)
  }
  const column = table.columns[index]
  const { labels, numeric } = labelsOf(column)
  const presentRows: number[] = []
  for (let i = 0; i < labels.length; i++) if (labels[i] !== null) presentRows.push(i)
  if (presentRows.length === 0) {
    throw new DataError({ file: table.source, columnName: name }, `target column "${name}" is missing in all ${table.nRows} rows`, 'Pick a target column that has values')
  }
  const chosen = task ?? inferTask(column, presentRows.length)
  const rows = Int32Array.from(presentRows)
  const missing = table.nRows - rows.length

  if (chosen === 'regression') {
    if (column.type !== 'numeric') {
      const grouped = thousandsCells(column)
      if (grouped !== undefined) throw thousandsTarget(table, name, grouped.example)
      throw new UsageError(`--task regression needs a numeric target, but "${name}" is ${column.type}: use --task ${inferTask(column, rows.length)}`)
    }
    const y = new Float64Array(rows.length)
    for (let i = 0; i < rows.length; i++) y[i] = column.values[rows[i]]
    if (y.every((v) => v === y[0])) {
      throw new DataError(
        { file: table.source, columnName: name },
        `target column "${name}" is ${y[0]} in all ${rows.length} rows with a value: there is nothing to learn`,
        'Pick another target or add rows with other values',
      )
    }
    return { name, task: chosen, y, rows, missing }
  }

  const classes = [...new Set(presentRows.map((i) => labels[i] as string))].sort(compareLabels(numeric))
  if (classes.length === 1) {
    throw new DataError(
      { file: table.source, columnName: name },
      `target column "${name}" has a single class ("${classes[0]}") in all ${rows.length} rows with a value: there is nothing to learn`,
      'Pick another target or add rows of other classes',
    )
  }
  // Names or ids (a different text on most rows) are no classes: each would be learnt from a row or so.
  // (Numbers are quantities then: see below.)
  if (classes.length > rows.length / 2 && rows.length >= MIN_ROWS_FOR_CLASS_CHECK && column.type !== 'numeric') {
    const grouped = thousandsCells(column)
    if (grouped !== undefined) throw thousandsTarget(table, name, grouped.example)
    throw new DataError(
      { file: table.source, columnName: name },
      `target column "${name}" has ${classes.length} different values in ${rows.length} rows with a value: as classes, most would have a single row, too few to learn from`,
      'Pick a target whose values repeat: a name or an id of each row is no target',
    )
  }
  // A quantity (more different numbers than classes are inferred from) is no set of classes.
  const quantity = classes.length > MAX_INFERRED_CLASSES && inferTask(column, rows.length) === 'regression'
  if (chosen === 'binary' && classes.length > 2) {
    throw new UsageError(`--task binary needs 2 classes, but "${name}" has ${classes.length}${quantity ? ' different numbers: use --task regression (or leave --task out)' : ': use --task multiclass'}`)
  }
  // ...and as classes, most of them would have a row or two.
  if (chosen === 'multiclass' && quantity && classes.length * MIN_ROWS_PER_CLASS > rows.length) {
    throw new UsageError(`--task multiclass on "${name}", which has ${classes.length} different numbers in ${rows.length} rows: use --task regression (or leave --task out)`)
  }
  if (chosen === 'multiclass' && classes.length === 2) {
    throw new UsageError(`"${name}" has 2 classes: use --task binary`)
  }
  const classIndex = new Map(classes.map((c, i) => [c, i]))
  const y = new Float64Array(rows.length)
  const classCounts = new Array<number>(classes.length).fill(0)
  for (let i = 0; i < rows.length; i++) {
    const k = classIndex.get(labels[rows[i]] as string)!
    y[i] = k
    classCounts[k]++
  }
  return { name, task: chosen, classes, y, rows, missing, classCounts }
}

/** A target of numbers written with thousands separators (read as text): what to do about it. */
function thousandsTarget(table: Table, name: string, example: string): DataError {
  return new DataError(
    { file: table.source, columnName: name },
    `target column "${name}" holds numbers written with thousands separators (such as "${example}"), read as text`,
    'Write them without the separators to train a regression on them',
  )
}

export function parseTask(value: string | undefined): Task | undefined {
  if (value === undefined) return undefined
  if ((TASKS as readonly string[]).includes(value)) return value as Task
  throw new UsageError(`--task must be one of ${TASKS.join(', ')} (got "${value}")`)
}
