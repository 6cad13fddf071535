import { describe, expect, it } from 'vitest'
import { holdoutSplit, kFolds } from '../../../src/automl/split.js'
import type { TargetData } from '../../../src/data/target.js'

function classTarget(counts: number[]): TargetData {
  const y = Float64Array.from(counts.flatMap((c, k) => new Array<number>(c).fill(k)))
  return { name: 'y', task: 'multiclass', classes: counts.map((_, k) => `c${k}`), y, rows: Int32Array.from(y, (_, i) => i), missing: 0, classCounts: counts }
}

describe('folds', () => {
  it('stratified k-fold: disjoint validation folds covering every row, each with the class balance', () => {
    const target = classTarget([500, 90, 10])
    const folds = kFolds(target, 5, 1)
    const seen = new Int32Array(600)
    for (const fold of folds) {
      expect(fold.train.length + fold.valid.length).toBe(600)
      for (const i of fold.valid) seen[i]++
      const perClass = [0, 0, 0]
      for (const i of fold.valid) perClass[target.y[i]]++
      expect(perClass).toEqual([100, 18, 2])
    }
    expect(seen.every((v) => v === 1)).toBe(true)
  })

  it('is the same for the same seed and different for another', () => {
    const target = classTarget([50, 50])
    expect(kFolds(target, 3, 7)).toEqual(kFolds(target, 3, 7))
    expect(kFolds(target, 3, 7)[0].valid).not.toEqual(kFolds(target, 3, 8)[0].valid)
  })

  it('regression k-fold and a holdout split', () => {
    const y = Float64Array.from({ length: 103 }, (_, i) => i / 7)
    const target: TargetData = { name: 'v', task: 'regression', y, rows: Int32Array.from(y, (_, i) => i), missing: 0 }
    const sizes = kFolds(target, 5, 1).map((f) => f.valid.length)
    expect(sizes.reduce((a, b) => a + b)).toBe(103)
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    expect(holdoutSplit(target, 0.2, 1).valid.length).toBe(21)
  })
})
