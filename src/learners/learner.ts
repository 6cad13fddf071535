import type { Table } from '../data/table.js'
import type { TargetData, Task } from '../data/target.js'
import type { FeaturePipelineIR, InputColumn, ModelBodyIR } from '../ir/model.js'

export type Family = 'decision_tree' | 'random_forest' | 'logistic_regression' | 'mlp'
export const FAMILIES: readonly Family[] = ['decision_tree', 'random_forest', 'logistic_regression', 'mlp']

/** What every learner is fitted on. */
export interface FitInput {
  table: Table
  /** The prepared target (y per usable row, `target.rows` maps them to table rows). */
  target: TargetData
  /** Training rows, as positions into target.y / target.rows. */
  train: Int32Array
  /** Feature pipeline already fitted on exactly these training rows. */
  pipeline: FeaturePipelineIR
  inputs: InputColumn[]
  seed: number
  /** Rows to monitor for early stopping (positions into target.y), when the caller has them. */
  validation?: Int32Array
  /** Stops long fits early (a time budget running out). A fit that sees it aborted throws `FitAborted`. */
  signal?: AbortSignal
  /**
   * A time limit that keeps what was fitted so far, where `signal` throws it away: a forest starts no more
   * trees once it says true, a net trains no more epochs (keeping its best epoch's weights), and stops in
   * the middle of one when the limit has passed (asked with no `nextMs` after each batch); at least one
   * tree or one batch is fitted. `nextMs`: how long the next tree or epoch is expected to take (true when it
   * would end past the limit). Other learners ignore it. What was cut short is reported (FitFound).
   */
  timeUp?: (nextMs?: number) => boolean
  /** Told what the fit found that a refit of the same params can reuse. */
  report?: (found: FitFound) => void
}

/**
 * What a fit found: a net's best epoch by early stopping on its validation rows, and the epochs it
 * trained for; a forest's trees, when its time limit (FitInput.timeUp) stopped it short of its nTrees.
 */
export interface FitFound {
  bestEpoch?: number
  epochs?: number
  trees?: number
  /** The time limit stopped the fit short (fewer trees or epochs than its params). */
  cutShort?: boolean
}

export class FitAborted extends Error {
  constructor() {
    super('fit aborted')
    this.name = 'FitAborted'
  }
}

/** A learning algorithm: fits the model body of the IR for one set of hyperparameters. */
export interface Learner<P extends object = Record<string, unknown>> {
  family: Family
  /** The feature encoding this learner wants: raw values and ordinal codes (trees) or standardized one-hot. */
  encoding: 'tree' | 'dense'
  defaultParams(task: Task): P
  /** Fits one model. Forests may return a promise (their trees grow on worker threads). */
  fit(input: FitInput, params: P): ModelBodyIR | Promise<ModelBodyIR>
}

/** Table rows of the given training positions. */
export function tableRowsOf(target: TargetData, positions: Int32Array): Int32Array {
  const out = new Int32Array(positions.length)
  for (let i = 0; i < positions.length; i++) out[i] = target.rows[positions[i]]
  return out
}

/** Targets of the given training positions. */
export function targetsOf(target: TargetData, positions: Int32Array): Float64Array {
  const out = new Float64Array(positions.length)
  for (let i = 0; i < positions.length; i++) out[i] = target.y[positions[i]]
  return out
}

/** Balanced class weights (n / (k * count_c)), like scikit-learn's class_weight='balanced'. */
export function balancedClassWeights(y: Float64Array, k: number): Float64Array {
  const counts = new Float64Array(k)
  for (let i = 0; i < y.length; i++) counts[y[i]]++
  const w = new Float64Array(k)
  for (let c = 0; c < k; c++) w[c] = counts[c] > 0 ? y.length / (k * counts[c]) : 0
  return w
}
