/**
 * Seeded synthetic tables with a known answer, for learner tests.
 *
 * Numeric columns x0..x{features-1} are standard normal; a categorical column `color` (levels red,
 * green, blue, gray) shifts the signal. The signal is
 *   linear:    1.5 x0 - 2 x1 + x2 + 0.5 x3 + effect(color)      (x4.. are pure noise)
 *   nonlinear: 2 x0 x1 + 1.5 (x2^2 - 1) + effect(color)         (no linear model can fit it)
 * binary: P(yes) = sigmoid(signal); multiclass: class c has logit signal_c (the same shape with the
 * coefficients rotated per class); regression: y = 3 + signal + noise * N(0, 1).
 * `truth` keeps the noiseless answer per target row, so a test can compare with the best possible score.
 */
import type { CategoricalColumn, Column, NumericColumn, Table } from '../../src/data/table.js'
import { prepareTarget, type TargetData, type Task } from '../../src/data/target.js'
import { fitPipeline, inputColumnsOf } from '../../src/features/pipeline.js'
import type { ModelBodyIR, ModelIR } from '../../src/ir/model.js'
import { tableRowsOf, targetsOf, type FitInput } from '../../src/learners/learner.js'
import { Random } from '../../src/learners/random.js'

export interface SyntheticOptions {
  rows: number
  task: Task
  seed: number
  /** Add the categorical column `color` (default true). */
  categorical?: boolean
  /** Fraction of numeric and categorical cells made missing after the target is drawn (default 0). */
  missing?: number
  /** Numeric columns, at least 4 (default 4). */
  features?: number
  /** Classes for multiclass (default 3, at most 10). */
  classes?: number
  /** Regression noise standard deviation (default 0.5). */
  noise?: number
  shape?: 'linear' | 'nonlinear'
}

export interface SyntheticData {
  table: Table
  target: TargetData
  /** Per target row: P(positive) (binary), k class probabilities (multiclass, row-major) or the mean (regression). */
  truth: Float64Array
}

const COLORS = ['red', 'green', 'blue', 'gray']
const COLOR_EFFECT = [0, 1, -1, 0.5]
const COEF = [1.5, -2, 1, 0.5]

/** The signal of class c of k (c = 0, k = 1 for binary and regression). */
function signalOf(shape: 'linear' | 'nonlinear', x: number[], color: number, c: number, k: number): number {
  // Rotating (x0, x1) and the color effects per class gives each class its own direction in multiclass.
  const angle = (2 * Math.PI * c) / k
  const a = Math.cos(angle) * x[0] - Math.sin(angle) * x[1]
  const b = Math.sin(angle) * x[0] + Math.cos(angle) * x[1]
  const effect = color >= 0 ? COLOR_EFFECT[(color + c) % COLOR_EFFECT.length] : 0
  if (shape === 'nonlinear') return 2 * a * b + 1.5 * (x[2] * x[2] - 1) + effect
  return COEF[0] * a + COEF[1] * b + COEF[2] * x[2] + COEF[3] * x[3] + effect
}

export function syntheticTable(options: SyntheticOptions): SyntheticData {
  const { rows, task, seed } = options
  const p = Math.max(4, options.features ?? 4)
  const k = task === 'multiclass' ? (options.classes ?? 3) : task === 'binary' ? 2 : 1
  const shape = options.shape ?? 'linear'
  const categorical = options.categorical ?? true
  const missing = options.missing ?? 0
  const noise = options.noise ?? 0.5
  const random = new Random(seed)

  const xs = Array.from({ length: p }, () => new Float64Array(rows))
  const colors = new Int32Array(rows).fill(-1)
  const truth = new Float64Array(rows * (task === 'multiclass' ? k : 1))
  const label = new Int32Array(rows)
  const value = new Float64Array(rows)
  const x = new Array<number>(p)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < p; j++) x[j] = xs[j][i] = random.normal()
    const color = categorical ? random.int(COLORS.length) : -1
    colors[i] = color
    if (task === 'regression') {
      truth[i] = 3 + signalOf(shape, x, color, 0, 1)
      value[i] = truth[i] + noise * random.normal()
    } else if (task === 'binary') {
      truth[i] = 1 / (1 + Math.exp(-signalOf(shape, x, color, 0, 1)))
      label[i] = random.next() < truth[i] ? 1 : 0
    } else {
      let sum = 0
      for (let c = 0; c < k; c++) sum += truth[i * k + c] = Math.exp(signalOf(shape, x, color, c, k))
      for (let c = 0; c < k; c++) truth[i * k + c] /= sum
      let u = random.next()
      label[i] = k - 1
      for (let c = 0; c < k - 1; c++) {
        u -= truth[i * k + c]
        if (u < 0) {
          label[i] = c
          break
        }
      }
    }
  }
  // Missing cells come after the target, so they hide information the target used (as in real data).
  if (missing > 0) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < p; j++) if (random.next() < missing) xs[j][i] = NaN
      if (random.next() < missing) colors[i] = -1
    }
  }

  const columns: Column[] = xs.map((values, j): NumericColumn => ({ name: `x${j}`, type: 'numeric', values }))
  if (categorical) columns.push({ name: 'color', type: 'categorical', codes: colors, levels: COLORS } satisfies CategoricalColumn)
  if (task === 'regression') columns.push({ name: 'target', type: 'numeric', values: value })
  else {
    const levels = task === 'binary' ? ['no', 'yes'] : Array.from({ length: k }, (_, c) => `c${c}`)
    columns.push({ name: 'target', type: 'categorical', codes: label, levels })
  }
  const table: Table = { source: `synthetic(${task}, seed ${seed})`, nRows: rows, columns, fingerprint: `synthetic-${task}-${seed}-${rows}` }
  return { table, target: prepareTarget(table, 'target', task), truth }
}

/** A seeded split of target positions into training and holdout. */
export function splitPositions(n: number, holdoutFraction: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  const order = new Random(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i))
  const nHold = Math.floor(n * holdoutFraction)
  return { holdout: order.slice(0, nHold).sort(), train: order.slice(nHold).sort() }
}

/** A FitInput with the pipeline fitted on the training positions, as the AutoML would build it. */
export function fitInputOf(data: { table: Table; target: TargetData }, encoding: 'tree' | 'dense', train: Int32Array, seed = 1): FitInput {
  const { table, target } = data
  const inputs = inputColumnsOf(table, target.name)
  const pipeline = fitPipeline(table, inputs, encoding, { rows: tableRowsOf(target, train), y: targetsOf(target, train), task: target.task })
  return { table, target, train, pipeline, inputs, seed }
}

/** A complete ModelIR around a fitted body, for compileModel. */
export function modelIrOf(input: FitInput, family: string, params: object, model: ModelBodyIR): ModelIR {
  const { target } = input
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'test',
    family,
    params: { ...params },
    input: { columns: inputColumnsOf(input.table, target.name) },
    target: { name: target.name, task: target.task, classes: target.classes },
    features: input.pipeline,
    model,
  }
}

/** Share of rows whose highest score is the true class (scores n x k, row-major). */
export function accuracy(scores: Float64Array, k: number, y: Float64Array): number {
  let right = 0
  for (let i = 0; i < y.length; i++) {
    let best = 0
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c
    if (best === y[i]) right++
  }
  return right / y.length
}

/** Accuracy of the Bayes rule on the given target positions: the best any model can expect. (Synthetic targets are never missing, so a target position is its table row.) */
export function bayesAccuracy(data: SyntheticData, positions: Int32Array): number {
  const k = data.target.classes!.length
  const scores = new Float64Array(positions.length * k)
  for (let i = 0; i < positions.length; i++) {
    const r = positions[i]
    if (k === 2) {
      scores[i * 2] = 1 - data.truth[r]
      scores[i * 2 + 1] = data.truth[r]
    } else for (let c = 0; c < k; c++) scores[i * k + c] = data.truth[r * k + c]
  }
  return accuracy(scores, k, targetsOf(data.target, positions))
}

export { r2 } from '../../src/automl/metrics.js'
