import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { denseKernelAvailable, denseOuter, denseProduct, PLAIN, RELU, WHERE_POSITIVE } from '../../../src/learners/dense-kernel.js'
import { denseForward } from '../../../src/learners/dense-math.js'
import { Random } from '../../../src/learners/random.js'

const random = new Random(7)
const matrix = (len: number): Float64Array => Float64Array.from({ length: len }, () => random.next() * 2 - 1)
/** Largest absolute difference (the tests bound it by the number of products summed, each of numbers up to 1). */
const maxDiff = (a: Float64Array, b: Float64Array, len: number): number => {
  let worst = 0
  for (let i = 0; i < len; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}
// Odd and even rows, inner sizes and outputs (the kernel works on 2 rows x 4 outputs x 2 inputs at a time).
const SHAPES = [[1, 1, 1], [2, 2, 4], [3, 5, 7], [200, 26, 64], [201, 27, 63], [64, 200, 1], [7, 64, 65]] as const

describe('the MLP training kernel (WebAssembly SIMD)', () => {
  it('runs here', () => {
    expect(denseKernelAvailable()).toBe(true)
  })

  it('x W^T + b: what denseForward computes, up to the order of the sums', () => {
    for (const [n, k, m] of SHAPES) {
      const x = matrix(n * k)
      const W = matrix(m * k)
      const b = matrix(m)
      for (const bias of [b, null]) {
        const want = new Float64Array(n * m)
        const got = new Float64Array(n * m + 3).fill(42)
        denseForward(x, n, k, W, bias, m, want)
        denseProduct(x, n, k, W, bias, m, got)
        expect(maxDiff(got, want, n * m)).toBeLessThan(1e-13 * k)
        // Nothing past the n x m outputs is written.
        expect(Array.from(got.subarray(n * m))).toEqual([42, 42, 42])
      }
    }
  })

  it('with the ReLU, and with the ReLU derivative of given activations, exactly as the JavaScript expressions', () => {
    for (const [n, k, m] of SHAPES) {
      const x = matrix(n * k)
      const W = matrix(m * k)
      const b = matrix(m)
      const plain = new Float64Array(n * m)
      denseProduct(x, n, k, W, b, m, plain, PLAIN)
      const relu = new Float64Array(n * m)
      denseProduct(x, n, k, W, b, m, relu, RELU)
      expect(Array.from(relu)).toEqual(Array.from(plain, (v) => (v > 0 ? v : 0)))
      const h = matrix(n * m)
      const masked = new Float64Array(n * m)
      denseProduct(x, n, k, W, b, m, masked, WHERE_POSITIVE, h)
      expect(Array.from(masked)).toEqual(Array.from(plain, (v, i) => (h[i] > 0 ? v : 0)))
    }
  })

  it("d^T x and d's column sums: a layer's weight and bias gradients", () => {
    for (const [n, m, k] of SHAPES) {
      const d = matrix(n * m)
      // Dead ReLUs: whole blocks of zero deltas are skipped, and must still count as zeros.
      for (let i = 0; i < n * m; i += 3) d[i] = 0
      const x = matrix(n * k)
      const g = new Float64Array(m * k).fill(9)
      const gb = new Float64Array(m).fill(9)
      denseOuter(d, n, m, x, k, g, gb)
      const wantG = new Float64Array(m * k)
      const wantB = new Float64Array(m)
      for (let i = 0; i < n; i++)
        for (let o = 0; o < m; o++) {
          wantB[o] += d[i * m + o]
          for (let j = 0; j < k; j++) wantG[o * k + j] += d[i * m + o] * x[i * k + j]
        }
      expect(maxDiff(g, wantG, m * k)).toBeLessThan(1e-13 * n)
      expect(maxDiff(gb, wantB, m)).toBeLessThan(1e-13 * n)
    }
  })

  it('the committed module is what scripts/generate-dense-kernel.mjs assembles from its WebAssembly text', async () => {
    // @ts-expect-error: a plain .mjs script, without types
    const { assemble, source } = await import('../../../scripts/generate-dense-kernel.mjs')
    expect(readFileSync(new URL('../../../src/learners/dense-kernel-wasm.ts', import.meta.url), 'utf8')).toBe(source(await assemble()))
  })
})
