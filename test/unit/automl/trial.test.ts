import { afterAll, describe, expect, it } from 'vitest'
import { runSearch } from '../../../src/automl/search.js'
import { holdoutSplit, kFolds } from '../../../src/automl/split.js'
import { runTrial } from '../../../src/automl/trial.js'
import { defaultMlpParams, shutdownMlpPool } from '../../../src/learners/mlp.js'
import { syntheticTable } from '../../helpers/synthetic.js'

afterAll(() => shutdownMlpPool())

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
