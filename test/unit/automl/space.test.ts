import { describe, expect, it } from 'vitest'
import { classesImbalanced, LINEAR_C_GRID, sampleParams } from '../../../src/automl/space.js'
import { Random } from '../../../src/learners/random.js'

const draw = (family: Parameters<typeof sampleParams>[0], task: Parameters<typeof sampleParams>[1], k: number, imbalanced = false): Record<string, unknown> =>
  sampleParams(family, task, k, new Random(Random.derive(7, k)), imbalanced)

describe('search space', () => {
  it('logistic regression: the default C = 1, then every grid point (0.01, 0.1, 10, 100 among them), then random draws', () => {
    const cs = Array.from({ length: 1 + LINEAR_C_GRID.length }, (_, k) => draw('logistic_regression', 'multiclass', k).C)
    expect(cs[0]).toBe(1)
    expect(new Set(cs)).toEqual(new Set([1, ...LINEAR_C_GRID]))
    for (const c of [0.001, 0.01, 0.1, 10, 100, 1000]) expect(cs).toContain(c)
    expect(cs.slice(1, 5)).toEqual([0.1, 10, 0.01, 100])
    const later = draw('logistic_regression', 'multiclass', 1 + LINEAR_C_GRID.length) as { C: number }
    expect(later.C).toBeGreaterThanOrEqual(1e-3)
    expect(later.C).toBeLessThanOrEqual(1e3)
  })

  it('class weights are searched only when the classes are imbalanced; with them each grid C comes unweighted, then balanced', () => {
    for (let k = 1; k < 40; k++) for (const family of ['logistic_regression', 'random_forest', 'mlp', 'decision_tree'] as const) expect(draw(family, 'binary', k).classWeight).toBe('none')
    expect([1, 2, 3, 4].map((k) => [draw('logistic_regression', 'binary', k, true).C, draw('logistic_regression', 'binary', k, true).classWeight])).toEqual([
      [0.1, 'none'],
      [0.1, 'balanced'],
      [10, 'none'],
      [10, 'balanced'],
    ])
    const weights = new Set(Array.from({ length: 30 }, (_, k) => draw('random_forest', 'binary', k + 1, true).classWeight))
    expect(weights).toEqual(new Set(['none', 'balanced']))
    expect(draw('logistic_regression', 'regression', 2, true).classWeight).toBe('none')
  })

  it('imbalance: the largest class at least 1.5 times the smallest', () => {
    expect(classesImbalanced([50, 50, 50])).toBe(false)
    expect(classesImbalanced([59, 71, 48])).toBe(false) // scikit-learn's wine
    expect(classesImbalanced([212, 357])).toBe(true) // breast cancer
    expect(classesImbalanced([4584, 416])).toBe(true)
    expect(classesImbalanced([10, 0, 10])).toBe(false)
    expect(classesImbalanced([])).toBe(false)
  })

  it('the regression forest baseline splits on a third of the features; nets search L2 alpha up to 1', () => {
    expect(draw('random_forest', 'regression', 0).maxFeatures).toBe('third')
    expect(draw('random_forest', 'binary', 0).maxFeatures).toBe('sqrt')
    const alphas = Array.from({ length: 200 }, (_, k) => draw('mlp', 'regression', k + 1).alpha as number)
    expect(Math.min(...alphas)).toBeGreaterThanOrEqual(1e-5)
    expect(Math.max(...alphas)).toBeLessThanOrEqual(1)
    expect(Math.max(...alphas)).toBeGreaterThan(0.1)
  })
})
