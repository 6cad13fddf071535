import * as tf from '@tensorflow/tfjs'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/data/target.js'
import { encodeTable } from '../../../src/features/pipeline.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import type { MlpModelIR } from '../../../src/ir/model.js'
import { FitAborted, tableRowsOf, targetsOf, type FitInput } from '../../../src/learners/learner.js'
import { fitLinear } from '../../../src/learners/linear.js'
import { fitMlp, mlp, MlpNetwork, shutdownMlpPool, type HiddenActivation, type MlpParams, type OutputKind } from '../../../src/learners/mlp.js'
import { batchParts, injectMlpWorkerFault, mlpPoolThreadIds } from '../../../src/learners/mlp-threads.js'
import { PACKAGE_ROOT } from '../../../src/version.js'
import { Random } from '../../../src/learners/random.js'
import { accuracy, bayesAccuracy, fitInputOf, modelIrOf, r2, splitPositions, syntheticTable } from '../../helpers/synthetic.js'

beforeAll(async () => {
  // Pure-JS backend: tfjs-node cannot be installed here, and the oracle only needs to be right, not fast.
  await tf.setBackend('cpu')
})
afterAll(() => shutdownMlpPool())

/** Small and quick: enough capacity for the synthetic signals. */
const SMALL: Partial<MlpParams> = { hidden: [32, 32] }

function all(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i)
}

/** Fits, then scores `rows` both with the learner's own forward pass and with the IR evaluator. */
function fitAndScore(input: FitInput, params: Partial<MlpParams>, rows: Int32Array) {
  const fit = fitMlp(input, params)
  const { X, n, d } = encodeTable(input.pipeline, input.table, tableRowsOf(input.target, rows))
  const ir = compileModel(modelIrOf(input, 'mlp', params, fit.body)).scoreMatrix(X, n)
  return { fit, X, n, d, own: fit.scores(X, n), ir }
}

/** The same network built in TensorFlow.js from the IR's weights: its predictions, n x outputs. */
function tfjsPredict(body: MlpModelIR, X: Float64Array, n: number, d: number): Float32Array {
  return tf.tidy(() => {
    const model = tf.sequential()
    body.layers.forEach((layer, l) => {
      const last = l === body.layers.length - 1
      const hidden = layer.activation === 'identity' ? 'linear' : layer.activation
      const activation = !last ? hidden : body.output === 'logistic' ? 'sigmoid' : body.output === 'softmax' ? 'softmax' : 'linear'
      model.add(tf.layers.dense({ units: layer.biases.length, activation, ...(l === 0 ? { inputShape: [d] } : {}) }))
    })
    body.layers.forEach((layer, l) => {
      // tfjs kernels are inputs x units; the IR stores units x inputs.
      const kernel = tf.tensor2d(layer.weights, [layer.biases.length, layer.weights[0].length]).transpose()
      model.layers[l].setWeights([kernel, tf.tensor1d(layer.biases)])
    })
    const out = model.predict(tf.tensor2d(Float32Array.from(X), [n, d])) as tf.Tensor
    return out.dataSync() as Float32Array
  })
}

function maxRelativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(Math.abs(a[i]), Math.abs(b[i]))
    if (scale > 0) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale)
  }
  return worst
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false
  return true
}

describe('mlp forward pass means what a standard MLP means (TensorFlow.js oracle)', () => {
  const cases: [Task, HiddenActivation, number[]][] = [
    ['binary', 'relu', [16, 8]],
    ['multiclass', 'tanh', [12]],
    ['regression', 'relu', [10, 8, 6]],
  ]
  for (const [task, activation, hidden] of cases) {
    it(`${task}, ${activation}, hidden ${JSON.stringify(hidden)}`, () => {
      const data = syntheticTable({ rows: 400, task, seed: 31, missing: 0.1 })
      const input = fitInputOf(data, 'dense', all(400))
      const { fit, X, n, d, ir } = fitAndScore(input, { hidden, activation, epochs: 5 }, all(400))
      const expected = tfjsPredict(fit.body, X, n, d)
      const k = compileModel(modelIrOf(input, 'mlp', {}, fit.body)).width
      let worst = 0
      for (let i = 0; i < n; i++) {
        if (task === 'binary') worst = Math.max(worst, Math.abs(expected[i] - ir[2 * i + 1]))
        else if (task === 'multiclass') for (let c = 0; c < k; c++) worst = Math.max(worst, Math.abs(expected[i * k + c] - ir[i * k + c]))
        // float32 keeps ~7 digits: compare a regression value relative to its size.
        else worst = Math.max(worst, Math.abs(expected[i] - ir[i]) / Math.max(1, Math.abs(ir[i])))
      }
      expect(worst).toBeLessThan(1e-5)
    })
  }
})

describe('mlp backward pass (finite differences)', () => {
  const cases: [OutputKind, HiddenActivation, number[], number][] = [
    ['logistic', 'relu', [5, 4], 0],
    ['logistic', 'tanh', [5], 0],
    ['softmax', 'relu', [6, 5, 4], 0],
    ['softmax', 'tanh', [4, 4], 0],
    ['identity', 'relu', [5, 3], 0],
    ['identity', 'tanh', [6, 4, 3], 0],
    ['softmax', 'relu', [6, 5], 0.3],
    ['logistic', 'tanh', [5, 4], 0.5],
  ]
  for (const [output, activation, hidden, rate] of cases) {
    it(`${output} loss, ${activation}, hidden ${JSON.stringify(hidden)}${rate > 0 ? `, dropout ${rate}` : ''}`, () => {
      const random = new Random(7)
      const inputs = 3
      const outputs = output === 'softmax' ? 3 : 1
      const rows = 9
      const net = MlpNetwork.glorot([inputs, ...hidden, outputs], activation, output, random)
      // Non-zero biases so no unit sits at a ReLU kink.
      for (const b of net.b) for (let i = 0; i < b.length; i++) b[i] = 0.3 * random.normal()
      const x = Float64Array.from({ length: rows * inputs }, () => random.normal())
      const y = Float64Array.from({ length: rows }, () => (output === 'identity' ? random.normal() : random.int(outputs === 1 ? 2 : outputs)))
      const sw = Float64Array.from({ length: rows }, () => 0.5 + random.next())
      const alpha = 0.05

      // With dropout, every evaluation draws the same masks (a fresh generator, same seed).
      const masks = () => (rate > 0 ? { rate, random: new Random(99) } : undefined)
      const grad = new Float64Array(net.params.length)
      net.lossAndGradient(x, rows, y, sw, alpha, grad, masks())
      const scratch = new Float64Array(net.params.length)
      const h = 1e-6
      let worst = 0
      for (let j = 0; j < net.params.length; j++) {
        const saved = net.params[j]
        net.params[j] = saved + h
        const up = net.lossAndGradient(x, rows, y, sw, alpha, scratch, masks())
        net.params[j] = saved - h
        const down = net.lossAndGradient(x, rows, y, sw, alpha, scratch, masks())
        net.params[j] = saved
        const numeric = (up - down) / (2 * h)
        worst = Math.max(worst, Math.abs(numeric - grad[j]) / Math.max(1e-3, Math.abs(numeric), Math.abs(grad[j])))
      }
      expect(worst).toBeLessThan(1e-6)
    })
  }
})

describe('mlp on synthetic data', () => {
  it("the learner's own predictions equal the IR evaluator's (1e-9 relative)", () => {
    const cases: [Task, Partial<MlpParams>][] = [
      ['binary', { hidden: [16, 16], epochs: 10 }],
      ['multiclass', { hidden: [16], activation: 'tanh', epochs: 10, dropout: 0.2 }],
      ['regression', { hidden: [16, 8, 8], epochs: 10, classWeight: 'balanced' }],
    ]
    for (const [task, params] of cases) {
      const data = syntheticTable({ rows: 500, task, seed: 33, missing: 0.1 })
      const { train, holdout } = splitPositions(500, 0.3, 1)
      const { own, ir } = fitAndScore(fitInputOf(data, 'dense', train), params, holdout)
      expect(own.length).toBe(ir.length)
      expect(maxRelativeGap(own, ir), task).toBeLessThan(1e-9)
    }
  })

  it('binary: holdout accuracy close to the Bayes rule', () => {
    const data = syntheticTable({ rows: 3000, task: 'binary', seed: 35, missing: 0.05 })
    const { train, holdout } = splitPositions(3000, 0.25, 2)
    const { ir } = fitAndScore(fitInputOf(data, 'dense', train), SMALL, holdout)
    expect(accuracy(ir, 2, targetsOf(data.target, holdout))).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.04)
  })

  it('multiclass: holdout accuracy close to the Bayes rule', () => {
    const data = syntheticTable({ rows: 3000, task: 'multiclass', classes: 4, seed: 37 })
    const { train, holdout } = splitPositions(3000, 0.25, 3)
    const { ir } = fitAndScore(fitInputOf(data, 'dense', train), SMALL, holdout)
    expect(accuracy(ir, 4, targetsOf(data.target, holdout))).toBeGreaterThan(bayesAccuracy(data, holdout) - 0.05)
  })

  it('regression: learns a nonlinear signal that a linear model cannot', () => {
    const data = syntheticTable({ rows: 3000, task: 'regression', seed: 39, shape: 'nonlinear' })
    const { train, holdout } = splitPositions(3000, 0.25, 4)
    const input = fitInputOf(data, 'dense', train)
    const { ir, X, n } = fitAndScore(input, SMALL, holdout)
    const y = targetsOf(data.target, holdout)
    const truth = r2(Float64Array.from(holdout, (r) => data.truth[r]), y)
    const linear = r2(fitLinear(input).scores(X, n), y)
    expect(linear).toBeLessThan(0.2)
    expect(r2(ir, y)).toBeGreaterThan(truth - 0.1)
  })

  it('is deterministic for a seed (also with dropout), and the seed matters', () => {
    const data = syntheticTable({ rows: 400, task: 'multiclass', seed: 41 })
    const params = { hidden: [8, 8], epochs: 8, dropout: 0.1 }
    const a = mlp.fit(fitInputOf(data, 'dense', all(400), 5), { ...mlp.defaultParams('multiclass'), ...params })
    const b = mlp.fit(fitInputOf(data, 'dense', all(400), 5), { ...mlp.defaultParams('multiclass'), ...params })
    const c = mlp.fit(fitInputOf(data, 'dense', all(400), 6), { ...mlp.defaultParams('multiclass'), ...params })
    expect(JSON.stringify(a)).toBe(JSON.stringify(b))
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c))
  })

  it("early stopping watches the caller's validation rows and keeps the best epoch's weights", () => {
    // Few noisy rows and a large network: it overfits, so the validation loss turns up.
    const data = syntheticTable({ rows: 600, task: 'binary', seed: 43, features: 12 })
    const { train, holdout } = splitPositions(600, 0.5, 5)
    const input = { ...fitInputOf(data, 'dense', train), validation: holdout }
    const params = { hidden: [64, 64], learningRate: 0.01, patience: 5, epochs: 300 }
    const { fit, ir } = fitAndScore(input, params, holdout)
    expect(fit.epochs).toBeLessThan(300)
    expect(fit.epochs).toBe(fit.bestEpoch + 5)
    // The kept weights are the ones that scored validationLoss on these rows.
    const y = targetsOf(data.target, holdout)
    let loss = 0
    for (let i = 0; i < y.length; i++) loss -= Math.log(ir[2 * i + y[i]])
    expect(loss / y.length).toBeCloseTo(fit.validationLoss, 9)
  })

  it('holds out validationFraction of the training rows when no validation rows are given', () => {
    const data = syntheticTable({ rows: 500, task: 'regression', seed: 45 })
    const held = fitMlp(fitInputOf(data, 'dense', all(500)), { hidden: [8], epochs: 30, validationFraction: 0.2 })
    const none = fitMlp(fitInputOf(data, 'dense', all(500)), { hidden: [8], epochs: 30, validationFraction: 0 })
    expect(held.bestEpoch).toBeGreaterThan(0)
    expect(JSON.stringify(held.body)).not.toBe(JSON.stringify(none.body))
    expect(Number.isFinite(none.validationLoss)).toBe(true)
  })

  it('balanced class weights shift predictions toward the minority class', () => {
    const data = syntheticTable({ rows: 4000, task: 'binary', seed: 47 })
    const split = splitPositions(4000, 0.25, 6)
    const train = split.train.filter((p, i) => data.target.y[p] === 0 || i % 10 === 0)
    const input = fitInputOf(data, 'dense', train)
    const meanP = (scores: Float64Array) => {
      let s = 0
      for (let i = 1; i < scores.length; i += 2) s += scores[i]
      return s / (scores.length / 2)
    }
    const plain = fitAndScore(input, { hidden: [16], epochs: 40 }, split.holdout).ir
    const balanced = fitAndScore(input, { hidden: [16], epochs: 40, classWeight: 'balanced' }, split.holdout).ir
    expect(meanP(balanced)).toBeGreaterThan(meanP(plain) + 0.1)
  })
})

describe('mlp edge cases', () => {
  it('a constant feature and a one-class training fold give finite predictions', () => {
    const data = syntheticTable({ rows: 300, task: 'binary', seed: 49 })
    data.table.columns.unshift({ name: 'constant', type: 'numeric', values: new Float64Array(300).fill(3) })
    const onlyOnes = all(300).filter((p) => data.target.y[p] === 1)
    const quick = { epochs: 30, batchSize: 32, learningRate: 0.01 }
    for (const params of [{ hidden: [8] }, { hidden: [8, 4], classWeight: 'balanced' as const, dropout: 0.3 }]) {
      const { fit, ir } = fitAndScore(fitInputOf(data, 'dense', onlyOnes), { ...params, ...quick }, all(300))
      expect(allFinite(fit.body.layers.flatMap((l) => [...l.weights.flat(), ...l.biases]))).toBe(true)
      expect(allFinite(ir)).toBe(true)
      // Everything it saw was class 1, so it predicts class 1.
      expect(accuracy(ir, 2, new Float64Array(300).fill(1))).toBe(1)
    }
  })

  it('a class missing from a multiclass fold and a constant regression target stay finite', () => {
    const multi = syntheticTable({ rows: 300, task: 'multiclass', seed: 51 })
    const noClass0 = all(300).filter((p) => multi.target.y[p] !== 0)
    expect(allFinite(fitAndScore(fitInputOf(multi, 'dense', noClass0), { hidden: [8], epochs: 10, classWeight: 'balanced' }, all(300)).ir)).toBe(true)

    const reg = syntheticTable({ rows: 200, task: 'regression', seed: 53 })
    reg.target.y.fill(4.5)
    const { ir } = fitAndScore(fitInputOf(reg, 'dense', all(200)), { hidden: [8], epochs: 30, batchSize: 32, learningRate: 0.01 }, all(200))
    for (const v of ir) expect(Math.abs(v - 4.5)).toBeLessThan(0.2)
  })

  it('a learning rate that blows up still returns finite weights', () => {
    const data = syntheticTable({ rows: 300, task: 'regression', seed: 59 })
    for (const validationFraction of [0.1, 0]) {
      const { fit, ir } = fitAndScore(fitInputOf(data, 'dense', all(300)), { hidden: [16, 16], epochs: 30, learningRate: 1e100, validationFraction }, all(300))
      expect(allFinite(fit.body.layers.flatMap((l) => [...l.weights.flat(), ...l.biases]))).toBe(true)
      expect(allFinite(ir)).toBe(true)
    }
  })

  it('rejects hidden layouts other than 1 to 3 positive layers', () => {
    const data = syntheticTable({ rows: 50, task: 'binary', seed: 55 })
    const input = fitInputOf(data, 'dense', all(50))
    expect(() => fitMlp(input, { hidden: [] })).toThrow(/hidden/)
    expect(() => fitMlp(input, { hidden: [4, 4, 4, 4] })).toThrow(/hidden/)
    expect(() => fitMlp(input, { hidden: [0] })).toThrow(/hidden/)
  })

  it('a time limit ends training after the epoch it is up in, keeps the best weights so far, and says the fit was cut short', async () => {
    const data = syntheticTable({ rows: 300, task: 'binary', seed: 58 })
    const whole = fitMlp(fitInputOf(data, 'dense', all(300)), { ...SMALL, epochs: 30 })
    expect(whole.epochs).toBeGreaterThan(3)
    expect(whole.cutShort).toBe(false)
    let checks = 0
    // Asked with the next epoch's expected time at each epoch's end (and with none after each batch).
    const short = fitMlp({ ...fitInputOf(data, 'dense', all(300)), timeUp: (nextMs) => nextMs !== undefined && ++checks >= 3 }, { ...SMALL, epochs: 30 })
    expect(short.epochs).toBe(3)
    expect(short.cutShort).toBe(true)
    // The same first epochs as the whole fit (same seed): only where training stopped differs.
    const three = fitMlp(fitInputOf(data, 'dense', all(300)), { ...SMALL, epochs: 3 })
    expect(short.body).toEqual(three.body)
    expect(three.cutShort).toBe(false)
    // Through the learner, the caller is told (as a search's trial reports it).
    const found: object[] = []
    await mlp.fit({ ...fitInputOf(data, 'dense', all(300)), timeUp: () => true, report: (f) => found.push(f) }, { ...mlp.defaultParams('binary'), ...SMALL, epochs: 30 })
    expect(found).toContainEqual({ cutShort: true })
  })

  it('a limit that has passed stops training within the epoch, after the batch it is seen in (an epoch on a wide table outlasted the search\'s wrap-up)', () => {
    const data = syntheticTable({ rows: 300, task: 'binary', seed: 58 })
    let batches = 0
    const cut = fitMlp({ ...fitInputOf(data, 'dense', all(300)), timeUp: (nextMs) => nextMs === undefined && ++batches >= 2 }, { ...SMALL, batchSize: 50, epochs: 30 })
    expect(batches).toBe(2)
    expect(cut.epochs).toBe(1)
    expect(cut.cutShort).toBe(true)
    // Two batches of the first epoch: not the whole epoch's weights.
    const one = fitMlp(fitInputOf(data, 'dense', all(300)), { ...SMALL, batchSize: 50, epochs: 1 })
    expect(cut.body).not.toEqual(one.body)
    expect(cut.body).toEqual(fitMlp({ ...fitInputOf(data, 'dense', all(300)), timeUp: (nextMs) => nextMs === undefined && ++batches >= 4 }, { ...SMALL, batchSize: 50, epochs: 30 }).body)
  })

  it('an aborted signal stops the fit with FitAborted', () => {
    const data = syntheticTable({ rows: 100, task: 'binary', seed: 57 })
    const controller = new AbortController()
    controller.abort()
    expect(() => fitMlp({ ...fitInputOf(data, 'dense', all(100)), signal: controller.signal })).toThrow(FitAborted)
  })

  it('defaults are the documented ones', () => {
    expect(mlp.defaultParams('binary')).toEqual({
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
      threads: availableParallelism(),
    })
  })
})

describe('mlp on worker threads (worker scripts come from dist/: npm run build)', () => {
  // Big enough to be cut into parts: a batch of 200 rows of a 64-64 network is 4 parts.
  const data = syntheticTable({ rows: 2500, task: 'multiclass', classes: 3, seed: 61, features: 8 })
  const input = fitInputOf(data, 'dense', all(2500), 3)
  const params: Partial<MlpParams> = { hidden: [64, 64], epochs: 12, dropout: 0.2, classWeight: 'balanced', patience: 1000 }

  it('cuts a batch into parts by its size alone, and keeps small ones whole', () => {
    expect(batchParts(200, [25, 64, 64, 1])).toBe(4)
    expect(batchParts(64, [25, 64, 64, 1])).toBe(2)
    expect(batchParts(256, [25, 32, 1])).toBe(2)
    expect(batchParts(64, [25, 32, 1])).toBe(1)
    expect(batchParts(1000, [200, 128, 64, 1])).toBe(8)
    const small = fitMlp(input, { hidden: [8], epochs: 2, threads: 2 })
    expect(small.threads).toBe(1)
    expect(small.workerParts).toBe(0)
  })

  it('gives bit-identical weights on 1, 2 or 3 threads, with dropout and class weights', () => {
    // The first threaded fit starts the pool's worker; the compared ones find it running.
    fitMlp(input, { ...params, epochs: 2, threads: 2 })
    const one = fitMlp(input, { ...params, threads: 1 })
    const two = fitMlp(input, { ...params, threads: 2 })
    const three = fitMlp(input, { ...params, threads: 3 })
    expect([one.threads, two.threads, three.threads]).toEqual([1, 2, 3])
    expect(one.workerParts).toBe(0)
    expect(two.workerParts).toBeGreaterThan(0)
    expect(three.workerParts).toBeGreaterThan(0)
    const ir = JSON.stringify(one.body)
    expect(JSON.stringify(two.body)).toBe(ir)
    expect(JSON.stringify(three.body)).toBe(ir)
    // Early stopping on a validation split goes through the same batches.
    const early = { ...params, patience: 2, validationFraction: 0.2, epochs: 40 }
    expect(JSON.stringify(fitMlp(input, { ...early, threads: 2 }).body)).toBe(JSON.stringify(fitMlp(input, { ...early, threads: 1 }).body))
  })

  it('reuses the pool across fits', () => {
    fitMlp(input, { ...params, epochs: 1, threads: 2 })
    const ids = mlpPoolThreadIds()
    expect(ids.length).toBeGreaterThanOrEqual(1)
    fitMlp(input, { ...params, epochs: 1, threads: 2 })
    expect(mlpPoolThreadIds()).toEqual(ids)
  })

  it('a worker that throws, or whose thread exits, fails the fit with an Error instead of hanging; the next fit works', async () => {
    for (const fault of ['throw', 'exit'] as const) {
      fitMlp(input, { ...params, epochs: 1, threads: 2 })
      injectMlpWorkerFault(fault)
      expect(() => fitMlp(input, { ...params, threads: 2 }), fault).toThrow(fault === 'throw' ? /mlp worker failed: .*injected mlp worker fault/s : /mlp worker failed: .*exited/)
      // Let the pool see a dead worker go.
      await new Promise((r) => setTimeout(r, 50))
      const again = fitMlp(input, { ...params, threads: 2, epochs: 3 })
      expect(JSON.stringify(again.body)).toBe(JSON.stringify(fitMlp(input, { ...params, threads: 1, epochs: 3 }).body))
    }
  })

  it('does not keep a process alive after a threaded fit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlkafka-mlp-'))
    try {
      const csv = join(dir, 'data.csv')
      const lines = ['a,b,c,y']
      const random = new Random(5)
      for (let i = 0; i < 2000; i++) {
        const [a, b, c] = [random.normal(), random.normal(), random.normal()]
        lines.push(`${a},${b},${c},${a * b + c > 0 ? 'yes' : 'no'}`)
      }
      writeFileSync(csv, lines.join('\n') + '\n')
      const dist = (path: string) => JSON.stringify(join(PACKAGE_ROOT, 'dist', 'src', path))
      // No shutdownMlpPool: the process must end by itself once the fit is done.
      const script = `
        const { readCsv } = await import(${dist('data/csv.js')})
        const { prepareTarget } = await import(${dist('data/target.js')})
        const { fitPipeline, inputColumnsOf } = await import(${dist('features/pipeline.js')})
        const { fitMlp } = await import(${dist('learners/mlp.js')})
        const table = await readCsv(${JSON.stringify(csv)})
        const target = prepareTarget(table, 'y')
        const train = Int32Array.from({ length: target.y.length }, (_, i) => i)
        const inputs = inputColumnsOf(table, 'y')
        const pipeline = fitPipeline(table, inputs, 'dense', { rows: target.rows, y: target.y, task: target.task })
        const fit = fitMlp({ table, target, train, pipeline, inputs, seed: 1 }, { hidden: [64, 64], epochs: 10, threads: 2 })
        console.log('fitted on', fit.threads, 'threads')
      `
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 50_000 })
      expect(run.error).toBeUndefined()
      expect(run.stderr).toBe('')
      expect(run.stdout.trim()).toBe('fitted on 2 threads')
      expect(run.status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
