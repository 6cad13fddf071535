/**
 * Dense kernels on row-major Float64Arrays, shared by the linear and MLP learners.
 *
 * Weights are stored like the IR: `m` outputs x `k` inputs, row-major. The forward kernel starts each
 * sum from the bias and adds w[j] * x[j] in j order: the same operations as the IR evaluator, so a
 * learner's own predictions equal the exported model's bit for bit.
 *
 * V8 does not vectorize, so the speed comes from register blocking: each number loaded feeds
 * several multiply-adds.
 */

/**
 * out[i*m + o] = b[o] + sum_j W[o*k + j] * x[i*k + j], for rows i < n (b null: 0 + ...).
 * Both operands are read along their contiguous inner dimension; blocks of 2 rows x 4 outputs keep
 * eight sums in registers, so each loaded number feeds 2 to 4 multiply-adds (about 1.6x the speed of
 * one row at a time). Any "A times B transposed" product can use it: the MLP's backward pass does.
 */
export function denseForward(x: Float64Array, n: number, k: number, W: Float64Array, b: Float64Array | null, m: number, out: Float64Array): void {
  let i = 0
  for (; i + 2 <= n; i += 2) {
    const x0 = i * k
    const x1 = x0 + k
    const c0 = i * m
    const c1 = c0 + m
    let o = 0
    for (; o + 4 <= m; o += 4) {
      const w0 = o * k
      const w1 = w0 + k
      const w2 = w1 + k
      const w3 = w2 + k
      let s0 = b ? b[o] : 0
      let s1 = b ? b[o + 1] : 0
      let s2 = b ? b[o + 2] : 0
      let s3 = b ? b[o + 3] : 0
      let t0 = s0
      let t1 = s1
      let t2 = s2
      let t3 = s3
      for (let j = 0; j < k; j++) {
        const u = x[x0 + j]
        const v = x[x1 + j]
        const a0 = W[w0 + j]
        const a1 = W[w1 + j]
        const a2 = W[w2 + j]
        const a3 = W[w3 + j]
        s0 += a0 * u
        s1 += a1 * u
        s2 += a2 * u
        s3 += a3 * u
        t0 += a0 * v
        t1 += a1 * v
        t2 += a2 * v
        t3 += a3 * v
      }
      out[c0 + o] = s0
      out[c0 + o + 1] = s1
      out[c0 + o + 2] = s2
      out[c0 + o + 3] = s3
      out[c1 + o] = t0
      out[c1 + o + 1] = t1
      out[c1 + o + 2] = t2
      out[c1 + o + 3] = t3
    }
    for (; o < m; o++) {
      const w0 = o * k
      let s = b ? b[o] : 0
      let t = s
      for (let j = 0; j < k; j++) {
        s += W[w0 + j] * x[x0 + j]
        t += W[w0 + j] * x[x1 + j]
      }
      out[c0 + o] = s
      out[c1 + o] = t
    }
  }
  for (; i < n; i++) {
    const x0 = i * k
    for (let o = 0; o < m; o++) {
      const w0 = o * k
      let s = b ? b[o] : 0
      for (let j = 0; j < k; j++) s += W[w0 + j] * x[x0 + j]
      out[i * m + o] = s
    }
  }
}

/** dst (cols x rows) = src (rows x cols) transposed. */
export function transpose(src: Float64Array, rows: number, cols: number, dst: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const base = i * cols
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[base + j]
  }
}

/**
 * Adds the gradient of a dense layer's parameters: gW += delta^T x (m x k), gb += column sums of delta.
 * delta is n x m, x is n x k. Rows whose four deltas are all zero (dead ReLUs) are skipped.
 */
export function accumulateGradient(delta: Float64Array, x: Float64Array, n: number, k: number, m: number, gW: Float64Array, gb: Float64Array): void {
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const x0 = i * k
    const x1 = x0 + k
    const x2 = x1 + k
    const x3 = x2 + k
    const d0i = i * m
    for (let o = 0; o < m; o++) {
      const d0 = delta[d0i + o]
      const d1 = delta[d0i + m + o]
      const d2 = delta[d0i + 2 * m + o]
      const d3 = delta[d0i + 3 * m + o]
      if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue
      const g = o * k
      for (let j = 0; j < k; j++) gW[g + j] += d0 * x[x0 + j] + d1 * x[x1 + j] + d2 * x[x2 + j] + d3 * x[x3 + j]
      gb[o] += d0 + d1 + d2 + d3
    }
  }
  for (; i < n; i++) {
    const xi = i * k
    for (let o = 0; o < m; o++) {
      const d = delta[i * m + o]
      if (d === 0) continue
      const g = o * k
      for (let j = 0; j < k; j++) gW[g + j] += d * x[xi + j]
      gb[o] += d
    }
  }
}

/** log(1 + exp(z)) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))
}

/** log(sum_j exp(z[base + j])) for j < k, shifted by the max so it cannot overflow. */
export function logSumExp(z: Float64Array, base: number, k: number): number {
  let max = z[base]
  for (let j = 1; j < k; j++) if (z[base + j] > max) max = z[base + j]
  let sum = 0
  for (let j = 0; j < k; j++) sum += Math.exp(z[base + j] - max)
  return max + Math.log(sum)
}

/** The rows of an m x k row-major matrix as plain arrays, for the JSON IR. */
export function rowsOf(W: Float64Array, m: number, k: number): number[][] {
  const out: number[][] = []
  for (let o = 0; o < m; o++) out.push(Array.from(W.subarray(o * k, (o + 1) * k)))
  return out
}
