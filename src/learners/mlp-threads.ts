/**
 * Data-parallel MLP training. Each mini-batch is cut into `batchParts` equal contiguous parts, a number
 * that depends only on the batch's rows and the network's size (never on the thread count). Each part's
 * loss and gradient is computed by whichever thread claims it (the fitting thread itself and up to
 * threads - 1 pool workers); the fitting thread then sums them in part order and adds the L2 term.
 * Dropout masks come from one random stream per (seed, epoch, batch, part). So the weights are
 * bit-identical for any thread count, 1 included.
 *
 * Weights, the batch's rows and the per-part gradients live in SharedArrayBuffers. Threads meet through
 * Atomics on a shared control block: the fitting thread publishes a batch, claims parts like the
 * workers do (so a slow or still-starting worker only means it does more of them), and blocks in
 * Atomics.wait until every part is done; fitMlp stays synchronous. A wake-up round trip costs ~17 µs
 * here (postMessage: ~30 µs, and the fit would have to turn async), against ~0.6 ms of work per part
 * of the reference batch.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { Dropout, HiddenActivation, MlpNetwork, OutputKind } from './mlp.js'
import { Random } from './random.js'
import { workerScriptUrl } from '../worker-url.js'

/** Slots of the Int32 control block a fit's threads share. */
export const CTL = {
  /**
   * The current batch's (generation << 8) | (parts << 4) | next unclaimed part: threads claim parts by
   * compare-exchange on this one word, so a claim can only succeed on the batch it read.
   */
  claim: 0,
  /** Parts of the current batch finished (a failed worker adds FAILED_DONE, so no one waits on). */
  done: 1,
  /** The current batch: its rows, epoch and index in the epoch (written before its claim word). */
  rows: 2,
  epoch: 3,
  batch: 4,
  /** 1 once the fit is over: workers return to their message loop. */
  end: 5,
  /** 1 when a worker failed; its message (UTF-8) is in the error bytes, errorLength long. */
  failed: 6,
  errorLength: 7,
  /** Parts computed on worker threads over the fit. */
  workerParts: 8,
  size: 9,
} as const
export const ERROR_BYTES = 4096
const FAILED_DONE = 1 << 20

/** At most this many parts per batch (so at most this many threads help); below 16, the claim word's fields. */
export const MAX_PARTS = 8
/**
 * A part keeps at least this many rows and this many multiply-adds of its forward pass (rows x weights;
 * the backward pass is about twice that). Measured per batch on 2 quiet cores, 1 thread -> 2 threads:
 * 25-64-64-1 x 200 rows 2374 -> 1285 µs (4 parts); x 64 rows 695 -> 489 µs (2 parts); 25-32-1 x 256 rows
 * 414 -> 254 µs (2 parts of 106k). Around 50k a part threads barely pay (25-32-1 x 128 rows: 194 -> 178
 * µs) and below they lose (x 64 rows, 27k a part: 99 -> 113 µs). Below 32 rows a part, splitting costs
 * 5-12% on one thread (8 parts of 25 rows: 2374 -> 2649 µs) and more parts stop helping two threads.
 */
export const MIN_PART_ROWS = 32
export const MIN_PART_WORK = 100_000

/**
 * Parts of a batch of `rows` rows for a network of these layer sizes: 1, 2, 4 or 8, halving the rows
 * while each part keeps MIN_PART_ROWS rows and MIN_PART_WORK multiply-adds. The reference network
 * (25 inputs, 64-64, 1 output) on batches of 200 gets 4 parts of 50 rows.
 */
export function batchParts(rows: number, sizes: readonly number[]): number {
  let weights = 0
  for (let l = 1; l < sizes.length; l++) weights += sizes[l] * sizes[l - 1]
  let parts = 1
  while (parts * 2 <= MAX_PARTS && rows / (parts * 2) >= MIN_PART_ROWS && (rows * weights) / (parts * 2) >= MIN_PART_WORK) parts *= 2
  return parts
}

/**
 * Before sleeping in Atomics.wait, a thread polls the word it waits on this long (ms): a worker between
 * batches (the fitting thread's Adam step takes ~0.15 ms on the reference network), the fitting thread
 * for the workers' last parts. Waking a sleeping thread costs tens of µs here; the reference fit
 * (2 threads, 6 epochs, best of 12 runs) took 1.93 s without polling, 1.84 s with workers polling,
 * 1.82 s with both.
 */
export const WORKER_SPIN_MS = 0.25
const FITTING_SPIN_MS = 0.5

/** Returns once ctl[index] is no longer `value`: polls for spinMs, then sleeps until notified. */
export function waitWhile(ctl: Int32Array, index: number, value: number, spinMs: number): void {
  const t0 = performance.now()
  while (Atomics.load(ctl, index) === value) {
    if (performance.now() - t0 >= spinMs) {
      Atomics.wait(ctl, index, value)
      return
    }
  }
}

/** The default of MlpParams.threads: the cores. */
export function defaultMlpThreads(): number {
  return Math.max(1, availableParallelism())
}

/** The shared buffers of a fit, as a worker receives them. */
export interface MlpWorkerFit {
  type: 'fit'
  ctl: Int32Array
  errorBytes: Uint8Array
  sizes: number[]
  activation: HiddenActivation
  output: OutputKind
  params: Float64Array
  x: Float64Array
  y: Float64Array
  sw: Float64Array | null
  /** One gradient per part of the fit's largest batch (part p at p * params.length, laid out like params), and one loss per part. */
  grads: Float64Array
  losses: Float64Array
  dropoutRate: number
  dropoutSeed: number
  /** Tests only: make the worker fail on its first part, by throwing or by exiting its thread. */
  fault?: 'throw' | 'exit'
}

/** The buffers one part reads and writes. */
interface PartBuffers {
  x: Float64Array
  y: Float64Array
  sw: Float64Array | null
  grads: Float64Array
  losses: Float64Array
  dropoutRate: number
  dropoutSeed: number
}

/** Part p of the current batch: rows [p rows / parts, (p + 1) rows / parts), into gradient slot p. */
export function computePart(net: MlpNetwork, buf: PartBuffers, rows: number, parts: number, p: number, epoch: number, batch: number): void {
  const d = net.sizes[0]
  const P = net.params.length
  const r0 = Math.floor((p * rows) / parts)
  const r1 = Math.floor(((p + 1) * rows) / parts)
  buf.losses[p] = net.partLossAndGradient(
    buf.x.subarray(r0 * d, r1 * d),
    r1 - r0,
    buf.y.subarray(r0, r1),
    buf.sw ? buf.sw.subarray(r0, r1) : null,
    1 / rows,
    buf.grads.subarray(p * P, (p + 1) * P),
    partDropout(buf.dropoutRate, buf.dropoutSeed, epoch, batch, p),
  )
}

function partDropout(rate: number, seed: number, epoch: number, batch: number, part: number): Dropout | undefined {
  return rate > 0 ? { rate, random: new Random(Random.derive(seed, epoch, batch, part)) } : undefined
}

const GEN_MASK = 0x7fffff

/** The claim word publishing batch `gen` of `parts` parts, none claimed yet. */
function claimWord(gen: number, parts: number): number {
  return (gen << 8) | (parts << 4)
}

/**
 * Claims the next part of the batch published in ctl: returns the claim word it advanced (part
 * `word & 15` of `(word >> 4) & 15`), or -1 when every part is claimed. The batch's rows, epoch and
 * index, read after a successful claim, are the claimed batch's: they were written before its word,
 * and the next batch's are not written before every part of this one is done.
 */
export function claimPart(ctl: Int32Array): number {
  for (;;) {
    const v = Atomics.load(ctl, CTL.claim)
    if ((v & 15) >= ((v >> 4) & 15)) return -1
    if (Atomics.compareExchange(ctl, CTL.claim, v, v + 1) === v) return v
  }
}

// --- The pool (per thread: a trial worker fitting an MLP has its own) ---

let pool: Worker[] = []
let fault: MlpWorkerFit['fault']

function poolWorkers(count: number): Worker[] {
  while (pool.length < count) {
    const w = new Worker(workerScriptUrl('learners/mlp-worker'))
    w.unref()
    // A worker that died (its fit, if any, was told through the control block) leaves the pool.
    const drop = (): void => {
      pool = pool.filter((p) => p !== w)
    }
    w.on('error', drop)
    w.on('exit', drop)
    pool.push(w)
  }
  return pool.slice(0, count)
}

/** Ends the pool's threads (they are unref'd, so a process exits without this; tests call it). */
export async function shutdownMlpPool(): Promise<void> {
  const all = pool
  pool = []
  await Promise.all(all.map((w) => w.terminate()))
}

/** Thread ids of the pool's workers (tests: the pool is reused across fits). */
export function mlpPoolThreadIds(): number[] {
  return pool.map((w) => w.threadId)
}

/** Tests only: the next threaded fit's workers fail on their first part ('throw') or exit their thread ('exit'). */
export function injectMlpWorkerFault(kind: MlpWorkerFit['fault']): void {
  fault = kind
}

export interface BatchGradientOptions {
  /** Most rows in a batch. */
  batch: number
  /** Whether rows carry sample weights (sw is then allocated). */
  weighted: boolean
  alpha: number
  dropoutRate: number
  dropoutSeed: number
  /** Threads computing parts (the calling one included); more than batchParts(batch) do not help. */
  threads: number
}

/** Threads a fit uses: at most the parts of its largest batch. */
export function mlpThreadsFor(threads: number, batch: number, sizes: readonly number[]): number {
  return Math.max(1, Math.min(Math.floor(threads) || 1, batchParts(batch, sizes)))
}

/**
 * The loss and gradient of each mini-batch of a fit, on one or more threads. Fill x, y (and sw) with
 * the batch's rows, call run(); the gradient is then in `grad`. With more than one thread, net.params
 * must live in a SharedArrayBuffer. close() when the fit ends (also when it throws).
 */
export class BatchGradients {
  readonly x: Float64Array
  readonly y: Float64Array
  readonly sw: Float64Array | null
  readonly grad: Float64Array
  private readonly buf: PartBuffers
  private readonly ctl: Int32Array | null = null
  private readonly errorBytes: Uint8Array | null = null
  private gen = 0

  constructor(
    private readonly net: MlpNetwork,
    private readonly options: BatchGradientOptions,
  ) {
    const { batch, weighted } = options
    const d = net.sizes[0]
    const P = net.params.length
    const parts = batchParts(batch, net.sizes)
    const threads = mlpThreadsFor(options.threads, batch, net.sizes)
    const alloc = (n: number): Float64Array => (threads > 1 ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n))
    this.x = alloc(batch * d)
    this.y = alloc(batch)
    this.sw = weighted ? alloc(batch) : null
    this.grad = new Float64Array(P)
    const { dropoutRate, dropoutSeed } = options
    this.buf = { x: this.x, y: this.y, sw: this.sw, grads: alloc(parts > 1 ? parts * P : 0), losses: alloc(parts), dropoutRate, dropoutSeed }
    if (threads === 1) return
    if (!(net.params.buffer instanceof SharedArrayBuffer)) throw new Error('mlp: threaded training needs the parameters in a SharedArrayBuffer')
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * CTL.size))
    this.errorBytes = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES))
    const message: MlpWorkerFit = {
      type: 'fit',
      ctl: this.ctl,
      errorBytes: this.errorBytes,
      sizes: net.sizes,
      activation: net.activation,
      output: net.output,
      params: net.params,
      x: this.x,
      y: this.y,
      sw: this.sw,
      grads: this.buf.grads,
      losses: this.buf.losses,
      dropoutRate,
      dropoutSeed,
      ...(fault ? { fault } : {}),
    }
    fault = undefined
    for (const w of poolWorkers(threads - 1)) w.postMessage(message)
  }

  /** Parts of the batches computed on worker threads so far. */
  get workerParts(): number {
    return this.ctl ? Atomics.load(this.ctl, CTL.workerParts) : 0
  }

  /**
   * The mean loss of the batch in x[0 .. rows) (plus the L2 term) and its gradient into `grad`.
   * `epoch` and `batch` (its index in the epoch) seed the dropout masks.
   */
  run(rows: number, epoch: number, batch: number): number {
    const { net, grad, buf } = this
    const parts = batchParts(rows, net.sizes)
    const inv = 1 / rows
    let loss: number
    if (parts === 1) {
      loss = net.partLossAndGradient(this.x, rows, this.y, this.sw, inv, grad, partDropout(buf.dropoutRate, buf.dropoutSeed, epoch, batch, 0))
    } else {
      if (this.ctl) this.runShared(this.ctl, rows, parts, epoch, batch)
      else for (let p = 0; p < parts; p++) computePart(net, buf, rows, parts, p, epoch, batch)
      // The parts' sums, always in part order.
      const P = grad.length
      const { grads, losses } = buf
      grad.set(grads.subarray(0, P))
      loss = losses[0]
      for (let p = 1; p < parts; p++) {
        const base = p * P
        for (let j = 0; j < P; j++) grad[j] += grads[base + j]
        loss += losses[p]
      }
    }
    return loss + net.addWeightPenalty(grad, this.options.alpha, inv)
  }

  private runShared(ctl: Int32Array, rows: number, parts: number, epoch: number, batch: number): void {
    Atomics.store(ctl, CTL.rows, rows)
    Atomics.store(ctl, CTL.epoch, epoch)
    Atomics.store(ctl, CTL.batch, batch)
    Atomics.store(ctl, CTL.done, 0)
    // A new generation in the claim word publishes the batch (the rows were written before) and wakes the workers.
    this.gen = (this.gen + 1) & GEN_MASK
    Atomics.store(ctl, CTL.claim, claimWord(this.gen, parts))
    Atomics.notify(ctl, CTL.claim)
    let mine = 0
    for (let w = claimPart(ctl); w >= 0; w = claimPart(ctl)) {
      computePart(this.net, this.buf, rows, parts, w & 15, epoch, batch)
      mine++
    }
    let done = Atomics.add(ctl, CTL.done, mine) + mine
    while (done < parts) {
      waitWhile(ctl, CTL.done, done, FITTING_SPIN_MS)
      done = Atomics.load(ctl, CTL.done)
    }
    if (Atomics.load(ctl, CTL.failed)) {
      const n = Math.min(Atomics.load(ctl, CTL.errorLength), ERROR_BYTES)
      throw new Error(`mlp worker failed: ${Buffer.from(this.errorBytes!.slice(0, n)).toString('utf8')}`)
    }
  }

  /** Ends the fit for the workers (they go back to waiting for the next one). */
  close(): void {
    const ctl = this.ctl
    if (!ctl) return
    Atomics.store(ctl, CTL.end, 1)
    // Move the claim word too (to a batch of no parts): a worker about to wait on its old value returns at once.
    Atomics.store(ctl, CTL.claim, claimWord((this.gen + 1) & GEN_MASK, 0))
    Atomics.notify(ctl, CTL.claim)
  }
}

/** Worker side: reports a failure through the control block and wakes the fitting thread. */
export function reportFailure(ctl: Int32Array, errorBytes: Uint8Array, message: string): void {
  const bytes = Buffer.from(message, 'utf8').subarray(0, ERROR_BYTES)
  errorBytes.set(bytes)
  Atomics.store(ctl, CTL.errorLength, bytes.length)
  Atomics.store(ctl, CTL.failed, 1)
  Atomics.add(ctl, CTL.done, FAILED_DONE)
  Atomics.notify(ctl, CTL.done)
}
