import { describe, expect, it } from 'vitest'
import { buildEnsemble } from '../../../src/ir/ensemble.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import { parseModelIR, serializeModel } from '../../../src/ir/io.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { logisticRegression } from '../../../src/learners/linear.js'
import { decisionTree } from '../../../src/learners/trees.js'
import { fitOnAllRows, mixedTable, recordsFromTable } from '../../helpers/scorer-parity.js'

async function members(task: 'binary' | 'regression'): Promise<{ tree: ModelIR; linear: ModelIR; records: Record<string, unknown>[] }> {
  const data = mixedTable({ rows: 200, task, seed: 5 })
  return {
    tree: await fitOnAllRows(data, decisionTree, { maxDepth: 4 }, 'tree_1'),
    linear: await fitOnAllRows(data, logisticRegression, {}, 'logistic_regression_2'),
    records: recordsFromTable(data.table, data.target.name),
  }
}

describe('ensemble IR', () => {
  it('scores as 0 + w1 * tree + w2 * linear, each member on its own features (dense and tree encodings side by side)', async () => {
    for (const task of ['binary', 'regression'] as const) {
      const { tree, linear, records } = await members(task)
      const ens = buildEnsemble([{ ir: tree, weight: 2 / 3 }, { ir: linear, weight: 1 / 3 }], 'ensemble_1')
      expect(ens).toMatchObject({ version: 2, family: 'ensemble', features: { encoding: 'mixed', width: tree.features.width + linear.features.width } })
      expect(ens.model.type === 'ensemble' && ens.model.members.map((m) => [m.modelId, m.offset, m.width])).toEqual([
        ['tree_1', 0, tree.features.width],
        ['logistic_regression_2', tree.features.width, linear.features.width],
      ])
      const [e, a, b] = [ens, tree, linear].map(compileModel)
      for (const record of records) {
        const pa = a.predictRecord(record)
        const pb = b.predictRecord(record)
        const pe = e.predictRecord(record)
        if ('value' in pa && 'value' in pb) expect(pe).toEqual({ value: 0 + (2 / 3) * pa.value + (1 / 3) * pb.value })
        else if ('probabilities' in pa && 'probabilities' in pb && 'probabilities' in pe) {
          const expected = pa.probabilities.map((p, j) => 0 + (2 / 3) * p + (1 / 3) * pb.probabilities[j])
          expect(pe.probabilities).toEqual(expected)
          expect(pe.label).toBe(expected[1] > expected[0] ? 'yes' : 'no')
        }
      }
      // The table path (leaderboard metrics, predict) gives the same scores as record by record.
      const table = mixedTable({ rows: 200, task, seed: 5 }).table
      const byTable = e.scoreTable(table)
      const first = e.predictRecord(records[0])
      expect(Array.from(byTable.subarray(0, e.width))).toEqual('value' in first ? [first.value] : first.probabilities)
    }
  })

  it('survives the JSON round trip, non-finite numbers inside members included', async () => {
    const { tree, linear } = await members('binary')
    const ens = buildEnsemble([{ ir: tree, weight: 0.5 }, { ir: linear, weight: 0.5 }], 'ensemble_1')
    const body = ens.model.type === 'ensemble' ? ens.model.members[0].model : null
    if (body?.type !== 'trees') throw new Error('expected the tree first')
    body.trees[0].threshold[0] = Infinity
    const back = parseModelIR(JSON.parse(serializeModel(ens)), 'model.json')
    expect(back).toEqual(ens)
  })

  it('refuses members that predict another target, and a version newer than it reads', async () => {
    const { tree } = await members('binary')
    const other = (await members('regression')).linear
    expect(() => buildEnsemble([{ ir: tree, weight: 0.5 }, { ir: other, weight: 0.5 }], 'e')).toThrow(/predicts another target/)
    const ens = buildEnsemble([{ ir: tree, weight: 1 }], 'e')
    expect(() => parseModelIR({ ...JSON.parse(serializeModel(ens)), version: 3 }, 'model.json')).toThrow(/model format version 3 is newer than this mlkafka reads \(2\)/)
  })

  it('takes in a bag of models as its members, weights multiplied, and computes a pipeline fitted alike once', async () => {
    const data = mixedTable({ rows: 200, task: 'regression', seed: 5 })
    const tree = await fitOnAllRows(data, decisionTree, { maxDepth: 4 }, 'tree_1')
    const a = await fitOnAllRows(data, logisticRegression, { C: 1 }, 'lr_2')
    const b = await fitOnAllRows(data, logisticRegression, { C: 0.01 }, 'lr_3')
    const bag = { ...buildEnsemble([{ ir: a, weight: 0.5 }, { ir: b, weight: 0.5 }], 'bag_4'), family: 'logistic_regression' }
    // The bag's two models share one copy of their (identical) pipeline.
    expect(bag.features.width).toBe(a.features.width)
    const ens = buildEnsemble([{ ir: tree, weight: 0.25 }, { ir: bag, weight: 0.75 }], 'ensemble_5')
    const w = tree.features.width
    expect(ens.features.width).toBe(w + a.features.width)
    expect(ens.model.type === 'ensemble' && ens.model.members.map((m) => [m.modelId, m.offset, m.width, m.weight])).toEqual([
      ['tree_1', 0, w, 0.25],
      ['lr_2', w, a.features.width, 0.375],
      ['lr_3', w, a.features.width, 0.375],
    ])
    const [e, t, x, y] = [ens, tree, a, b].map(compileModel)
    for (const record of recordsFromTable(data.table, data.target.name)) {
      const [pe, pt, px, py] = [e, t, x, y].map((m) => m.predictRecord(record) as { value: number })
      expect(pe.value).toBe(0 + 0.25 * pt.value + 0.375 * px.value + 0.375 * py.value)
    }
    // A scorer reads the shared features as the evaluator does (the plan accepts members that overlap).
    const back = parseModelIR(JSON.parse(serializeModel(ens)), 'model.json')
    expect(back).toEqual(ens)
  })
})
