/**
 * The histogram tree builder: CART on pre-binned features (bins 0..254, 255 = missing), typed arrays
 * only. Used directly for decision trees and inside worker threads for forests, so it takes and returns
 * plain typed arrays that can cross a thread boundary.
 */
import { MISSING_BIN } from './binning.js'
import { Random } from './random.js'

export type Criterion = 'gini' | 'entropy' | 'squared_error'

export interface TreeData {
  nRows: number
  nFeatures: number
  /** Feature-major bins: bins[f * nRows + i]. */
  bins: Uint8Array
  /** Bins in use per feature (not counting the missing bin). */
  nBins: Uint16Array
  /** Class index (classification) or value (regression) per row. */
  y: Float64Array
  /** Number of classes; 0 for regression. */
  nClasses: number
  /** Weight per row (class weights); null for all ones. */
  weight: Float64Array | null
  /**
   * The smallest and largest raw value of each bin (binLow[f * BINS + b]), for a random split's threshold
   * drawn uniformly between a node's values (see Splitter); without them, between its bins' indexes.
   */
  binLow?: Float64Array
  binHigh?: Float64Array
}

export interface TreeParams {
  /** 0 for unlimited. */
  maxDepth: number
  minSamplesLeaf: number
  minSamplesSplit: number
  /** Features tried per split (all when >= nFeatures). */
  maxFeatures: number
  criterion: Criterion
  /** Draw a bootstrap sample of the rows (forests). */
  bootstrap: boolean
  /** Fraction of rows drawn for a bootstrap sample (1 = n rows). */
  maxSamples: number
  /** Hierarchical shrinkage's lambda (see shrinkValues); 0 keeps each node's own mean. */
  shrinkage: number
  /** Which drawn features count toward maxFeatures (see FeatureDraw). */
  featureDraw: FeatureDraw
  /** How a drawn feature's threshold is chosen (see Splitter); default 'best'. */
  splitter?: Splitter
  seed: number
}

/**
 * How a split chooses the threshold of each feature it tries:
 * - 'best' (CART): the best of every threshold between the node's present bins.
 * - 'random' (extremely randomized trees, Geurts et al., 2006; scikit-learn's ExtraTrees, H2O's XRT):
 *   one threshold drawn uniformly between the node's smallest and largest value of the feature, as
 *   scikit-learn draws it, and the split is the best of the tried features' drawn thresholds. Trees
 *   vary more and average smoother: a forest of them wins on many small noisy tables and on log loss,
 *   where a forest of CART trees' near-pure leaves cost it.
 */
export type Splitter = 'best' | 'random'

/**
 * How a split draws its maxFeatures features (when fewer than all):
 * - 'varying': it goes on drawing until maxFeatures of them vary in the node, and on until some split
 *   is valid. On tables of many 0/1 columns most features are constant in deep nodes, and counting them
 *   would leave those nodes a split among one or two features.
 * - 'any' (scikit-learn's rule): every drawn feature counts, constant in the node or not (drawing goes
 *   on past constant ones only while all drawn so far are constant), and a node whose drawn features
 *   give no valid split (each child at least minSamplesLeaf rows) is a leaf. Trees stop earlier, at
 *   random, where few features vary: a regularizer that wins on noisy tables (movies' forest with a min
 *   leaf of 5: 1.336 5-fold CV RMSE against 1.350; scikit-learn's 1.336) and loses where trees grown
 *   deep win (computers, digits).
 */
export type FeatureDraw = 'varying' | 'any'

/** A fitted tree on bins: split "bin <= thresholdBin" goes left; missing goes left when missingLeft is 1. */
export interface BinTree {
  feature: Int32Array
  thresholdBin: Int32Array
  /**
   * Per split, the highest present bin of the rows sent left and the lowest of those sent right (-1 when
   * a side has only missing values): the raw threshold may lie anywhere between them (see toFlatTree).
   */
  leftMaxBin: Int32Array
  rightMinBin: Int32Array
  left: Int32Array
  right: Int32Array
  missingLeft: Uint8Array
  /** outputs values per node: class proportions or the mean. */
  value: Float64Array
  outputs: number
}

/** Bin slots per feature (bins 0..254 and the missing bin): the stride of per-feature bin arrays. */
export const BINS = 256
/** Below this many rows a node scans per-feature sparse histograms instead of full ones. */
const FULL_HIST_MIN_ROWS = 1024

class NodeArrays {
  constructor(private readonly outputs: number) {}
  feature: number[] = []
  thresholdBin: number[] = []
  leftMaxBin: number[] = []
  rightMinBin: number[] = []
  left: number[] = []
  right: number[] = []
  missingLeft: number[] = []
  value: number[] = []
  /** Training rows per node (distinct rows of a bootstrap sample). */
  rows: number[] = []
  add(): number {
    this.feature.push(-1)
    this.thresholdBin.push(0)
    this.leftMaxBin.push(-1)
    this.rightMinBin.push(-1)
    this.left.push(-1)
    this.right.push(-1)
    this.missingLeft.push(0)
    this.rows.push(0)
    for (let j = 0; j < this.outputs; j++) this.value.push(0)
    return this.feature.length - 1
  }
}

interface Split {
  feature: number
  bin: number
  missingLeft: boolean
  score: number
}

/**
 * Per-bin statistics: S numbers per bin. Classification: weighted count per class, then the row count.
 * Regression: weight, weighted sum of y, row count.
 */
function statsWidth(nClasses: number): number {
  return nClasses > 0 ? nClasses + 1 : 3
}

export function buildTree(data: TreeData, params: TreeParams): BinTree {
  const { nRows, nFeatures, bins, nBins, y, nClasses, binLow, binHigh } = data
  const S = statsWidth(nClasses)
  const C = S - 1 // index of the row count within a bin's stats
  const rng = new Random(params.seed)

  // Row weights: class weight times bootstrap multiplicity; rows drawn zero times take no part.
  let weight: Float64Array = data.weight ?? new Float64Array(nRows).fill(1)
  let rows: Int32Array
  if (params.bootstrap) {
    const draws = Math.max(1, Math.round(params.maxSamples * nRows))
    const counts = new Float64Array(nRows)
    for (let i = 0; i < draws; i++) counts[rng.int(nRows)]++
    const w = new Float64Array(nRows)
    let used = 0
    for (let i = 0; i < nRows; i++) {
      w[i] = counts[i] * weight[i]
      if (counts[i] > 0) used++
    }
    weight = w
    rows = new Int32Array(used)
    for (let i = 0, j = 0; i < nRows; i++) if (counts[i] > 0) rows[j++] = i
  } else {
    rows = new Int32Array(nRows)
    for (let i = 0; i < nRows; i++) rows[i] = i
  }

  const allFeatures = params.maxFeatures >= nFeatures
  const mtry = Math.max(1, Math.min(nFeatures, params.maxFeatures))
  const featureOrder = new Int32Array(nFeatures)
  for (let f = 0; f < nFeatures; f++) featureOrder[f] = f
  const histSize = nFeatures * BINS * S
  const freeHists: Float64Array[] = []
  const takeHist = (): Float64Array => {
    const h = freeHists.pop()
    if (h) {
      h.fill(0)
      return h
    }
    return new Float64Array(histSize)
  }
  const featureBuf = new Float64Array(BINS * S)
  const tmpRows = new Int32Array(rows.length)
  const totals = new Float64Array(S)
  const leftStats = new Float64Array(S)
  const candLeft = new Float64Array(S)
  const outputs = nClasses > 0 ? nClasses : 1
  const nodes = new NodeArrays(outputs)

  const addStats = (h: Float64Array, base: number, i: number): void => {
    const w = weight[i]
    if (nClasses > 0) h[base + y[i]] += w
    else {
      h[base] += w
      h[base + 1] += w * y[i]
    }
    h[base + C]++
  }

  /** Histogram of one feature over rows[start, end) into h at offset. */
  const featureHist = (h: Float64Array, offset: number, f: number, start: number, end: number): void => {
    const fb = f * nRows
    for (let r = start; r < end; r++) {
      const i = rows[r]
      addStats(h, offset + bins[fb + i] * S, i)
    }
  }

  // Node impurity terms: larger is better ("proxy" of the impurity improvement, as in scikit-learn).
  const proxy = (s: Float64Array, base: number): number => {
    if (nClasses === 0) {
      const w = s[base]
      return w > 0 ? (s[base + 1] * s[base + 1]) / w : 0
    }
    let w = 0
    for (let c = 0; c < nClasses; c++) w += s[base + c]
    if (w <= 0) return 0
    let acc = 0
    if (params.criterion === 'entropy') {
      for (let c = 0; c < nClasses; c++) {
        const v = s[base + c]
        if (v > 0) acc += v * Math.log(v / w)
      }
      return acc
    }
    for (let c = 0; c < nClasses; c++) acc += s[base + c] * s[base + c]
    return acc / w
  }

  const rightStats = new Float64Array(S)
  /**
   * Best split of one feature given its histogram (at offset) and the node totals, trying "bin <= b"
   * for the present bins listed in scan[0, nScan) (ascending).
   */
  const randomSplit = params.splitter === 'random'
  /**
   * A random split's one threshold for a feature (see Splitter): the highest present bin whose values
   * all lie at or below u, drawn uniformly in [the node's smallest value, its largest), or the lowest
   * present bin; with one present bin, that bin (splitting off the missing values); -1 for no split.
   */
  const randomThreshold = (h: Float64Array, offset: number, f: number, scan: Int32Array, nScan: number, missingCount: number): number => {
    let lo = -1
    let hi = -1
    for (let t = 0; t < nScan; t++) {
      if (h[offset + scan[t] * S + C] === 0) continue
      if (lo < 0) lo = scan[t]
      hi = scan[t]
    }
    if (lo < 0) return -1
    if (hi === lo) return missingCount > 0 ? lo : -1
    const fb = f * BINS
    const vLo = binLow ? binLow[fb + lo] : lo
    const vHi = binHigh ? binHigh[fb + hi] : hi
    let u = vLo + rng.next() * (vHi - vLo)
    if (u >= vHi) u = vLo
    let drawn = lo
    for (let t = 0; t < nScan && scan[t] < hi; t++) {
      const b = scan[t]
      if (h[offset + b * S + C] > 0 && (binHigh ? binHigh[fb + b] : b) <= u) drawn = b
    }
    return drawn
  }
  const bestOfFeature = (h: Float64Array, offset: number, f: number, scan: Int32Array, nScan: number, best: Split): void => {
    const mBase = offset + MISSING_BIN * S
    const missingCount = h[mBase + C]
    const sides = missingCount > 0 ? 2 : 1
    // Without missing values the last present bin leaves nothing on the right.
    let last = missingCount > 0 ? nScan : nScan - 1
    // A random split tries only "bin <= drawn".
    const drawn = randomSplit ? randomThreshold(h, offset, f, scan, nScan, missingCount) : -1
    if (randomSplit && drawn < 0) return
    leftStats.fill(0)
    for (let t = 0; t < last; t++) {
      const b = scan[t]
      const base = offset + b * S
      for (let s = 0; s < S; s++) leftStats[s] += h[base + s]
      if (randomSplit) {
        // Sum the bins up to the drawn threshold, then try it alone.
        if (t + 1 < nScan && scan[t + 1] <= drawn) continue
        last = t + 1
      }
      // Try sending missing values right, then left (when any are present).
      for (let side = 0; side < sides; side++) {
        const missingLeft = side === 1
        const leftCount = missingLeft ? leftStats[C] + missingCount : leftStats[C]
        const rightCount = totals[C] - leftCount
        if (leftCount < params.minSamplesLeaf || rightCount < params.minSamplesLeaf) continue
        for (let s = 0; s < S; s++) {
          const l = missingLeft ? leftStats[s] + h[mBase + s] : leftStats[s]
          candLeft[s] = l
          rightStats[s] = totals[s] - l
        }
        const score = proxy(candLeft, 0) + proxy(rightStats, 0)
        if (score > best.score) {
          best.score = score
          best.feature = f
          best.bin = b
          best.missingLeft = missingLeft
        }
      }
    }
  }

  // Every present bin in order, for scans of full histograms.
  const allBins = Int32Array.from({ length: BINS - 1 }, (_, b) => b)
  const touched = new Int32Array(BINS)
  /**
   * Histogram of one feature over a node's rows in featureBuf, listing the present bins it touched in
   * `touched` (sorted): small deep nodes then scan a handful of bins instead of 255.
   */
  const sparseFeatureHist = (f: number, start: number, end: number): number => {
    const fb = f * nRows
    let nTouched = 0
    for (let r = start; r < end; r++) {
      const i = rows[r]
      const b = bins[fb + i]
      const base = b * S
      if (featureBuf[base + C] === 0 && b !== MISSING_BIN) touched[nTouched++] = b
      addStats(featureBuf, base, i)
    }
    touched.subarray(0, nTouched).sort()
    return nTouched
  }
  const clearFeatureBuf = (nTouched: number): void => {
    for (let t = 0; t < nTouched; t++) featureBuf.fill(0, touched[t] * S, touched[t] * S + S)
    featureBuf.fill(0, MISSING_BIN * S, MISSING_BIN * S + S)
  }

  const setLeafValue = (node: number): void => {
    if (nClasses > 0) {
      let w = 0
      for (let c = 0; c < nClasses; c++) w += totals[c]
      for (let c = 0; c < nClasses; c++) nodes.value[node * nClasses + c] = w > 0 ? totals[c] / w : 1 / nClasses
    } else {
      nodes.value[node] = totals[0] > 0 ? totals[1] / totals[0] : 0
    }
  }

  const computeTotals = (start: number, end: number): void => {
    totals.fill(0)
    for (let r = start; r < end; r++) addStats(totals, 0, rows[r])
  }

  const isPure = (): boolean => {
    if (nClasses === 0) return false
    let nonZero = 0
    for (let c = 0; c < nClasses; c++) if (totals[c] > 0) nonZero++
    return nonZero <= 1
  }

  interface Task {
    node: number
    start: number
    end: number
    depth: number
    hist: Float64Array | null
  }
  const root = nodes.add()
  const stack: Task[] = [{ node: root, start: 0, end: rows.length, depth: 0, hist: null }]

  while (stack.length > 0) {
    const task = stack.pop()!
    const { node, start, end, depth } = task
    computeTotals(start, end)
    setLeafValue(node)
    const count = end - start
    nodes.rows[node] = count
    const canSplit =
      count >= params.minSamplesSplit && count >= 2 * params.minSamplesLeaf && (params.maxDepth === 0 || depth < params.maxDepth) && !isPure()
    if (!canSplit) {
      if (task.hist) freeHists.push(task.hist)
      continue
    }
    const parentProxy = proxy(totals, 0)
    const best: Split = { feature: -1, bin: 0, missingLeft: false, score: parentProxy + 1e-12 * Math.abs(parentProxy) + 1e-300 }
    let hist = task.hist
    const full = allFeatures && (hist !== null || count >= FULL_HIST_MIN_ROWS)
    if (full) {
      if (!hist) {
        hist = takeHist()
        for (let f = 0; f < nFeatures; f++) featureHist(hist, f * BINS * S, f, start, end)
      }
      for (let f = 0; f < nFeatures; f++) bestOfFeature(hist, f * BINS * S, f, allBins, nBins[f], best)
    } else if (allFeatures) {
      for (let f = 0; f < nFeatures; f++) {
        const nTouched = sparseFeatureHist(f, start, end)
        bestOfFeature(featureBuf, 0, f, touched, nTouched, best)
        clearFeatureBuf(nTouched)
      }
    } else {
      // Features in random order, mtry of them as params.featureDraw says (see FeatureDraw).
      const any = params.featureDraw === 'any'
      let visited = 0
      for (let k = 0; k < nFeatures; k++) {
        const j = k + rng.int(nFeatures - k)
        const f = featureOrder[j]
        featureOrder[j] = featureOrder[k]
        featureOrder[k] = f
        if (any ? k >= mtry && visited > 0 : visited >= mtry && best.feature >= 0) break
        const nTouched = sparseFeatureHist(f, start, end)
        const constant = nTouched === 0 || (nTouched === 1 && featureBuf[MISSING_BIN * S + C] === 0)
        if (!constant) bestOfFeature(featureBuf, 0, f, touched, nTouched, best)
        clearFeatureBuf(nTouched)
        if (!constant) visited++
      }
    }
    if (best.feature < 0) {
      if (hist) freeHists.push(hist)
      continue
    }

    // Partition rows[start, end) into left then right.
    const fb = best.feature * nRows
    let l = start
    let rCount = 0
    let leftMax = -1
    let rightMin = MISSING_BIN
    for (let r = start; r < end; r++) {
      const i = rows[r]
      const b = bins[fb + i]
      if (b === MISSING_BIN ? best.missingLeft : b <= best.bin) {
        rows[l++] = i
        if (b !== MISSING_BIN && b > leftMax) leftMax = b
      } else {
        tmpRows[rCount++] = i
        if (b < rightMin) rightMin = b
      }
    }
    rows.set(tmpRows.subarray(0, rCount), l)

    // A node that saw no missing values sends them to its larger child.
    let missingLeft = best.missingLeft
    if (full ? hist![best.feature * BINS * S + MISSING_BIN * S + C] === 0 : !anyMissing(fb, start, end)) {
      missingLeft = l - start >= end - l
    }
    const leftNode = nodes.add()
    const rightNode = nodes.add()
    nodes.feature[node] = best.feature
    nodes.thresholdBin[node] = best.bin
    nodes.leftMaxBin[node] = leftMax
    nodes.rightMinBin[node] = rightMin === MISSING_BIN ? -1 : rightMin
    nodes.left[node] = leftNode
    nodes.right[node] = rightNode
    nodes.missingLeft[node] = missingLeft ? 1 : 0

    let leftHist: Float64Array | null = null
    let rightHist: Float64Array | null = null
    if (full) {
      const leftSmaller = l - start <= end - l
      const parent = hist!
      if (Math.max(l - start, end - l) >= FULL_HIST_MIN_ROWS) {
        // Sibling subtraction: build the smaller child's histogram, the larger one is parent minus it.
        const small = takeHist()
        const [s0, s1] = leftSmaller ? [start, l] : [l, end]
        for (let f = 0; f < nFeatures; f++) featureHist(small, f * BINS * S, f, s0, s1)
        for (let i = 0; i < histSize; i++) parent[i] -= small[i]
        leftHist = leftSmaller ? small : parent
        rightHist = leftSmaller ? parent : small
      } else freeHists.push(parent)
    }
    // Depth first, left child on top of the stack.
    stack.push({ node: rightNode, start: l, end, depth: depth + 1, hist: rightHist })
    stack.push({ node: leftNode, start, end: l, depth: depth + 1, hist: leftHist })
  }

  function anyMissing(fb: number, start: number, end: number): boolean {
    for (let r = start; r < end; r++) if (bins[fb + rows[r]] === MISSING_BIN) return true
    return false
  }

  return {
    feature: Int32Array.from(nodes.feature),
    thresholdBin: Int32Array.from(nodes.thresholdBin),
    leftMaxBin: Int32Array.from(nodes.leftMaxBin),
    rightMinBin: Int32Array.from(nodes.rightMinBin),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
    missingLeft: Uint8Array.from(nodes.missingLeft),
    value: params.shrinkage > 0 ? shrinkValues(nodes, outputs, params.shrinkage) : Float64Array.from(nodes.value),
    outputs,
  }
}

/**
 * Hierarchical shrinkage (Agarwal et al., ICML 2022): each node's value becomes its parent's shrunk
 * value plus the step from the parent's mean to its own, divided by 1 + lambda / (the parent's rows).
 * Steps taken on many rows stay; steps taken near the leaves, on few rows, shrink toward the path's
 * earlier means. The splits are unchanged, so a tree's model is the same shape with other values; a
 * leaf's class proportions stay proportions, and a pure leaf's zeros become small probabilities that a
 * log loss does not punish without end.
 */
function shrinkValues(nodes: NodeArrays, k: number, lambda: number): Float64Array {
  const raw = nodes.value
  const out = Float64Array.from(raw)
  // Children are always added after their parent, so one pass in node order sees each parent first.
  for (let p = 0; p < nodes.feature.length; p++) {
    if (nodes.feature[p] < 0) continue
    const factor = 1 / (1 + lambda / nodes.rows[p])
    for (const c of [nodes.left[p], nodes.right[p]]) {
      for (let j = 0; j < k; j++) out[c * k + j] = out[p * k + j] + (raw[c * k + j] - raw[p * k + j]) * factor
    }
  }
  return out
}
