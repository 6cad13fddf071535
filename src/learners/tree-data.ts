import { columnIndex, type CategoricalColumn, type NumericColumn } from '../data/table.js'
import type { FlatTree } from '../ir/model.js'
import { levelCodes } from '../features/pipeline.js'
import { binnedColumn, MISSING_BIN } from './binning.js'
import { tableRowsOf, type FitInput } from './learner.js'
import type { BinTree, TreeData } from './tree-builder.js'

/** The bins of a fit's training rows plus, per feature, how a bin maps back to a raw threshold. */
export interface PreparedTreeData {
  data: TreeData
  /** Raw threshold of "bin <= b" per feature: bin edges (numeric) or the code itself (ordinal). */
  thresholds: Float64Array[]
}

/** Gathers the shared per-table bins (numeric) and the fit's level codes (categorical) for the training rows. */
export function prepareTreeData(input: FitInput, rows: Int32Array = input.train, useWeights?: Float64Array | null): PreparedTreeData {
  const { table, pipeline, target } = input
  const tableRows = tableRowsOf(target, rows)
  const n = rows.length
  const steps = pipeline.steps
  const bins = new Uint8Array(steps.length * n)
  const nBins = new Uint16Array(steps.length)
  const thresholds: Float64Array[] = []
  steps.forEach((step, f) => {
    const column = table.columns[columnIndex(table, step.column)]
    const out = bins.subarray(f * n, (f + 1) * n)
    if (step.kind === 'raw') {
      const binned = binnedColumn(table, column as NumericColumn)
      for (let i = 0; i < n; i++) out[i] = binned.bins[tableRows[i]]
      nBins[f] = binned.edges.length
      thresholds.push(binned.edges)
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
      thresholds.push(Float64Array.from({ length: k }, (_, b) => b))
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
    },
    thresholds,
  }
}

export function toFlatTree(tree: BinTree, thresholds: Float64Array[]): FlatTree {
  const nodes = tree.feature.length
  const threshold = new Array<number>(nodes)
  for (let i = 0; i < nodes; i++) threshold[i] = tree.feature[i] >= 0 ? thresholds[tree.feature[i]][tree.thresholdBin[i]] : 0
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
