import { afterAll, describe, expect, it } from 'vitest'
import { NET_BAG, REFIT_TREES } from '../../../src/automl/refit-plan.js'
import { refitTooShort, runSearch, slotOf } from '../../../src/automl/search.js'
import { classRatioOf, UNEQUAL_CLASSES } from '../../../src/automl/space.js'
import { holdoutSplit, kFolds } from '../../../src/automl/split.js'
import { refitModel, runTrial, TrialSkipped } from '../../../src/automl/trial.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import { mlp } from '../../../src/learners/mlp.js'
import { defaultMlpParams, shutdownMlpPool } from '../../../src/learners/mlp.js'
import { fitModel } from '../../../src/learners/fit-model.js'
import { decisionTree, randomForest } from '../../../src/learners/trees.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { syntheticTable } from '../../helpers/synthetic.js'

afterAll(async () => {
  await shutdownMlpPool()
  await shutdownForestPool()
})

describe("a trial's time limit", () => {
  const { table, target } = syntheticTable({ rows: 600, task: 'binary', seed: 8 })
  const folds = [holdoutSplit(target, 0.2, 1)]

  it('a trial whose part of the time left is under its minimum is not started; with enough it runs whole', async () => {
    const spec = { modelId: 'tree_1', family: 'decision_tree' as const, params: { ...decisionTree.defaultParams('binary'), minSamplesLeaf: 20 }, seed: 3 }
    // 10 s left, half of it the refit's: 5 s for the trial, under the 8 s minimum.
    await expect(runTrial(table, target, folds, { ...spec, timeLimit: { endAt: Date.now() + 10_000, refitShare: 1, minMs: 8_000 } }, 'auc')).rejects.toThrow(TrialSkipped)
    const { result } = await runTrial(table, target, folds, { ...spec, timeLimit: { endAt: Date.now() + 10_000, refitShare: 1, minMs: 1_000 } }, 'auc')
    expect(result.score).toBeGreaterThan(0.5)
    expect(result.cutShort).toBeUndefined()
  })

  it('a forest past its time limit keeps the trees it grew, and its params say how many', async () => {
    const params = { ...randomForest.defaultParams('binary'), nTrees: 50, workers: 1 }
    // No time at all: the one tree every forest grows.
    const { result } = await runTrial(table, target, folds, { modelId: 'random_forest_1', family: 'random_forest', params, seed: 3, timeLimit: { endAt: Date.now(), refitShare: 1 } }, 'auc')
    expect(result.cutShort).toBe(true)
    expect(result.params).toEqual({ ...params, nTrees: 1 })
  })
})

describe('a trial of a net', () => {
  const { table, target } = syntheticTable({ rows: 600, task: 'binary', seed: 7 })
  const folds = [holdoutSplit(target, 0.2, 1)]
  const params = { ...defaultMlpParams(), hidden: [8], epochs: 60, threads: 1 }

  it('with a holdout, keeps for its refit the best epoch early stopping found, trained on every row (no rows held back to stop early)', async () => {
    const { result } = await runTrial(table, target, folds, { modelId: 'mlp_1', family: 'mlp', params, seed: 3 }, 'auc')
    const epochs = result.refitParams?.epochs as number
    expect(Number.isInteger(epochs) && epochs >= 1 && epochs <= 60).toBe(true)
    expect(result.refitParams).toEqual({ ...params, epochs, validationFraction: 0 })
    expect(result.params).toEqual(params)
  })

  it('in k-fold CV, stops early again on its refit, within the most epochs a fold trained for', async () => {
    const cv = await runTrial(table, target, kFolds(target, 3, 1), { modelId: 'mlp_4', family: 'mlp', params, seed: 3 }, 'auc')
    const epochs = cv.result.refitParams?.epochs as number
    expect(Number.isInteger(epochs) && epochs >= 1 && epochs <= 60).toBe(true)
    expect(cv.result.refitParams).toEqual({ ...params, epochs })
    expect(cv.result.slowestFoldMs).toBeGreaterThan(0)
    expect(cv.result.slowestFoldMs).toBeLessThanOrEqual(cv.result.trainMs)
  })

  it('refits as given when nothing was validated, on a subsample rung, or for another family', async () => {
    const plain = await runTrial(table, target, folds, { modelId: 'mlp_2', family: 'mlp', params: { ...params, validationFraction: 0 }, seed: 3 }, 'auc')
    expect(plain.result.refitParams).toBeUndefined()
    const rung = await runTrial(table, target, folds, { modelId: 'mlp_3', family: 'mlp', params, seed: 3, rowFraction: 0.5 }, 'auc')
    expect(rung.result.refitParams).toBeUndefined()
    const tree = await runTrial(table, target, folds, { modelId: 'tree_1', family: 'decision_tree', params: {}, seed: 3 }, 'auc')
    expect(tree.result.refitParams).toBeUndefined()
  })

  it('with a holdout the search refits a kept net with those params', async () => {
    const r = await runSearch(table, target, { families: ['mlp'], metric: 'auc', strategy: 'random', maxTrials: 2, folds: 3, seed: 1, workers: 1, keep: 2, validation: 'holdout', ensemble: false })
    for (const ir of r.models) {
      const row = r.leaderboard.rows.find((x) => x.modelId === ir.modelId)!
      expect(row.refitParams).toBeDefined()
      expect(ir.params).toMatchObject({ epochs: row.refitParams!.epochs, validationFraction: 0 })
    }
  }, 60_000)
})

describe('a net refit', () => {
  const { table, target } = syntheticTable({ rows: 400, task: 'regression', seed: 6 })
  const all = Int32Array.from({ length: target.y.length }, (_, i) => i)

  it(`is a bag of ${NET_BAG} nets on all rows, the first the trial's own, averaged on one copy of their pipeline`, async () => {
    const r = await runSearch(table, target, { families: ['mlp'], metric: 'rmse', strategy: 'random', maxTrials: 1, folds: 3, seed: 1, workers: 1, keep: 1, ensemble: false })
    const [ir] = r.models
    const row = r.leaderboard.rows[0]
    expect(ir).toMatchObject({ modelId: row.modelId, family: 'mlp', params: { ...row.refitParams, bag: NET_BAG } })
    if (ir.model.type !== 'ensemble') throw new Error('expected a bag')
    expect(ir.model.members.map((m) => [m.modelId, m.family, m.offset, m.width, m.weight])).toEqual(
      Array.from({ length: NET_BAG }, (_, i) => [`${row.modelId}#${i + 1}`, 'mlp', 0, ir.features.width, 1 / NET_BAG]),
    )
    const own = await fitModel(mlp, table, target, all, row.refitParams as never, { modelId: row.modelId, seed: row.seed })
    expect(ir.model.members[0].model).toEqual(own.model)
    expect(ir.features.steps).toEqual(own.features.steps)
    // Nets from other seeds: five different models.
    expect(new Set(ir.model.members.map((m) => JSON.stringify(m.model))).size).toBe(NET_BAG)
    const bag = compileModel(ir).scoreTable(table)
    const one = compileModel(own).scoreTable(table)
    expect(bag[0]).not.toBe(one[0])
  }, 60_000)

  it('fits only its first net when its end has come, a plain net without a bag in its params', async () => {
    const params = { ...defaultMlpParams(), hidden: [6], epochs: 5, threads: 1 }
    const ir = await refitModel(table, target, { modelId: 'mlp_1', family: 'mlp', params: { ...params, bag: 5 }, seed: 3 }, Date.now() - 1)
    expect(ir).toMatchObject({ modelId: 'mlp_1', family: 'mlp', params, model: { type: 'mlp' } })
    expect(ir.params.bag).toBeUndefined()
  })
})

describe('a forest refit', () => {
  it(`grows ${REFIT_TREES} trees where its trials grew 100: the same forest, with more trees`, async () => {
    const { table, target } = syntheticTable({ rows: 500, task: 'regression', seed: 5 })
    const r = await runSearch(table, target, { families: ['random_forest'], metric: 'rmse', strategy: 'random', maxTrials: 2, folds: 3, seed: 1, workers: 1, keep: 2, ensemble: false })
    expect(r.models).toHaveLength(2)
    for (const ir of r.models) {
      const row = r.leaderboard.rows.find((x) => x.modelId === ir.modelId)!
      expect(row.params.nTrees).toBe(100)
      expect(ir.params.nTrees).toBe(REFIT_TREES)
      if (ir.model.type !== 'trees') throw new Error()
      expect(ir.model.trees).toHaveLength(REFIT_TREES)
      // Its first 100 trees are the forest its params grow on all rows.
      const all = Int32Array.from({ length: target.y.length }, (_, i) => i)
      const own = await fitModel(randomForest, table, target, all, { ...row.params, workers: 1 } as never, { modelId: row.modelId, seed: row.seed })
      if (own.model.type !== 'trees') throw new Error()
      expect(ir.model.trees.slice(0, 100)).toEqual(own.model.trees)
    }
  }, 60_000)
})

describe('a logistic regression path', () => {
  const { table, target } = syntheticTable({ rows: 400, task: 'binary', seed: 11 })
  const folds = kFolds(target, 3, 2)
  const base = { C: 1, l1Ratio: 0, classWeight: 'none', maxIter: 100, tol: 1e-4 }

  it('is one trial that fits every C on every fold and keeps the best C, with exactly its scores', async () => {
    const Cs = [0.001, 0.1, 10]
    const path = await runTrial(table, target, folds, { modelId: 'logistic_regression_2', family: 'logistic_regression', params: { ...base, cPath: Cs }, seed: 3 }, 'logloss')
    const alone = await Promise.all(Cs.map((C) => runTrial(table, target, folds, { modelId: 'logistic_regression_2', family: 'logistic_regression', params: { ...base, C }, seed: 3 }, 'logloss')))
    const best = alone.reduce((b, t) => (t.result.score < b.result.score ? t : b))
    expect(path.result.params).toEqual({ ...base, C: best.result.params.C })
    expect(path.result.score).toBe(best.result.score)
    expect(path.result.foldScores).toEqual(best.result.foldScores)
    expect(path.result.metrics).toEqual(best.result.metrics)
    expect(path.oof).toEqual(best.oof)
    expect(path.result.refitParams).toBeUndefined()
  })

  it("runs in a halving search of linear models alone, on all rows, each planned evaluation reported, and the search ends with the grid", async () => {
    const big = syntheticTable({ rows: 5600, task: 'binary', seed: 12 })
    const events: { done: number; planned: number | null; rowFraction: number }[] = []
    const r = await runSearch(big.table, big.target, {
      families: ['logistic_regression'], metric: 'auc', strategy: 'halving', maxTrials: 6, folds: 3, seed: 1, workers: 1, keep: 1, validation: 'cv', ensemble: false,
      onTrial: (e) => events.push(e),
    })
    expect(r.rungs.length).toBe(3)
    // Classes of near-equal size: the defaults and the path over the other decades are all there is.
    expect(classRatioOf(big.target.classCounts)).toBeLessThan(UNEQUAL_CLASSES)
    expect(r.leaderboard.rows).toHaveLength(2)
    expect(r.stoppedBy).toBe('search-space')
    expect(events.every((e) => e.rowFraction === 1)).toBe(true)
    expect(events.at(-1)).toMatchObject({ done: 2, planned: 2 })
    const path = r.leaderboard.rows.find((x) => x.modelId === 'logistic_regression_2')!
    expect([0.01, 0.1, 10, 100]).toContain(path.params.C)
    expect(path.params).not.toHaveProperty('cPath')
    // Unequal classes (a quarter of the rows relabelled to the larger class): then the grid with balanced class weights.
    const larger = big.target.classCounts![0] >= big.target.classCounts![1] ? 0 : 1
    const y = big.target.y.map((v, i) => (i % 4 === 0 ? larger : v))
    const counts = [0, 0]
    for (const v of y) counts[v]++
    const unequal = { ...big.target, y, classCounts: counts }
    expect(classRatioOf(counts)).toBeGreaterThanOrEqual(UNEQUAL_CLASSES)
    // With a time budget alone, too (brackets of linear models wait for their trials).
    const timed = await runSearch(big.table, unequal, { families: ['logistic_regression'], metric: 'auc', strategy: 'halving', timeBudgetMs: 30_000, folds: 3, seed: 1, workers: 1, keep: 1, validation: 'cv', ensemble: false })
    expect(timed.stoppedBy).toBe('search-space')
    expect(timed.leaderboard.rows.map((x) => x.modelId).sort()).toEqual(['logistic_regression_1', 'logistic_regression_2', 'logistic_regression_3'])
    expect(timed.leaderboard.rows.find((x) => x.modelId === 'logistic_regression_3')!.params).toMatchObject({ classWeight: 'balanced' })
    // --max-trials under the grid's size still says max-trials.
    const two = await runSearch(big.table, unequal, { families: ['logistic_regression'], metric: 'auc', strategy: 'random', maxTrials: 2, folds: 3, seed: 1, workers: 1, keep: 1, validation: 'cv', ensemble: false })
    expect(two.stoppedBy).toBe('max-trials')
    expect(two.leaderboard.rows).toHaveLength(2)
  }, 60_000)

  it('takes a forest refit that stopped with under half the trees its trial grew for a refit cut off (the best model refit in time wins instead)', () => {
    const row = { family: 'random_forest' as const, params: { nTrees: 300 } }
    expect(refitTooShort(row, { params: { nTrees: 1 } })).toBe(true)
    expect(refitTooShort(row, { params: { nTrees: 149 } })).toBe(true)
    expect(refitTooShort(row, { params: { nTrees: 150 } })).toBe(false)
    expect(refitTooShort({ family: 'random_forest', params: { nTrees: 100 } }, { params: { nTrees: 300 } })).toBe(false)
    expect(refitTooShort({ family: 'mlp', params: {} }, { params: {} })).toBe(false)
  })

  it("gives a linear model's turns to the other families once its grid is spent", () => {
    const families = ['decision_tree', 'logistic_regression', 'mlp'] as const
    const slots = Array.from({ length: 12 }, (_, i) => slotOf(i, families, 'binary'))
    expect(slots.map((s) => `${s!.family}:${s!.trialOfFamily}`)).toEqual([
      'decision_tree:0', 'logistic_regression:0', 'mlp:0',
      'decision_tree:1', 'logistic_regression:1', 'mlp:1',
      'decision_tree:2', 'logistic_regression:2', 'mlp:2',
      'decision_tree:3', 'mlp:3', 'decision_tree:4',
    ])
    // Regression has no balanced class weights, nor do classes of near-equal size: two linear configurations.
    expect(slotOf(7, families, 'binary', 1.2)).toEqual({ family: 'mlp', trialOfFamily: 2 })
    expect(slotOf(6, families, 'regression')).toEqual({ family: 'decision_tree', trialOfFamily: 2 })
    expect(slotOf(7, families, 'regression')).toEqual({ family: 'mlp', trialOfFamily: 2 })
    expect(slotOf(2, ['logistic_regression'], 'binary')).toEqual({ family: 'logistic_regression', trialOfFamily: 2 })
    expect(slotOf(3, ['logistic_regression'], 'binary')).toBeNull()
  })
})

describe('a halving search', () => {
  it("runs a family's portfolio settings on all rows at once, and screens its random draws on fewer rows", async () => {
    const data = syntheticTable({ rows: 1800, task: 'regression', seed: 5 })
    const events: { done: number; planned: number | null; rowFraction: number; trial: { modelId: string } | null }[] = []
    const r = await runSearch(data.table, data.target, {
      families: ['random_forest'], metric: 'rmse', strategy: 'halving', maxTrials: 9, folds: 3, seed: 1, workers: 1, keep: 1, validation: 'cv', ensemble: false,
      onTrial: (e) => events.push(e),
    })
    expect(r.rungs).toEqual([1 / 3, 1])
    const fractions = (id: string): number[] => events.filter((e) => e.trial?.modelId === id).map((e) => e.rowFraction)
    // The defaults and the 5 portfolio settings of a regression forest: once each, on all rows.
    for (const k of [1, 2, 3, 4, 5, 6]) expect(fractions(`random_forest_${k}`)).toEqual([1])
    // Random draws start on a third of the rows.
    for (const k of [7, 8, 9]) expect(fractions(`random_forest_${k}`)[0]).toBe(1 / 3)
    expect(r.leaderboard.rows.find((x) => x.modelId === 'random_forest_3')?.params).toMatchObject({ maxFeatures: 'all', minSamplesLeaf: 5 })
    expect(r.leaderboard.rows.find((x) => x.modelId === 'random_forest_6')?.params).toMatchObject({ maxFeatures: 'all', splitter: 'random', bootstrap: false })
    // 6 on all rows, 3 draws screened in two brackets (of 3 trials each), each bracket's best moved up: 11.
    expect(events.at(-1)).toMatchObject({ done: 11, planned: 11 })
  }, 60_000)
})
