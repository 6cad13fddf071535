import { describe, expect, it } from 'vitest'
import { holdoutSplit, kFolds } from '../../../src/automl/split.js'
import type { TargetData } from '../../../src/data/target.js'
import type { Table } from '../../../src/data/table.js'
import { useHoldoutFor } from '../../../src/automl/search.js'

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

describe("'auto' validation", () => {
  /** A table of `rows` rows: `numeric` numeric columns, one categorical of `levels` levels, and the target. */
  function table(rows: number, numeric: number, levels: number): { table: Table; target: TargetData } {
    const columns: Table['columns'] = Array.from({ length: numeric }, (_, j) => ({ name: `x${j}`, type: 'numeric' as const, values: new Float64Array(rows) }))
    columns.push({ name: 'grade', type: 'categorical', codes: new Int32Array(rows), levels: Array.from({ length: levels }, (_, k) => `g${k}`) })
    columns.push({ name: 'y', type: 'numeric', values: new Float64Array(rows) })
    const y = new Float64Array(rows)
    return { table: { source: 't.csv', nRows: rows, columns, fingerprint: '' }, target: { name: 'y', task: 'regression', y, rows: Int32Array.from(y, (_, i) => i), missing: 0 } }
  }
  const holdout = (rows: number, numeric: number, levels: number, budgetMs: number | null): boolean => {
    const t = table(rows, numeric, levels)
    return useHoldoutFor(t.table, t.target, budgetMs)
  }

  it('holds out 20% above 100,000 rows, budget or not', () => {
    expect(holdout(100_001, 2, 2, null)).toBe(true)
    expect(holdout(100_000, 2, 2, null)).toBe(false)
  })

  it('with a time budget, also for a table too big to cross-validate in it: rows x columns (a categorical by its levels, up to 32) over 10,000 per budget second', () => {
    // 40,000 rows x (6 numeric + 20 levels) = 1.04 M cells: over 600,000 at 60 s, under 3 M at 5 minutes.
    expect(holdout(40_000, 6, 20, 60_000)).toBe(true)
    expect(holdout(40_000, 6, 20, 300_000)).toBe(false)
    expect(holdout(40_000, 6, 20, null)).toBe(false)
    // 17,000 x 25 = 425,000: CV at 60 s. The target is not a column of its own; 500 levels count as 32.
    expect(holdout(17_000, 24, 1, 60_000)).toBe(false)
    expect(holdout(15_000, 8, 500, 60_000)).toBe(false)
    expect(holdout(16_000, 8, 500, 60_000)).toBe(true)
    // Up to 10,000 rows CV stays whatever the width: 1,000 x 101 at 10 s.
    expect(holdout(1_000, 100, 1, 10_000)).toBe(false)
    expect(holdout(10_000, 200, 1, 10_000)).toBe(false)
  })
})
