import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadModel, saveModel, serializeModel } from '../../../src/ir/io.js'
import { compileModel, predict } from '../../../src/ir/evaluate.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { tempDir, writeFixture } from '../../helpers/files.js'
import { stumpModel } from '../../helpers/ir-fixtures.js'

const dir = tempDir()

/** A hand-made stump on "speed" (missing goes right) with a categorical "color" split below it. */
const treeModel = stumpModel

function linearModel(): ModelIR {
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'lin-1',
    family: 'logistic_regression',
    params: { C: 1 },
    input: { columns: [{ name: 'a', type: 'numeric' }, { name: 'c', type: 'categorical' }] },
    target: { name: 'y', task: 'multiclass', classes: ['x', 'y', 'z'] },
    features: {
      encoding: 'dense',
      width: 3,
      steps: [
        { kind: 'numeric', column: 'a', impute: 2, center: 1, scale: 2 },
        { kind: 'onehot', column: 'c', levels: ['p'], other: true },
      ],
    },
    model: { type: 'linear', link: 'softmax', weights: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], intercepts: [0, 0, 0] },
  }
}

function mlpModel(): ModelIR {
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'mlp-1',
    family: 'mlp',
    params: {},
    input: { columns: [{ name: 'a', type: 'numeric' }] },
    target: { name: 'v', task: 'regression' },
    features: { encoding: 'dense', width: 1, steps: [{ kind: 'numeric', column: 'a', impute: 0, center: 0, scale: 1 }] },
    model: {
      type: 'mlp',
      output: 'identity',
      layers: [
        { weights: [[1], [-1]], biases: [0, 0], activation: 'relu' },
        { weights: [[2, 3]], biases: [0.5], activation: 'identity' },
      ],
    },
  }
}

describe('IR evaluator', () => {
  it('walks a tree: thresholds, missing values by the default direction, unknown categories as missing', () => {
    const [a, b, c, d, e] = predict(treeModel(), [
      { speed: 10 },
      { speed: 50 },
      { speed: 70, color: 'red' },
      { speed: 70, color: 'blue' },
      { speed: null, color: 'green' },
    ])
    expect(a).toEqual({ label: 'no', probabilities: [0.9, 0.1] })
    expect(b).toEqual({ label: 'no', probabilities: [0.9, 0.1] })
    expect(c).toEqual({ label: 'yes', probabilities: [0.2, 0.8] })
    expect(d).toEqual({ label: 'no', probabilities: [0.7, 0.3] })
    // speed missing -> right; color unknown (no __other__) -> NaN -> missingLeft at node 2.
    expect(e).toEqual({ label: 'yes', probabilities: [0.2, 0.8] })
  })

  it('averages a forest in tree order', () => {
    const ir = treeModel()
    if (ir.model.type !== 'trees') throw new Error()
    ir.model.combine = 'average'
    ir.model.trees.push(ir.model.trees[0])
    expect(predict(ir, [{ speed: 70, color: 'red' }])[0]).toEqual({ label: 'yes', probabilities: [0.2, 0.8] })
  })

  it('linear softmax with imputation, scaling and one-hot __other__', () => {
    const [p] = predict(linearModel(), [{ a: null, c: 'q' }])
    // a missing -> 2 -> (2-1)/2 = 0.5; c unknown -> __other__ -> [0, 1]. z = [0.5, 0, 1].
    const z = [0.5, 0, 1]
    const e = z.map((v) => Math.exp(v - 1))
    const s = e[0] + e[1] + e[2]
    expect(p).toEqual({ label: 'z', probabilities: e.map((v) => v / s) })
  })

  it('mlp with relu hidden layer and identity output', () => {
    expect(predict(mlpModel(), [{ a: 2 }, { a: -3 }])).toEqual([{ value: 4.5 }, { value: 9.5 }])
  })

  it('scores an encoded matrix like it scores records', () => {
    const model = compileModel(linearModel())
    const X = Float64Array.from([0.5, 0, 1, 2, 1, 0])
    const scores = model.scoreMatrix(X, 2)
    expect(scores.length).toBe(6)
    expect(Array.from(scores.subarray(0, 3))).toEqual((model.predictRecord({ a: null, c: 'q' }) as { probabilities: number[] }).probabilities)
  })
})

describe('IR as JSON', () => {
  it('round-trips through a file unchanged, every double exact', async () => {
    for (const ir of [treeModel(), linearModel(), mlpModel()]) {
      if (ir.model.type === 'linear') ir.model.weights[0][0] = 0.1 + 0.2
      const file = `${dir}/${ir.modelId}.json`
      await saveModel(file, ir)
      const back = await loadModel(file)
      expect(back).toEqual(ir)
      expect(serializeModel(back)).toBe(readFileSync(file, 'utf8').trimEnd())
      expect(predict(back, [{ a: 1, speed: 3 }])).toEqual(predict(ir, [{ a: 1, speed: 3 }]))
    }
  })

  it('rejects files that are not models, with what to do', async () => {
    await expect(loadModel(`${dir}/missing.json`)).rejects.toThrow(/model file not found/)
    await expect(loadModel(writeFixture(dir, 'bad.json', '{oops'))).rejects.toThrow(/not valid JSON/)
    await expect(loadModel(writeFixture(dir, 'other.json', '{"a":1}'))).rejects.toThrow(/not an mlkafka model/)
    await expect(loadModel(writeFixture(dir, 'future.json', JSON.stringify({ ...treeModel(), version: 99 })))).rejects.toThrow(/newer than this mlkafka reads \(2\)\. Upgrade mlkafka/)
  })
})

describe('IR edge values', () => {
  it('a split between present and missing values (threshold Infinity) survives save and load', async () => {
    const ir = treeModel()
    if (ir.model.type !== 'trees') throw new Error()
    ir.model.trees[0].threshold[0] = Infinity
    ir.model.trees[0].missingLeft[0] = 0
    const file = `${dir}/inf.json`
    await saveModel(file, ir)
    expect(readFileSync(file, 'utf8')).toContain('"Infinity"')
    const back = await loadModel(file)
    expect(back).toEqual(ir)
    expect(predict(back, [{ speed: 1e300 }, { speed: null }])).toEqual(predict(ir, [{ speed: 1e300 }, { speed: null }]))
    expect(predict(back, [{ speed: 1e300 }])[0]).toEqual({ label: 'no', probabilities: [0.9, 0.1] })
  })

  it('spells every non-finite number as JSON cannot hold it, nested anywhere, without changing the model', () => {
    const ir = treeModel()
    if (ir.model.type !== 'trees') throw new Error()
    ir.model.trees[0].threshold[0] = -Infinity
    ir.model.trees[0].value[1] = NaN
    ir.features.steps[0] = { ...ir.features.steps[0], impute: Infinity } as (typeof ir.features.steps)[0]
    const before = structuredClone(ir)
    const text = serializeModel(ir)
    // What a replacer spelling each number would write, key order and all.
    expect(text).toBe(JSON.stringify(ir, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)))
    expect(text).toContain('"-Infinity"')
    expect(text).toContain('"NaN"')
    expect(ir).toEqual(before)
    expect(ir.model.trees[0].threshold[0]).toBe(-Infinity)
  })

  it('a category level spelled "Infinity" stays text', async () => {
    const ir = treeModel()
    if (ir.features.steps[1].kind !== 'ordinal') throw new Error()
    ir.features.steps[1].levels = ['Infinity', 'NaN']
    await saveModel(`${dir}/levels.json`, ir)
    expect((await loadModel(`${dir}/levels.json`)).features.steps[1]).toEqual(ir.features.steps[1])
  })

  it('reads only a record\'s own fields: a column named "constructor" is missing when absent', () => {
    const ir = treeModel()
    ir.input.columns[0].name = 'constructor'
    ir.features.steps[0] = { kind: 'raw', column: 'constructor' }
    expect(predict(ir, [{}])[0]).toEqual(predict(ir, [{ constructor: null }])[0])
  })
})
