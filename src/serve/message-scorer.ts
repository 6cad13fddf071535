import { compileModel, type CompiledModel } from '../ir/evaluate.js'
import type { ModelIR, Prediction } from '../ir/model.js'
import { ScoringError } from '../features/record.js'
import type { DeadLetterReason } from './dead-letter.js'
import { decodeMessage } from './message-decoder.js'
import { OutputRecordBuilder, type OutputRecordOptions } from './output-record.js'

/** One message's outcome: the output value and how long decoding and scoring took, or why it is dead. */
export type ScoredMessage = { value: string; latencyUs: number } | { dead: DeadLetterReason }

/**
 * Decodes, scores and builds the output of one message value; the same on the main thread and on a
 * scoring worker. The latency covers decoding and scoring (the output holds it, so not its building).
 */
export class MessageScorer {
  private readonly model: CompiledModel
  private readonly builder: OutputRecordBuilder

  constructor(readonly ir: ModelIR, options: OutputRecordOptions = {}) {
    this.model = compileModel(ir)
    this.builder = new OutputRecordBuilder(ir, options)
  }

  score(value: Buffer | null): ScoredMessage {
    const t0 = performance.now()
    const decoded = decodeMessage(value)
    if (!decoded.ok) return { dead: { kind: decoded.kind, message: decoded.reason } }
    let prediction: Prediction
    try {
      prediction = this.model.predictRecord(decoded.record)
    } catch (err) {
      if (err instanceof ScoringError) return { dead: { kind: 'ill-typed-field', message: err.message } }
      throw err
    }
    const latencyUs = (performance.now() - t0) * 1000
    return { value: this.builder.build(decoded.text, decoded.record, prediction, Math.round(latencyUs * 10) / 10), latencyUs }
  }
}
