import { describe, expect, it } from 'vitest'
import { ENSEMBLE_CANDIDATES, ENSEMBLE_PER_FAMILY, ensembleCandidates, ensembleWins, metricOf, selectEnsemble, type EnsembleCandidate, type OofLayout } from '../../../src/automl/ensemble.js'
import { computeMetrics, METRICS_BY_TASK } from '../../../src/automl/metrics.js'
import type { TrialResult } from '../../../src/automl/trial.js'
import { Random } from '../../../src/learners/random.js'

const row = (modelId: string, score: number): TrialResult => ({
  modelId,
  family: 'mlp',
  params: {},
  score,
  scoreStd: 0,
  foldScores: [],
  metrics: {},
  trainMs: 1,
  predictUsPerRow: 1,
  sizeBytes: 1,
  seed: 1,
})

/** A regression target and 5 folds of 200 rows each. */
function regression(n = 1000): { layout: OofLayout; truth: Float64Array; random: Random } {
  const random = new Random(3)
  const y = Float64Array.from({ length: n }, () => random.normal() * 3)
  return { layout: { task: 'regression', outputs: 1, y, foldStart: [0, 200, 400, 600, 800, 1000] }, truth: y, random }
}

function candidate(id: string, layout: OofLayout, oof: Float64Array): EnsembleCandidate {
  const rmse = Math.sqrt(oof.reduce((s, p, i) => s + (p - layout.y[i]) ** 2, 0) / oof.length)
  return { row: row(id, rmse), oof }
}

describe('ensemble candidates', () => {
  const ranked = (families: string): TrialResult[] =>
    [...families].map((f, i) => ({ ...row(`${f}${i}`, i), family: ({ n: 'mlp', f: 'random_forest', l: 'logistic_regression', t: 'decision_tree' } as const)[f as 'n'] }))

  it('takes the best trials, at most three of a family, up to ten', () => {
    expect(ENSEMBLE_CANDIDATES).toBe(10)
    expect(ENSEMBLE_PER_FAMILY).toBe(3)
    // 12 nets lead, then forests, a linear model and trees.
    const ids = ensembleCandidates(ranked('nnnnnnnnnnnnfffflttt')).map((r) => r.modelId)
    expect(ids).toEqual(['n0', 'n1', 'n2', 'f12', 'f13', 'f14', 'l16', 't17', 't18', 't19'])
  })

  it("passes over trials without a score, and keeps every family's best three without a limit", () => {
    const rows = ranked('nnnnfffl')
    rows[1] = { ...rows[1], score: Number.NaN }
    expect(ensembleCandidates(rows).map((r) => r.modelId)).toEqual(['n0', 'n2', 'n3', 'f4', 'f5', 'f6', 'l7'])
    expect(ensembleCandidates(ranked('nnnnnnnnnnnnffff'), Infinity)).toHaveLength(6)
  })
})

describe('ensemble selection', () => {
  it('blends two models with independent errors, about evenly, into a better score than either', () => {
    const { layout, truth, random } = regression()
    const a = candidate('a', layout, truth.map((t) => t + random.normal()))
    const b = candidate('b', layout, truth.map((t) => t + random.normal()))
    const c = candidate('c', layout, truth.map((t) => t + 3 * random.normal()))
    const sel = selectEnsemble([a, b, c].sort((x, y) => x.row.score - y.row.score), layout, 'rmse')!
    expect(sel).not.toBeNull()
    const weights = Object.fromEntries(sel.members.map((m) => [m.row.modelId, m.weight]))
    expect(weights.a).toBeGreaterThan(0.3)
    expect(weights.b).toBeGreaterThan(0.3)
    expect(sel.members.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12)
    expect(sel.score).toBeLessThan(Math.min(a.row.score, b.row.score) * 0.8)
    expect(sel.foldScores).toHaveLength(5)
    expect(sel.metrics.rmse).toBe(sel.score)
    // A model whose refit would not fit the time left is never picked; the rest still blend.
    const without = selectEnsemble([a, b, c], layout, 'rmse', { affordable: (rows) => !rows.some((r) => r.modelId === 'a') })!
    expect(without.members.map((m) => m.row.modelId).sort()).toEqual(['b', 'c'])
    expect(selectEnsemble([a, b, c], layout, 'rmse', { affordable: (rows) => rows.length <= 1 })).toBeNull()
  })

  it('scores each fold by the blend selected without it, on the other folds of its partition', () => {
    // Two partitions of 5 folds (repeated CV): the same 500 rows twice, in another order.
    const random = new Random(5)
    const n = 500
    const truth = Float64Array.from({ length: n }, () => random.normal() * 3)
    const order = [Int32Array.from({ length: n }, (_, i) => i), random.shuffle(Int32Array.from({ length: n }, (_, i) => i))]
    const y = Float64Array.from({ length: 2 * n }, (_, i) => truth[order[i < n ? 0 : 1][i % n]])
    const foldStart = Array.from({ length: 11 }, (_, f) => f * 100)
    const layout: OofLayout = { task: 'regression', outputs: 1, y, foldStart, foldsPerPartition: 5 }
    const noise = [1, 1.1, 1.3, 2]
    const cands = noise.map((s, c) => candidate(String.fromCharCode(97 + c), layout, y.map((t) => t + s * random.normal()))).sort((a, b) => a.row.score - b.row.score)
    const sel = selectEnsemble(cands, layout, 'rmse')!
    expect(sel.members.length).toBeGreaterThanOrEqual(2)
    // Fold by fold, through the public function: select on the other folds of the fold's partition
    // (the best single model there when no blend wins), score the fold with those weights.
    const rmse = (p: Float64Array, t: Float64Array): number => Math.sqrt(p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / p.length)
    const expected = foldStart.slice(0, -1).map((a, f) => {
      const first = f - (f % 5)
      const seen = [...Array(5).keys()].map((h) => first + h).filter((h) => h !== f)
      const take = (v: Float64Array): Float64Array => Float64Array.from(seen.flatMap((h) => Array.from(v.subarray(foldStart[h], foldStart[h + 1]))))
      const sub: OofLayout = { task: 'regression', outputs: 1, y: take(y), foldStart: [0, 100, 200, 300, 400] }
      const subCands = cands.map((c) => ({ row: c.row, oof: take(c.oof) }))
      const inner = selectEnsemble(subCands, sub, 'rmse')
      const weights = inner
        ? cands.map((c) => inner.members.find((m) => m.row === c.row)?.weight ?? 0)
        : (() => {
            const foldMeanOf = (c: EnsembleCandidate): number => [0, 1, 2, 3].reduce((s, g) => s + rmse(c.oof.subarray(g * 100, g * 100 + 100), sub.y.subarray(g * 100, g * 100 + 100)), 0) / 4
            const best = subCands.reduce((b, c) => (foldMeanOf(c) < foldMeanOf(b) ? c : b))
            return subCands.map((c) => (c === best ? 1 : 0))
          })()
      const blend = new Float64Array(100)
      cands.forEach((c, i) => {
        for (let r = 0; r < 100; r++) blend[r] += weights[i] * c.oof[a + r]
      })
      return rmse(blend, y.subarray(a, a + 100))
    })
    sel.foldScores.forEach((score, f) => expect(score).toBeCloseTo(expected[f], 12))
    expect(sel.score).toBeCloseTo(expected.reduce((s, v) => s + v, 0) / 10, 12)
  })

  it('gives no ensemble when one model alone is best, or there is only one', () => {
    const { layout, truth, random } = regression()
    const exact = candidate('exact', layout, Float64Array.from(truth))
    const noisy = candidate('noisy', layout, truth.map((t) => t + random.normal()))
    expect(selectEnsemble([exact, noisy], layout, 'rmse')).toBeNull()
    expect(selectEnsemble([noisy], layout, 'rmse')).toBeNull()
  })

  it('wins unless it is behind the best single model by more than 0.5% of the error left', () => {
    // A loss: 0.5% of the score. RMSE 10 needs below 10.05.
    expect(ensembleWins(9.99, 10, 'rmse')).toBe(true)
    expect(ensembleWins(10.04, 10, 'rmse')).toBe(true)
    expect(ensembleWins(10.06, 10, 'rmse')).toBe(false)
    // Metrics whose best is 1: 0.5% of 1 - score. AUC 0.99 needs above 0.98995; AUC 0.8 above 0.799.
    expect(ensembleWins(0.98996, 0.99, 'auc')).toBe(true)
    expect(ensembleWins(0.98994, 0.99, 'auc')).toBe(false)
    expect(ensembleWins(0.7989, 0.8, 'auc')).toBe(false)
    expect(ensembleWins(0.7991, 0.8, 'auc')).toBe(true)
    // A perfect single model: only a perfect ensemble ties it, and that does not win.
    expect(ensembleWins(1, 1, 'auc')).toBe(false)
  })

  it('maximizes metrics where higher is better (AUC)', () => {
    const random = new Random(9)
    const n = 600
    const y = Float64Array.from({ length: n }, () => (random.next() < 0.4 ? 1 : 0))
    const layout: OofLayout = { task: 'binary', outputs: 2, y, foldStart: [0, 200, 400, 600] }
    const probs = (noise: number): Float64Array => {
      const out = new Float64Array(n * 2)
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-(2 * (y[i] - 0.5) + noise * random.normal())))
        out[2 * i] = 1 - p
        out[2 * i + 1] = p
      }
      return out
    }
    const cands = ['a', 'b'].map((id) => {
      const oof = probs(1.5)
      return { row: row(id, metricOf('binary', 'auc', oof, y, 2)), oof }
    })
    const sel = selectEnsemble(cands, layout, 'auc')!
    expect(sel.members).toHaveLength(2)
    expect(sel.score).toBeGreaterThan(Math.max(...cands.map((c) => c.row.score)))
  })

  it('metricOf is computeMetrics, one metric at a time', () => {
    const random = new Random(4)
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      const k = task === 'binary' ? 2 : task === 'multiclass' ? 3 : 1
      const n = 300
      const y = Float64Array.from({ length: n }, () => (task === 'regression' ? random.normal() : random.int(k)))
      const scores = new Float64Array(n * k)
      for (let i = 0; i < n; i++) {
        if (k === 1) scores[i] = y[i] + random.normal()
        else {
          let sum = 0
          for (let j = 0; j < k; j++) sum += scores[i * k + j] = random.next() + (j === y[i] ? 0.5 : 0)
          for (let j = 0; j < k; j++) scores[i * k + j] /= sum
        }
      }
      const all = computeMetrics(task, scores, y, k)
      for (const metric of METRICS_BY_TASK[task]) expect(metricOf(task, metric, scores, y, k), `${task} ${metric}`).toBe(all[metric])
    }
  })
})
