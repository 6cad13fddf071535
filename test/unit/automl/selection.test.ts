import { afterAll, describe, expect, it } from 'vitest'
import { rankTrials, selectWinner } from '../../../src/automl/leaderboard.js'
import { runSearch } from '../../../src/automl/search.js'
import type { TrialResult } from '../../../src/automl/trial.js'
import type { Family } from '../../../src/learners/learner.js'
import { shutdownMlpPool } from '../../../src/learners/mlp.js'
import { syntheticTable } from '../../helpers/synthetic.js'

afterAll(() => shutdownMlpPool())

const trial = (modelId: string, family: Family, foldScores: number[]): TrialResult => {
  const score = foldScores.reduce((s, v) => s + v, 0) / foldScores.length
  const std = Math.sqrt(foldScores.reduce((s, v) => s + (v - score) ** 2, 0) / (foldScores.length - 1))
  return { modelId, family, params: {}, score, scoreStd: std, foldScores, metrics: { auc: score }, trainMs: 1, predictUsPerRow: 1, sizeBytes: 1, seed: 1 }
}

describe('picking the winner (one-standard-error rule, paired by fold)', () => {
  it('a simpler family whose fold-by-fold gap to the best is within one standard error wins', () => {
    // The net is ahead on three folds and behind on two: the gap is noise.
    const board = rankTrials('binary', 'y', 'auc', [
      trial('mlp_1', 'mlp', [0.95, 0.9, 0.97, 0.88, 0.96]),
      trial('random_forest_2', 'random_forest', [0.9, 0.91, 0.93, 0.9, 0.94]),
      trial('logistic_regression_3', 'logistic_regression', [0.93, 0.91, 0.94, 0.9, 0.93]),
      trial('logistic_regression_4', 'logistic_regression', [0.92, 0.9, 0.93, 0.89, 0.92]),
    ])
    expect(board.rows[0].modelId).toBe('mlp_1')
    const w = selectWinner(board, 5, 'one-se')
    expect(w.row?.modelId).toBe('logistic_regression_3')
    expect(w.reason).toMatch(/a linear model within one standard error of the best, mlp_1/)
    expect(selectWinner(board, 5, 'best').row?.modelId).toBe('mlp_1')
  })

  it('only a linear model displaces rank 1: a forest within one standard error does not', () => {
    // The forest's fold scores wander around the net's (a wide standard error), the linear model trails on every fold.
    const board = rankTrials('binary', 'y', 'auc', [
      trial('mlp_1', 'mlp', [0.95, 0.9, 0.97, 0.88, 0.96]),
      trial('random_forest_2', 'random_forest', [0.97, 0.86, 0.98, 0.85, 0.96]),
      trial('logistic_regression_3', 'logistic_regression', [0.9, 0.85, 0.92, 0.83, 0.91]),
    ])
    expect(board.rows.map((r) => r.modelId)).toEqual(['mlp_1', 'random_forest_2', 'logistic_regression_3'])
    const w = selectWinner(board, 5, 'one-se')
    expect(w.row?.modelId).toBe('mlp_1')
    expect(w.reason).toBe('best auc')
  })

  it('a linear model at rank 1 keeps its place (another one within one standard error does not take it)', () => {
    const board = rankTrials('binary', 'y', 'auc', [
      trial('logistic_regression_1', 'logistic_regression', [0.95, 0.9, 0.97, 0.88, 0.96]),
      trial('logistic_regression_2', 'logistic_regression', [0.96, 0.89, 0.96, 0.89, 0.95]),
    ])
    expect(selectWinner(board, 5, 'one-se').row?.modelId).toBe('logistic_regression_1')
  })

  it('a model that wins on every fold keeps its place', () => {
    // Noisy folds (std 0.04) but the net is ahead by 0.02 on each: paired, that is no accident.
    const board = rankTrials('binary', 'y', 'auc', [
      trial('mlp_1', 'mlp', [0.97, 0.89, 0.95, 0.87, 0.93]),
      trial('logistic_regression_2', 'logistic_regression', [0.95, 0.87, 0.93, 0.85, 0.91]),
    ])
    expect(selectWinner(board, 5, 'one-se').row?.modelId).toBe('mlp_1')
  })

  it('lower-is-better metrics: the gap is measured the right way round', () => {
    const board = rankTrials('regression', 'y', 'rmse', [
      trial('logistic_regression_1', 'logistic_regression', [5.1, 4.9, 5.3, 5.0, 5.2]),
      trial('mlp_2', 'mlp', [3.0, 3.1, 2.9, 3.2, 3.0]),
    ])
    expect(board.rows[0].modelId).toBe('mlp_2')
    expect(selectWinner(board, 5, 'one-se').row?.modelId).toBe('mlp_2')
  })
})

describe('repeated cross-validation on small tables', () => {
  it('up to 1,000 rows a trial is scored on 3 partitions of k folds by default; --repeats 1 is plain k-fold', async () => {
    const { table, target } = syntheticTable({ rows: 300, task: 'binary', seed: 4 })
    const base = { families: ['logistic_regression'] as Family[], metric: 'auc' as const, seed: 1, strategy: 'random' as const, maxTrials: 2, folds: 4, validation: 'auto' as const, workers: 1, keep: 1 }
    const repeated = await runSearch(table, target, base)
    expect(repeated.validation).toEqual({ kind: 'cv', folds: 4, repeats: 3 })
    expect(repeated.leaderboard.rows[0].foldScores).toHaveLength(12)
    const plain = await runSearch(table, target, { ...base, repeats: 1 })
    expect(plain.validation.repeats).toBe(1)
    const first = plain.leaderboard.rows.find((r) => r.family !== 'ensemble')!
    expect(first.foldScores).toHaveLength(4)
    // The first partition is the plain k-fold: the same fold scores lead the repeated run.
    const same = repeated.leaderboard.rows.find((r) => r.modelId === first.modelId)!
    expect(same.foldScores.slice(0, 4)).toEqual(first.foldScores)
    expect(repeated.models[0].modelId).toBe(repeated.winner.row!.modelId)
  }, 60_000)
})

describe('the ensemble', () => {
  it('joins the leaderboard when it beats every single model, its members refit and kept beside the single winner; --no-ensemble leaves it out', async () => {
    // A nonlinear signal: trees and a linear model err differently, so a blend of them is better than either.
    const { table, target } = syntheticTable({ rows: 1500, task: 'regression', seed: 5, shape: 'nonlinear' })
    const base = { families: ['decision_tree', 'logistic_regression'] as Family[], metric: 'rmse' as const, seed: 2, strategy: 'random' as const, maxTrials: 6, folds: 3, validation: 'auto' as const, workers: 1, keep: 5 }
    const r = await runSearch(table, target, base)
    const board = r.leaderboard
    expect(board.rows[0]).toMatchObject({ modelId: 'ensemble_1', family: 'ensemble', rank: 1 })
    expect(board.rows[0].score).toBeLessThan(board.rows[1].score)
    expect(board.winner).toBe('ensemble_1')
    const weights = board.rows[0].params.weights as Record<string, number>
    const ir = r.models[0]
    expect(ir.model.type === 'ensemble' && ir.model.members.map((m) => [m.modelId, m.weight])).toEqual(Object.entries(weights))
    // Every member and the single winner are refit on all rows and kept.
    for (const id of [...Object.keys(weights), board.singleWinner!]) expect(r.models.some((m) => m.modelId === id && m.model.type !== 'ensemble')).toBe(true)
    expect(board.rows.find((row) => row.modelId === board.singleWinner)!.family).not.toBe('ensemble')

    const without = await runSearch(table, target, { ...base, ensemble: false })
    expect(without.leaderboard.rows.some((row) => row.family === 'ensemble')).toBe(false)
    expect(without.leaderboard.singleWinner).toBeUndefined()
    expect(without.models[0].modelId).toBe(board.singleWinner)
  }, 120_000)
})
