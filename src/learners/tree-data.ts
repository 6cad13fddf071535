import { columnIndex, type CategoricalColumn, type NumericColumn } from '../data/table.js'
import type { FlatTree } from '../ir/model.js'
import { levelCodes } from '../features/pipeline.js'
import { binnedColumn, binOf, midpoint, MISSING_BIN } from './binning.js'
import { tableRowsOf, type FitInput } from './learner.js'
import { BINS, type BinTree, type TreeData } from './tree-builder.js'

/** How a feature's bins map back to raw thresholds. */
export interface BinThresholds {
  /** Raw threshold of "bin <= b": the bin edges (numeric) or the code itself (ordinal). */
  edges: Float64Array
  /** Numeric features: the smallest and largest value in each bin, for thresholds midway between a split's sides. */
  lows?: Float64Array
  highs?: Float64Array
}

/** The bins of a fit's training rows plus, per feature, how a bin maps back to a raw threshold. */
export interface PreparedTreeData {
  data: TreeData
  thresholds: BinThresholds[]
}

/** Gathers the shared per-table bins (numeric) and the fit's level codes (categorical) for the training rows. */
export function prepareTreeData(input: FitInput, rows: Int32Array = input.train, useWeights?: Float64Array | null): PreparedTreeData {
  const { table, pipeline, target } = input
  const tableRows = tableRowsOf(target, rows)
  const n = rows.length
  const steps = pipeline.steps
  const bins = new Uint8Array(steps.length * n)
  const nBins = new Uint16Array(steps.length)
  const thresholds: BinThresholds[] = []
  // Each bin's smallest and largest raw value (the code itself for an ordinal feature).
  const binLow = new Float64Array(steps.length * BINS)
  const binHigh = new Float64Array(steps.length * BINS)
  steps.forEach((step, f) => {
    const column = table.columns[columnIndex(table, step.column)]
    const out = bins.subarray(f * n, (f + 1) * n)
    if (step.kind === 'raw') {
      const binned = binnedColumn(table, column as NumericColumn)
      for (let i = 0; i < n; i++) out[i] = binned.bins[tableRows[i]]
      nBins[f] = binned.edges.length
      thresholds.push({ edges: binned.edges, lows: binned.lows, highs: binned.highs })
      for (let b = 0; b < binned.edges.length; b++) {
        binLow[f * BINS + b] = binned.lows[b]
        binHigh[f * BINS + b] = binned.highs[b]
      }
    } else if (step.kind === 'ordinal') {
      const cat = column as CategoricalColumn
      const index = levelCodes(step.levels)
      const other = step.other ? step.levels.length : MISSING_BIN
      const lookup = Int32Array.from(cat.levels, (l) => index.get(l) ?? other)
      for (let i = 0; i < n; i++) {
        const c = cat.codes[tableRows[i]]
        out[i] = c < 0 ? MISSING_BIN : lookup[c]
      }
      const k = step.levels.length + (step.other ? 1 : 0)
      nBins[f] = k
      thresholds.push({ edges: Float64Array.from({ length: k }, (_, b) => b) })
      for (let b = 0; b < k; b++) binLow[f * BINS + b] = binHigh[f * BINS + b] = b
    } else {
      throw new Error(`tree learners take the tree encoding, got a ${step.kind} step`)
    }
  })
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) y[i] = target.y[rows[i]]
  return {
    data: {
      nRows: n,
      nFeatures: steps.length,
      bins,
      nBins,
      y,
      nClasses: target.task === 'regression' ? 0 : target.classes!.length,
      weight: useWeights ?? null,
      binLow,
      binHigh,
    },
    thresholds,
  }
}

/**
 * The raw threshold of a split. A numeric split's training rows lie in bins up to leftMax and from
 * rightMin on (the bins between are empty in its node), so any edge from leftMax's to the one below
 * rightMin splits them alike: the one nearest the middle of the values either side (as scikit-learn
 * splits midway between them), so that unseen values between the sides go to the nearer one. Always
 * a bin edge, so a feature's thresholds stay at most its bins (the exporters' lane form counts on it).
 */
function splitThreshold(t: BinThresholds, bin: number, leftMax: number, rightMin: number): number {
  const { edges, lows, highs } = t
  if (!lows || !highs || leftMax < 0 || rightMin <= leftMax) return edges[bin]
  const middle = midpoint(highs[leftMax], lows[rightMin])
  // The first edge in [leftMax, rightMin - 1] at or above the middle, or the one before it if nearer.
  const at = Math.min(Math.max(binOf(edges, middle), leftMax), rightMin - 1)
  return at > leftMax && middle - edges[at - 1] <= edges[at] - middle ? edges[at - 1] : edges[at]
}

export function toFlatTree(tree: BinTree, thresholds: BinThresholds[]): FlatTree {
  const nodes = tree.feature.length
  const threshold = new Array<number>(nodes)
  for (let i = 0; i < nodes; i++) {
    const f = tree.feature[i]
    threshold[i] = f >= 0 ? splitThreshold(thresholds[f], tree.thresholdBin[i], tree.leftMaxBin[i], tree.rightMinBin[i]) : 0
  }
  return {
    feature: Array.from(tree.feature),
    threshold,
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    missingLeft: Array.from(tree.missingLeft),
    value: Array.from(tree.value),
  }
}

/** The tree's own prediction for row i of its training data (bins), for parity checks. */
export function binTreeLeaf(tree: BinTree, data: TreeData, i: number): number {
  let node = 0
  while (tree.feature[node] >= 0) {
    const b = data.bins[tree.feature[node] * data.nRows + i]
    const left = b === MISSING_BIN ? tree.missingLeft[node] === 1 : b <= tree.thresholdBin[node]
    node = left ? tree.left[node] : tree.right[node]
  }
  return node
}
