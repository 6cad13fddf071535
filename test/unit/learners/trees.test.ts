import { afterAll, describe, expect, it } from 'vitest'
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart'
import { RandomForestClassifier } from 'ml-random-forest'
import { compileModel } from '../../../src/ir/evaluate.js'
import { encodeTable } from '../../../src/features/pipeline.js'
import { tableRowsOf } from '../../../src/learners/learner.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { binTreeLeaf, prepareTreeData, toFlatTree } from '../../../src/learners/tree-data.js'
import { buildTree } from '../../../src/learners/tree-builder.js'
import { decisionTree, randomForest } from '../../../src/learners/trees.js'
import { fitModel } from '../../../src/learners/fit-model.js'
import { prepareTarget } from '../../../src/data/target.js'
import { Random } from '../../../src/learners/random.js'
import { logloss } from '../../../src/automl/metrics.js'
import type { Table } from '../../../src/data/table.js'
import { accuracy, bayesAccuracy, fitInputOf, r2, splitPositions, syntheticTable } from '../../helpers/synthetic.js'

afterAll(() => shutdownForestPool())

function holdoutScores(ir: Parameters<typeof compileModel>[0], data: ReturnType<typeof syntheticTable>, positions: Int32Array) {
  return compileModel(ir).scoreTable(data.table, tableRowsOf(data.target, positions))
}

function ys(data: ReturnType<typeof syntheticTable>, positions: Int32Array): Float64Array {
  return Float64Array.from(positions, (p) => data.target.y[p])
}

/** Numeric feature rows for ml-cart / ml-random-forest (no missing values, no categoricals). */
function plainMatrix(data: ReturnType<typeof syntheticTable>, positions: Int32Array): number[][] {
  const cols = data.table.columns.filter((c) => c.name !== data.target.name && c.type === 'numeric')
  return Array.from(positions, (p) => cols.map((c) => (c.type === 'numeric' ? c.values[data.target.rows[p]] : 0)))
}

/** A table of the given columns, named (and fingerprinted) `name`. */
function tableOf(name: string, nRows: number, columns: Table['columns']): Table {
  return { source: name, nRows, columns, fingerprint: name }
}

describe('decision tree', () => {
  it("predicts exactly what the IR evaluator predicts (bins vs raw thresholds), missing values and categories included", async () => {
    const data = syntheticTable({ rows: 3000, task: 'multiclass', seed: 3, missing: 0.1, shape: 'nonlinear' })
    const { train } = splitPositions(data.target.y.length, 0.2, 1)
    const ir = await fitModel(decisionTree, data.table, data.target, train, { ...decisionTree.defaultParams('multiclass'), maxDepth: 8 }, { modelId: 't', seed: 1 })
    const input = { ...fitInputOf(data, 'tree', train), pipeline: ir.features }
    const prepared = prepareTreeData(input)
    const tree = buildTree(prepared.data, { maxDepth: 8, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 99, criterion: 'gini', bootstrap: false, maxSamples: 1, seed: 0 })
    const scores = holdoutScores(ir, data, train)
    const k = 3
    for (let i = 0; i < train.length; i++) {
      const leaf = binTreeLeaf(tree, prepared.data, i)
      for (let c = 0; c < k; c++) expect(scores[i * k + c]).toBe(tree.value[leaf * k + c])
    }
  })

  it('splits midway between the values either side in its node, like scikit-learn, not at the bin above the left side', async () => {
    // g = 0 rows have x in {0, 9} (y = x); g = 1 rows fill x = 0..9 (y = 100), so the bin edges are 0.5, 1.5,
    // ..., 8.5. A depth-2 tree splits on g, then the g = 0 node on x: its rows leave 1..8 out, so the
    // threshold is the edge midway, 4.5 (it was 0.5, the edge right above 0).
    const rows = 220
    const g = new Float64Array(rows)
    const x = new Float64Array(rows)
    const y = new Float64Array(rows)
    for (let i = 0; i < rows; i++) {
      g[i] = i % 2
      x[i] = g[i] === 0 ? (i % 4 === 0 ? 0 : 9) : (i >> 1) % 10
      y[i] = g[i] === 0 ? x[i] : 100
    }
    const table = tableOf('midway', rows, [
      { name: 'g', type: 'numeric', values: g },
      { name: 'x', type: 'numeric', values: x },
      { name: 'y', type: 'numeric', values: y },
    ])
    const target = prepareTarget(table, 'y', 'regression')
    const all = Int32Array.from({ length: rows }, (_, i) => i)
    const ir = await fitModel(decisionTree, table, target, all, { ...decisionTree.defaultParams('regression'), maxDepth: 2 }, { modelId: 'midway', seed: 1 })
    if (ir.model.type !== 'trees') throw new Error()
    const tree = ir.model.trees[0]
    const xSplits = tree.feature.flatMap((f, i) => (f === 1 ? [tree.threshold[i]] : []))
    expect(xSplits).toEqual([4.5])
    // Unseen in that node: x = 4 goes with 0, x = 5 with 9.
    const probe: Table = { ...table, nRows: 2, columns: [{ name: 'g', type: 'numeric', values: Float64Array.of(0, 0) }, { name: 'x', type: 'numeric', values: Float64Array.of(4, 5) }] }
    expect(Array.from(compileModel(ir).scoreTable(probe, Int32Array.of(0, 1)))).toEqual([0, 9])
  })

  it('finds an unambiguous split, like ml-cart', async () => {
    const data = syntheticTable({ rows: 400, task: 'binary', seed: 5, categorical: false })
    const x0 = data.table.columns[0]
    if (x0.type !== 'numeric') throw new Error()
    // Make the target a pure threshold on x0.
    for (let i = 0; i < data.target.y.length; i++) data.target.y[i] = x0.values[data.target.rows[i]] > 0.3 ? 1 : 0
    const all = Int32Array.from(data.target.y, (_, i) => i)
    const ir = await fitModel(decisionTree, data.table, data.target, all, { ...decisionTree.defaultParams('binary'), maxDepth: 1 }, { modelId: 'stump', seed: 1 })
    if (ir.model.type !== 'trees') throw new Error()
    const root = ir.model.trees[0]
    expect(root.feature[0]).toBe(0)
    const cart = new DecisionTreeClassifier({ maxDepth: 1 })
    cart.train(plainMatrix(data, all), Array.from(data.target.y))
    const cartRoot = (cart as unknown as { root: { splitColumn: number; splitValue: number } }).root
    expect(cartRoot.splitColumn).toBe(0)
    // Both thresholds sit between the largest x0 <= 0.3 and the smallest above it.
    const values = Array.from(all, (p) => x0.values[data.target.rows[p]])
    const below = Math.max(...values.filter((v) => v <= 0.3))
    const above = Math.min(...values.filter((v) => v > 0.3))
    for (const t of [root.threshold[0], cartRoot.splitValue]) {
      expect(t).toBeGreaterThanOrEqual(below)
      expect(t).toBeLessThan(above)
    }
    expect(accuracy(holdoutScores(ir, data, all), 2, data.target.y)).toBe(1)
  })

  it('reaches at least ml-cart accuracy on a holdout (classification) and its R2 (regression)', async () => {
    const data = syntheticTable({ rows: 1500, task: 'binary', seed: 11, categorical: false, shape: 'nonlinear' })
    const { train, holdout } = splitPositions(data.target.y.length, 0.3, 2)
    // ml-cart makes a leaf of any node with 3 rows or fewer: the same rule for both.
    const params = { ...decisionTree.defaultParams('binary'), maxDepth: 6, minSamplesSplit: 4 }
    const ir = await fitModel(decisionTree, data.table, data.target, train, params, { modelId: 'a', seed: 1 })
    const ours = accuracy(holdoutScores(ir, data, holdout), 2, ys(data, holdout))
    const cart = new DecisionTreeClassifier({ maxDepth: 6 })
    cart.train(plainMatrix(data, train), Array.from(ys(data, train)))
    const theirs = cart.predict(plainMatrix(data, holdout)).filter((p: number, i: number) => p === data.target.y[holdout[i]]).length / holdout.length
    expect(ours).toBeGreaterThanOrEqual(theirs - 0.01)
    expect(ours).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.15)

    // Smooth targets: on 1,000 rows with heavy-tailed targets, 255 quantile bins cannot isolate a single
    // extreme row the way exact thresholds can (the histogram trade-off LightGBM makes too).
    const reg = syntheticTable({ rows: 1500, task: 'regression', seed: 12, categorical: false })
    const split = splitPositions(reg.target.y.length, 0.3, 2)
    const regIr = await fitModel(decisionTree, reg.table, reg.target, split.train, { ...decisionTree.defaultParams('regression'), maxDepth: 6, minSamplesSplit: 4 }, { modelId: 'r', seed: 1 })
    const ourR2 = r2(holdoutScores(regIr, reg, split.holdout), ys(reg, split.holdout))
    const cartReg = new DecisionTreeRegression({ maxDepth: 6 })
    cartReg.train(plainMatrix(reg, split.train), Array.from(ys(reg, split.train)))
    const theirR2 = r2(Float64Array.from(cartReg.predict(plainMatrix(reg, split.holdout))), ys(reg, split.holdout))
    expect(ourR2).toBeGreaterThanOrEqual(theirR2 - 0.02)
    expect(ourR2).toBeGreaterThan(0.5)
  })

  it('balanced class weights move predictions toward the minority class', async () => {
    const data = syntheticTable({ rows: 2000, task: 'binary', seed: 21, categorical: false })
    // Make "yes" rare: keep only a fifth of the positives as positives.
    for (let i = 0; i < data.target.y.length; i++) if (data.target.y[i] === 1 && i % 5 !== 0) data.target.y[i] = 0
    const all = Int32Array.from(data.target.y, (_, i) => i)
    const positives = async (classWeight: 'none' | 'balanced') => {
      const ir = await fitModel(decisionTree, data.table, data.target, all, { ...decisionTree.defaultParams('binary'), maxDepth: 4, classWeight }, { modelId: 'w', seed: 1 })
      const s = holdoutScores(ir, data, all)
      let n = 0
      for (let i = 0; i < all.length; i++) if (s[i * 2 + 1] > 0.5) n++
      return n
    }
    expect(await positives('balanced')).toBeGreaterThan(2 * (await positives('none')))
  })
})

describe('random forest', () => {
  it('is the same forest for 1 or 2 worker threads, and the same again for the same seed', async () => {
    const data = syntheticTable({ rows: 1200, task: 'binary', seed: 8, missing: 0.05 })
    const { train } = splitPositions(data.target.y.length, 0.2, 3)
    const params = { ...randomForest.defaultParams('binary'), nTrees: 12 }
    const one = await fitModel(randomForest, data.table, data.target, train, { ...params, workers: 1 }, { modelId: 'f', seed: 42 })
    const two = await fitModel(randomForest, data.table, data.target, train, { ...params, workers: 2 }, { modelId: 'f', seed: 42 })
    expect(JSON.stringify(two.model)).toBe(JSON.stringify(one.model))
    const other = await fitModel(randomForest, data.table, data.target, train, { ...params, workers: 2 }, { modelId: 'f', seed: 43 })
    expect(JSON.stringify(other.model)).not.toBe(JSON.stringify(one.model))
  })

  it('beats a single tree and reaches at least ml-random-forest accuracy', async () => {
    const data = syntheticTable({ rows: 1500, task: 'binary', seed: 31, categorical: false, shape: 'nonlinear', features: 8 })
    const { train, holdout } = splitPositions(data.target.y.length, 0.3, 4)
    const forest = await fitModel(randomForest, data.table, data.target, train, { ...randomForest.defaultParams('binary'), nTrees: 50 }, { modelId: 'rf', seed: 1 })
    const tree = await fitModel(decisionTree, data.table, data.target, train, decisionTree.defaultParams('binary'), { modelId: 'dt', seed: 1 })
    const forestAcc = accuracy(holdoutScores(forest, data, holdout), 2, ys(data, holdout))
    const treeAcc = accuracy(holdoutScores(tree, data, holdout), 2, ys(data, holdout))
    expect(forestAcc).toBeGreaterThan(treeAcc)
    const theirs = new RandomForestClassifier({ nEstimators: 20, maxFeatures: 0.4, seed: 1, useSampleBagging: true })
    theirs.train(plainMatrix(data, train), Array.from(ys(data, train)))
    const theirAcc = (theirs.predict(plainMatrix(data, holdout)) as number[]).filter((p, i) => p === data.target.y[holdout[i]]).length / holdout.length
    expect(forestAcc).toBeGreaterThanOrEqual(theirAcc - 0.01)
  })

  it('multiclass and regression forests score sensible holdouts; probabilities sum to 1', async () => {
    const data = syntheticTable({ rows: 1500, task: 'multiclass', seed: 41, missing: 0.05 })
    const { train, holdout } = splitPositions(data.target.y.length, 0.3, 5)
    const ir = await fitModel(randomForest, data.table, data.target, train, { ...randomForest.defaultParams('multiclass'), nTrees: 30 }, { modelId: 'm', seed: 1 })
    const scores = holdoutScores(ir, data, holdout)
    for (let i = 0; i < holdout.length; i++) expect(scores[i * 3] + scores[i * 3 + 1] + scores[i * 3 + 2]).toBeCloseTo(1, 12)
    expect(accuracy(scores, 3, ys(data, holdout))).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.12)

    const reg = syntheticTable({ rows: 1500, task: 'regression', seed: 42 })
    const split = splitPositions(reg.target.y.length, 0.3, 6)
    const regIr = await fitModel(randomForest, reg.table, reg.target, split.train, { ...randomForest.defaultParams('regression'), nTrees: 30 }, { modelId: 'r', seed: 1 })
    expect(r2(holdoutScores(regIr, reg, split.holdout), ys(reg, split.holdout))).toBeGreaterThan(0.7)
  })

  it('a time limit keeps the trees grown by then, the first ones of the whole forest, on one thread or several, and says so', async () => {
    const data = syntheticTable({ rows: 600, task: 'binary', seed: 9 })
    const train = Int32Array.from({ length: 600 }, (_, i) => i)
    for (const workers of [1, 2]) {
      const params = { ...randomForest.defaultParams('binary'), nTrees: 40, workers }
      const whole = await randomForest.fit(fitInputOf(data, 'tree', train), params)
      let checks = 0
      const found: object[] = []
      const short = await randomForest.fit({ ...fitInputOf(data, 'tree', train), timeUp: () => ++checks > 3, report: (f) => found.push(f) }, params)
      expect(short.trees.length).toBeGreaterThanOrEqual(4)
      expect(short.trees.length).toBeLessThan(40)
      expect(short.trees).toEqual(whole.trees.slice(0, short.trees.length))
      expect(found).toEqual([{ trees: short.trees.length, cutShort: true }])
    }
  })

  /**
   * Root splits of a forest of stumps with 2 features per split on 400 rows where x0 decides the class,
   * x1 is noise, and 8 columns are 0 on every row.
   */
  async function stumpRoots(nTrees: number, featureDraw: 'varying' | 'any'): Promise<number[]> {
    const rows = 400
    const random = new Random(3)
    const x0 = Float64Array.from({ length: rows }, () => random.next())
    const x1 = Float64Array.from({ length: rows }, () => random.next())
    const table = tableOf('constants', rows, [
      { name: 'x0', type: 'numeric', values: x0 },
      { name: 'x1', type: 'numeric', values: x1 },
      ...Array.from({ length: 8 }, (_, k) => ({ name: `c${k}`, type: 'numeric' as const, values: new Float64Array(rows) })),
      { name: 'y', type: 'categorical', levels: ['no', 'yes'], codes: Int32Array.from(x0, (v) => (v > 0.5 ? 1 : 0)) },
    ])
    const target = prepareTarget(table, 'y', 'binary')
    const all = Int32Array.from({ length: rows }, (_, i) => i)
    const params = { ...randomForest.defaultParams('binary'), nTrees, maxDepth: 1, maxFeatures: 2, featureDraw, workers: 1 }
    const ir = await fitModel(randomForest, table, target, all, params, { modelId: 'c', seed: 1 })
    if (ir.model.type !== 'trees') throw new Error()
    return ir.model.trees.map((t) => t.feature[0])
  }

  it('draws its features per split among those that vary in the node: constant columns do not use up maxFeatures', async () => {
    // A stump must find x0 among the two varying columns every time (counting the constant ones, it saw
    // x0 in about 1 tree of 4).
    expect(await stumpRoots(30, 'varying')).toEqual(Array(30).fill(0))
  })

  it("with featureDraw 'any' every drawn feature counts toward maxFeatures, constant or not, as scikit-learn draws them", async () => {
    // Drawing 2 of the 10 columns, a stump sees only x1 when it draws x1 and a constant column (16 in
    // 90), or two constant ones and then x1 before x0 (28 in 90): about 49% of the 200 stumps split on
    // the noise, where drawing among varying columns none do (the test above).
    const roots = await stumpRoots(200, 'any')
    expect(new Set(roots)).toEqual(new Set([0, 1]))
    const onNoise = roots.filter((f) => f === 1).length
    expect(onNoise).toBeGreaterThan(70)
    expect(onNoise).toBeLessThan(126)
  })

  it("extremely randomized trees (splitter 'random') draw each threshold uniformly between the node's smallest and largest value, not its quantiles", async () => {
    // x: 90% of the rows in [0, 0.1], the rest spread to 10; y = x. A CART stump on all the rows splits at
    // the same place every time; an extremely randomized stump's threshold is uniform on [0, 10), so it lies above
    // 0.1 about 99% of the time (drawn over the quantiles, as the bins are, it would lie below 0.1 90%).
    const rows = 1000
    const x = Float64Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? (i / rows) * 10 : (i % 97) / 970))
    const table = tableOf('skewed', rows, [
      { name: 'x', type: 'numeric', values: x },
      { name: 'y', type: 'numeric', values: Float64Array.from(x) },
    ])
    const target = prepareTarget(table, 'y', 'regression')
    const all = Int32Array.from({ length: rows }, (_, i) => i)
    const stumps = async (splitter: 'best' | 'random'): Promise<number[]> => {
      const params = { ...randomForest.defaultParams('regression'), nTrees: 200, maxDepth: 1, maxFeatures: 'all' as const, bootstrap: false, splitter, workers: 2 }
      const ir = await fitModel(randomForest, table, target, all, params, { modelId: splitter, seed: 5 })
      if (ir.model.type !== 'trees') throw new Error()
      return ir.model.trees.map((t) => t.threshold[0])
    }
    expect(new Set(await stumps('best')).size).toBe(1)
    const drawn = await stumps('random')
    // Thresholds are bin edges (at most 255 per feature), so draws share them.
    expect(new Set(drawn).size).toBeGreaterThan(30)
    expect(drawn.filter((t) => t > 0.1).length).toBeGreaterThan(190)
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...drawn)).toBeLessThan(10)
  })

  it('a forest of extremely randomized trees predicts what its IR predicts, is the same on 1 or 2 threads, and scores a sensible holdout', async () => {
    const data = syntheticTable({ rows: 1500, task: 'multiclass', seed: 44, missing: 0.1 })
    const { train, holdout } = splitPositions(data.target.y.length, 0.3, 7)
    const params = { ...randomForest.defaultParams('multiclass'), nTrees: 30, maxFeatures: 'all' as const, bootstrap: false, splitter: 'random' as const }
    const one = await fitModel(randomForest, data.table, data.target, train, { ...params, workers: 1 }, { modelId: 'et', seed: 3 })
    const two = await fitModel(randomForest, data.table, data.target, train, { ...params, workers: 2 }, { modelId: 'et', seed: 3 })
    expect(JSON.stringify(two.model)).toBe(JSON.stringify(one.model))
    const scores = holdoutScores(one, data, holdout)
    expect(accuracy(scores, 3, ys(data, holdout))).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.12)
    // The trees as grown on bins, leaf for leaf, against the IR's raw thresholds on the training rows.
    const input = { ...fitInputOf(data, 'tree', train), pipeline: one.features }
    const prepared = prepareTreeData(input)
    const tree = buildTree(prepared.data, { maxDepth: 0, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 99, criterion: 'gini', bootstrap: false, maxSamples: 1, shrinkage: 0, featureDraw: 'varying', splitter: 'random', seed: 11 })
    const ir = { ...one, model: { type: 'trees' as const, combine: 'single' as const, outputs: 3, trees: [toFlatTree(tree, prepared.thresholds)] } }
    const single = holdoutScores(ir, data, train)
    for (let i = 0; i < train.length; i++) {
      const leaf = binTreeLeaf(tree, prepared.data, i)
      for (let c = 0; c < 3; c++) expect(single[i * 3 + c]).toBe(tree.value[leaf * 3 + c])
    }
  })

  it('hierarchical shrinkage keeps the splits and pulls each node toward its parent by 1 / (1 + lambda / parent rows)', async () => {
    const data = syntheticTable({ rows: 800, task: 'regression', seed: 61 })
    const all = Int32Array.from(data.target.y, (_, i) => i)
    const params = { ...decisionTree.defaultParams('regression'), maxDepth: 6 }
    const plain = await fitModel(decisionTree, data.table, data.target, all, params, { modelId: 'p', seed: 1 })
    const shrunk = await fitModel(decisionTree, data.table, data.target, all, { ...params, shrinkage: 50 }, { modelId: 's', seed: 1 })
    if (plain.model.type !== 'trees' || shrunk.model.type !== 'trees') throw new Error()
    const [a, b] = [plain.model.trees[0], shrunk.model.trees[0]]
    expect(b.feature).toEqual(a.feature)
    expect(b.threshold).toEqual(a.threshold)
    // The root's two children, from the root's 800 rows: a step shrunk by 1 / (1 + 50 / 800).
    for (const child of [a.left[0], a.right[0]]) {
      expect(b.value[child]).toBeCloseTo(a.value[0] + (a.value[child] - a.value[0]) / (1 + 50 / 800), 12)
    }
    // Leaves move toward the root's mean, so their spread shrinks.
    const leaves = a.feature.flatMap((f, i) => (f < 0 ? [i] : []))
    const spread = (v: ArrayLike<number>) => Math.max(...leaves.map((i) => v[i])) - Math.min(...leaves.map((i) => v[i]))
    expect(spread(b.value)).toBeLessThan(spread(a.value))
  })

  it('with shrinkage a forest of deep trees gives no class a zero probability, and its holdout log loss is better', async () => {
    const data = syntheticTable({ rows: 1500, task: 'multiclass', seed: 71, shape: 'nonlinear' })
    const { train, holdout } = splitPositions(data.target.y.length, 0.3, 7)
    const params = { ...randomForest.defaultParams('multiclass'), nTrees: 30, workers: 1 }
    const plain = holdoutScores(await fitModel(randomForest, data.table, data.target, train, params, { modelId: 'p', seed: 1 }), data, holdout)
    const shrunk = holdoutScores(await fitModel(randomForest, data.table, data.target, train, { ...params, shrinkage: 25 }, { modelId: 's', seed: 1 }), data, holdout)
    expect(Math.min(...plain)).toBe(0)
    expect(Math.min(...shrunk)).toBeGreaterThan(0)
    for (let i = 0; i < holdout.length; i++) expect(shrunk[i * 3] + shrunk[i * 3 + 1] + shrunk[i * 3 + 2]).toBeCloseTo(1, 12)
    expect(logloss(shrunk, 3, ys(data, holdout))).toBeLessThan(logloss(plain, 3, ys(data, holdout)))
  })

  it('encodes an unseen category at scoring time without failing', async () => {
    const data = syntheticTable({ rows: 600, task: 'binary', seed: 51 })
    const all = Int32Array.from(data.target.y, (_, i) => i)
    const ir = await fitModel(randomForest, data.table, data.target, all, { ...randomForest.defaultParams('binary'), nTrees: 5, workers: 1 }, { modelId: 'u', seed: 1 })
    const model = compileModel(ir)
    const p = model.predictRecord({ x0: 0.1, x1: null, x2: 'NA', x3: 2, color: 'ultraviolet' })
    expect('probabilities' in p && p.probabilities[0] + p.probabilities[1]).toBeCloseTo(1, 12)
    expect(encodeTable(ir.features, data.table).d).toBe(ir.features.width)
  })
})
