import { UserError } from '../errors.js'
import { outputWidth } from '../ir/evaluate.js'
import type { ModelIR } from '../ir/model.js'
import { exportScorer } from './scorer.js'

/**
 * The JavaScript scorer `mlkafka export scorer --lang js` prints for a model, compiled in this process:
 * its record encoder and its model function, for `mlkafka serve`. They are the exported code itself, which
 * the parity tests hold to the IR evaluator (bit-exact for trees and linear models), and they are faster
 * than the evaluator's generic loops: a forest is walked in lanes on binned features, a small model is
 * unrolled code (about 3x fewer microseconds per message for the default forest, measured on Node 20).
 */
export interface CompiledScorer {
  /** Feature vector width (the model's input). */
  width: number
  /** Scores per record: the class probabilities, or the value. */
  outputs: number
  /** Encodes a parsed record into f; throws a ScoringError (see isScoringError) for an ill-typed field. */
  encode(record: Record<string, unknown>, f: Float64Array): void
  /** Scores an encoded record into s. */
  predictScores(f: Float64Array, s: Float64Array): void
  /** Whether encode threw it because of the record (its message says which field and why). */
  isScoringError(err: unknown): err is Error
}

/**
 * Prints the model as the JavaScript scorer module and compiles it. Throws a UserError for a model the
 * scorer cannot print (the caller may fall back to the IR evaluator).
 */
export function compileScorer(ir: ModelIR): CompiledScorer {
  const { code } = exportScorer(ir, { lang: 'js', now: new Date(0) })
  // The module has no imports; as a function body its exports are plain declarations. Strict, as a module is.
  const body = `'use strict';\n${code.replace(/^export (?=(?:const|function|class) )/gm, '')}\nreturn { encode, predictScores, ScoringError }`
  let parts: { encode: CompiledScorer['encode']; predictScores: CompiledScorer['predictScores']; ScoringError: new (...args: never[]) => Error }
  try {
    parts = new Function(body)() as typeof parts
  } catch (err) {
    throw new UserError(`model ${JSON.stringify(ir.modelId)}: its printed scorer does not compile (${(err as Error).message})`)
  }
  const { encode, predictScores, ScoringError } = parts
  if (typeof encode !== 'function' || typeof predictScores !== 'function' || typeof ScoringError !== 'function') {
    throw new UserError(`model ${JSON.stringify(ir.modelId)}: its printed scorer lacks encode, predictScores or ScoringError`)
  }
  return {
    width: ir.features.width,
    outputs: outputWidth(ir),
    encode,
    predictScores,
    isScoringError: (err: unknown): err is Error => err instanceof ScoringError,
  }
}
