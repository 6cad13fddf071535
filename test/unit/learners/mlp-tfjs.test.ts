import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/data/target.js'
import { UserError } from '../../../src/errors.js'
import { encodeTable } from '../../../src/features/pipeline.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import type { MlpModelIR } from '../../../src/ir/model.js'
import { tableRowsOf, targetsOf, type FitInput } from '../../../src/learners/learner.js'
import { fitMlp, mlp, type MlpParams } from '../../../src/learners/mlp.js'
import {
  describeMlpBackend,
  loadTfjs,
  MLP_BACKEND_ENV,
  mlpBackendSetting,
  packageInstalled,
  pickMlpBackend,
  resolveMlpBackend,
  tfjsNodeInstalled,
  type TfjsBackendName,
  type TfjsRuntime,
} from '../../../src/learners/mlp-backend.js'
import { fitMlpTfjs } from '../../../src/learners/mlp-tfjs.js'
import { accuracy, fitInputOf, modelIrOf, r2, splitPositions, syntheticTable } from '../../helpers/synthetic.js'

// TensorFlow.js without native bindings (tfjs-node cannot be installed here): wasm when its package is there, else cpu.
const expected: TfjsBackendName = packageInstalled('@tensorflow/tfjs-backend-wasm') ? 'wasm' : 'cpu'
let runtime: TfjsRuntime
beforeAll(async () => {
  runtime = await loadTfjs([expected])
})

const envBefore = process.env[MLP_BACKEND_ENV]
afterEach(() => {
  if (envBefore === undefined) delete process.env[MLP_BACKEND_ENV]
  else process.env[MLP_BACKEND_ENV] = envBefore
})

function all(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i)
}

/** Encoded holdout rows, their targets, and the IR evaluator's predictions of a fitted body. */
function holdoutScores(input: FitInput, body: MlpModelIR, holdout: Int32Array) {
  const { X, n } = encodeTable(input.pipeline, input.table, tableRowsOf(input.target, holdout))
  const model = compileModel(modelIrOf(input, 'mlp', {}, body))
  return { X, n, y: targetsOf(input.target, holdout), ir: model.scoreMatrix(X, n), width: model.width }
}

function maxGap(a: ArrayLike<number>, b: ArrayLike<number>, relative: boolean): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (relative ? Math.max(1, Math.abs(a[i])) : 1))
  return worst
}

describe(`mlp trained by TensorFlow.js (${expected} backend)`, () => {
  const cases: [Task, Partial<MlpParams>][] = [
    ['binary', { hidden: [16, 16], activation: 'relu' }],
    ['multiclass', { hidden: [24], activation: 'tanh', classWeight: 'balanced' }],
    ['regression', { hidden: [16, 8], activation: 'relu', dropout: 0.1 }],
  ]
  for (const [task, params] of cases) {
    it(`${task}: the IR scores what TensorFlow.js predicts, about as well as the typed-array loop`, async () => {
      const data = syntheticTable({ rows: 1200, task, seed: 71, shape: task === 'regression' ? 'nonlinear' : 'linear' })
      const { train, holdout } = splitPositions(1200, 0.25, 7)
      const input = fitInputOf(data, 'dense', train)
      const p: Partial<MlpParams> = { ...params, epochs: 40, batchSize: 64, learningRate: 5e-3 }
      const before = runtime.tf.memory().numTensors
      const fit = await fitMlpTfjs(input, p, runtime)
      expect(fit.backend).toBe(expected)
      expect(runtime.tf.memory().numTensors).toBe(before)

      const { X, n, y, ir, width } = holdoutScores(input, fit.body, holdout)
      // float32 (TensorFlow.js) against float64 (the IR evaluator) on the same weights.
      expect(maxGap(ir, fit.float32Scores(X, n), task === 'regression')).toBeLessThan(1e-5)
      // The learner's own predictions are the float64 forward pass: exactly the evaluator's.
      expect(Array.from(fit.scores(X, n))).toEqual(Array.from(ir))

      const typed = holdoutScores(input, fitMlp(input, p).body, holdout)
      if (task === 'regression') expect(r2(ir, y)).toBeGreaterThan(r2(typed.ir, y) - 0.05)
      else expect(accuracy(ir, width, y)).toBeGreaterThan(accuracy(typed.ir, width, y) - 0.04)
    })
  }

  it('is the same training as the typed-array loop: same start and batches give the same weights up to float32', async () => {
    const data = syntheticTable({ rows: 400, task: 'multiclass', seed: 73 })
    const input = fitInputOf(data, 'dense', all(400))
    const p: Partial<MlpParams> = { hidden: [12, 8], epochs: 3, batchSize: 50, validationFraction: 0, alpha: 1e-3, classWeight: 'balanced' }
    const a = (await fitMlpTfjs(input, p, runtime)).network.params
    const b = fitMlp(input, p).network.params
    expect(maxGap(a, b, false)).toBeLessThan(1e-5)
  })

  it('a limit that has passed stops training within the epoch, after the batch it is seen in, as the typed-array loop does', async () => {
    const data = syntheticTable({ rows: 300, task: 'binary', seed: 58 })
    const input = fitInputOf(data, 'dense', all(300))
    const p: Partial<MlpParams> = { hidden: [8], batchSize: 50, epochs: 30, validationFraction: 0 }
    let batches = 0
    const cut = await fitMlpTfjs({ ...input, timeUp: (nextMs) => nextMs === undefined && ++batches >= 2 }, p, runtime)
    expect(batches).toBe(2)
    expect(cut.epochs).toBe(1)
    expect(cut.cutShort).toBe(true)
    // Two batches' weights, not the whole first epoch's.
    const one = await fitMlpTfjs(input, { ...p, epochs: 1 }, runtime)
    expect(cut.network.params).not.toEqual(one.network.params)
  })

  it('stops early on the validation slice and keeps the best epoch', async () => {
    const data = syntheticTable({ rows: 600, task: 'binary', seed: 75 })
    const fit = await fitMlpTfjs(fitInputOf(data, 'dense', all(600)), { hidden: [32], epochs: 500, patience: 3, learningRate: 0.02 }, runtime)
    expect(fit.epochs).toBeLessThan(500)
    expect(fit.bestEpoch).toBeLessThanOrEqual(fit.epochs - 3)
    expect(Number.isFinite(fit.validationLoss)).toBe(true)
  })

  it("the learner runs on TensorFlow.js when asked, by param or by MLKAFKA_NN_BACKEND, and the model is an ordinary IR", async () => {
    const data = syntheticTable({ rows: 300, task: 'binary', seed: 77 })
    const input = fitInputOf(data, 'dense', all(300))
    const params = { ...mlp.defaultParams('binary'), hidden: [8], epochs: 3 }
    const byParam = mlp.fit(input, { ...params, backend: 'tfjs' })
    expect(byParam).toBeInstanceOf(Promise)
    expect((await byParam).type).toBe('mlp')
    process.env[MLP_BACKEND_ENV] = 'tfjs'
    expect(await resolveMlpBackend(mlpBackendSetting())).toMatchObject({ kind: 'tfjs' })
    const byEnv = await mlp.fit(input, params)
    expect(JSON.stringify(byEnv)).toBe(JSON.stringify(await byParam))
    // The param wins over the environment.
    expect(mlp.fit(input, { ...params, backend: 'typed' })).not.toBeInstanceOf(Promise)
  })
})

describe('choosing the mlp backend', () => {
  it("'auto' means TensorFlow.js only when @tensorflow/tfjs-node is installed", () => {
    expect(pickMlpBackend('auto', false)).toBe('typed')
    expect(pickMlpBackend('auto', true)).toBe('tfjs')
    expect(pickMlpBackend('typed', true)).toBe('typed')
    expect(pickMlpBackend('tfjs', false)).toBe('tfjs')
  })

  it.skipIf(tfjsNodeInstalled())("without tfjs-node, 'auto' trains on typed arrays, synchronously, and says so", async () => {
    delete process.env[MLP_BACKEND_ENV]
    expect(mlpBackendSetting()).toBe('auto')
    const used = await resolveMlpBackend('auto')
    expect(used).toEqual({ kind: 'typed' })
    expect(describeMlpBackend(used, 2)).toBe('typed arrays (2 threads)')
    const data = syntheticTable({ rows: 200, task: 'regression', seed: 79 })
    const body = mlp.fit(fitInputOf(data, 'dense', all(200)), { ...mlp.defaultParams('regression'), hidden: [4], epochs: 2, threads: 1 })
    expect(body).not.toBeInstanceOf(Promise)
  })

  it('MLKAFKA_NN_BACKEND chooses when the params do not, and a wrong value is a user error', () => {
    process.env[MLP_BACKEND_ENV] = 'TYPED'
    expect(mlpBackendSetting()).toBe('typed')
    expect(mlpBackendSetting('tfjs')).toBe('tfjs')
    process.env[MLP_BACKEND_ENV] = 'gpu'
    expect(() => mlpBackendSetting()).toThrow(UserError)
    expect(() => mlpBackendSetting()).toThrow(/MLKAFKA_NN_BACKEND must be one of auto, typed, tfjs \(got "gpu"\)/)
  })

  it('names the TensorFlow.js backend that ran', () => {
    expect(describeMlpBackend({ kind: 'tfjs', runtime })).toBe(`tfjs ${expected}`)
    expect(describeMlpBackend({ kind: 'typed' })).toBe('typed arrays (1 thread)')
  })
})
