import { isMissingText, parseBoolean, parseNumber } from './cells.js'
import type { Column } from './table.js'

const CHUNK = 65536

/** Growable typed storage in fixed chunks, so a large column never needs a doubling copy. */
class ChunkedFloat64 {
  private chunks: Float64Array[] = []
  private current = new Float64Array(CHUNK)
  private pos = 0
  length = 0
  push(v: number): void {
    if (this.pos === CHUNK) {
      this.chunks.push(this.current)
      this.current = new Float64Array(CHUNK)
      this.pos = 0
    }
    this.current[this.pos++] = v
    this.length++
  }
  get(i: number): number {
    const c = Math.floor(i / CHUNK)
    return c < this.chunks.length ? this.chunks[c][i % CHUNK] : this.current[i % CHUNK]
  }
  toArray(): Float64Array {
    const out = new Float64Array(this.length)
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

class ChunkedInt32 {
  private chunks: Int32Array[] = []
  private current = new Int32Array(CHUNK)
  private pos = 0
  length = 0
  push(v: number): void {
    if (this.pos === CHUNK) {
      this.chunks.push(this.current)
      this.current = new Int32Array(CHUNK)
      this.pos = 0
    }
    this.current[this.pos++] = v
    this.length++
  }
  toArray(): Int32Array {
    const out = new Int32Array(this.length)
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

/**
 * Infers a column's type while its cells stream in. A column stays numeric (or boolean) while every
 * present cell parses as one; the first cell that does not turns it categorical, and the values seen
 * so far are re-coded as text (numbers in their shortest form: `1.50` becomes the level `1.5`).
 */
export class ColumnBuilder {
  readonly name: string
  private kind: 'empty' | 'numeric' | 'boolean' | 'categorical' = 'empty'
  private numbers: ChunkedFloat64 | null = new ChunkedFloat64()
  private codes: ChunkedInt32 | null = null
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
    const codes = new ChunkedInt32()
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
