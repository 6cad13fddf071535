import { describe, expect, it } from 'vitest'
import { minimize, type Objective } from '../../../src/learners/lbfgs.js'
import { FitAborted } from '../../../src/learners/learner.js'

/** The n-dimensional Rosenbrock function: minimum 0 at (1, ..., 1), a curved narrow valley. */
const rosenbrock: Objective = (x, g) => {
  let f = 0
  g.fill(0)
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i]
    const b = 1 - x[i]
    f += 100 * a * a + b * b
    g[i] += -400 * x[i] * a - 2 * b
    g[i + 1] += 200 * a
  }
  return f
}

/** 0.5 sum_i c_i (x_i - t_i)^2: an ill-conditioned bowl (condition number 1e4) with minimum t. */
function bowl(c: number[], t: number[]): Objective {
  return (x, g) => {
    let f = 0
    for (let i = 0; i < x.length; i++) {
      const r = x[i] - t[i]
      f += 0.5 * c[i] * r * r
      g[i] = c[i] * r
    }
    return f
  }
}

describe('minimize (L-BFGS)', () => {
  it('finds the minimum of the 2-d Rosenbrock function from the classic start (-1.2, 1)', () => {
    const result = minimize(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-8, maxIter: 200 })
    expect(result.converged).toBe(true)
    expect(result.iterations).toBeLessThan(60)
    expect(Math.abs(result.x[0] - 1)).toBeLessThan(1e-6)
    expect(Math.abs(result.x[1] - 1)).toBeLessThan(1e-6)
    expect(result.f).toBeLessThan(1e-12)
  })

  it('finds the minimum of the 10-d Rosenbrock function', () => {
    const x0 = new Float64Array(10).map((_, i) => (i % 2 === 0 ? -1.2 : 1))
    const result = minimize(rosenbrock, x0, { tol: 1e-8, maxIter: 500 })
    expect(result.converged).toBe(true)
    for (const v of result.x) expect(Math.abs(v - 1)).toBeLessThan(1e-5)
  })

  it('solves an ill-conditioned quadratic to the tolerance', () => {
    const c = [1e-2, 1, 10, 100]
    const t = [3, -2, 0.5, 7]
    const result = minimize(bowl(c, t), new Float64Array(4), { tol: 1e-10, maxIter: 200 })
    expect(result.converged).toBe(true)
    // It stops at |gradient| <= tol or once F no longer improves by a relative 64 epsilon (as scipy does):
    // near f = 0 the second bounds the error by about sqrt(128 eps / c).
    for (let i = 0; i < 4; i++) expect(Math.abs(result.x[i] - t[i])).toBeLessThan(Math.sqrt((128 * Number.EPSILON) / c[i]))
  })

  it('stops at maxIter and says it did not converge', () => {
    const result = minimize(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-12, maxIter: 5 })
    expect(result.iterations).toBe(5)
    expect(result.converged).toBe(false)
    expect(Number.isFinite(result.f)).toBe(true)
  })

  it('returns the start when it is already optimal', () => {
    const result = minimize(bowl([1, 2], [4, 5]), Float64Array.from([4, 5]))
    expect(result.iterations).toBe(0)
    expect(Array.from(result.x)).toEqual([4, 5])
  })

  it('with L1 (OWL-QN) gives the soft-threshold solution, with exact zeros', () => {
    // argmin 0.5 ||x - a||^2 + lambda ||x||_1 is sign(a) * max(|a| - lambda, 0).
    const a = [3, -0.2, 0.5, -4, 0.05, 1]
    const lambda = 0.6
    const l1 = new Float64Array(a.length).fill(lambda)
    const result = minimize(bowl(new Array(a.length).fill(1), a), new Float64Array(a.length), { l1, tol: 1e-10 })
    const expected = a.map((v) => Math.sign(v) * Math.max(Math.abs(v) - lambda, 0))
    for (let i = 0; i < a.length; i++) {
      if (expected[i] === 0) expect(result.x[i]).toBe(0)
      else expect(Math.abs(result.x[i] - expected[i])).toBeLessThan(1e-8)
    }
    const smooth = expected.reduce((s, v, i) => s + 0.5 * (v - a[i]) ** 2, 0)
    expect(result.f).toBeCloseTo(smooth + lambda * expected.reduce((s, v) => s + Math.abs(v), 0), 10)
  })

  it('with L1 on some coordinates only, leaves the others unpenalized', () => {
    const a = [0.3, 0.3]
    const l1 = Float64Array.from([1, 0])
    const result = minimize(bowl([1, 1], a), new Float64Array(2), { l1, tol: 1e-12 })
    expect(result.x[0]).toBe(0)
    expect(Math.abs(result.x[1] - 0.3)).toBeLessThan(1e-10)
  })

  it('an aborted signal throws FitAborted', () => {
    const controller = new AbortController()
    controller.abort()
    expect(() => minimize(rosenbrock, Float64Array.from([-1.2, 1]), { signal: controller.signal })).toThrow(FitAborted)
  })
})
