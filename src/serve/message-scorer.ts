import { compileScorer, type CompiledScorer } from '../export/compiled-scorer.js'
import { UserError } from '../errors.js'
import { compileModel, outputWidth } from '../ir/evaluate.js'
import type { ModelIR } from '../ir/model.js'
import { compileRecordEncoder } from '../features/pipeline.js'
import { NO_SCORE, ScoringError } from '../features/record.js'
import type { DeadLetterReason } from './dead-letter.js'
import { decodeMessage } from './message-decoder.js'
import { csvField } from '../data/csv-writer.js'
import { OutputRecordBuilder, type OutputRecordOptions } from './output-record.js'
import { FieldsBuffer, writeBytesField, writeHeaders, type RecordHeaders } from '../kafka/record-fields.js'

/** A batch's outcomes, by message index. */
export interface ScoredBatch {
  /** The outputs' record fields (key, value, headers; src/kafka/record-fields.ts), concatenated (see unpackValues). */
  data: Uint8Array
  /** Byte length of each message's output fields; -1 for one that goes to the DLQ. */
  lengths: Int32Array
  /** Decode-and-score microseconds of each message (NaN for a dead one). */
  latencies: Float64Array
  /** The messages that go to the DLQ, in index order, with why. */
  dead: { index: number; reason: DeadLetterReason }[]
}

/**
 * The IR evaluator as a CompiledScorer: for a model the JavaScript scorer cannot print (a hand-written
 * forest with tens of thousands of thresholds on one feature).
 */
export function referenceScorer(ir: ModelIR): CompiledScorer {
  const model = compileModel(ir)
  return {
    width: ir.features.width,
    outputs: outputWidth(ir),
    encode: compileRecordEncoder(ir.features, ir.input.columns),
    predictScores: (f, s) => s.set(model.scoreMatrix(f, 1)),
    isScoringError: (err): err is Error => err instanceof ScoringError,
  }
}

/** The exported JavaScript scorer of the model, compiled here; the IR evaluator when it cannot be printed. */
export function servingScorer(ir: ModelIR): CompiledScorer {
  try {
    return compileScorer(ir)
  } catch (err) {
    if (err instanceof UserError) return referenceScorer(ir)
    throw err
  }
}

/**
 * Decodes, scores and writes the outputs of messages; the same on the main thread and on a scoring
 * worker. An output is written as the fields of its Kafka record: the input's key, the output value and
 * the input's headers, so the thread that runs the Kafka client sends it without encoding it. Scoring runs the code `mlkafka export scorer --lang js` prints for the model (held to the
 * IR evaluator by the parity tests), message by message. A message's latency is its decoding, encoding
 * and scoring; it is written into the output, so writing the output is not in it. Outputs are written as
 * bytes: with all fields kept, the message's own bytes up to its closing brace, then the added fields.
 */
export class MessageScorer {
  private readonly scorer: CompiledScorer
  private readonly builder: OutputRecordBuilder
  private readonly f: Float64Array
  private readonly s: Float64Array
  private readonly out = new FieldsBuffer()
  private readonly csvColumns: string[] | undefined

  constructor(readonly ir: ModelIR, options: OutputRecordOptions = {}) {
    this.scorer = servingScorer(ir)
    this.builder = new OutputRecordBuilder(ir, options)
    this.csvColumns = options.csvColumns
    this.f = new Float64Array(this.scorer.width)
    this.s = new Float64Array(this.scorer.outputs)
  }

  /**
   * Scores made-up messages (every field of the model's schema, with a level the model knows) for about
   * `ms`, so the scorer's code is compiled before the first real batch: a cold forest walk is tens of
   * times slower, and a stream's first batches would wait on it.
   */
  warmUp(ms = 100): void {
    const levels = new Map<string, string>()
    for (const step of this.ir.features.steps) if ((step.kind === 'onehot' || step.kind === 'ordinal') && step.levels.length > 0) levels.set(step.column, step.levels[0])
    const samples: Buffer[] = []
    for (let i = 0; i < 64; i++) {
      const record: Record<string, unknown> = {}
      for (const c of this.ir.input.columns) {
        record[c.name] = c.type === 'numeric' ? (i % 8) * 0.75 - 1 : c.type === 'boolean' ? i % 2 === 0 : i % 4 === 0 ? `level-${i}` : (levels.get(c.name) ?? `level-${i}`)
      }
      samples.push(Buffer.from(this.csvColumns ? this.csvColumns.map((c) => csvField(record[c] === undefined ? '' : String(record[c]))).join(',') : JSON.stringify(record)))
    }
    const until = performance.now() + ms
    const keys = samples.map(() => null)
    for (let round = 0; round < 200 && performance.now() < until; round++) this.scoreBatch(samples, keys)
  }

  /** Message i: values[i], keys[i], headers?.[i] (no headers when left out). */
  scoreBatch(values: (Buffer | null)[], keys: (Uint8Array | null)[], headers?: (RecordHeaders | undefined)[]): ScoredBatch {
    const n = values.length
    const lengths = new Int32Array(n).fill(-1)
    const latencies = new Float64Array(n).fill(NaN)
    const dead: ScoredBatch['dead'] = []
    const { scorer, f, s, out } = this
    out.clear() // a batch that threw midway left its bytes
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      const value = values[i]
      const decoded = decodeMessage(value, this.csvColumns)
      if (!decoded.ok) {
        dead.push({ index: i, reason: { kind: decoded.kind, message: decoded.reason } })
        continue
      }
      try {
        scorer.encode(decoded.record, f)
      } catch (err) {
        if (scorer.isScoringError(err)) {
          dead.push({ index: i, reason: { kind: 'ill-typed-field', message: err.message } })
          continue
        }
        throw err
      }
      scorer.predictScores(f, s)
      if (!s.every(Number.isFinite)) {
        // No number (a value far beyond what training saw): a dead letter, as predict reports the row.
        dead.push({ index: i, reason: { kind: 'no-score', message: NO_SCORE } })
        continue
      }
      const latencyUs = (performance.now() - t0) * 1000
      latencies[i] = latencyUs
      const start = out.length
      writeBytesField(out, keys[i])
      const valueStart = out.length
      this.builder.appendFromScores(out, value!, decoded.record, s, 0, latencyUs)
      out.prefixLength(valueStart)
      writeHeaders(out, headers?.[i])
      lengths[i] = out.length - start
    }
    return { data: out.take(), lengths, latencies, dead }
  }
}
