import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { runSearch } from '../../../src/automl/search.js'
import { stallRefitsForTest } from '../../../src/automl/trial-pool.js'
import type { Family } from '../../../src/learners/learner.js'
import { shutdownMlpPool } from '../../../src/learners/mlp.js'
import { syntheticTable } from '../../helpers/synthetic.js'

afterAll(() => shutdownMlpPool())
afterEach(() => stallRefitsForTest(null))

describe('the time budget', () => {
  it('is a hard limit: the search stops by it, cutting off trials in progress, and the run ends within 5% of it with a refit winner', async () => {
    // On a busy machine (the test suite's neighbours) refits take longer than the trials foretold: then
    // a cheap model refit beside the winner (the default tree here) stands in for it.
    const { table, target } = syntheticTable({ rows: 3000, task: 'binary', seed: 3, shape: 'nonlinear' })
    const budget = 4000
    const r = await runSearch(table, target, { families: ['decision_tree', 'random_forest', 'logistic_regression', 'mlp'], metric: 'auc', seed: 1, strategy: 'halving', timeBudgetMs: budget, folds: 3, validation: 'auto', workers: 2, keep: 5 })
    expect(r.stoppedBy).toBe('time-budget')
    expect(r.elapsedMs).toBeLessThanOrEqual(budget * 1.05)
    expect(r.leaderboard.rows.length).toBeGreaterThan(0)
    expect(r.models[0].modelId).toBe(r.winner.row!.modelId)
    expect(r.leaderboard.winner).toBe(r.models[0].modelId)
  }, 30_000)

  it('a forest or net that would run past its part of the budget stops with the trees or epochs it has, ranks, and is refit in time', async () => {
    // The default forest (100 trees) and net on 24,000 rows take longer than these budgets allow here.
    const { table, target } = syntheticTable({ rows: 30_000, task: 'binary', seed: 6, shape: 'nonlinear' })
    for (const [family, budget] of [['random_forest', 6000], ['mlp', 3000]] as [Family, number][]) {
      const r = await runSearch(table, target, { families: [family], metric: 'auc', seed: 1, strategy: 'random', maxTrials: 1, timeBudgetMs: budget, folds: 3, validation: 'holdout', ensemble: false, workers: 1, keep: 5 })
      expect(r.elapsedMs).toBeLessThanOrEqual(budget * 1.05)
      const row = r.leaderboard.rows[0]
      expect(row).toMatchObject({ modelId: `${family}_1`, cutShort: true })
      expect(row.score).toBeGreaterThan(0.75)
      expect(r.winner.row!.modelId).toBe(`${family}_1`)
      expect(r.models[0].modelId).toBe(`${family}_1`)
      if (family === 'random_forest') {
        // Its row says how many trees it grew; its refit grows trees up to the budget's edge, and its
        // file says how many it has.
        const trees = Number(row.params.nTrees)
        expect(trees).toBeGreaterThanOrEqual(1)
        expect(trees).toBeLessThan(100)
        const model = r.models[0].model
        expect(model.type === 'trees' && model.trees.length).toBeGreaterThanOrEqual(1)
        expect(model.type === 'trees' && model.trees.length).toBe(r.models[0].params.nTrees)
      }
    }
  }, 60_000)

  it("when the winner's refit on all rows cannot finish in the budget, the best other model refit in time wins, and the run still ends in time", async () => {
    const { table, target } = syntheticTable({ rows: 1500, task: 'binary', seed: 4, shape: 'linear' })
    const budget = 3000
    const options = { families: ['logistic_regression', 'decision_tree'] as Family[], metric: 'auc' as const, seed: 1, strategy: 'random' as const, maxTrials: 4, timeBudgetMs: budget, folds: 3, validation: 'cv' as const, ensemble: false, workers: 2, keep: 5 }
    const plain = await runSearch(table, target, options)
    const first = plain.winner.row!
    expect(plain.models[0].modelId).toBe(first.modelId)

    // The same search (a seed and a trial count: the same leaderboard), with the winner's refit made to hang, as a refit far slower than its trials would.
    stallRefitsForTest({ modelIds: [first.modelId], ms: 60_000 })
    const r = await runSearch(table, target, options)
    expect(r.leaderboard.rows.map((row) => [row.modelId, row.score])).toEqual(plain.leaderboard.rows.map((row) => [row.modelId, row.score]))
    expect(r.elapsedMs).toBeLessThanOrEqual(budget * 1.05)
    const next = r.leaderboard.rows.find((row) => row.modelId !== first.modelId)!
    expect(r.winner.row!.modelId).toBe(next.modelId)
    expect(r.winner.reason).toBe(`${first.modelId} could not be refit on all rows within the time budget, so the best model that could: ${next.modelId} (auc ${next.score.toPrecision(4)})`)
    // The winner is not the leaderboard's first row, and leaderboard.json says why.
    expect(r.leaderboard.winnerReason).toBe(r.winner.reason)
    expect(r.leaderboard.winner).toBe(next.modelId)
    expect(r.models[0].modelId).toBe(next.modelId)
    expect(r.models.some((m) => m.modelId === first.modelId)).toBe(false)
  }, 30_000)

  it("when an ensemble member's refit cannot finish in the budget, the ensemble is chosen again from the members that were refit", async () => {
    // A nonlinear signal: trees and linear models err differently, so blends of them beat either (as in the ensemble test).
    const { table, target } = syntheticTable({ rows: 1500, task: 'regression', seed: 5, shape: 'nonlinear' })
    const budget = 4000
    const options = { families: ['decision_tree', 'logistic_regression'] as Family[], metric: 'rmse' as const, seed: 2, strategy: 'random' as const, maxTrials: 8, timeBudgetMs: budget, folds: 3, validation: 'cv' as const, workers: 2, keep: 5 }
    const plain = await runSearch(table, target, options)
    expect(plain.winner.row!.modelId).toBe('ensemble_1')
    const weights = plain.winner.row!.params.weights as Record<string, number>
    const members = Object.keys(weights)
    expect(members.length).toBeGreaterThan(2)
    // The member with the smallest weight hangs; the others and the single winner refit.
    const hung = members.reduce((a, b) => (weights[a] <= weights[b] ? a : b))
    expect(hung).not.toBe(plain.leaderboard.singleWinner)
    stallRefitsForTest({ modelIds: [hung], ms: 60_000 })
    const r = await runSearch(table, target, options)
    expect(r.elapsedMs).toBeLessThanOrEqual(budget * 1.05)
    expect(r.winner.row!.modelId).toBe('ensemble_1')
    expect(r.winner.reason).toMatch(/^an ensemble of the members refit within the time budget of \d models/)
    const again = r.winner.row!.params.weights as Record<string, number>
    expect(Object.keys(again)).not.toContain(hung)
    expect(Object.keys(again).every((id) => members.includes(id))).toBe(true)
    // The leaderboard's ensemble row is the one saved, and it still beats every single model.
    const ir = r.models[0]
    expect(ir.model.type === 'ensemble' && ir.model.members.map((m) => [m.modelId, m.weight])).toEqual(Object.entries(again))
    expect(r.leaderboard.rows[0]).toMatchObject({ modelId: 'ensemble_1', rank: 1 })
    expect(r.leaderboard.rows[0].score).toBeLessThan(r.leaderboard.rows[1].score)
    expect(r.leaderboard.rows[0].score).not.toBe(plain.leaderboard.rows[0].score)
  }, 30_000)
})
