/**
 * L-BFGS on Float64Arrays, with OWL-QN (Andrew & Gao 2007) for an added L1 term.
 *
 * Minimizes F(x) = f(x) + sum_i l1[i] * |x_i|, where the objective computes the smooth f and its
 * gradient. Without L1 the line search asks for the weak Wolfe conditions (so every step gives a
 * positive-curvature pair); with L1 it backtracks along the orthant-projected path, as OWL-QN requires.
 * Stops, like scipy's L-BFGS-B that scikit-learn calls, when the largest (pseudo-)gradient component
 * is at most `tol` or when an iteration improves F by a relative 64 * machine epsilon or less.
 */
import { FitAborted } from './learner.js'

/** Returns f(x) and writes its gradient into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number

export interface LbfgsOptions {
  /** Most iterations (default 100). */
  maxIter?: number
  /** Stop when max_i |gradient_i| <= tol (default 1e-5). */
  tol?: number
  /** Correction pairs kept (default 10, as scipy). */
  memory?: number
  /** Per-coordinate L1 strength; any positive entry switches to OWL-QN. */
  l1?: Float64Array
  signal?: AbortSignal
}

export interface LbfgsResult {
  x: Float64Array
  /** F at x (the smooth part plus the L1 term). */
  f: number
  iterations: number
  evaluations: number
  /** Stopped by a tolerance rather than by maxIter or a failed line search. */
  converged: boolean
}

const C1 = 1e-4
const C2 = 0.9
const MAX_LINE_STEPS = 40
const FTOL = 64 * Number.EPSILON

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

function maxAbs(a: Float64Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i])
    if (v > m) m = v
  }
  return m
}

function l1Term(x: Float64Array, l1: Float64Array | undefined): number {
  if (!l1) return 0
  let s = 0
  for (let i = 0; i < x.length; i++) s += l1[i] * Math.abs(x[i])
  return s
}

/** The steepest-descent direction's negative for f + L1: the one-sided derivative that can go down, else 0. */
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array | undefined, out: Float64Array): void {
  if (!l1) {
    out.set(g)
    return
  }
  for (let i = 0; i < x.length; i++) {
    const c = l1[i]
    if (x[i] > 0) out[i] = g[i] + c
    else if (x[i] < 0) out[i] = g[i] - c
    else if (g[i] + c < 0) out[i] = g[i] + c
    else if (g[i] - c > 0) out[i] = g[i] - c
    else out[i] = 0
  }
}

export function minimize(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 100
  const tol = options.tol ?? 1e-5
  const memory = options.memory ?? 10
  const l1 = options.l1 && options.l1.some((c) => c > 0) ? options.l1 : undefined
  const n = x0.length

  const x = Float64Array.from(x0)
  const g = new Float64Array(n)
  const pg = new Float64Array(n)
  const d = new Float64Array(n)
  const xNew = new Float64Array(n)
  const gNew = new Float64Array(n)
  const S: Float64Array[] = []
  const Y: Float64Array[] = []
  const rho: number[] = []
  const alpha = new Float64Array(memory)

  let evaluations = 1
  let f = objective(x, g) + l1Term(x, l1)
  pseudoGradient(x, g, l1, pg)
  let iterations = 0
  let converged = false

  // Evaluates F at x + t d (projected onto the orthant for OWL-QN) into xNew / gNew.
  const orthant = new Float64Array(n)
  const evalAt = (t: number): number => {
    for (let i = 0; i < n; i++) {
      let v = x[i] + t * d[i]
      if (l1 && v * orthant[i] <= 0) v = 0
      xNew[i] = v
    }
    evaluations++
    return objective(xNew, gNew) + l1Term(xNew, l1)
  }

  while (iterations < maxIter) {
    if (maxAbs(pg) <= tol) {
      converged = true
      break
    }
    if (options.signal?.aborted) throw new FitAborted()

    // Two-loop recursion: d = -H pg, H the L-BFGS inverse-Hessian estimate.
    d.set(pg)
    for (let h = S.length - 1; h >= 0; h--) {
      alpha[h] = rho[h] * dot(S[h], d)
      const y = Y[h]
      for (let i = 0; i < n; i++) d[i] -= alpha[h] * y[i]
    }
    if (S.length > 0) {
      const last = S.length - 1
      const gamma = 1 / (rho[last] * dot(Y[last], Y[last]))
      for (let i = 0; i < n; i++) d[i] *= gamma
    }
    for (let h = 0; h < S.length; h++) {
      const beta = rho[h] * dot(Y[h], d)
      const s = S[h]
      for (let i = 0; i < n; i++) d[i] += (alpha[h] - beta) * s[i]
    }
    for (let i = 0; i < n; i++) d[i] = -d[i]
    if (l1) {
      // OWL-QN: keep only the components that go downhill, and stay in the current orthant.
      for (let i = 0; i < n; i++) {
        if (d[i] * pg[i] >= 0) d[i] = 0
        orthant[i] = x[i] !== 0 ? Math.sign(x[i]) : -Math.sign(pg[i])
      }
    }
    let slope = dot(pg, d)
    if (!(slope < 0)) {
      // The estimate went bad (rounding): restart from steepest descent.
      S.length = Y.length = rho.length = 0
      for (let i = 0; i < n; i++) d[i] = -pg[i]
      slope = -dot(pg, pg)
    }

    const step = lineSearch(evalAt, f, slope, S.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1, l1 !== undefined, () => {
      let s = 0
      if (l1) for (let i = 0; i < n; i++) s += pg[i] * (xNew[i] - x[i])
      return s
    }, () => dot(gNew, d))
    iterations++
    if (step === null) {
      if (S.length === 0) break
      S.length = Y.length = rho.length = 0 // retry once from steepest descent
      continue
    }

    // Keep the correction pair when its curvature is positive (always true under Wolfe).
    const s = new Float64Array(n)
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i]
      y[i] = gNew[i] - g[i]
    }
    const sy = dot(s, y)
    if (sy > 1e-10 * dot(y, y)) {
      if (S.length === memory) {
        S.shift()
        Y.shift()
        rho.shift()
      }
      S.push(s)
      Y.push(y)
      rho.push(1 / sy)
    }
    const fOld = f
    f = step
    x.set(xNew)
    g.set(gNew)
    pseudoGradient(x, g, l1, pg)
    if (fOld - f <= FTOL * Math.max(Math.abs(fOld), Math.abs(f), 1)) {
      converged = true
      break
    }
  }
  return { x, f, iterations, evaluations, converged }
}

/**
 * Finds a step along d from F(x) = f0 with directional derivative `slope` < 0; leaves the point in
 * xNew/gNew and returns F there, or null when no acceptable step was found.
 * Smooth case: weak Wolfe by bracketing, a safeguarded quadratic fit while no upper bracket is known
 * to be too short, bisection otherwise. OWL-QN: backtracking Armijo on the projected path.
 */
function lineSearch(
  evalAt: (t: number) => number,
  f0: number,
  slope: number,
  t0: number,
  projected: boolean,
  projectedDecrease: () => number,
  newSlope: () => number,
): number | null {
  let lo = 0
  let hi = Infinity
  let t = t0
  for (let k = 0; k < MAX_LINE_STEPS; k++) {
    const ft = evalAt(t)
    if (projected) {
      if (ft <= f0 + C1 * projectedDecrease()) return ft
      t *= 0.5
      continue
    }
    if (!(ft <= f0 + C1 * t * slope)) {
      // Too long (or NaN/overflow): shrink, toward the minimum of the quadratic through f0, slope, ft.
      hi = t
      const q = (-slope * t * t) / (2 * (ft - f0 - slope * t))
      t = lo === 0 && Number.isFinite(q) ? Math.min(Math.max(q, 0.1 * t), 0.5 * t) : (lo + hi) / 2
    } else if (newSlope() < C2 * slope) {
      // Still going down steeply: go further.
      lo = t
      t = hi === Infinity ? 2 * t : (lo + hi) / 2
    } else return ft
  }
  if (lo > 0) return evalAt(lo) // the last sufficient-decrease point, for want of a better one
  return null
}
