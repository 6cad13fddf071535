/**
 * A forest laid out for a fast walk, one record at a time (the compact form TypeScript scorers print):
 *
 * - Binned features. Each feature a split reads gets its split thresholds sorted and distinct; per record,
 *   its bin is how many of them are below its value. Then x <= threshold[r] exactly when bin <= r, so a
 *   split compares two small integers (r is the threshold's rank). A missing value takes the bin that sends
 *   it the split's way: every feature has two slots in the bin table, one where missing values are larger
 *   than every rank (they go right) and one where they are -1 (they go left); a split reads the slot its
 *   missing values need. Splits at a NaN threshold (every value goes the missing way) read a slot that is
 *   always -1 or always larger.
 * - One Int32 word says what a split compares: rank << slotBits | slot. The bin table holds bin << slotBits,
 *   so "go right" is one comparison, table[word & slotMask] > word.
 * - Lanes of chained trees. Trees are walked TREE_LANES at a time, each lane through its own trees one
 *   after another: a leaf's children are both the root of the lane's next tree (or a node that loops on
 *   itself when the lane is done), and its word names its tree and its leaf values. Every step records its
 *   word in a table by the word's top bits (a split's top bits are 0, a scratch slot), so when all lanes
 *   are done, the table holds each tree's leaf, and the values are added in tree order: the evaluator's
 *   sums, to the bit. The walk takes no branch on the data (a walk that stops at each leaf mispredicts once
 *   per tree and loses the lanes' overlap), and checks for the end every LANE_STEPS steps.
 * - Trees in batches. The words' top bits number a batch's trees; a model whose words need more bits
 *   than 32 - (tree number bits) is walked in several batches (most models fit in one).
 *
 * Measured on the default random forest (100 trees, 85 k nodes, depth 33), Node 20: about 3.5x the rows per
 * second of walking tree by tree on float thresholds; see bench/suites/scorer.mjs.
 */

import type { FlatTree } from '../ir/model.js'

/** Trees walked side by side (6 to 10 measured alike on 100-tree forests; 8 fits x64's registers). */
export const TREE_LANES = 8
/** Steps every lane takes between checks for the end of the walk. */
export const LANE_STEPS = 2

/** The tree arrays the lane form is built from (scorer-plan.ts has checked them). */
export type LaneTreeInput = FlatTree

export interface LaneForest {
  /** Per feature some split reads, in feature order: its distinct thresholds, sorted (no NaN). */
  binned: { feature: number; thresholds: number[] }[]
  /** A feature's two slots: 2i (missing goes right) and 2i + 1 (missing goes left), i its index in binned. */
  slotBits: number
  /** Slots always -1 (a split on it goes left) and always above every rank (it goes right). */
  leftSlot: number
  rightSlot: number
  /** Bin table value of a missing value that goes right: above every split word. */
  missingRight: number
  /** A leaf's word: (its tree's number in the batch + 1) << leafShift | its values' index in `values`. */
  leafShift: number
  /** 3 Int32 per node: its word, then its left and right child as offsets into `node` (3 x index). */
  node: number[]
  /** Per tree: the offset of its first node (its root); then `park`, the last node. */
  treeStart: number[]
  /** The node every lane ends on: word 0, both children itself. */
  park: number
  /** Lanes walked side by side (at most TREE_LANES, at most the trees of the largest batch). */
  lanes: number
  /** Per batch: how many trees, and each lane's first node (park when the lane has no tree). */
  batches: { trees: number; start: number[] }[]
  /** The distinct leaf value vectors, `outputs` numbers each. */
  values: number[]
}

function bitsFor(count: number): number {
  let bits = 0
  while (2 ** bits < count) bits++
  return bits
}

/**
 * The lane form of checked trees, or null when a split's word cannot hold rank and slot in 30 bits (say
 * 32 k distinct thresholds on one feature of a model that reads 10 k; this project's learners split at
 * most 255 bins per feature).
 */
export function laneForest(trees: LaneTreeInput[], outputs: number, maxBatchTrees = Infinity): LaneForest | null {
  const thresholdSets = new Map<number, Set<number>>()
  for (const t of trees) {
    t.feature.forEach((f, i) => {
      if (f < 0 || Number.isNaN(t.threshold[i])) return
      if (!thresholdSets.has(f)) thresholdSets.set(f, new Set())
      thresholdSets.get(f)!.add(t.threshold[i])
    })
  }
  // Features that only split at NaN still get their slots (unused); every split feature is listed.
  for (const t of trees) for (const f of t.feature) if (f >= 0 && !thresholdSets.has(f)) thresholdSets.set(f, new Set())
  const binned = [...thresholdSets.keys()].sort((a, b) => a - b).map((feature) => ({ feature, thresholds: [...thresholdSets.get(feature)!].sort((a, b) => a - b) }))
  const indexOf = new Map(binned.map((b, i) => [b.feature, i]))
  // -0 and 0 are one threshold (Set and sort treat them as equal), as they are to <=.
  const rankOf = binned.map((b) => new Map(b.thresholds.map((v, r) => [v, r])))
  const leftSlot = 2 * binned.length
  const rightSlot = leftSlot + 1
  const slotBits = Math.max(1, bitsFor(rightSlot + 1))
  // Bins run from 0 to the threshold count.
  const rankBits = bitsFor(binned.reduce((most, b) => Math.max(most, b.thresholds.length), 0) + 1)
  if (slotBits + rankBits > 30) return null

  const valueIndex = new Map<string, number>()
  const values: number[] = []
  const vectorOf = (t: LaneTreeInput, i: number): number => {
    const v = t.value.slice(i * outputs, i * outputs + outputs)
    // -0 is its own value (a sum can tell), NaN one value.
    const key = v.map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')
    let u = valueIndex.get(key)
    if (u === undefined) {
      u = valueIndex.size
      valueIndex.set(key, u)
      values.push(...v)
    }
    return u
  }
  const leafVectors = trees.map((t) => t.feature.map((f, i) => (f < 0 ? vectorOf(t, i) : -1)))
  const leafShift = Math.max(slotBits + rankBits, bitsFor(valueIndex.size))
  if (leafShift > 31) return null
  // (maxBatchTrees: tests walk small forests in several batches.)
  const batchSize = Math.min(trees.length, 2 ** (32 - leafShift) - 1, maxBatchTrees)

  const node: number[] = []
  const treeStart: number[] = []
  /** Per tree, its leaf nodes (offsets), whose children are filled in once every root is known. */
  const leafNodes: number[][] = []
  trees.forEach((t, tree) => {
    treeStart.push(node.length)
    const leaves = new Map<number, number>()
    const inBatch = tree % batchSize
    // Depth first, left before right (an explicit stack: a compact tree may be a chain thousands deep).
    const stack: [number, number][] = [[0, -1]]
    while (stack.length > 0) {
      const [i, parentSlot] = stack.pop()!
      const at = node.length
      if (t.feature[i] < 0) {
        const u = leafVectors[tree][i]
        const known = leaves.get(u)
        if (parentSlot >= 0) node[parentSlot] = known ?? at
        if (known !== undefined) continue
        leaves.set(u, at)
        node.push(((inBatch + 1) * 2 ** leafShift + u) | 0, -1, -1)
        continue
      }
      if (parentSlot >= 0) node[parentSlot] = at
      const threshold = t.threshold[i]
      const missingLeft = t.missingLeft[i] === 1
      const feature = indexOf.get(t.feature[i])!
      const word = Number.isNaN(threshold)
        ? missingLeft
          ? leftSlot
          : rightSlot
        : (rankOf[feature].get(threshold)! << slotBits) | (2 * feature + (missingLeft ? 1 : 0))
      node.push(word, -1, -1)
      stack.push([t.right[i], at + 2], [t.left[i], at + 1])
    }
    leafNodes.push([...leaves.values()])
  })
  const park = node.length
  treeStart.push(park)
  node.push(0, park, park)

  const lanes = Math.min(TREE_LANES, batchSize)
  const batches: LaneForest['batches'] = []
  for (let first = 0; first < trees.length; first += batchSize) {
    const count = Math.min(batchSize, trees.length - first)
    // A lane walks trees first + lane, first + lane + lanes, ...; a leaf leads to its lane's next tree.
    for (let i = 0; i < count; i++) {
      const next = i + lanes < count ? treeStart[first + i + lanes] : park
      for (const leaf of leafNodes[first + i]) node[leaf + 1] = node[leaf + 2] = next
    }
    batches.push({ trees: count, start: Array.from({ length: lanes }, (_, lane) => (lane < count ? treeStart[first + lane] : park)) })
  }
  return { binned, slotBits, leftSlot, rightSlot, missingRight: 2 ** 31 - 1, leafShift, node, treeStart, park, lanes, batches, values }
}
