/**
 * The dense products the MLP trains with, on WebAssembly SIMD (two f64 lanes): the same operation as
 * dense-math.ts's denseForward, out[i*m + o] = b[o] + sum_j W[o*k + j] * x[i*k + j], about 4 times as
 * fast measured here (V8 does not vectorize JavaScript), copies in and out included; whole MLP fits
 * about 3 times. Its sums run in another order (two interleaved partial sums), so results can differ
 * from denseForward's in the last bits: training uses it; predictions that must match the IR evaluator
 * bit for bit use denseForward. (So does training where WebAssembly SIMD is missing, or with
 * MLKAFKA_NO_WASM=1: weights then differ in the last bits, and a seeded run's leaderboard may too.)
 *
 * One module instance per thread; operands are copied into its memory, which grows to the largest call.
 */
import { DENSE_KERNEL_WASM } from './dense-kernel-wasm.js'
import { denseForward } from './dense-math.js'

// The WebAssembly global, as far as this file uses it (the project's TypeScript libs do not declare it).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
type DenseFn = (x: number, n: number, k: number, w: number, b: number, m: number, out: number, mode: number, h: number) => void
type OuterFn = (d: number, n: number, m: number, x: number, k: number, g: number, gb: number) => void

/** What denseProduct does to each output: nothing, ReLU, or zero it where h (laid out like the output) is not > 0. */
export const PLAIN = 0
export const RELU = 1
export const WHERE_POSITIVE = 2
export type ProductMode = typeof PLAIN | typeof RELU | typeof WHERE_POSITIVE

interface Kernel {
  memory: WasmMemory
  dense: DenseFn
  outer: OuterFn
  heap: Float64Array
}

let kernel: Kernel | null | undefined

function load(): Kernel | null {
  if (kernel !== undefined) return kernel
  const bytes = Buffer.from(DENSE_KERNEL_WASM, 'base64')
  if (process.env.MLKAFKA_NO_WASM === '1' || !WebAssembly.validate(bytes)) return (kernel = null)
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {})
  const memory = instance.exports.memory as WasmMemory
  return (kernel = { memory, dense: instance.exports.dense as DenseFn, outer: instance.exports.outer as OuterFn, heap: new Float64Array(memory.buffer) })
}

/** The kernel's memory as f64 slots, at least `slots` long. */
function heapOf(kern: Kernel, slots: number): Float64Array {
  if (slots > kern.heap.length) {
    kern.memory.grow(Math.ceil((slots * 8 - kern.memory.buffer.byteLength) / 65536))
    kern.heap = new Float64Array(kern.memory.buffer)
  }
  return kern.heap
}

/** Copies the first `len` numbers of `src` into the heap at slot `at`. */
function stage(heap: Float64Array, src: Float64Array, len: number, at: number): void {
  heap.set(src.length === len ? src : src.subarray(0, len), at)
}

/** Whether the WebAssembly kernel runs here (else denseForward does). */
export function denseKernelAvailable(): boolean {
  return load() !== null
}

/**
 * out = x W^T + b like denseForward (b null: no bias), computed by the WebAssembly kernel; then, by
 * `mode`, ReLU (v > 0 ? v : 0) or the ReLU's derivative applied (v where h > 0, else 0).
 */
export function denseProduct(x: Float64Array, n: number, k: number, W: Float64Array, b: Float64Array | null, m: number, out: Float64Array, mode: ProductMode = PLAIN, h?: Float64Array): void {
  const kern = load()
  if (kern === null) return exactProduct(x, n, k, W, b, m, out, mode, h)
  // Layout in f64 slots: x, W, b, h, out (offset 0 is never a bias: b = 0 means none, so x starts at slot 2).
  const xAt = 2
  const wAt = xAt + n * k
  const bAt = wAt + m * k
  const hAt = bAt + (b ? m : 0)
  const outAt = hAt + (mode === WHERE_POSITIVE ? n * m : 0)
  const end = outAt + n * m
  const heap = heapOf(kern, end)
  stage(heap, x, n * k, xAt)
  stage(heap, W, m * k, wAt)
  if (b) stage(heap, b, m, bAt)
  if (mode === WHERE_POSITIVE) stage(heap, h!, n * m, hAt)
  kern.dense(xAt * 8, n, k, wAt * 8, b ? bAt * 8 : 0, m, outAt * 8, mode, hAt * 8)
  out.set(heap.subarray(outAt, end))
}

/**
 * denseProduct in the IR evaluator's arithmetic, bit for bit: denseForward, then the mode's expression
 * (ReLU as the evaluator writes it). A net's predictions use it; training does where the kernel is missing.
 */
export function exactProduct(x: Float64Array, n: number, k: number, W: Float64Array, b: Float64Array | null, m: number, out: Float64Array, mode: ProductMode = PLAIN, h?: Float64Array): void {
  denseForward(x, n, k, W, b, m, out)
  const len = n * m
  if (mode === RELU) for (let i = 0; i < len; i++) out[i] = out[i] > 0 ? out[i] : 0
  else if (mode === WHERE_POSITIVE) for (let i = 0; i < len; i++) out[i] = h![i] > 0 ? out[i] : 0
}

/**
 * g (m x k) = d^T x and gb (m) = the column sums of d, for d n x m and x n x k (row-major): a dense
 * layer's weight and bias gradients from its output deltas and its inputs, without transposing either.
 * Overwrites g's first m * k numbers and gb's first m.
 */
export function denseOuter(d: Float64Array, n: number, m: number, x: Float64Array, k: number, g: Float64Array, gb: Float64Array): void {
  const kern = load()
  if (kern === null) return outerInJs(d, n, m, x, k, g, gb)
  const dAt = 0
  const xAt = n * m
  const gAt = xAt + n * k
  const gbAt = gAt + m * k
  const end = gbAt + m
  const heap = heapOf(kern, end)
  stage(heap, d, n * m, dAt)
  stage(heap, x, n * k, xAt)
  kern.outer(dAt * 8, n, m, xAt * 8, k, gAt * 8, gbAt * 8)
  g.set(heap.subarray(gAt, gbAt))
  gb.set(heap.subarray(gbAt, end))
}

function outerInJs(d: Float64Array, n: number, m: number, x: Float64Array, k: number, g: Float64Array, gb: Float64Array): void {
  g.fill(0, 0, m * k)
  gb.fill(0, 0, m)
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < m; o++) {
      const v = d[i * m + o]
      gb[o] += v
      if (v === 0) continue
      for (let j = 0; j < k; j++) g[o * k + j] += v * x[i * k + j]
    }
  }
}
