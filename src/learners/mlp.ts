/**
 * A multi-layer perceptron on the dense encoding, trained by mini-batch Adam, written on typed arrays.
 *
 * Defaults follow scikit-learn's MLPClassifier/MLPRegressor (Adam 1e-3, batch min(200, n), alpha 1e-4,
 * 200 epochs, patience 10, tol 1e-4) except: two hidden layers of 64 rather than one of 100 (the
 * project's reference shape; two layers find feature interactions more easily on tabular data),
 * Glorot-uniform weights with zero biases, early stopping on by default (on the validation loss rather
 * than accuracy, keeping the best epoch's weights), and optional dropout and class weights.
 *
 * Outputs: binary is one logit (sigmoid, log loss), multiclass k logits (softmax, cross-entropy),
 * regression one value (identity, squared loss / 2) trained on standardized y; the scale is folded
 * back into the last layer so the IR stays a plain network.
 *
 * Each mini-batch's loss and gradient is computed in parts on up to `threads` threads (mlp-threads.ts,
 * mlp-worker.ts); the weights do not depend on the thread count.
 *
 * The same network and training can run on TensorFlow.js instead (mlp-tfjs.ts; which one runs:
 * mlp-backend.ts). This loop is the default: measured, it is the fastest here.
 */
import type { Task } from '../data/target.js'
import { encodeTable } from '../features/pipeline.js'
import { sigmoid, softmaxInPlace } from '../ir/evaluate.js'
import type { MlpModelIR } from '../ir/model.js'
import { logSumExp, rowsOf, softplus, transpose } from './dense-math.js'
import { denseOuter, denseProduct, exactProduct, PLAIN, RELU, WHERE_POSITIVE } from './dense-kernel.js'
import { balancedClassWeights, FitAborted, tableRowsOf, targetsOf, type FitInput, type Learner } from './learner.js'
import { BatchGradients, defaultMlpThreads, mlpThreadsFor } from './mlp-threads.js'
import { mlpBackendSetting, pickMlpBackend, resolveMlpBackend, tfjsNodeInstalled, type MlpBackendSetting } from './mlp-backend.js'
import { Random } from './random.js'
import { toShared } from '../shared-memory.js'

export { shutdownMlpPool } from './mlp-threads.js'

export type HiddenActivation = 'relu' | 'tanh'
export type OutputKind = 'logistic' | 'softmax' | 'identity'

export interface MlpParams {
  /** Units per hidden layer, 1 to 3 layers (default [64, 64]). */
  hidden: number[]
  activation: HiddenActivation
  /** Fraction of hidden units dropped per training batch (default 0). Inverted dropout: nothing changes at inference. */
  dropout: number
  /** Adam's step size (default 1e-3); beta1 0.9, beta2 0.999, epsilon 1e-8 as in Adam's paper and scikit-learn. */
  learningRate: number
  beta1: number
  beta2: number
  epsilon: number
  /** Rows per mini-batch, capped at the training rows (default 200: scikit-learn's min(200, n)). */
  batchSize: number
  /** Most passes over the training rows (default 200). */
  epochs: number
  /** Epochs without a validation-loss improvement of more than tol before stopping (default 10). */
  patience: number
  /**
   * Training rows held out for early stopping when the caller gives no validation rows (default 0.1).
   * 0 turns the holdout off: then, like scikit-learn without early_stopping, the training loss is watched.
   */
  validationFraction: number
  /** Smallest loss decrease that counts as an improvement (default 1e-4). */
  tol: number
  /** L2 strength, scaled like scikit-learn: alpha / (2 batch) * ||W||^2 added to the batch's mean loss (default 1e-4). */
  alpha: number
  /** 'balanced' weighs each class by n / (k * count) in the loss (classification only; default 'none'). */
  classWeight: 'none' | 'balanced'
  /**
   * Threads computing each mini-batch's gradient (default: the cores). The weights are the same for any
   * count: a batch is cut into parts by its size alone, and their gradients are summed in a fixed order.
   * Small networks and batches use one thread whatever this says (see batchParts in mlp-threads.ts).
   */
  threads: number
  /**
   * What trains the network (mlp-backend.ts): 'typed' this file's loop, 'tfjs' TensorFlow.js
   * (mlp-tfjs.ts), 'auto' TensorFlow.js only when @tensorflow/tfjs-node is installed and loads.
   * Unset (the default, so model files do not record it): MLKAFKA_NN_BACKEND, else 'auto'.
   */
  backend?: MlpBackendSetting
}

export function defaultMlpParams(): MlpParams {
  return {
    hidden: [64, 64],
    activation: 'relu',
    dropout: 0,
    learningRate: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    batchSize: 200,
    epochs: 200,
    patience: 10,
    validationFraction: 0.1,
    tol: 1e-4,
    alpha: 1e-4,
    classWeight: 'none',
    threads: defaultMlpThreads(),
  }
}

/** Inverted dropout on hidden units: each is zeroed with probability `rate`, survivors scaled by 1 / (1 - rate). */
export interface Dropout {
  rate: number
  random: Random
}

/**
 * A fully connected network. All parameters live in one Float64Array (so Adam is one loop): per layer
 * the weights (out x in, row-major, like the IR) then the biases; W[l] and b[l] are views into it.
 */
export class MlpNetwork {
  readonly params: Float64Array
  readonly W: Float64Array[] = []
  readonly b: Float64Array[] = []
  /** Per layer l >= 1, for the current batch: hidden layers post-activation (pre-dropout), the last its logits. */
  private acts: Float64Array[] = []
  /** Hidden activations after dropout, fed to the next layer (the same arrays as acts when there is none). */
  private dropped: Float64Array[] = []
  private masks: Float64Array[] = []
  private deltas: Float64Array[] = []
  /** The weights transposed, for the backward pass's "delta times W" as an "A times B transposed" product. */
  private weightsT: Float64Array
  private capacity = 0

  constructor(
    readonly sizes: number[],
    readonly activation: HiddenActivation,
    readonly output: OutputKind,
    params?: Float64Array,
  ) {
    let total = 0
    for (let l = 1; l < sizes.length; l++) total += sizes[l] * sizes[l - 1] + sizes[l]
    this.params = params ?? new Float64Array(total)
    let offset = 0
    for (let l = 1; l < sizes.length; l++) {
      const w = sizes[l] * sizes[l - 1]
      this.W.push(this.params.subarray(offset, offset + w))
      this.b.push(this.params.subarray(offset + w, offset + w + sizes[l]))
      offset += w + sizes[l]
    }
    this.weightsT = new Float64Array(Math.max(...this.W.map((w) => w.length)))
  }

  /** Glorot-uniform weights (limit sqrt(6 / (fan_in + fan_out))), zero biases. */
  static glorot(sizes: number[], activation: HiddenActivation, output: OutputKind, random: Random): MlpNetwork {
    const net = new MlpNetwork(sizes, activation, output)
    for (let l = 1; l < sizes.length; l++) {
      const limit = Math.sqrt(6 / (sizes[l - 1] + sizes[l]))
      const W = net.W[l - 1]
      for (let i = 0; i < W.length; i++) W[i] = (2 * random.next() - 1) * limit
    }
    return net
  }

  get layers(): number {
    return this.sizes.length - 1
  }

  private ensureCapacity(rows: number, dropout: boolean): void {
    if (rows <= this.capacity && (!dropout || this.masks.length > 0)) return
    const cap = Math.max(rows, this.capacity)
    dropout ||= this.masks.length > 0
    // Index 0 (the input) is never stored: the batch is read where it is.
    const perLayer = (): Float64Array[] => this.sizes.map((s, l) => new Float64Array(l === 0 ? 0 : cap * s))
    this.acts = perLayer()
    this.deltas = perLayer()
    this.masks = dropout ? perLayer() : []
    this.dropped = dropout ? perLayer() : this.acts
    this.capacity = cap
  }

  /**
   * Runs `rows` rows of x through the network; returns the output layer's values (logits), rows x outputs.
   * `exact`: the IR evaluator's arithmetic, bit for bit (else training's faster WebAssembly kernel).
   */
  private forwardBatch(x: Float64Array, rows: number, dropout?: Dropout, exact = false): Float64Array {
    this.ensureCapacity(rows, dropout !== undefined)
    const L = this.layers
    let input = x
    for (let l = 1; l <= L; l++) {
      const out = this.acts[l]
      const m = this.sizes[l]
      const relu = l < L && this.activation === 'relu'
      const product = exact ? exactProduct : denseProduct
      product(input, rows, this.sizes[l - 1], this.W[l - 1], this.b[l - 1], m, out, relu ? RELU : PLAIN)
      if (l === L) break
      const len = rows * m
      // tanh as the IR evaluator writes it, so inference is exact.
      if (!relu) for (let i = 0; i < len; i++) out[i] = Math.tanh(out[i])
      input = out
      if (dropout && dropout.rate > 0) {
        const mask = this.masks[l]
        const kept = this.dropped[l]
        const scale = 1 / (1 - dropout.rate)
        for (let i = 0; i < len; i++) {
          mask[i] = dropout.random.next() < dropout.rate ? 0 : scale
          kept[i] = out[i] * mask[i]
        }
        input = kept
      }
    }
    return this.acts[L]
  }

  /**
   * Loss of a batch and its gradient (into `grad`, laid out like params), as scikit-learn defines it:
   * mean over rows of sampleWeight * loss + alpha / (2 rows) * sum of squared weights.
   * y holds class indices (logistic, softmax) or targets (identity); sw may be null (all ones).
   */
  lossAndGradient(x: Float64Array, rows: number, y: Float64Array, sw: Float64Array | null, alpha: number, grad: Float64Array, dropout?: Dropout): number {
    const inv = 1 / rows
    return this.partLossAndGradient(x, rows, y, sw, inv, grad, dropout) + this.addWeightPenalty(grad, alpha, inv)
  }

  /**
   * One part of a batch (rows of it, contiguous): the sum over its rows of sampleWeight * loss * inv,
   * and that sum's gradient into `grad` (every entry written), without the L2 term. With inv = 1 / (the
   * batch's rows), the parts' losses and gradients add up to the batch's mean loss and its gradient.
   */
  partLossAndGradient(x: Float64Array, rows: number, y: Float64Array, sw: Float64Array | null, inv: number, grad: Float64Array, dropout?: Dropout): number {
    const z = this.forwardBatch(x, rows, dropout)
    const L = this.layers
    const k = this.sizes[L]
    const delta = this.deltas[L]
    let loss = 0
    for (let i = 0; i < rows; i++) {
      const w = (sw ? sw[i] : 1) * inv
      loss += w * outputLoss(this.output, z, i, k, y[i], delta)
    }
    // The gradient views, offset like params; every entry is written below.
    let offset = 0
    const gW: Float64Array[] = []
    const gb: Float64Array[] = []
    for (let l = 1; l <= L; l++) {
      const wLen = this.sizes[l] * this.sizes[l - 1]
      gW.push(grad.subarray(offset, offset + wLen))
      gb.push(grad.subarray(offset + wLen, offset + wLen + this.sizes[l]))
      offset += wLen + this.sizes[l]
    }
    // delta_L = d(mean loss)/dz: the per-row derivative times sw / rows.
    for (let i = 0; i < rows; i++) {
      const w = (sw ? sw[i] : 1) * inv
      for (let j = 0; j < k; j++) delta[i * k + j] *= w
    }
    const { weightsT } = this
    for (let l = L; l >= 1; l--) {
      const m = this.sizes[l]
      const kIn = this.sizes[l - 1]
      const input = l === 1 ? x : dropout ? this.dropped[l - 1] : this.acts[l - 1]
      // gW = delta^T input; gb = column sums of delta.
      denseOuter(this.deltas[l], rows, m, input, kIn, gW[l - 1], gb[l - 1])
      if (l === 1) break
      // d(input) = delta W: (rows x m) times (kIn x m) transposed; then times the activation's derivative.
      const dPrev = this.deltas[l - 1]
      const h = this.acts[l - 1]
      const relu = this.activation === 'relu'
      transpose(this.W[l - 1], m, kIn, weightsT)
      denseProduct(this.deltas[l], rows, m, weightsT, null, kIn, dPrev, relu ? WHERE_POSITIVE : PLAIN, h)
      const len = rows * kIn
      if (dropout) {
        const mask = this.masks[l - 1]
        for (let i = 0; i < len; i++) dPrev[i] *= mask[i]
      }
      if (!relu) for (let i = 0; i < len; i++) dPrev[i] *= 1 - h[i] * h[i]
    }
    return loss
  }

  /**
   * The L2 term for a batch of 1 / inv rows: adds alpha * inv * W to the weights' entries of `grad`
   * (laid out like params; biases are not penalized) and returns alpha / 2 * inv * sum of squared weights.
   */
  addWeightPenalty(grad: Float64Array, alpha: number, inv: number): number {
    let sq = 0
    let offset = 0
    for (let l = 0; l < this.layers; l++) {
      const W = this.W[l]
      const c = alpha * inv
      for (let i = 0; i < W.length; i++) {
        sq += W[i] * W[i]
        grad[offset + i] += c * W[i]
      }
      offset += W.length + this.b[l].length
    }
    return 0.5 * alpha * inv * sq
  }

  /**
   * Output-layer values (logits, or the standardized value) for n rows of X, computed in blocks.
   * `each(z, rows, start)` sees each block. `exact`: the IR evaluator's arithmetic, bit for bit.
   */
  forEachBlock(X: Float64Array, n: number, each: (z: Float64Array, rows: number, start: number) => void, exact = false): void {
    const d = this.sizes[0]
    const block = 256
    for (let start = 0; start < n; start += block) {
      const rows = Math.min(block, n - start)
      each(this.forwardBatch(X.subarray(start * d, (start + rows) * d), rows, undefined, exact), rows, start)
    }
  }

  /** Mean sample-weighted loss over n rows (no L2): what early stopping watches (training's arithmetic). */
  meanLoss(X: Float64Array, n: number, y: Float64Array, sw: Float64Array | null): number {
    const k = this.sizes[this.layers]
    const scratch = new Float64Array(256 * k)
    let loss = 0
    let total = 0
    this.forEachBlock(X, n, (z, rows, start) => {
      for (let i = 0; i < rows; i++) {
        const w = sw ? sw[start + i] : 1
        loss += w * outputLoss(this.output, z, i, k, y[start + i], scratch)
        total += w
      }
    })
    return total > 0 ? loss / total : 0
  }

  /**
   * Predictions in the IR evaluator's layout (probabilities, or the value): the learner's own view of
   * the model. For regression the value is center + scale * output, which the IR folds into the last layer.
   */
  scores(X: Float64Array, n: number, center = 0, scale = 1): Float64Array {
    const k = this.sizes[this.layers]
    const width = this.output === 'logistic' ? 2 : k
    const out = new Float64Array(n * width)
    this.forEachBlock(X, n, (z, rows, start) => {
      for (let i = 0; i < rows; i++) {
        const r = start + i
        if (this.output === 'identity') out[r] = center + scale * z[i]
        else if (this.output === 'logistic') {
          const p = sigmoid(z[i])
          out[2 * r] = 1 - p
          out[2 * r + 1] = p
        } else {
          for (let j = 0; j < k; j++) out[r * k + j] = z[i * k + j]
          softmaxInPlace(out, r * k, k)
        }
      }
    }, true)
    return out
  }

  /** The IR body; `center` and `scale` (regression's y standardization) are folded into the last layer. */
  toIR(center = 0, scale = 1): MlpModelIR {
    const L = this.layers
    const layers: MlpModelIR['layers'] = []
    for (let l = 1; l <= L; l++) {
      const last = l === L
      const W = last && scale !== 1 ? this.W[l - 1].map((v) => v * scale) : this.W[l - 1]
      const b = last && (scale !== 1 || center !== 0) ? this.b[l - 1].map((v) => v * scale + center) : this.b[l - 1]
      layers.push({ weights: rowsOf(W, this.sizes[l], this.sizes[l - 1]), biases: Array.from(b), activation: last ? 'identity' : this.activation })
    }
    return { type: 'mlp', layers, output: this.output }
  }
}

/** Loss of row i's outputs z[i*k ..] against target c, writing d(loss)/dz into delta[i*k ..]. */
function outputLoss(output: OutputKind, z: Float64Array, i: number, k: number, c: number, delta: Float64Array): number {
  if (output === 'identity') {
    const r = z[i] - c
    delta[i] = r
    return 0.5 * r * r
  }
  if (output === 'logistic') {
    const zi = z[i]
    delta[i] = sigmoid(zi) - c
    return softplus(c === 1 ? -zi : zi)
  }
  const base = i * k
  const lse = logSumExp(z, base, k)
  for (let j = 0; j < k; j++) delta[base + j] = Math.exp(z[base + j] - lse) - (j === c ? 1 : 0)
  return lse - z[base + c]
}

export interface MlpFit {
  body: MlpModelIR
  network: MlpNetwork
  /** The learner's own predictions (what early stopping scored), in the IR evaluator's layout. */
  scores(X: Float64Array, n: number): Float64Array
  /** Epochs run, and the one whose weights were kept. */
  epochs: number
  bestEpoch: number
  /** A time limit (FitInput.timeUp) ended training before early stopping or the last epoch did. */
  cutShort: boolean
  validationLoss: number
  /** Threads the fit used, and how many batch parts worker threads computed (0 on one thread). */
  threads: number
  workerParts: number
}

export function checkParams(p: MlpParams): void {
  if (!(p.hidden.length >= 1 && p.hidden.length <= 3) || !p.hidden.every((h) => Number.isInteger(h) && h > 0)) {
    throw new Error(`mlp: hidden must be 1 to 3 positive layer sizes (got ${JSON.stringify(p.hidden)})`)
  }
  if (!(p.dropout >= 0 && p.dropout < 1)) throw new Error(`mlp: dropout must be in [0, 1) (got ${p.dropout})`)
  if (!(p.validationFraction >= 0 && p.validationFraction < 1)) throw new Error(`mlp: validationFraction must be in [0, 1) (got ${p.validationFraction})`)
  if (!(p.batchSize >= 1) || !(p.epochs >= 1) || !(p.learningRate > 0)) throw new Error('mlp: batchSize, epochs and learningRate must be positive')
  if (!(p.threads >= 1)) throw new Error(`mlp: threads must be at least 1 (got ${p.threads})`)
}

/**
 * What both training loops (typed arrays here, TensorFlow.js in mlp-tfjs.ts) fit on: the encoded
 * training rows and early-stopping rows, y as class indices or standardized values, sample weights.
 */
export interface MlpData {
  X: Float64Array
  n: number
  d: number
  y: Float64Array
  sw: Float64Array | null
  val?: { X: Float64Array; n: number; y: Float64Array; sw: Float64Array | null }
  sizes: number[]
  output: OutputKind
  /** Regression's y standardization (0 and 1 otherwise), folded into the last layer of the IR. */
  center: number
  scale: number
}

export function prepareMlpData(input: FitInput, params: MlpParams): MlpData {
  const { table, target, pipeline, seed } = input
  // Early-stopping rows: the caller's, else a seeded random slice of the training rows.
  let train = input.train
  let validation = input.validation && input.validation.length > 0 ? input.validation : undefined
  if (!validation && params.validationFraction > 0) {
    const nVal = Math.floor(params.validationFraction * train.length)
    if (nVal >= 1 && train.length - nVal >= 1) {
      const shuffled = new Random(Random.derive(seed, 3)).shuffle(Int32Array.from(train))
      validation = shuffled.subarray(0, nVal).sort()
      train = shuffled.subarray(nVal).sort()
    }
  }
  const { X, n, d } = encodeTable(pipeline, table, tableRowsOf(target, train))
  const y = targetsOf(target, train)
  const val = validation ? encodeTable(pipeline, table, tableRowsOf(target, validation)) : undefined
  const yVal = validation ? targetsOf(target, validation) : undefined

  const task = target.task
  const classes = target.classes?.length ?? 0
  const outputs = task === 'multiclass' ? classes : 1
  const output: OutputKind = task === 'binary' ? 'logistic' : task === 'multiclass' ? 'softmax' : 'identity'

  // Regression trains on standardized y: Adam's step size and tol then mean the same for any unit.
  let center = 0
  let scale = 1
  if (task === 'regression') {
    for (let i = 0; i < n; i++) center += y[i]
    center /= n || 1
    let ss = 0
    for (let i = 0; i < n; i++) ss += (y[i] - center) ** 2
    scale = Math.sqrt(ss / (n || 1)) || 1
    for (let i = 0; i < n; i++) y[i] = (y[i] - center) / scale
    if (yVal) for (let i = 0; i < yVal.length; i++) yVal[i] = (yVal[i] - center) / scale
  }
  let sw: Float64Array | null = null
  let swVal: Float64Array | null = null
  if (task !== 'regression' && params.classWeight === 'balanced') {
    const cw = balancedClassWeights(y, classes)
    sw = y.map((c) => cw[c])
    swVal = yVal ? yVal.map((c) => cw[c]) : null
  }
  return {
    X,
    n,
    d,
    y,
    sw,
    ...(val && yVal ? { val: { X: val.X, n: val.n, y: yVal, sw: swVal } } : {}),
    sizes: [d, ...params.hidden, outputs],
    output,
    center,
    scale,
  }
}

export function fitMlp(input: FitInput, given: Partial<MlpParams> = {}): MlpFit {
  const params = { ...defaultMlpParams(), ...given }
  checkParams(params)
  const { seed } = input
  if (input.signal?.aborted) throw new FitAborted()
  const { X, n, d, y, sw, val, sizes, output, center, scale } = prepareMlpData(input, params)

  const batch = Math.max(1, Math.min(params.batchSize, n))
  const threads = mlpThreadsFor(params.threads, batch, sizes)
  let net = MlpNetwork.glorot(sizes, params.activation, output, new Random(seed))
  // Worker threads read the weights where the Adam step writes them.
  if (threads > 1) net = new MlpNetwork(sizes, params.activation, output, toShared(net.params))
  const shuffle = new Random(Random.derive(seed, 1))
  const { beta1, beta2, epsilon, learningRate, alpha } = params
  const gradients = new BatchGradients(net, { batch, weighted: sw !== null, alpha, dropoutRate: params.dropout, dropoutSeed: Random.derive(seed, 2), threads })
  const { x: xb, y: yb, sw: swb, grad } = gradients

  const P = net.params.length
  const m1 = new Float64Array(P)
  const m2 = new Float64Array(P)
  const best = Float64Array.from(net.params)
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i

  let step = 0
  const stopping = new EarlyStopping(params.tol, params.patience)
  let epoch = 0
  let cutShort = false
  let workerParts = 0
  try {
    while (epoch < params.epochs && n > 0) {
      if (input.signal?.aborted) throw new FitAborted()
      epoch++
      const epochStart = performance.now()
      shuffle.shuffle(order)
      let trainLoss = 0
      for (let start = 0, b = 0; start < n; start += batch, b++) {
        const rows = Math.min(batch, n - start)
        for (let i = 0; i < rows; i++) {
          const r = order[start + i]
          for (let j = 0, from = r * d, to = i * d; j < d; j++) xb[to + j] = X[from + j]
          yb[i] = y[r]
          if (swb) swb[i] = sw![r]
        }
        trainLoss += gradients.run(rows, epoch, b) * rows
        // Adam, with scikit-learn's bias correction folded into the step size.
        step++
        const lr = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step)
        const p = net.params
        for (let j = 0; j < P; j++) {
          const g = grad[j]
          m1[j] = beta1 * m1[j] + (1 - beta1) * g
          m2[j] = beta2 * m2[j] + (1 - beta2) * g * g
          p[j] -= (lr * m1[j]) / (Math.sqrt(m2[j]) + epsilon)
        }
        // Past the limit (the search's edge raised it, or the trial's own deadline) in the middle of an
        // epoch: stop now. An epoch on a wide table can take longer than the search's edge waits for.
        if (start + rows < n && input.timeUp?.()) {
          cutShort = true
          trainLoss = (trainLoss / (start + rows)) * n
          break
        }
      }
      // Watch the validation loss (or, without validation rows, the training loss like scikit-learn).
      const loss = val ? net.meanLoss(val.X, val.n, val.y, val.sw) : trainLoss / n
      const { improved, stop } = stopping.observe(loss, epoch)
      if (improved) best.set(net.params)
      if (stop || cutShort) break
      // A time limit keeps the epochs trained so far, as early stopping would.
      if (epoch < params.epochs && input.timeUp?.(performance.now() - epochStart)) {
        cutShort = true
        break
      }
    }
  } finally {
    workerParts = gradients.workerParts
    gradients.close()
  }
  // With validation rows keep the best epoch's weights (those early stopping judged), as scikit-learn
  // does with early_stopping; without, the last ones. After a blow-up, the best seen (or the initial ones).
  if ((val && stopping.bestEpoch > 0) || stopping.diverged) net.params.set(best)

  return {
    body: net.toIR(center, scale),
    network: net,
    scores: (Xs, ns) => net.scores(Xs, ns, center, scale),
    epochs: epoch,
    bestEpoch: stopping.bestEpoch,
    cutShort,
    validationLoss: stopping.bestLoss,
    threads,
    workerParts,
  }
}

/**
 * Early stopping's bookkeeping after each epoch, shared by the typed-array and TensorFlow.js loops: an
 * improvement of more than tol resets the patience count; the lowest loss marks the best epoch; a
 * non-finite loss means the run diverged.
 */
export class EarlyStopping {
  bestLoss = Infinity
  bestEpoch = 0
  diverged = false
  private stale = 0

  constructor(
    private readonly tol: number,
    private readonly patience: number,
  ) {}

  /** Records an epoch's loss: `improved` when it is the best so far (keep its weights), `stop` when training should end. */
  observe(loss: number, epoch: number): { improved: boolean; stop: boolean } {
    if (!Number.isFinite(loss)) {
      this.diverged = true
      return { improved: false, stop: true }
    }
    if (loss < this.bestLoss - this.tol) this.stale = 0
    else this.stale++
    const improved = loss < this.bestLoss
    if (improved) {
      this.bestLoss = loss
      this.bestEpoch = epoch
    }
    return { improved, stop: this.stale >= this.patience }
  }
}

export const mlp: Learner<MlpParams> = {
  family: 'mlp',
  encoding: 'dense',
  defaultParams: (_task: Task) => defaultMlpParams(),
  fit: (input, params) => {
    const setting = mlpBackendSetting(params.backend)
    // The best epoch means something only when early stopping watched validation rows.
    const held = Math.floor(params.validationFraction * input.train.length)
    const validated = (input.validation?.length ?? 0) > 0 || (held >= 1 && input.train.length - held >= 1)
    const done = (fit: { body: MlpModelIR; bestEpoch: number; epochs: number; cutShort: boolean }): MlpModelIR => {
      if (validated) input.report?.({ bestEpoch: fit.bestEpoch, epochs: fit.epochs })
      if (fit.cutShort) input.report?.({ cutShort: true })
      return fit.body
    }
    // The usual case stays synchronous and loads nothing.
    if (pickMlpBackend(setting, tfjsNodeInstalled()) === 'typed') return done(fitMlp(input, params))
    return resolveMlpBackend(setting).then(async (used) => {
      if (used.kind === 'typed') return done(fitMlp(input, params))
      const { fitMlpTfjs } = await import('./mlp-tfjs.js')
      return done(await fitMlpTfjs(input, params, used.runtime))
    })
  },
}
