/**
 * Linear models on the dense encoding: logistic regression (binary), multinomial logistic regression
 * (multiclass), and, for a regression task, ridge regression. The AutoML names the family
 * 'logistic_regression' for every task; for regression that name means "the regularized linear
 * model", i.e. ridge (squared loss), optionally elastic net.
 *
 * The objective is scaled like scikit-learn's, so the same C gives the same model:
 *   sum_i sampleWeight_i * loss_i + (1/C) * ((1 - l1Ratio)/2 * ||w||^2 + l1Ratio * ||w||_1)
 * with the intercepts unpenalized. loss_i is the log loss (binary, multinomial) or (y - z)^2 / 2
 * (regression: pure L2 is scikit-learn's Ridge(alpha = 1/C); with L1 it is ElasticNet with
 * alpha = 1/(C n)). Classification and elastic net use L-BFGS / OWL-QN; ridge solves the normal
 * equations by Cholesky, exactly.
 */
import type { Task } from '../data/target.js'
import { encodeTable } from '../features/pipeline.js'
import { sigmoid, softmaxInPlace } from '../ir/evaluate.js'
import type { LinearModelIR } from '../ir/model.js'
import { accumulateGradient, denseForward, rowsOf } from './dense-math.js'
import { minimize, type Objective } from './lbfgs.js'
import { balancedClassWeights, FitAborted, tableRowsOf, targetsOf, type FitInput, type Learner } from './learner.js'

export interface LinearParams {
  /** Inverse regularization strength, as scikit-learn's C (default 1). */
  C: number
  /** Elastic-net mix: 0 is pure L2 (default), 1 pure L1. Fitted by OWL-QN when > 0. */
  l1Ratio: number
  /** 'balanced' weighs each class by n / (k * count), like scikit-learn (classification only). */
  classWeight: 'none' | 'balanced'
  /** Most L-BFGS iterations (default 100; unused by ridge). */
  maxIter: number
  /** Stop when the largest gradient component of the objective divided by the total sample weight is at most tol. */
  tol: number
}

export function defaultLinearParams(): LinearParams {
  return { C: 1, l1Ratio: 0, classWeight: 'none', maxIter: 100, tol: 1e-4 }
}

export interface LinearFit {
  body: LinearModelIR
  /** The learner's own predictions: n x outputs, the same layout and arithmetic as the IR evaluator. */
  scores(X: Float64Array, n: number): Float64Array
  iterations: number
  converged: boolean
}

/** Rows per block in the objective: keeps the logits and residuals buffers in cache. */
const BLOCK = 256

/** Scores like the IR evaluator: z = intercept + sum_j w[j] x[j], then the link. */
export function linearScores(body: LinearModelIR, X: Float64Array, n: number): Float64Array {
  const k = body.weights.length
  const d = body.weights[0]?.length ?? 0
  const W = Float64Array.from(body.weights.flat())
  const b = Float64Array.from(body.intercepts)
  const z = new Float64Array(n * k)
  denseForward(X, n, d, W, b, k, z)
  if (body.link === 'identity') return z
  if (body.link === 'softmax') {
    for (let i = 0; i < n; i++) softmaxInPlace(z, i * k, k)
    return z
  }
  const out = new Float64Array(n * 2)
  for (let i = 0; i < n; i++) {
    const p = sigmoid(z[i])
    out[2 * i] = 1 - p
    out[2 * i + 1] = p
  }
  return out
}

/**
 * Log loss of k logit outputs (k = 1: sigmoid, binary; k > 1: softmax) plus L2 on the weights, divided
 * by the total sample weight (the same minimizer, better-scaled tolerances). theta = [W (k x d), b (k)].
 */
function logLossObjective(X: Float64Array, n: number, d: number, y: Float64Array, sw: Float64Array, k: number, l2: number): Objective {
  let swSum = 0
  for (let i = 0; i < n; i++) swSum += sw[i]
  const scale = 1 / (swSum > 0 ? swSum : 1)
  const z = new Float64Array(BLOCK * k)
  return (theta, grad) => {
    const W = theta.subarray(0, k * d)
    const b = theta.subarray(k * d)
    const gW = grad.subarray(0, k * d)
    const gb = grad.subarray(k * d)
    grad.fill(0)
    let loss = 0
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start)
      const x = X.subarray(start * d, (start + rows) * d)
      denseForward(x, rows, d, W, b, k, z)
      // z becomes the residual sw * (p - onehot(y)): the gradient of the loss with respect to z.
      for (let i = 0; i < rows; i++) {
        const w = sw[start + i]
        const c = y[start + i]
        if (k === 1) {
          // One exp for both: e = exp(-|z|) gives sigmoid(z) and the softplus of the margin.
          const zi = z[i]
          const e = Math.exp(-Math.abs(zi))
          const p = zi >= 0 ? 1 / (1 + e) : e / (1 + e)
          const margin = c === 1 ? zi : -zi
          loss += w * (Math.log1p(e) + (margin < 0 ? -margin : 0))
          z[i] = w * (p - c)
          continue
        }
        // One exp per class: e_j = exp(z_j - max), loss = log(sum e) + max - z_c, p_j = e_j / sum.
        const base = i * k
        let max = z[base]
        for (let j = 1; j < k; j++) if (z[base + j] > max) max = z[base + j]
        const zc = z[base + c]
        let sum = 0
        for (let j = 0; j < k; j++) {
          const e = Math.exp(z[base + j] - max)
          z[base + j] = e
          sum += e
        }
        loss += w * (Math.log(sum) + max - zc)
        const scaled = w / sum
        for (let j = 0; j < k; j++) z[base + j] = scaled * z[base + j] - (j === c ? w : 0)
      }
      accumulateGradient(z, x, rows, d, k, gW, gb)
    }
    for (let j = 0; j < k * d; j++) {
      loss += 0.5 * l2 * W[j] * W[j]
      gW[j] += l2 * W[j]
    }
    for (let j = 0; j < grad.length; j++) grad[j] *= scale
    return loss * scale
  }
}

/** Squared loss (y - z)^2 / 2 plus L2 on the weights, divided by n. theta = [w (d), b]. */
function squaredLossObjective(X: Float64Array, n: number, d: number, y: Float64Array, l2: number): Objective {
  const z = new Float64Array(BLOCK)
  return (theta, grad) => {
    const w = theta.subarray(0, d)
    const b = theta.subarray(d)
    grad.fill(0)
    let loss = 0
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start)
      const x = X.subarray(start * d, (start + rows) * d)
      denseForward(x, rows, d, w, b, 1, z)
      for (let i = 0; i < rows; i++) {
        const r = z[i] - y[start + i]
        loss += 0.5 * r * r
        z[i] = r
      }
      accumulateGradient(z, x, rows, d, 1, grad.subarray(0, d), grad.subarray(d))
    }
    for (let j = 0; j < d; j++) {
      loss += 0.5 * l2 * w[j] * w[j]
      grad[j] += l2 * w[j]
    }
    for (let j = 0; j < grad.length; j++) grad[j] /= n
    return loss / n
  }
}

/** Solves A x = r in place (r becomes x) for symmetric positive definite A (d x d, overwritten by its Cholesky factor). */
function choleskySolve(A: Float64Array, r: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j]
    for (let k = 0; k < j; k++) s -= A[j * d + k] * A[j * d + k]
    if (!(s > 0)) return false
    const ljj = Math.sqrt(s)
    A[j * d + j] = ljj
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j]
      for (let k = 0; k < j; k++) t -= A[i * d + k] * A[j * d + k]
      A[i * d + j] = t / ljj
    }
  }
  for (let i = 0; i < d; i++) {
    let t = r[i]
    for (let k = 0; k < i; k++) t -= A[i * d + k] * r[k]
    r[i] = t / A[i * d + i]
  }
  for (let i = d - 1; i >= 0; i--) {
    let t = r[i]
    for (let k = i + 1; k < d; k++) t -= A[k * d + i] * r[k]
    r[i] = t / A[i * d + i]
  }
  return true
}

/**
 * Ridge by the normal equations on centered data (so the intercept is unpenalized):
 * (Xc^T Xc + lambda I) w = Xc^T yc, b = mean(y) - mean(x) . w. Xc^T Xc is built from X^T X, skipping
 * zeros (one-hot columns are mostly zero), then centered: X^T X - n m m^T.
 */
function fitRidge(X: Float64Array, n: number, d: number, y: Float64Array, lambda: number): { w: Float64Array; b: number } {
  const mean = new Float64Array(d)
  let yMean = 0
  for (let i = 0; i < n; i++) {
    yMean += y[i]
    for (let j = 0; j < d; j++) mean[j] += X[i * d + j]
  }
  const inv = n > 0 ? 1 / n : 0
  yMean *= inv
  for (let j = 0; j < d; j++) mean[j] *= inv
  const G = new Float64Array(d * d)
  const r = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const base = i * d
    const yc = y[i] - yMean
    for (let j = 0; j < d; j++) {
      const v = X[base + j]
      if (v === 0) continue
      r[j] += v * yc
      const row = j * d
      for (let l = 0; l <= j; l++) G[row + l] += v * X[base + l]
    }
  }
  // Centering: r needs no correction because sum_i yc_i = 0.
  let trace = 0
  for (let j = 0; j < d; j++) {
    for (let l = 0; l <= j; l++) G[j * d + l] -= n * mean[j] * mean[l]
    trace += G[j * d + j]
  }
  // lambda > 0 makes the system positive definite; a growing jitter covers C = Infinity and rounding.
  const smallest = 1e-12 * (trace / Math.max(d, 1) || 1)
  for (let attempt = 0; attempt < 8; attempt++) {
    const jitter = attempt === 0 ? 0 : smallest * 100 ** (attempt - 1)
    const A = new Float64Array(d * d)
    for (let j = 0; j < d; j++) for (let l = 0; l <= j; l++) A[j * d + l] = G[j * d + l]
    for (let j = 0; j < d; j++) A[j * d + j] += lambda + jitter
    const w = Float64Array.from(r)
    if (choleskySolve(A, w, d)) {
      let b = yMean
      for (let j = 0; j < d; j++) b -= mean[j] * w[j]
      return { w, b }
    }
  }
  throw new Error('ridge regression: the normal equations could not be solved')
}

export function fitLinear(input: FitInput, given: Partial<LinearParams> = {}): LinearFit {
  const params = { ...defaultLinearParams(), ...given }
  const { table, target, pipeline, train } = input
  if (!(params.C > 0)) throw new Error(`logistic_regression: C must be > 0 (got ${params.C})`)
  if (!(params.l1Ratio >= 0 && params.l1Ratio <= 1)) throw new Error(`logistic_regression: l1Ratio must be in [0, 1] (got ${params.l1Ratio})`)
  if (input.signal?.aborted) throw new FitAborted()
  const { X, n, d } = encodeTable(pipeline, table, tableRowsOf(target, train))
  const y = targetsOf(target, train)
  const l2 = (1 - params.l1Ratio) / params.C
  const l1Strength = params.l1Ratio / params.C

  let body: LinearModelIR
  let iterations = 0
  let converged = true
  if (target.task === 'regression') {
    if (params.l1Ratio === 0) {
      const { w, b } = fitRidge(X, n, d, y, l2)
      body = { type: 'linear', link: 'identity', weights: [Array.from(w)], intercepts: [b] }
    } else {
      // Elastic net by OWL-QN on standardized y, so the tolerance means the same for any unit of y:
      // with y = s y' + m, w = s w' and b = s b' + m the objective is s^2 times the one with L1 strength / s.
      let m = 0
      for (let i = 0; i < n; i++) m += y[i]
      m /= n || 1
      let ss = 0
      for (let i = 0; i < n; i++) ss += (y[i] - m) ** 2
      const s = Math.sqrt(ss / (n || 1)) || 1
      const ys = y.map((v) => (v - m) / s)
      const l1 = new Float64Array(d + 1).fill(l1Strength / s / (n || 1), 0, d)
      const result = minimize(squaredLossObjective(X, n, d, ys, l2), new Float64Array(d + 1), { maxIter: params.maxIter, tol: params.tol, l1, signal: input.signal })
      iterations = result.iterations
      converged = result.converged
      const w = Array.from(result.x.subarray(0, d), (v) => v * s)
      body = { type: 'linear', link: 'identity', weights: [w], intercepts: [result.x[d] * s + m] }
    }
  } else {
    const classes = target.classes!.length
    const k = target.task === 'binary' ? 1 : classes
    const sw = new Float64Array(n).fill(1)
    if (params.classWeight === 'balanced') {
      const cw = balancedClassWeights(y, classes)
      for (let i = 0; i < n; i++) sw[i] = cw[y[i]]
    }
    let swSum = 0
    for (let i = 0; i < n; i++) swSum += sw[i]
    const l1 = l1Strength > 0 ? new Float64Array(k * d + k).fill(l1Strength / (swSum || 1), 0, k * d) : undefined
    const result = minimize(logLossObjective(X, n, d, y, sw, k, l2), new Float64Array(k * d + k), { maxIter: params.maxIter, tol: params.tol, l1, signal: input.signal })
    iterations = result.iterations
    converged = result.converged
    const W = result.x.subarray(0, k * d)
    body = { type: 'linear', link: k === 1 ? 'logistic' : 'softmax', weights: rowsOf(W, k, d), intercepts: Array.from(result.x.subarray(k * d)) }
  }
  const fitted = body
  return { body, scores: (Xs, ns) => linearScores(fitted, Xs, ns), iterations, converged }
}

export const logisticRegression: Learner<LinearParams> = {
  family: 'logistic_regression',
  encoding: 'dense',
  defaultParams: (_task: Task) => defaultLinearParams(),
  fit: (input, params) => fitLinear(input, params).body,
}
