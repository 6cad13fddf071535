import { canonicalLevel, isMissingText, parseBoolean, parseCommaNumber, parseIsoDate, parseNumber } from './cells.js'
import type { Column } from './table.js'

const CHUNK = 65536

type TypedArray = Float64Array | Int32Array

/** Growable typed storage in fixed chunks, so a large column never needs a doubling copy. */
class Chunked<T extends TypedArray> {
  private chunks: T[] = []
  private current: T
  private pos = 0
  length = 0
  constructor(private readonly make: (n: number) => T) {
    this.current = make(CHUNK)
  }
  push(v: number): void {
    if (this.pos === CHUNK) {
      this.chunks.push(this.current)
      this.current = this.make(CHUNK)
      this.pos = 0
    }
    this.current[this.pos++] = v
    this.length++
  }
  get(i: number): number {
    const c = Math.floor(i / CHUNK)
    return c < this.chunks.length ? this.chunks[c][i % CHUNK] : this.current[i % CHUNK]
  }
  toArray(): T {
    const out = this.make(this.length)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += CHUNK
    }
    out.set(this.current.subarray(0, this.pos), offset)
    this.chunks = []
    return out
  }
}

const float64s = (): Chunked<Float64Array> => new Chunked((n) => new Float64Array(n))
const int32s = (): Chunked<Int32Array> => new Chunked((n) => new Int32Array(n))

/**
 * A numeric (or boolean) column keeps up to this share of its present cells as text that is not a
 * number (`inf`, a stray `-` or `unknown`), read as missing, with a note (Column.oddCells); with more
 * it is categorical. pandas would read such a column as text, and a single `inf` in a numeric target
 * made it a multiclass target of one class per row.
 */
export const ODD_CELLS_MAX_SHARE = 0.02
/** ...and at most this many different such texts. */
export const ODD_CELLS_MAX_TEXTS = 5

/**
 * Infers a column's type while its cells stream in. A column stays numeric (or boolean) while every
 * present cell parses as one (an ISO date as its days since 1970-01-01; with decimalComma, `1,5`);
 * text that does not turns it categorical, and the values seen so far are re-coded as text: numbers in
 * their shortest form (`1.50` becomes the level `1.5`, as canonicalLevel makes it), dates and decimal
 * commas as written. A numeric or boolean column with a few such texts (ODD_CELLS_MAX_SHARE,
 * ODD_CELLS_MAX_TEXTS), wherever they are, stays so, those cells missing.
 */
export class ColumnBuilder {
  readonly name: string
  private kind: 'empty' | 'numeric' | 'boolean' | 'categorical' = 'empty'
  private numbers: Chunked<Float64Array> | null = float64s()
  private codes: Chunked<Int32Array> | null = null
  /** Level text -> code; a cell's text that is not its level's (`1.50`) -> its level's code (see canonicalLevel). */
  private dictionary = new Map<string, number>()
  private cellCodes = new Map<string, number>()
  private levels: string[] = []
  /** Cells that are text, not numbers (or booleans): their rows and texts (read as missing unless the column ends categorical). */
  private oddRows: number[] = []
  private oddTexts: string[] = []
  private oddDistinct = new Set<string>()
  private present = 0
  /** Whether `1,5` reads as 1.5 (a `;`-separated file), and the cells that did. */
  private readonly decimalComma: boolean
  /** Whether an ISO date reads as its days since 1970-01-01. */
  private readonly isoDates: boolean
  private commaCount = 0
  private commaFirstRow = -1
  /** ISO dates read as days since 1970-01-01 (parseIsoDate). */
  private dateCount = 0
  private dateFirstRow = -1
  /**
   * The cells read as numbers from a decimal comma or a date, while the column may still turn
   * categorical (there they stay as written: canonicalLevel does not read them): their rows, and their
   * texts, each different one kept once (null until the first such cell).
   */
  private written: { rows: Chunked<Int32Array>; ids: Chunked<Int32Array>; index: Map<string, number>; texts: string[] } | null = null

  constructor(name: string, options: { decimalComma?: boolean; isoDates?: boolean } = {}) {
    this.name = name
    this.decimalComma = options.decimalComma ?? false
    this.isoDates = options.isoDates ?? true
  }

  private keepWritten(row: number, text: string): void {
    const w = (this.written ??= { rows: int32s(), ids: int32s(), index: new Map<string, number>(), texts: [] as string[] })
    let id = w.index.get(text)
    if (id === undefined) {
      id = w.texts.length
      w.texts.push(text)
      w.index.set(text, id)
    }
    w.rows.push(row)
    w.ids.push(id)
  }

  push(text: string): void {
    if (this.kind === 'categorical') {
      this.codes!.push(isMissingText(text) ? -1 : this.cellCode(text))
      return
    }
    const numbers = this.numbers!
    if (isMissingText(text)) {
      numbers.push(NaN)
      return
    }
    this.present++
    if (this.kind !== 'boolean') {
      let v = parseNumber(text)
      if (Number.isNaN(v) && this.decimalComma) {
        v = parseCommaNumber(text)
        if (!Number.isNaN(v)) {
          if (this.commaCount++ === 0) this.commaFirstRow = numbers.length
          this.keepWritten(numbers.length, text)
        }
      }
      if (Number.isNaN(v) && this.isoDates) {
        v = parseIsoDate(text)
        if (!Number.isNaN(v)) {
          if (this.dateCount++ === 0) this.dateFirstRow = numbers.length
          this.keepWritten(numbers.length, text)
        }
      }
      if (!Number.isNaN(v)) {
        this.kind = 'numeric'
        numbers.push(v)
        return
      }
    }
    if (this.kind !== 'numeric') {
      const b = parseBoolean(text)
      if (b !== undefined) {
        this.kind = 'boolean'
        numbers.push(b ? 1 : 0)
        return
      }
    }
    // Text: kept aside while the column may stay numeric (finish decides); past the different texts
    // allowed, or past 1,000 such cells that are over the share allowed so far, it is categorical now.
    this.oddDistinct.add(text.trim())
    if (this.oddDistinct.size <= ODD_CELLS_MAX_TEXTS && this.oddRows.length < Math.max(1000, ODD_CELLS_MAX_SHARE * this.present)) {
      this.oddRows.push(numbers.length)
      this.oddTexts.push(text)
      numbers.push(NaN)
      return
    }
    this.becomeCategorical()
    this.codes!.push(this.cellCode(text))
  }

  /**
   * A categorical cell's code: its level is canonicalLevel(text). A level is its own canonical text, so
   * a text that is a level needs no more; other texts are worked out once each.
   */
  private cellCode(text: string): number {
    let c = this.dictionary.get(text) ?? this.cellCodes.get(text)
    if (c === undefined) {
      const level = canonicalLevel(text)
      // A text that is a missing token but for blanks (` NA `, `\u00a0NA`) is missing.
      c = isMissingText(level) ? -1 : this.code(level)
      if (level !== text) this.cellCodes.set(text, c)
    }
    return c
  }

  private code(text: string): number {
    let c = this.dictionary.get(text)
    if (c === undefined) {
      c = this.levels.length
      this.levels.push(text)
      this.dictionary.set(text, c)
    }
    return c
  }

  private becomeCategorical(): void {
    const numbers = this.numbers!
    const codes = int32s()
    const asText = this.kind === 'boolean' ? (v: number) => (v === 1 ? 'true' : 'false') : (v: number) => String(v)
    let odd = 0
    let written = 0
    const w = this.written
    for (let i = 0; i < numbers.length; i++) {
      if (odd < this.oddRows.length && this.oddRows[odd] === i) {
        codes.push(this.cellCode(this.oddTexts[odd++]))
        continue
      }
      // A decimal comma or a date is no number in a category (canonicalLevel keeps `1,5` as written).
      if (w !== null && written < w.rows.length && w.rows.get(written) === i) {
        codes.push(this.cellCode(w.texts[w.ids.get(written++)]))
        continue
      }
      const v = numbers.get(i)
      codes.push(Number.isNaN(v) ? -1 : this.code(asText(v)))
    }
    this.numbers = null
    this.codes = codes
    this.kind = 'categorical'
    this.oddRows = []
    this.oddTexts = []
    this.written = null
    this.commaCount = 0
    this.dateCount = 0
  }

  finish(): Column {
    // Only text (no number or boolean among the present cells), or too much of it: categorical.
    if (this.kind !== 'categorical' && this.oddRows.length > 0 && (this.kind === 'empty' || this.oddRows.length > ODD_CELLS_MAX_SHARE * this.present)) this.becomeCategorical()
    if (this.kind === 'categorical') {
      return { name: this.name, type: 'categorical', codes: this.codes!.toArray(), levels: this.levels }
    }
    const column: Column = { name: this.name, type: this.kind === 'boolean' ? 'boolean' : 'numeric', values: this.numbers!.toArray() }
    if (this.oddRows.length > 0) column.oddCells = { count: this.oddRows.length, firstRow: this.oddRows[0], texts: [...this.oddDistinct] }
    if (this.commaCount > 0 && column.type === 'numeric') column.commaCells = { count: this.commaCount, firstRow: this.commaFirstRow }
    if (this.dateCount > 0 && column.type === 'numeric') column.dateCells = { count: this.dateCount, firstRow: this.dateFirstRow }
    this.written = null
    // An all-missing column has no type evidence; numeric is the harmless choice.
    return column
  }
}
