import type { ModelIR } from '../ir/model.js'
import type { RecordHeaders } from '../kafka/record-fields.js'
import type { DeadLetterReason } from './dead-letter.js'

/**
 * Messages between the stream scorer and its scoring workers. A batch travels as one buffer of
 * concatenated values plus their lengths (-1: no value), the same for keys, and the messages' headers
 * only when one has any. It comes back as each output's record fields (key, value, headers: the bytes
 * a Kafka record holds, see src/kafka/record-fields.ts), concatenated the same way. Buffers are
 * transferred, not copied: the main thread, which runs the Kafka client, does almost nothing per message.
 */
export type ToScoringWorker =
  | { type: 'init'; ir: ModelIR; outputFields?: string[]; csvColumns?: string[] }
  | {
      type: 'batch'
      id: number
      data: Uint8Array
      lengths: Int32Array
      keyData: Uint8Array
      keyLengths: Int32Array
      /** Each message's headers; left out when no message has any. */
      headers?: (RecordHeaders | undefined)[]
    }

export type FromScoringWorker =
  /** After init: the model is compiled, batches may come. */
  | { type: 'ready' }
  | {
      type: 'scored'
      id: number
      /** The outputs' record fields (key, value, headers), concatenated. */
      data: Uint8Array
      /** Byte length of each output's record fields; -1 for a message that goes to the DLQ. */
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
