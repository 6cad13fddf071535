import { isMissingText, parseBoolean, parseNumber } from './cells.js'
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
 * Infers a column's type while its cells stream in. A column stays numeric (or boolean) while every
 * present cell parses as one; the first cell that does not turns it categorical, and the values seen
 * so far are re-coded as text (numbers in their shortest form: `1.50` becomes the level `1.5`).
 */
export class ColumnBuilder {
  readonly name: string
  private kind: 'empty' | 'numeric' | 'boolean' | 'categorical' = 'empty'
  private numbers: Chunked<Float64Array> | null = float64s()
  private codes: Chunked<Int32Array> | null = null
  private dictionary = new Map<string, number>()
  private levels: string[] = []

  constructor(name: string) {
    this.name = name
  }

  push(text: string): void {
    if (this.kind === 'categorical') {
      this.codes!.push(isMissingText(text) ? -1 : this.code(text))
      return
    }
    const numbers = this.numbers!
    if (isMissingText(text)) {
      numbers.push(NaN)
      return
    }
    if (this.kind !== 'boolean') {
      const v = parseNumber(text)
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
    this.becomeCategorical()
    this.codes!.push(this.code(text))
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
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers.get(i)
      codes.push(Number.isNaN(v) ? -1 : this.code(asText(v)))
    }
    this.numbers = null
    this.codes = codes
    this.kind = 'categorical'
  }

  finish(): Column {
    if (this.kind === 'categorical') {
      return { name: this.name, type: 'categorical', codes: this.codes!.toArray(), levels: this.levels }
    }
    // An all-missing column has no type evidence; numeric is the harmless choice.
    return { name: this.name, type: this.kind === 'boolean' ? 'boolean' : 'numeric', values: this.numbers!.toArray() }
  }
}
