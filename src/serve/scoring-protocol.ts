import type { ModelIR } from '../ir/model.js'
import type { DeadLetterReason } from './dead-letter.js'

/**
 * Messages between the stream scorer and its scoring workers. A batch travels as one buffer of
 * concatenated values plus their lengths (-1: no value), and comes back the same way, both transferred
 * (not copied): the main thread, which runs the Kafka client, does almost nothing per message.
 */
export type ToScoringWorker =
  | { type: 'init'; ir: ModelIR; outputFields?: string[] }
  | { type: 'batch'; id: number; data: Uint8Array; lengths: Int32Array }

export type FromScoringWorker =
  /** After init: the model is compiled, batches may come. */
  | { type: 'ready' }
  | {
      type: 'scored'
      id: number
      /** The output values, UTF-8, concatenated. */
      data: Uint8Array
      /** Byte length of each output value; -1 for a message that goes to the DLQ. */
      lengths: Int32Array
      /** Decode-and-score microseconds of each scored message (NaN for a dead one). */
      latencies: Float64Array
      dead: { index: number; reason: DeadLetterReason }[]
    }
  | { type: 'failed'; id: number; message: string; stack?: string }

/** Concatenates values into one transferable buffer (lengths -1 for null). */
export function packValues(values: (Uint8Array | null)[]): { data: Uint8Array; lengths: Int32Array } {
  let total = 0
  for (const v of values) if (v) total += v.length
  const data = new Uint8Array(total)
  const lengths = new Int32Array(values.length)
  let at = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null) {
      lengths[i] = -1
      continue
    }
    data.set(v, at)
    at += v.length
    lengths[i] = v.length
  }
  return { data, lengths }
}

/** Buffer views (no copies) of packed values. */
export function unpackValues(data: Uint8Array, lengths: Int32Array): (Buffer | null)[] {
  const out: (Buffer | null)[] = new Array(lengths.length)
  let at = 0
  for (let i = 0; i < lengths.length; i++) {
    const n = lengths[i]
    if (n < 0) {
      out[i] = null
      continue
    }
    out[i] = Buffer.from(data.buffer, data.byteOffset + at, n)
    at += n
  }
  return out
}

/**
 * Packs output values as they are written (a ByteSink): one growing buffer; the caller notes each value's
 * length from `length` before and after. `take` copies the written bytes into a buffer of their own, which can be transferred to another thread.
 */
export class PackedWriter {
  private buf: Buffer
  private at = 0

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(capacity)
  }

  /** Bytes written since the last take. */
  get length(): number {
    return this.at
  }

  bytes(bytes: Uint8Array, end: number): void {
    this.reserve(end)
    this.buf.set(end === bytes.length ? bytes : bytes.subarray(0, end), this.at)
    this.at += end
  }

  text(s: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    this.reserve(s.length * 3)
    this.at += this.buf.write(s, this.at, 'utf8')
  }

  /** The bytes written, in a new buffer; the writer starts again empty. */
  take(): Uint8Array {
    const out = Uint8Array.prototype.slice.call(this.buf, 0, this.at)
    this.at = 0
    return out
  }

  private reserve(n: number): void {
    if (this.buf.length - this.at >= n) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n))
    this.buf.copy(bigger, 0, 0, this.at)
    this.buf = bigger
  }
}
