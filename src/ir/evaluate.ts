/**
 * The reference evaluator of the model IR. Leaderboard metrics, `mlkafka predict`, `mlkafka serve` and
 * every parity test use it; generated scorers must reproduce its arithmetic operation for operation.
 */
import type { Table } from '../data/table.js'
import { compileRecordEncoder, encodeTable } from '../features/pipeline.js'
import { checkRecord, NO_SCORE, ScoringError, type RawRecord } from '../features/record.js'
import type { EnsembleModelIR, FlatTree, LinearModelIR, MlpModelIR, ModelBodyIR, ModelIR, Prediction, TreeModelIR } from './model.js'

/** Scores per row: class probabilities (classification) or the value (regression). */
export function outputWidth(ir: ModelIR): number {
  return ir.target.task === 'regression' ? 1 : ir.target.classes!.length
}

interface CompiledTree {
  feature: Int32Array
  threshold: Float64Array
  left: Int32Array
  right: Int32Array
  missingLeft: Uint8Array
  value: Float64Array
}

function compileTree(t: FlatTree): CompiledTree {
  return {
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    missingLeft: Uint8Array.from(t.missingLeft),
    value: Float64Array.from(t.value),
  }
}

/** Index of the leaf a feature row (at `base` in X) lands in. */
export function leafIndex(t: CompiledTree, X: Float64Array, base: number): number {
  let node = 0
  const feature = t.feature
  while (feature[node] >= 0) {
    const x = X[base + feature[node]]
    node = x <= t.threshold[node] ? t.left[node] : x > t.threshold[node] ? t.right[node] : t.missingLeft[node] === 1 ? t.left[node] : t.right[node]
  }
  return node
}

type RowScorer = (X: Float64Array, base: number, out: Float64Array, outBase: number) => void
/** Scores n rows of X (row-major, width d) into out (n x k). */
type BatchScorer = (X: Float64Array, n: number, d: number, out: Float64Array) => void

/**
 * Forests score tree by tree over all rows (one tree's arrays stay in cache), adding each row's leaf
 * values in tree order: the same sums, in the same order, as the row-at-a-time scorer.
 */
function compileTreesBatch(m: TreeModelIR): BatchScorer {
  const trees = m.trees.map(compileTree)
  const k = m.outputs
  return (X, n, d, out) => {
    out.fill(0, 0, n * k)
    for (const t of trees) {
      for (let i = 0; i < n; i++) {
        const leaf = leafIndex(t, X, i * d)
        for (let j = 0; j < k; j++) out[i * k + j] += t.value[leaf * k + j]
      }
    }
    if (m.combine === 'average') for (let i = 0; i < n * k; i++) out[i] /= trees.length
  }
}

function compileTrees(m: TreeModelIR): RowScorer {
  const trees = m.trees.map(compileTree)
  const k = m.outputs
  return (X, base, out, outBase) => {
    for (let j = 0; j < k; j++) out[outBase + j] = 0
    for (const t of trees) {
      const leaf = leafIndex(t, X, base)
      for (let j = 0; j < k; j++) out[outBase + j] += t.value[leaf * k + j]
    }
    if (m.combine === 'average') for (let j = 0; j < k; j++) out[outBase + j] /= trees.length
  }
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z))
}

/** In-place softmax of out[base .. base+k). */
export function softmaxInPlace(out: Float64Array, base: number, k: number): void {
  let max = out[base]
  for (let j = 1; j < k; j++) if (out[base + j] > max) max = out[base + j]
  let sum = 0
  for (let j = 0; j < k; j++) {
    const e = Math.exp(out[base + j] - max)
    out[base + j] = e
    sum += e
  }
  for (let j = 0; j < k; j++) out[base + j] /= sum
}

function compileLinear(m: LinearModelIR): RowScorer {
  const rows = m.weights.map((w) => Float64Array.from(w))
  const b = Float64Array.from(m.intercepts)
  const d = rows[0]?.length ?? 0
  return (X, base, out, outBase) => {
    if (m.link === 'identity' || m.link === 'logistic') {
      let z = b[0]
      const w = rows[0]
      for (let j = 0; j < d; j++) z += w[j] * X[base + j]
      if (m.link === 'identity') out[outBase] = z
      else {
        const p = sigmoid(z)
        out[outBase] = 1 - p
        out[outBase + 1] = p
      }
      return
    }
    for (let c = 0; c < rows.length; c++) {
      let z = b[c]
      const w = rows[c]
      for (let j = 0; j < d; j++) z += w[j] * X[base + j]
      out[outBase + c] = z
    }
    softmaxInPlace(out, outBase, rows.length)
  }
}

function compileMlp(m: MlpModelIR): RowScorer {
  const layers = m.layers.map((l) => ({
    w: l.weights.map((r) => Float64Array.from(r)),
    b: Float64Array.from(l.biases),
    activation: l.activation,
  }))
  const widest = Math.max(...layers.map((l) => l.b.length))
  let a = new Float64Array(widest)
  let h = new Float64Array(widest)
  return (X, base, out, outBase) => {
    let input: Float64Array = X
    let inputBase = base
    let width = 0
    for (const layer of layers) {
      const inWidth = layer.w[0]?.length ?? 0
      for (let i = 0; i < layer.b.length; i++) {
        let s = layer.b[i]
        const w = layer.w[i]
        for (let j = 0; j < inWidth; j++) s += w[j] * input[inputBase + j]
        h[i] = layer.activation === 'relu' ? (s > 0 ? s : 0) : layer.activation === 'tanh' ? Math.tanh(s) : s
      }
      width = layer.b.length
      const t = a
      a = h
      h = t
      input = a
      inputBase = 0
    }
    if (m.output === 'identity') out[outBase] = a[0]
    else if (m.output === 'logistic') {
      const p = sigmoid(a[0])
      out[outBase] = 1 - p
      out[outBase + 1] = p
    } else {
      for (let j = 0; j < width; j++) out[outBase + j] = a[j]
      softmaxInPlace(out, outBase, width)
    }
  }
}

/**
 * Each member scores its slice of the feature vector into its own scratch scores, then the ensemble adds
 * weight * score to each output, member by member in order, starting from 0.
 */
function compileEnsemble(m: EnsembleModelIR, k: number): RowScorer {
  const members = m.members.map((member) => ({ offset: member.offset, weight: member.weight, score: compileBody(member.model, k), scratch: new Float64Array(k) }))
  return (X, base, out, outBase) => {
    for (let j = 0; j < k; j++) out[outBase + j] = 0
    for (const member of members) {
      member.score(X, base + member.offset, member.scratch, 0)
      for (let j = 0; j < k; j++) out[outBase + j] += member.weight * member.scratch[j]
    }
  }
}

function compileBody(body: ModelBodyIR, k: number): RowScorer {
  switch (body.type) {
    case 'ensemble':
      return compileEnsemble(body, k)
    case 'trees':
      return compileTrees(body)
    case 'linear':
      return compileLinear(body)
    case 'mlp':
      return compileMlp(body)
  }
}

/** A model ready to score many rows: typed arrays built once. */
export interface CompiledModel {
  ir: ModelIR
  width: number
  /** Scores rows of an encoded feature matrix: n x outputWidth, row-major. */
  scoreMatrix(X: Float64Array, n: number): Float64Array
  /** Scores table rows (all when omitted). */
  scoreTable(table: Table, rows?: Int32Array): Float64Array
  /**
   * Scores records; throws ScoringError for a record with an ill-typed field, and (with no field) for one
   * the model gives no number for (NaN or infinite: a value far beyond what training saw) or a value that
   * is no record (null, a number, an array), as every scorer does.
   */
  predictRecord(record: RawRecord): Prediction
}

export function compileModel(ir: ModelIR): CompiledModel {
  const k = outputWidth(ir)
  const scoreRow = compileBody(ir.model, k)
  const d = ir.features.width
  const batch = ir.model.type === 'trees' ? compileTreesBatch(ir.model) : null
  const scoreMatrix = (X: Float64Array, n: number): Float64Array => {
    const out = new Float64Array(n * k)
    if (batch) batch(X, n, d, out)
    else for (let i = 0; i < n; i++) scoreRow(X, i * d, out, i * k)
    return out
  }
  const x = new Float64Array(d)
  const scores = new Float64Array(k)
  const encodeRecord = compileRecordEncoder(ir.features, ir.input.columns)
  return {
    ir,
    width: k,
    scoreMatrix,
    scoreTable(table, rows) {
      const m = encodeTable(ir.features, table, rows)
      return scoreMatrix(m.X, m.n)
    },
    predictRecord(record) {
      checkRecord(record)
      encodeRecord(record, x)
      scoreRow(x, 0, scores, 0)
      if (!scores.every(Number.isFinite)) throw new ScoringError(null, NO_SCORE)
      return toPrediction(ir, scores, 0)
    },
  }
}

/** Index of the largest of k scores; the first one wins a tie. */
export function argmax(scores: Float64Array, base: number, k: number): number {
  let best = 0
  for (let j = 1; j < k; j++) if (scores[base + j] > scores[base + best]) best = j
  return best
}

export function toPrediction(ir: ModelIR, scores: Float64Array, base: number): Prediction {
  if (ir.target.task === 'regression') return { value: scores[base] }
  const classes = ir.target.classes!
  const probabilities = Array.from(scores.subarray(base, base + classes.length))
  return { label: classes[argmax(scores, base, classes.length)], probabilities }
}

/** The reference: predictions for records, one per record. */
export function predict(ir: ModelIR, records: RawRecord[]): Prediction[] {
  const model = compileModel(ir)
  return records.map((r) => model.predictRecord(r))
}
