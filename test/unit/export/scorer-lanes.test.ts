/**
 * The TypeScript scorer's compact trees (binned features, lanes of chained trees; src/export/tree-lanes.ts)
 * and its level lookups (perfect hash tables; src/export/typescript/level-table.ts), on the cases fitted
 * models rarely make: thresholds at NaN, ±Infinity, -0 and the smallest numbers, one-leaf trees, forests
 * walked in several batches, levels that only differ in one character or read as missing tokens. The
 * generated code (strict tsc, and plain JavaScript) must score every record exactly as the IR evaluator.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { headerFacts } from '../../../src/export/header.js'
import { planScorer } from '../../../src/export/scorer-plan.js'
import { laneForest } from '../../../src/export/tree-lanes.js'
import { levelSlot, levelTable } from '../../../src/export/typescript/level-table.js'
import { printTypeScript } from '../../../src/export/typescript/print.js'
import type { FlatTree, ModelIR } from '../../../src/ir/model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { randomForest } from '../../../src/learners/trees.js'
import { Random } from '../../../src/learners/random.js'
import { tempDir } from '../../helpers/files.js'
import { compareWithEvaluator, compileScorers, edgeRecords, fitOnAllRows, importScorer, mixedTable, recordsFromTable, writeModule, type RawRecord } from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-scorer-lanes-')

afterAll(shutdownForestPool)

const LEVELS = ['a', 'b', 'ab', 'ba', 'NA ', ' null', 'x\u0000', '\ud83d\ude00', 'lone \udc00', 'A', 'aa', 'aaa', '12', '1e3', 'true']
const SPECIAL = [NaN, -Infinity, Infinity, -0, 0, 5e-324, -5e-324, 1.5, 2.5, 1e308, -1e308]

/** A tree from nested [feature, threshold, missingLeft, left, right] tuples and leaf values. */
type Spec = number | [number, number, 0 | 1, Spec, Spec]
function tree(spec: Spec): FlatTree {
  const t: FlatTree = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] }
  const add = (s: Spec): number => {
    const i = t.feature.length
    t.feature.push(-1)
    t.threshold.push(0)
    t.left.push(-1)
    t.right.push(-1)
    t.missingLeft.push(0)
    t.value.push(typeof s === 'number' ? s : 0)
    if (typeof s !== 'number') {
      const [feature, threshold, missingLeft, left, right] = s
      t.feature[i] = feature
      t.threshold[i] = threshold
      t.missingLeft[i] = missingLeft
      t.left[i] = add(left)
      t.right[i] = add(right)
    }
    return i
  }
  add(spec)
  return t
}

function edgeForest(): ModelIR {
  const random = new Random(5)
  const trees: FlatTree[] = [
    tree([0, NaN, 1, [1, -0, 0, 1, -0], 2]),
    tree([0, NaN, 0, 3, [1, Infinity, 0, 4, 5]]),
    tree(-0),
    tree([0, -Infinity, 1, 6, [0, Infinity, 1, 7, 8]]),
    tree([2, 1.5, 1, [2, 0.5, 0, 9, 10], [2, 14, 0, 11, NaN]]),
    tree([1, 5e-324, 0, [1, -5e-324, 1, 12, 13], [0, 1e308, 0, 14, 15]]),
  ]
  // Random splits at the special values and at level codes, to depth 12.
  const grow = (depth: number): Spec => {
    if (depth === 0 || random.next() < 0.15) return Math.round(random.next() * 8) / 4
    const feature = random.int(3)
    const threshold = feature === 2 ? random.int(LEVELS.length + 1) - 0.5 : SPECIAL[random.int(SPECIAL.length)]
    return [feature, threshold, random.next() < 0.5 ? 1 : 0, grow(depth - 1), grow(depth - 1)]
  }
  for (let i = 0; i < 20; i++) trees.push(tree(grow(12)))
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'edge-forest',
    family: 'random_forest',
    params: {},
    input: {
      columns: [
        { name: 'x', type: 'numeric' },
        { name: 'y', type: 'numeric' },
        { name: 'c', type: 'categorical' },
      ],
    },
    target: { name: 'v', task: 'regression' },
    features: {
      encoding: 'tree',
      width: 3,
      steps: [
        { kind: 'raw', column: 'x' },
        { kind: 'raw', column: 'y' },
        { kind: 'ordinal', column: 'c', levels: LEVELS, other: true },
      ],
    },
    model: { type: 'trees', combine: 'average', outputs: 1, trees },
  }
}

function edgeValueRecords(): RawRecord[] {
  const values: unknown[] = [...SPECIAL, null, undefined, 'NA', ' 2.5 ', '-0', 1.5 + 2 ** -52, 1.5 - 2 ** -53]
  const levels: unknown[] = [...LEVELS, 'NA', ' null ', '', '?', 'c', 'abc', 'b ', 12, 1000, true, null, undefined, NaN, 'x\u0001']
  const out: RawRecord[] = []
  for (const x of values) for (const y of values) out.push({ x, y, c: levels[out.length % levels.length] })
  for (const c of levels) out.push({ x: 1, y: 2, c })
  return out
}

/** Prints a plan (optionally with its compact trees rebuilt in small batches) as TypeScript and JavaScript. */
function print(ir: ModelIR, maxBatchTrees?: number): { ts: string; js: string } {
  const plan = planScorer(ir, { layout: 'compact' })
  if (maxBatchTrees !== undefined && plan.model.kind === 'trees' && plan.model.layout === 'compact' && ir.model.type === 'trees') {
    plan.model.lanes = laneForest(ir.model.trees, ir.model.outputs, maxBatchTrees)
  }
  const facts = headerFacts(ir, plan, new Date('2026-01-01T00:00:00Z'))
  return {
    ts: printTypeScript(plan, facts, { lang: 'ts', name: 'Edge', importPath: './scorer.js' }),
    js: printTypeScript(plan, facts, { lang: 'js', name: 'Edge', importPath: './scorer.js' }),
  }
}

describe('compact trees on edge values', () => {
  it('score like the evaluator: NaN and infinite thresholds, -0, one-leaf trees, several batches, hostile levels', async () => {
    const data = mixedTable({ rows: 300, task: 'multiclass', seed: 9 })
    const forest = await fitOnAllRows(data, randomForest, { nTrees: 10, maxDepth: 6, workers: 1 }, 'forest-batches')
    const leavesOnly: ModelIR = { ...edgeForest(), modelId: 'leaves-only' }
    if (leavesOnly.model.type === 'trees') leavesOnly.model = { ...leavesOnly.model, trees: [tree(1), tree(-0), tree(0.25)] }
    const cases: [string, ModelIR, number | undefined, RawRecord[]][] = [
      ['edge', edgeForest(), undefined, edgeValueRecords()],
      ['edge-batches', edgeForest(), 4, edgeValueRecords()],
      ['leaves-only', leavesOnly, undefined, edgeValueRecords()],
      ['forest-batches', forest, 3, [...recordsFromTable(data.table, data.target.name), ...edgeRecords(forest, data.table, 1500, 2)]],
    ]
    const files: string[] = []
    for (const [id, ir, batch] of cases) {
      const { ts, js } = print(ir, batch)
      files.push(writeModule(join(dir, 'ts'), `${id}.ts`, ts))
      writeModule(join(dir, 'js'), `${id}.js`, js)
    }
    const compiled = compileScorers(dir, files)
    expect(compiled.output).toBe('')
    for (const [id, ir, , records] of cases) {
      for (const path of [join(dir, 'out', 'ts', `${id}.js`), join(dir, 'js', `${id}.js`)]) {
        const report = compareWithEvaluator(ir, await importScorer(path), records)
        expect(report.mismatches, `${id} (${path})`).toEqual([])
        expect(report.scored).toBeGreaterThan(records.length / 3)
      }
    }
  }, 120_000)

  it('splits a forest into batches and lanes as asked', () => {
    const ir = edgeForest()
    if (ir.model.type !== 'trees') throw new Error('trees')
    const lanes = laneForest(ir.model.trees, 1, 4)!
    expect(lanes.batches.map((b) => b.trees)).toEqual([4, 4, 4, 4, 4, 4, 2])
    expect(lanes.lanes).toBe(4)
    expect(lanes.batches.at(-1)!.start.slice(2)).toEqual([lanes.park, lanes.park])
    // Leaf values are kept once each, -0 apart from 0: 1..15, NaN and 0..2 in steps of 0.25 at most.
    expect(lanes.values.filter((v) => Object.is(v, -0))).toHaveLength(1)
    expect(lanes.values.filter((v) => Object.is(v, 0))).toHaveLength(1)
    expect(lanes.values.length).toBe(new Set(lanes.values.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).size)
    expect(lanes.values.length).toBeLessThanOrEqual(26)
  })
})

describe('level tables', () => {
  it('find every level in its own slot and nothing else, for few and many levels', () => {
    const random = new Random(3)
    const word = (): string => Array.from({ length: 1 + random.int(12) }, () => String.fromCharCode(32 + random.int(200))).join('')
    // The example's car models: ("truck-t", length 7) and ("van-v", 5) agree on length ^ last character.
    const lists = [['sedan-a', 'suv-x', 'suv-y', 'sedan-b', 'van-v', 'truck-t'], ...[1, 2, 6, 254, 3000].map((count) => [...new Set(Array.from({ length: count * 2 }, word))].slice(0, count))]
    for (const levels of lists) {
      const count = levels.length
      const entries = levels.map((l, i): [string, number] => [l, i])
      const t0 = performance.now()
      const table = levelTable(entries)
      const ms = performance.now() - t0
      expect(table.slots.length).toBeLessThanOrEqual(Math.max(4, 6 * count))
      for (const [level, code] of entries) expect(table.slots[levelSlot(table, level)]).toEqual([level, code])
      for (let i = 0; i < 200; i++) {
        const other = word()
        if (levels.includes(other)) continue
        expect(table.slots[levelSlot(table, other)]?.[0]).not.toBe(other)
      }
      expect(ms).toBeLessThan(5000)
    }
  })
})
