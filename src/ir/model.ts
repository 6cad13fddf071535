/**
 * The model IR: one JSON document per trained model, the single source of truth. Metrics, exporters and
 * parity tests all read this and nothing else. Bump IR_VERSION on any change a reader must know about.
 */
import type { ColumnType } from '../data/table.js'
import type { Task } from '../data/target.js'

export const IR_FORMAT = 'mlkafka.model'
/**
 * The newest format this mlkafka reads and writes. 2 added ensembles; a single model is still written
 * as version 1 (MODEL_IR_VERSION), so older mlkafka versions keep reading it.
 */
export const IR_VERSION = 2
/** The version of a file holding a single model (tree, forest, linear model or net). */
export const MODEL_IR_VERSION = 1
/** The version of a file holding an ensemble. */
export const ENSEMBLE_IR_VERSION = 2

export interface InputColumn {
  name: string
  type: ColumnType
  /**
   * A numeric or boolean column's other texts that training read as missing (a stray `unknown` or `-`
   * among numbers: Column.oddCells), compared after trimming white space. Scoring reads them as missing
   * too, so a row of the training file scores as it trained. Absent when there were none.
   */
  missingTexts?: string[]
  /**
   * A numeric column's numbers had decimal commas in the training file (`1,5`; a `;`-separated file): scoring reads a text that is a number with a decimal comma (parseCommaNumber) as that number.
   */
  decimalComma?: boolean
  /**
   * A numeric column had ISO dates in the training file: scoring reads a text that is an ISO date or
   * date-time (parseIsoDate) as its days since 1970-01-01 UTC, as training did.
   */
  isoDates?: boolean
}

/**
 * One input column's contribution to the feature vector, in order.
 * - `numeric` (dense encoding): x = missing ? impute : value; out = (x - center) / scale.
 * - `raw` (tree encoding): out = value, NaN when missing (trees route NaN by each split's default).
 * - `onehot`: one output per level, plus one for `__other__` when `other`; a level not listed goes to
 *   `__other__` (or nowhere when there is none); missing gives all zeros.
 * - `ordinal` (tree encoding): out = index of the level in `levels`; a level not listed gets
 *   `levels.length` when `other`, else NaN; missing gives NaN.
 */
export type FeatureStep =
  | { kind: 'numeric'; column: string; impute: number; center: number; scale: number }
  | { kind: 'raw'; column: string }
  | { kind: 'onehot'; column: string; levels: string[]; other: boolean }
  | { kind: 'ordinal'; column: string; levels: string[]; other: boolean }

export interface FeaturePipelineIR {
  /** `mixed`: an ensemble's pipeline, its members' pipelines one after another (see EnsembleModelIR). */
  encoding: 'tree' | 'dense' | 'mixed'
  steps: FeatureStep[]
  /** Number of outputs: the model's input width. */
  width: number
}

/**
 * A tree as parallel flat arrays (scikit-learn's layout). Node 0 is the root; a leaf has feature -1.
 * Split: go left when x[feature] <= threshold; NaN goes left when missingLeft[node] is 1.
 * value holds `outputs` numbers per node (class probabilities, or the mean for regression).
 */
export interface FlatTree {
  feature: number[]
  threshold: number[]
  left: number[]
  right: number[]
  missingLeft: number[]
  value: number[]
}

/** `single`: the one tree's leaf values. `average`: leaf values summed in tree order, divided by the count. */
export interface TreeModelIR {
  type: 'trees'
  combine: 'single' | 'average'
  outputs: number
  trees: FlatTree[]
}

/**
 * z_k = intercepts[k] + sum_j weights[k][j] * x[j] (summed in j order).
 * identity: value = z_0. logistic: p1 = 1 / (1 + exp(-z_0)), probabilities [1 - p1, p1].
 * softmax: p_k = exp(z_k - max z) / sum (in k order).
 */
export interface LinearModelIR {
  type: 'linear'
  link: 'identity' | 'logistic' | 'softmax'
  weights: number[][]
  intercepts: number[]
}

export type Activation = 'relu' | 'tanh' | 'identity'

/** Each layer: h'_i = act(biases[i] + sum_j weights[i][j] * h[j]); the last layer's output goes through `output`. */
export interface MlpModelIR {
  type: 'mlp'
  layers: { weights: number[][]; biases: number[]; activation: Activation }[]
  output: 'identity' | 'logistic' | 'softmax'
}

/** One fitted model: the body of a single model, or of an ensemble member. */
export type MemberBodyIR = TreeModelIR | LinearModelIR | MlpModelIR

/**
 * One model of an ensemble. It reads features[offset .. offset + width) of the shared feature vector:
 * the ensemble's pipeline is its members' pipelines one after another, each fitted for its member.
 */
export interface EnsembleMemberIR {
  modelId: string
  family: string
  params: Record<string, unknown>
  weight: number
  offset: number
  width: number
  model: MemberBodyIR
}

/**
 * A weighted average of member models (Caruana et al.'s ensemble selection: weight = times picked /
 * picks). Scores start at 0 and each member in order adds weight * its score: s_j += weight * m_j
 * (class probabilities, or the value for regression). The label is the argmax of the sums.
 */
export interface EnsembleModelIR {
  type: 'ensemble'
  members: EnsembleMemberIR[]
}

export type ModelBodyIR = MemberBodyIR | EnsembleModelIR

export interface TrainingInfo {
  source: string
  rows: number
  fingerprint: string
  createdAt: string
  mlkafkaVersion: string
  metrics?: Record<string, number>
  metric?: string
}

export interface ModelIR {
  format: typeof IR_FORMAT
  version: typeof MODEL_IR_VERSION | typeof ENSEMBLE_IR_VERSION
  modelId: string
  family: string
  params: Record<string, unknown>
  input: { columns: InputColumn[] }
  target: { name: string; task: Task; classes?: string[] }
  features: FeaturePipelineIR
  model: ModelBodyIR
  training?: TrainingInfo
}

export type Prediction = { label: string; probabilities: number[] } | { value: number }
