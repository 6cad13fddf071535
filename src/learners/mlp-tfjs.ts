/**
 * The MLP of mlp.ts trained by TensorFlow.js: the same data preparation (validation slice, standardized
 * regression y, balanced class weights), the same Glorot initial weights and batch order (same seeds),
 * the same loss (scikit-learn's: mean of sample weight x loss over the batch, plus alpha / (2 rows) x
 * the squared weights), dropout, Adam step (scikit-learn's bias correction and epsilon), early stopping
 * and best-epoch weights. Dropout masks come from TensorFlow.js's own seeded generator. `threads` is
 * ignored: libtensorflow uses its own thread pool, the wasm and cpu backends one thread.
 *
 * Precision: TensorFlow.js computes in float32. The weights are copied out as float64 numbers into the
 * same MlpModelIR as the typed-array loop returns, and the learner's own predictions (MlpFit.scores) are
 * defined as the float64 forward pass of those weights, i.e. exactly what the IR evaluator computes.
 * TensorFlow.js's own float32 predictions (float32Scores) agree with them to about 1e-6.
 *
 * Loading TensorFlow.js, and which backend: mlp-backend.ts.
 */
import { availableParallelism } from 'node:os'
import type * as Tf from '@tensorflow/tfjs'
import { FitAborted, type FitInput } from './learner.js'
import { checkParams, defaultMlpParams, EarlyStopping, MlpNetwork, prepareMlpData, type MlpFit, type MlpParams, type OutputKind } from './mlp.js'
import { loadTfjs, type TfjsBackendName, type TfjsRuntime } from './mlp-backend.js'
import { Random } from './random.js'

export interface MlpTfjsFit extends MlpFit {
  /** The TensorFlow.js backend that trained the network. */
  backend: TfjsBackendName
  /** TensorFlow.js's own predictions from the kept float32 weights, in the IR evaluator's layout. */
  float32Scores(X: Float64Array, n: number): Float32Array
}

type Tensor = Tf.Tensor

/** Fits on TensorFlow.js: `runtime` if given, else the first backend of tensorflow, wasm, cpu that loads. */
export async function fitMlpTfjs(input: FitInput, given: Partial<MlpParams> = {}, runtime?: TfjsRuntime): Promise<MlpTfjsFit> {
  const params = { ...defaultMlpParams(), ...given }
  checkParams(params)
  if (input.signal?.aborted) throw new FitAborted()
  const rt = runtime ?? (await loadTfjs())
  if (rt.tf.getBackend() !== rt.backend) await rt.tf.setBackend(rt.backend)
  const { tf } = rt
  const { seed } = input
  const { X, n, d, y, sw, val, sizes, output, center, scale } = prepareMlpData(input, params)
  const { activation, beta1, beta2, epsilon, learningRate, alpha, dropout } = params
  const L = sizes.length - 1
  const batch = Math.max(1, Math.min(params.batchSize, n))

  // Parameters as [W1, b1, W2, b2, ...], kernels inputs x units (the IR's transpose), from the same initial weights.
  const init = MlpNetwork.glorot(sizes, activation, output, new Random(seed))
  let best = kernelsOf(init)
  const owned: Tensor[] = []
  let weights = best.map((values, j) => tf.tensor(values, shapeOf(sizes, j)))
  let m1 = weights.map((w) => tf.zerosLike(w))
  let m2 = weights.map((w) => tf.zerosLike(w))
  try {
    const Xt = keep(owned, tf.tensor2d(Float32Array.from(X), [n, d]))
    const Yt = keep(owned, targetTensor(tf, output, y, sizes[L]))
    const SWt = sw ? keep(owned, tf.tensor1d(Float32Array.from(sw))) : null
    const valT = val
      ? {
          X: keep(owned, tf.tensor2d(Float32Array.from(val.X), [val.n, d])),
          y: keep(owned, targetTensor(tf, output, val.y, sizes[L])),
          sw: val.sw ? keep(owned, tf.tensor1d(Float32Array.from(val.sw))) : null,
        }
      : null

    const forward = (p: Tensor[], x: Tensor, masks?: (l: number, shape: number[]) => Tensor): Tensor => {
      let h = x
      for (let l = 0; l < L; l++) {
        const z = tf.add(tf.matMul(h, p[2 * l]), p[2 * l + 1])
        if (l === L - 1) return z
        h = activation === 'relu' ? tf.relu(z) : tf.tanh(z)
        if (masks) h = tf.mul(h, masks(l, h.shape))
      }
      return h
    }
    /** Per-row loss of output values z against targets t (as outputLoss in mlp.ts). */
    const rowLoss = (z: Tensor, t: Tensor): Tensor => {
      if (output === 'softmax') return tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(z)), 1))
      const z1 = tf.reshape(z, [-1])
      if (output === 'logistic') return tf.sub(tf.softplus(z1), tf.mul(t, z1))
      return tf.mul(tf.square(tf.sub(z1, t)), 0.5)
    }
    /** Mean sample-weighted loss, no L2 (early stopping's measure; meanLoss in mlp.ts). */
    const meanLoss = (x: Tensor, t: Tensor, w: Tensor | null): number =>
      tf.tidy(() => {
        const loss = rowLoss(forward(weights, x), t)
        return (w ? tf.div(tf.sum(tf.mul(w, loss)), tf.sum(w)) : tf.mean(loss)).dataSync()[0]
      })

    const dropoutSeed = Random.derive(seed, 2)
    const shuffle = new Random(Random.derive(seed, 1))
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[i] = i

    let step = 0
    const stopping = new EarlyStopping(params.tol, params.patience)
    let epoch = 0
    let cutShort = false
    while (epoch < params.epochs && n > 0) {
      if (input.signal?.aborted) throw new FitAborted()
      epoch++
      const epochStart = performance.now()
      shuffle.shuffle(order)
      let trainLoss = 0
      for (let start = 0, b = 0; start < n; start += batch, b++) {
        const rows = Math.min(batch, n - start)
        step++
        const lr = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step)
        const masks =
          dropout > 0
            ? (l: number, shape: number[]) => tf.mul(tf.cast(tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', Random.derive(dropoutSeed, epoch, b, l)), dropout), 'float32'), 1 / (1 - dropout))
            : undefined
        const next = tf.tidy(() => {
          const idx = tf.tensor1d(order.subarray(start, start + rows), 'int32')
          const xb = tf.gather(Xt, idx)
          const yb = tf.gather(Yt, idx)
          const swb = SWt ? tf.gather(SWt, idx) : null
          const batchLoss = (...p: Tensor[]): Tensor => {
            const loss = rowLoss(forward(p, xb, masks), yb)
            let total = tf.div(tf.sum(swb ? tf.mul(swb, loss) : loss), rows)
            if (alpha > 0) {
              let sq: Tensor = tf.scalar(0)
              for (let l = 0; l < L; l++) sq = tf.add(sq, tf.sum(tf.square(p[2 * l])))
              total = tf.add(total, tf.mul(sq, alpha / (2 * rows)))
            }
            return total
          }
          const { value, grads } = tf.valueAndGrads(batchLoss)(weights)
          // Adam, with scikit-learn's bias correction folded into the step size (as in mlp.ts).
          const nm1 = m1.map((m, j) => tf.add(tf.mul(m, beta1), tf.mul(grads[j], 1 - beta1)))
          const nm2 = m2.map((v, j) => tf.add(tf.mul(v, beta2), tf.mul(tf.square(grads[j]), 1 - beta2)))
          const nw = weights.map((w, j) => tf.sub(w, tf.mul(tf.div(nm1[j], tf.add(tf.sqrt(nm2[j]), epsilon)), lr)))
          return { nw, nm1, nm2, value }
        })
        tf.dispose([...weights, ...m1, ...m2])
        weights = next.nw
        m1 = next.nm1
        m2 = next.nm2
        // Only without validation rows is the training loss watched (then it is read every batch).
        if (!valT) trainLoss += next.value.dataSync()[0] * rows
        next.value.dispose()
        // Past the limit in the middle of an epoch: stop now, as mlp.ts does.
        if (start + rows < n && input.timeUp?.()) {
          cutShort = true
          trainLoss = (trainLoss / (start + rows)) * n
          break
        }
      }
      const loss = valT ? meanLoss(valT.X, valT.y, valT.sw) : trainLoss / n
      const { improved, stop } = stopping.observe(loss, epoch)
      if (improved) best = weights.map((w) => Float32Array.from(w.dataSync() as Float32Array))
      if (stop || cutShort) break
      // A time limit keeps the epochs trained so far, as early stopping would.
      if (epoch < params.epochs && input.timeUp?.(performance.now() - epochStart)) {
        cutShort = true
        break
      }
    }
    // As mlp.ts: the best epoch's weights with validation rows or after a blow-up, else the last ones.
    const kept = (val && stopping.bestEpoch > 0) || stopping.diverged ? best : weights.map((w) => Float32Array.from(w.dataSync() as Float32Array))
    const net = new MlpNetwork(sizes, activation, output, paramsOf(sizes, kept))
    const body = net.toIR(center, scale)
    // Regression's scale folded into the last layer as the IR has it, so scores are the evaluator's to the bit.
    const folded = center === 0 && scale === 1 ? net : new MlpNetwork(sizes, activation, output, Float64Array.from(body.layers.flatMap((l) => [...l.weights.flat(), ...l.biases])))
    return {
      body,
      network: net,
      scores: (Xs, ns) => folded.scores(Xs, ns),
      float32Scores: (Xs, ns) => float32Scores(tf, kept, sizes, activation, output, center, scale, Xs, ns),
      epochs: epoch,
      bestEpoch: stopping.bestEpoch,
      cutShort,
      validationLoss: stopping.bestLoss,
      threads: rt.backend === 'tensorflow' ? availableParallelism() : 1,
      workerParts: 0,
      backend: rt.backend,
    }
  } finally {
    tf.dispose([...owned, ...weights, ...m1, ...m2])
  }
}

function keep<T extends Tensor>(owned: Tensor[], t: T): T {
  owned.push(t)
  return t
}

/** Targets as TensorFlow.js takes them: one-hot rows for softmax, else a vector. */
function targetTensor(tf: typeof Tf, output: OutputKind, y: Float64Array, k: number): Tensor {
  if (output !== 'softmax') return tf.tensor1d(Float32Array.from(y))
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), k), 'float32'))
}

function shapeOf(sizes: number[], j: number): number[] {
  const l = j >> 1
  return j % 2 === 0 ? [sizes[l], sizes[l + 1]] : [sizes[l + 1]]
}

/** [W1, b1, ...] as float32 kernels (inputs x units) and biases, from a network's parameters (units x inputs). */
function kernelsOf(net: MlpNetwork): Float32Array[] {
  const out: Float32Array[] = []
  for (let l = 0; l < net.layers; l++) {
    const [inputs, units] = [net.sizes[l], net.sizes[l + 1]]
    const W = net.W[l]
    const kernel = new Float32Array(inputs * units)
    for (let o = 0; o < units; o++) for (let i = 0; i < inputs; i++) kernel[i * units + o] = W[o * inputs + i]
    out.push(kernel, Float32Array.from(net.b[l]))
  }
  return out
}

/** The inverse of kernelsOf: MlpNetwork's float64 parameter layout (per layer W units x inputs, then b). */
function paramsOf(sizes: number[], kernels: Float32Array[]): Float64Array {
  let total = 0
  for (let l = 1; l < sizes.length; l++) total += sizes[l] * sizes[l - 1] + sizes[l]
  const params = new Float64Array(total)
  let offset = 0
  for (let l = 0; l < sizes.length - 1; l++) {
    const [inputs, units] = [sizes[l], sizes[l + 1]]
    const kernel = kernels[2 * l]
    for (let o = 0; o < units; o++) for (let i = 0; i < inputs; i++) params[offset + o * inputs + i] = kernel[i * units + o]
    offset += inputs * units
    params.set(kernels[2 * l + 1], offset)
    offset += units
  }
  return params
}

/** The network's predictions computed by TensorFlow.js in float32 (regression: center + scale x output, in float32 too). */
function float32Scores(tf: typeof Tf, kernels: Float32Array[], sizes: number[], activation: MlpParams['activation'], output: OutputKind, center: number, scale: number, X: Float64Array, n: number): Float32Array {
  const d = sizes[0]
  const L = sizes.length - 1
  return tf.tidy(() => {
    let h: Tensor = tf.tensor2d(Float32Array.from(X), [n, d])
    for (let l = 0; l < L; l++) {
      h = tf.add(tf.matMul(h, tf.tensor(kernels[2 * l], shapeOf(sizes, 2 * l))), tf.tensor(kernels[2 * l + 1]))
      if (l < L - 1) h = activation === 'relu' ? tf.relu(h) : tf.tanh(h)
    }
    if (output === 'softmax') h = tf.softmax(h)
    else if (output === 'logistic') {
      const p = tf.sigmoid(h)
      h = tf.concat([tf.sub(1, p), p], 1)
    } else h = tf.add(tf.mul(h, scale), center)
    return Float32Array.from(h.dataSync() as Float32Array)
  })
}
