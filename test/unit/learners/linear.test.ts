import { describe, expect, it } from 'vitest'
import type { Column, Table } from '../../../src/data/table.js'
import { prepareTarget, type Task } from '../../../src/data/target.js'
import { encodeTable, inputColumnsOf } from '../../../src/features/pipeline.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import type { FeaturePipelineIR, LinearModelIR } from '../../../src/ir/model.js'
import { FitAborted, tableRowsOf, targetsOf, type FitInput } from '../../../src/learners/learner.js'
import { fitLinear, logisticRegression, type LinearParams } from '../../../src/learners/linear.js'
import { accuracy, bayesAccuracy, fitInputOf, modelIrOf, r2, splitPositions, syntheticTable } from '../../helpers/synthetic.js'

/**
 * A 40-row dataset and scikit-learn 1.9.1's fits of it, pasted as constants. Made by numpy
 * default_rng(42): x = round(normal * [1, 2, 0.5], 2); yb ~ Bernoulli(sigmoid(0.8 x0 - 0.6 x1 + 1.5 x2 + 0.3));
 * ym drawn from softmax([x0, 0.7 x1, 2 x2 - x0]); yr = round(2 + 1.2 x0 - 0.7 x1 + 0.5 x2 + 0.3 N(0,1), 2).
 * The fits (tol 1e-12 or 1e-14, max_iter large enough to converge):
 *   LogisticRegression(C=1).fit(X, yb); LogisticRegression(C=0.5, class_weight='balanced').fit(X, yb)
 *   LogisticRegression(C=1).fit(X, ym)  (multinomial); Ridge(alpha=1).fit(X, yr)
 *   LogisticRegression(penalty='elasticnet', solver='saga', l1_ratio=0.6, C=0.3).fit(X, yb)
 *   ElasticNet(alpha=1/(0.05*40), l1_ratio=0.5).fit(X, yr)   (our C=0.05, l1Ratio=0.5)
 */
const X0 = [0.3, 0.94, 0.13, -0.85, 0.07, -0.86, 0.88, -0.68, -0.43, 0.37, 2.14, -0.81, -0.11, 0.65, -0.67, 0.22, 0.68, 0.63, -0.47, 1.49, -1.68, 0.59, -0.35, -0.19, -0.92, 0.69, 0.63, -0.66, -1.2, 0.01, 0.67, -0.08, -1.32, -0.91, -0.36, -0.21, 0.84, 0.24, 0.07, 0.02]
const X1 = [-2.08, -3.9, -0.63, 1.76, 2.25, 0.74, -0.1, 2.45, -0.7, 0.83, -0.81, 1.23, -1.68, 1.49, 0.46, 1.74, 0.14, -2.91, -1.28, -1.73, -0.67, 1.42, -0.92, -2.55, 0.99, -0.85, -0.62, -0.73, 0.97, 0.96, -0.2, -3.37, -1.99, -0.76, 1.48, -1.9, -3.45, -1.19, -1.06, 3.2]
const X2 = [0.38, -0.65, -0.01, 0.39, 0.23, -0.48, -0.09, -0.08, 0.27, 0.22, -0.26, 0.56, -0.41, 0.27, 0.06, 0.11, 0.14, -0.16, -0.14, 0.48, 0.08, 0.4, 0.43, -0.57, 0.07, 0.08, 0.23, -0.19, -0.23, 0.22, -0.21, -0.72, 0.2, 0.65, -0.47, -0.17, 0.22, -0.72, 0.12, -0.12]
const YB = [1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0]
const YM = [0, 0, 1, 1, 2, 2, 0, 2, 1, 1, 0, 2, 0, 0, 1, 2, 2, 0, 2, 2, 2, 1, 2, 1, 1, 0, 1, 1, 2, 1, 0, 2, 2, 2, 1, 2, 0, 0, 2, 2]
const YR = [4.0, 5.48, 2.69, 0.37, 0.65, 0.4, 2.47, -0.59, 1.86, 1.61, 4.74, 0.35, 3.11, 1.47, 0.91, 0.96, 2.69, 5.01, 2.42, 5.64, 0.45, 1.71, 2.37, 3.34, 0.29, 3.14, 3.33, 1.69, 0.52, 2.01, 2.58, 3.82, 1.47, 1.59, 0.39, 3.35, 5.31, 2.56, 2.24, -0.32]

/** The small dataset as a FitInput whose pipeline passes x through unchanged, so coefficients compare directly. */
function rawInput(y: number[], task: Task): FitInput {
  const columns: Column[] = [X0, X1, X2].map((v, j) => ({ name: `x${j}`, type: 'numeric', values: Float64Array.from(v) }))
  if (task === 'regression') columns.push({ name: 'y', type: 'numeric', values: Float64Array.from(y) })
  else columns.push({ name: 'y', type: 'categorical', codes: Int32Array.from(y), levels: task === 'binary' ? ['0', '1'] : ['0', '1', '2'] })
  const table: Table = { source: 'inline', nRows: y.length, columns, fingerprint: 'inline' }
  const target = prepareTarget(table, 'y', task)
  const pipeline: FeaturePipelineIR = {
    encoding: 'dense',
    steps: ['x0', 'x1', 'x2'].map((column) => ({ kind: 'numeric', column, impute: 0, center: 0, scale: 1 })),
    width: 3,
  }
  return { table, target, pipeline, inputs: inputColumnsOf(table, 'y'), train: Int32Array.from(y, (_, i) => i), seed: 1 }
}

const TIGHT: Partial<LinearParams> = { tol: 1e-10, maxIter: 1000 }

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThan(tolerance)
}

/** The fit's own scores and the IR evaluator's on the same encoded rows. */
function bothScores(input: FitInput, params: Partial<LinearParams>, rows: Int32Array) {
  const fit = fitLinear(input, params)
  const { X, n } = encodeTable(input.pipeline, input.table, tableRowsOf(input.target, rows))
  const model = compileModel(modelIrOf(input, 'logistic_regression', params, fit.body))
  return { fit, own: fit.scores(X, n), ir: model.scoreMatrix(X, n) }
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false
  return true
}

describe('logistic regression matches scikit-learn', () => {
  it('binary, C = 1', () => {
    const { body } = fitLinear(rawInput(YB, 'binary'), TIGHT)
    expect(body.link).toBe('logistic')
    expectClose(body.weights[0], [0.684892448801, -0.920315602749, 0.736803511498], 1e-6)
    expectClose(body.intercepts, [0.82258267053], 1e-6)
  })

  it('binary, C = 0.5, balanced class weights', () => {
    const { body } = fitLinear(rawInput(YB, 'binary'), { ...TIGHT, C: 0.5, classWeight: 'balanced' })
    expectClose(body.weights[0], [0.542381382357, -0.883390342367, 0.491105456706], 1e-6)
    expectClose(body.intercepts, [0.115030384994], 1e-6)
  })

  it('multinomial, C = 1', () => {
    const { body } = fitLinear(rawInput(YM, 'multiclass'), TIGHT)
    expect(body.link).toBe('softmax')
    expectClose(body.weights[0], [1.170995271449, -0.272927235254, -0.49840628301], 1e-6)
    expectClose(body.weights[1], [-0.409454750088, 0.199134519374, 0.167940912089], 1e-6)
    expectClose(body.weights[2], [-0.761540521362, 0.07379271588, 0.33046537092], 1e-6)
    expectClose(body.intercepts, [-0.573026516768, 0.152356759301, 0.420669757467], 1e-6)
  })

  it('elastic net (OWL-QN) zeroes the coefficient saga zeroes', () => {
    const { body } = fitLinear(rawInput(YB, 'binary'), { ...TIGHT, C: 0.3, l1Ratio: 0.6 })
    expectClose(body.weights[0], [0.226136846908, -0.716659281456, 0], 1e-6)
    expect(body.weights[0][2]).toBe(0)
    expectClose(body.intercepts, [0.731757301555], 1e-6)
  })

  it('regression is ridge: C = 1 is Ridge(alpha = 1), solved exactly', () => {
    const { body } = fitLinear(rawInput(YR, 'regression'), {})
    expect(body.link).toBe('identity')
    expectClose(body.weights[0], [1.061318076676, -0.687587473702, 0.301444522031], 1e-9)
    expectClose(body.intercepts, [1.974146856072], 1e-9)
  })

  it('regression with l1Ratio is ElasticNet(alpha = 1 / (C n))', () => {
    const { body } = fitLinear(rawInput(YR, 'regression'), { ...TIGHT, C: 0.05, l1Ratio: 0.5 })
    expectClose(body.weights[0], [0.520564197775, -0.596032647926, 0], 1e-6)
    expect(body.weights[0][2]).toBe(0)
    expectClose(body.intercepts, [2.000342650184], 1e-6)
  })
})

describe('logistic regression on synthetic data', () => {
  it('binary: holdout accuracy close to the Bayes rule, with categoricals and missing values', () => {
    const data = syntheticTable({ rows: 4000, task: 'binary', seed: 1, missing: 0.05 })
    const { train, holdout } = splitPositions(data.target.y.length, 0.25, 2)
    const { fit, ir } = bothScores(fitInputOf(data, 'dense', train), {}, holdout)
    expect(fit.converged).toBe(true)
    const acc = accuracy(ir, 2, targetsOf(data.target, holdout))
    expect(acc).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.03)
  })

  it('multiclass: holdout accuracy close to the Bayes rule', () => {
    const data = syntheticTable({ rows: 4000, task: 'multiclass', classes: 4, seed: 3 })
    const { train, holdout } = splitPositions(data.target.y.length, 0.25, 4)
    const { ir } = bothScores(fitInputOf(data, 'dense', train), {}, holdout)
    expect(accuracy(ir, 4, targetsOf(data.target, holdout))).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.03)
  })

  it('regression: holdout R2 close to the noiseless truth', () => {
    const data = syntheticTable({ rows: 3000, task: 'regression', seed: 5, missing: 0.02 })
    const { train, holdout } = splitPositions(data.target.y.length, 0.25, 6)
    const { ir } = bothScores(fitInputOf(data, 'dense', train), {}, holdout)
    const y = targetsOf(data.target, holdout)
    const best = r2(Float64Array.from(holdout, (r) => data.truth[r]), y)
    expect(r2(ir, y)).toBeGreaterThan(best - 0.03)
  })

  it("the learner's own predictions equal the IR evaluator's bit for bit", () => {
    const cases: [Task, Partial<LinearParams>][] = [
      ['binary', {}],
      ['multiclass', { classWeight: 'balanced' }],
      ['regression', {}],
      ['regression', { l1Ratio: 0.5 }],
      ['binary', { l1Ratio: 0.3, C: 0.1 }],
    ]
    for (const [task, params] of cases) {
      const data = syntheticTable({ rows: 600, task, seed: 7, missing: 0.1 })
      const { train, holdout } = splitPositions(data.target.y.length, 0.3, 8)
      const { own, ir } = bothScores(fitInputOf(data, 'dense', train), params, holdout)
      expect(own.length).toBe(ir.length)
      let mismatches = 0
      for (let i = 0; i < ir.length; i++) if (own[i] !== ir[i]) mismatches++
      expect(mismatches, `${task} ${JSON.stringify(params)}`).toBe(0)
    }
  })

  it('is deterministic: the same input gives the same IR JSON', () => {
    const data = syntheticTable({ rows: 800, task: 'multiclass', seed: 9 })
    const { train } = splitPositions(data.target.y.length, 0.2, 1)
    const a = logisticRegression.fit(fitInputOf(data, 'dense', train, 5), logisticRegression.defaultParams('multiclass'))
    const b = logisticRegression.fit(fitInputOf(data, 'dense', train, 5), logisticRegression.defaultParams('multiclass'))
    expect(JSON.stringify(a)).toBe(JSON.stringify(b))
  })

  it('balanced class weights shift predictions toward the minority class', () => {
    const data = syntheticTable({ rows: 6000, task: 'binary', seed: 11 })
    // Keep one positive in ten: an imbalanced training set.
    const all = splitPositions(data.target.y.length, 0.25, 12)
    const train = all.train.filter((p, i) => data.target.y[p] === 0 || i % 10 === 0)
    const input = fitInputOf(data, 'dense', train)
    const mean = (scores: Float64Array) => {
      let s = 0
      for (let i = 1; i < scores.length; i += 2) s += scores[i]
      return s / (scores.length / 2)
    }
    const plain = bothScores(input, {}, all.holdout).ir
    const balanced = bothScores(input, { classWeight: 'balanced' }, all.holdout).ir
    expect(mean(balanced)).toBeGreaterThan(mean(plain) + 0.1)
    const recall = (scores: Float64Array) => {
      let hit = 0
      let pos = 0
      all.holdout.forEach((p, i) => {
        if (data.target.y[p] !== 1) return
        pos++
        if (scores[2 * i + 1] > 0.5) hit++
      })
      return hit / pos
    }
    expect(recall(balanced)).toBeGreaterThan(recall(plain) + 0.05)
  })

  it('an L1 mix zeroes pure-noise features', () => {
    const data = syntheticTable({ rows: 2000, task: 'binary', seed: 13, features: 10, categorical: false })
    const { body } = fitLinear(fitInputOf(data, 'dense', Int32Array.from(data.target.y, (_, i) => i)), { C: 0.01, l1Ratio: 1 })
    const w = body.weights[0]
    // x0..x3 carry the signal; x4..x9 are noise.
    expect(w.slice(0, 3).every((v) => v !== 0)).toBe(true)
    expect(w.slice(4).filter((v) => v === 0).length).toBeGreaterThanOrEqual(4)
  })
})

describe('logistic regression edge cases', () => {
  it('a constant feature and a training fold with one class give finite predictions', () => {
    const data = syntheticTable({ rows: 500, task: 'binary', seed: 15 })
    data.table.columns.unshift({ name: 'constant', type: 'numeric', values: new Float64Array(500).fill(7) })
    const onlyZeros = Int32Array.from(data.target.y.keys()).filter((p) => data.target.y[p] === 0)
    for (const params of [{}, { classWeight: 'balanced' as const }, { l1Ratio: 0.5 }]) {
      const { own, ir, fit } = bothScores(fitInputOf(data, 'dense', onlyZeros), params, Int32Array.from(data.target.y.keys()))
      expect(allFinite(fit.body.weights.flat()) && allFinite(fit.body.intercepts)).toBe(true)
      expect(allFinite(ir)).toBe(true)
      expect(Array.from(own)).toEqual(Array.from(ir))
      // Everything it saw was class 0, so it predicts class 0.
      expect(accuracy(ir, 2, new Float64Array(500))).toBe(1)
    }
  })

  it('a class missing from a multiclass fold gets a low probability, not NaN', () => {
    const data = syntheticTable({ rows: 600, task: 'multiclass', seed: 17 })
    const noClass2 = Int32Array.from(data.target.y.keys()).filter((p) => data.target.y[p] !== 2)
    const { ir } = bothScores(fitInputOf(data, 'dense', noClass2), { classWeight: 'balanced' }, Int32Array.from(data.target.y.keys()))
    expect(allFinite(ir)).toBe(true)
    let maxP2 = 0
    for (let i = 2; i < ir.length; i += 3) maxP2 = Math.max(maxP2, ir[i])
    expect(maxP2).toBeLessThan(0.05)
  })

  it('ridge with a constant feature and a huge C stays finite', () => {
    const data = syntheticTable({ rows: 300, task: 'regression', seed: 19 })
    data.table.columns.unshift({ name: 'constant', type: 'numeric', values: new Float64Array(300).fill(-2) })
    const { body } = fitLinear(fitInputOf(data, 'dense', Int32Array.from(data.target.y.keys())), { C: 1e12 })
    expect(allFinite(body.weights[0]) && allFinite(body.intercepts)).toBe(true)
    expect(body.weights[0][0]).toBe(0)
  })

  it('an aborted signal stops the fit with FitAborted', () => {
    const data = syntheticTable({ rows: 200, task: 'binary', seed: 21 })
    const input = fitInputOf(data, 'dense', Int32Array.from(data.target.y.keys()))
    const controller = new AbortController()
    controller.abort()
    expect(() => fitLinear({ ...input, signal: controller.signal }, {})).toThrow(FitAborted)
  })

  it('defaults are the documented ones', () => {
    expect(logisticRegression.defaultParams('binary')).toEqual({ C: 1, l1Ratio: 0, classWeight: 'none', maxIter: 100, tol: 1e-4 })
    expect(logisticRegression.encoding).toBe('dense')
    const body: LinearModelIR = fitLinear(rawInput(YB, 'binary')).body
    expect(body.weights.length).toBe(1)
  })
})
