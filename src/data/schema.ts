import type { Column, ColumnType, Table } from './table.js'

export interface LevelCount {
  level: string
  count: number
}

export interface ColumnSchema {
  name: string
  type: ColumnType
  missing: number
  distinct: number
  min?: number
  max?: number
  /** Most frequent levels, most common first (categorical and boolean columns). */
  topLevels?: LevelCount[]
  /** Cells of a numeric or boolean column that were other text, read as missing (counted in `missing`). */
  textCells?: { count: number; firstRow: number; texts: string[] }
  /** Numbers written with a decimal comma (a `;`-separated file): how many, the first one's row. */
  commaCells?: { count: number; firstRow: number }
  /** ISO dates, read as days since 1970-01-01 UTC (min and max are such days): how many, the first one's row. */
  dateCells?: { count: number; firstRow: number }
  /**
   * A categorical column whose levels are nearly all numbers written with thousands separators
   * (`-3,614.61`; `1.234,5` in a `;` file): read as text, one level per value. How many cells, the
   * first one's row, one of them.
   */
  thousandsCells?: { count: number; firstRow: number; example: string }
}

/** A text cut to max characters (its last three `...`) for notes and reports: a stray cell may be megabytes. */
export function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}

/** `1,234` `-3,614.61` (a `,`-grouped number), or `1.234,5` (`.`-grouped, decimal comma). */
const THOUSANDS = /^\s*[+-]?(\d{1,3}(,\d{3})+(\.\d+)?|\d{1,3}(\.\d{3})+(,\d+)?)\s*$/
/** At least this share of a categorical column's levels (and 5) must be such numbers for a note. */
const THOUSANDS_MIN_SHARE = 0.9

/** A categorical column of numbers with thousands separators (see ColumnSchema.thousandsCells), or undefined. */
export function thousandsCells(column: Column): ColumnSchema['thousandsCells'] {
  if (column.type !== 'categorical' || column.levels.length < 5) return undefined
  const grouped = column.levels.map((l) => THOUSANDS.test(l))
  const share = grouped.filter(Boolean).length / column.levels.length
  if (share < THOUSANDS_MIN_SHARE) return undefined
  let count = 0
  let firstRow = -1
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i]
    if (code >= 0 && grouped[code]) {
      count++
      if (firstRow < 0) firstRow = i
    }
  }
  return { count, firstRow, example: column.levels[column.codes[firstRow]] }
}

export function levelCounts(column: Column & { type: 'categorical' }): number[] {
  const counts = new Array<number>(column.levels.length).fill(0)
  const codes = column.codes
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) counts[codes[i]]++
  return counts
}

function describeColumn(column: Column, topN: number): ColumnSchema {
  if (column.type === 'categorical') {
    const counts = levelCounts(column)
    let present = 0
    let distinct = 0
    for (const c of counts) {
      present += c
      if (c > 0) distinct++
    }
    const order = counts.map((_, i) => i).filter((i) => counts[i] > 0)
    order.sort((a, b) => counts[b] - counts[a] || (column.levels[a] < column.levels[b] ? -1 : 1))
    const schema: ColumnSchema = {
      name: column.name,
      type: 'categorical',
      missing: column.codes.length - present,
      distinct,
      topLevels: order.slice(0, topN).map((i) => ({ level: column.levels[i], count: counts[i] })),
    }
    const grouped = thousandsCells(column)
    if (grouped) schema.thousandsCells = grouped
    return schema
  }
  const values = column.values
  let missing = 0
  let min = Infinity
  let max = -Infinity
  const seen = new Set<number>()
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (Number.isNaN(v)) {
      missing++
      continue
    }
    if (v < min) min = v
    if (v > max) max = v
    seen.add(v)
  }
  const schema: ColumnSchema = { name: column.name, type: column.type, missing, distinct: seen.size }
  if (column.oddCells) schema.textCells = { ...column.oddCells, texts: column.oddCells.texts.map((t) => clipText(t, 100)) }
  if (column.commaCells) schema.commaCells = column.commaCells
  if (column.dateCells) schema.dateCells = column.dateCells
  if (seen.size > 0) {
    schema.min = min
    schema.max = max
  }
  if (column.type === 'boolean') {
    let ones = 0
    for (let i = 0; i < values.length; i++) if (values[i] === 1) ones++
    const levels = [
      { level: 'true', count: ones },
      { level: 'false', count: values.length - missing - ones },
    ].filter((l) => l.count > 0)
    levels.sort((a, b) => b.count - a.count)
    schema.topLevels = levels
  }
  return schema
}

export function describeTable(table: Table, topN = 3): ColumnSchema[] {
  return table.columns.map((c) => describeColumn(c, topN))
}

/** A note on a numeric or boolean column's cells of other text, read as missing: what, how many, where the first is, what to do. */
export function textCellNote(name: string, type: string, cells: { count: number; texts: string[] }, where: string): string {
  const { count, texts } = cells
  const shown = texts.slice(0, 3).map((t) => JSON.stringify(clipText(t, 40))).join(', ') + (texts.length > 3 ? ', ...' : '')
  return `note: column ${name} is ${type}, but ${count} cell${count === 1 ? ' is' : 's are'} other text (${shown}; first at ${where}): read as missing; fix or blank ${count === 1 ? 'it' : 'them'} if that is wrong`
}

/** A note on a numeric column's numbers written with a decimal comma: read as numbers, in training and in scoring. */
export function commaCellNote(name: string, count: number, where: string): string {
  return `note: column ${name} has ${count} number${count === 1 ? '' : 's'} with a decimal comma (first at ${where}): 1,5 reads as 1.5, here and when scoring`
}

/** A note on a numeric column's ISO dates: read as days since 1970-01-01, in training and in scoring. */
export function dateCellNote(name: string, count: number, where: string): string {
  return `note: column ${name} has ${count} date${count === 1 ? '' : 's'} (first at ${where}): read as days since 1970-01-01 UTC (2024-05-01T12:00 is 19844.5), here and when scoring`
}

/** A note on a categorical column of numbers with thousands separators: text, not numbers, and what to do. */
export function thousandsNote(name: string, cells: { count: number; example: string }, where: string): string {
  return `note: column ${name} looks like numbers with thousands separators (${cells.count} cells such as ${JSON.stringify(clipText(cells.example, 40))}, first at ${where}): read as text, one category per value; write them without the separators to read them as numbers`
}

/** A column's notes: decimal commas (commaCellNote), dates (dateCellNote), cells of other text (textCellNote), thousands separators (thousandsNote); `where` names a row. */
export function columnNotes(c: Pick<ColumnSchema, 'name' | 'type' | 'commaCells' | 'dateCells' | 'textCells' | 'thousandsCells'>, where: (row: number) => string): string[] {
  return [
    ...(c.thousandsCells ? [thousandsNote(c.name, c.thousandsCells, where(c.thousandsCells.firstRow))] : []),
    ...(c.commaCells ? [commaCellNote(c.name, c.commaCells.count, where(c.commaCells.firstRow))] : []),
    ...(c.dateCells ? [dateCellNote(c.name, c.dateCells.count, where(c.dateCells.firstRow))] : []),
    ...(c.textCells ? [textCellNote(c.name, c.type, c.textCells, where(c.textCells.firstRow))] : []),
  ]
}

/** The notes (columnNotes) on a table's numeric and boolean columns, and its categorical ones of thousands-separated numbers, each row named by its line when the table has them. */
export function textCellNotes(table: Pick<Table, 'columns' | 'lines'>): string[] {
  const where = (row: number): string => (table.lines ? `line ${table.lines[row]}` : `data row ${row + 1}`)
  return table.columns.flatMap((c) => (c.type === 'categorical' ? columnNotes({ ...c, thousandsCells: thousandsCells(c) }, where) : columnNotes({ ...c, textCells: c.oddCells }, where)))
}
