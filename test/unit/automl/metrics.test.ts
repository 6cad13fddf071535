import { describe, expect, it } from 'vitest'
import { auc, aucpr, computeMetrics, f1, formatScore, logloss, meanPerClassError, r2, rmse } from '../../../src/automl/metrics.js'

const f = (a: number[]) => Float64Array.from(a)
const i32 = (a: number[]) => Int32Array.from(a)

// Expected values computed with scikit-learn 1.9 (roc_auc_score, average_precision_score, log_loss,
// f1_score, r2_score, mean_squared_error) on the same inputs.
describe('metrics', () => {
  it('AUC counts ties as half and matches roc_auc_score', () => {
    expect(auc(f([0.1, 0.4, 0.35, 0.8]), f([0, 0, 1, 1]))).toBe(0.75)
    expect(auc(f([0.5, 0.5, 0.5, 0.5]), f([0, 1, 0, 1]))).toBe(0.5)
    expect(auc(f([0.9, 0.8, 0.1]), f([1, 1, 0]))).toBe(1)
    expect(Number.isNaN(auc(f([0.2, 0.3]), f([1, 1])))).toBe(true)
    // Ties within and across the classes (-0 ties 0), and a score that is not a number.
    expect(auc(f([0, -0, 0.5, 0.5, 0.5, 1, 0.2]), f([1, 0, 1, 0, 0, 1, 1]))).toBeCloseTo(0.5416666666666667, 14)
    expect(Number.isNaN(auc(f([0.2, NaN, 0.4]), f([1, 0, 0])))).toBe(true)
  })

  it('AUCPR is average precision', () => {
    expect(aucpr(f([0.1, 0.4, 0.35, 0.8]), f([0, 0, 1, 1]))).toBeCloseTo(0.8333333333333333, 14)
  })

  it('logloss clips probabilities', () => {
    expect(logloss(f([0.9, 0.1, 0.2, 0.8]), 2, f([0, 1]))).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 14)
    expect(Number.isFinite(logloss(f([1, 0]), 2, f([1])))).toBe(true)
  })

  it('F1, mean per-class error, RMSE and R2', () => {
    expect(f1(i32([1, 0, 1, 1]), f([1, 0, 0, 1]))).toBe(0.8)
    expect(meanPerClassError(i32([0, 1, 2, 2]), f([0, 1, 1, 2]), 3)).toBeCloseTo(1 / 6, 14)
    expect(rmse(f([1, 2, 3]), f([1, 2, 5]))).toBeCloseTo(Math.sqrt(4 / 3), 14)
    expect(r2(f([2.5, 0.0, 2, 8]), f([3, -0.5, 2, 7]))).toBeCloseTo(0.9486081370449679, 14)
  })

  it('computes every metric of the task', () => {
    expect(Object.keys(computeMetrics('binary', f([0.9, 0.1, 0.3, 0.7]), f([0, 1]), 2)).sort()).toEqual(['accuracy', 'auc', 'aucpr', 'f1', 'logloss'])
    expect(Object.keys(computeMetrics('multiclass', f([1, 0, 0]), f([0]), 3)).sort()).toEqual(['accuracy', 'logloss', 'mean_per_class_error'])
    expect(computeMetrics('regression', f([1, 2]), f([1, 2]), 0)).toEqual({ rmse: 0, mae: 0, r2: 1 })
  })
})

describe('formatScore', () => {
  it('prints 4 significant digits without an exponent for scores of any ordinary size', () => {
    expect(formatScore(22323.7)).toBe('22320')
    expect(formatScore(0.844553)).toBe('0.8446')
    expect(formatScore(3.0149)).toBe('3.015')
    expect(formatScore(1)).toBe('1')
  })
})
