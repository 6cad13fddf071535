import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { chooseLayout, READABLE_MAX_DEPTH, READABLE_MAX_NODES, READABLE_MAX_WEIGHTS, SINGLE_TREE_MAX_UNITS } from '../../../src/export/layout.js'
import { planScorer } from '../../../src/export/scorer-plan.js'
import { checkScorerName, defaultScorerName, exportScorer } from '../../../src/export/scorer.js'
import { importPathOf, resolveLang, writeScorer } from '../../../src/export/write-scorer.js'
import { buildEnsemble } from '../../../src/ir/ensemble.js'
import { ModelFileError } from '../../../src/ir/io.js'
import type { FlatTree, ModelIR } from '../../../src/ir/model.js'
import { UsageError, UserError } from '../../../src/errors.js'
import { tempDir } from '../../helpers/files.js'

const dir = tempDir('mlkafka-scorer-plan-')

/** A full binary tree of the given depth on feature 0 (2^(depth+1) - 1 nodes). */
function fullTree(depth: number): FlatTree {
  const t: FlatTree = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] }
  const add = (d: number): number => {
    const i = t.feature.length
    t.feature.push(d < depth ? 0 : -1)
    t.threshold.push(d < depth ? i : 0)
    t.left.push(-1)
    t.right.push(-1)
    t.missingLeft.push(0)
    t.value.push(0.25, 0.75)
    if (d < depth) {
      t.left[i] = add(d + 1)
      t.right[i] = add(d + 1)
    }
    return i
  }
  add(0)
  return t
}

function treeIr(trees: FlatTree[]): ModelIR {
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'm',
    family: 'random_forest',
    params: {},
    input: { columns: [{ name: 'x', type: 'numeric' }] },
    target: { name: 'y', task: 'binary', classes: ['no', 'yes'] },
    features: { encoding: 'tree', width: 1, steps: [{ kind: 'raw', column: 'x' }] },
    model: { type: 'trees', combine: trees.length === 1 ? 'single' : 'average', outputs: 2, trees },
  }
}

describe('layout rule', () => {
  it(`trees: nested ifs up to ${READABLE_MAX_NODES} nodes and depth ${READABLE_MAX_DEPTH} (one tree: up to ${SINGLE_TREE_MAX_UNITS} code units), flat arrays beyond`, () => {
    expect(READABLE_MAX_NODES).toBe(255)
    expect(chooseLayout(treeIr([fullTree(7)]).model)).toBe('readable') // 255 nodes
    expect(chooseLayout(treeIr([fullTree(6), fullTree(6)]).model)).toBe('readable') // 254 nodes
    expect(chooseLayout(treeIr([fullTree(6), fullTree(6), fullTree(1)]).model)).toBe('compact') // a forest of 257 nodes
    // One tree stays nested ifs while its code is small enough for V8 to optimize: splits + leaves x 2 outputs.
    expect(chooseLayout(treeIr([fullTree(10)]).model)).toBe('readable') // 1023 + 1024 x 2 = 3071 units
    expect(chooseLayout(treeIr([fullTree(11)]).model)).toBe('compact') // 6143 units
    // A thin chain deeper than the limit is compact even when small.
    const chain: FlatTree = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] }
    for (let i = 0; i <= READABLE_MAX_DEPTH; i++) {
      chain.feature.push(0, -1)
      chain.threshold.push(i, 0)
      chain.left.push(2 * i + 1, -1)
      chain.right.push(2 * i + 2, -1)
      chain.missingLeft.push(0, 0)
      chain.value.push(0.5, 0.5, 0.5, 0.5)
    }
    chain.feature.push(-1)
    chain.threshold.push(0)
    chain.left.push(-1)
    chain.right.push(-1)
    chain.missingLeft.push(0)
    chain.value.push(0.5, 0.5)
    expect(chooseLayout(treeIr([chain]).model)).toBe('readable') // one tree, 13 deep: fine for speed
    expect(chooseLayout(treeIr([chain, chain]).model)).toBe('compact') // a forest deeper than 12
    expect(chooseLayout(treeIr([fullTree(7)]).model, 'compact')).toBe('compact')
  })

  it(`linear models and nets: unrolled up to ${READABLE_MAX_WEIGHTS} weights`, () => {
    const row = (n: number): number[] => Array.from({ length: n }, () => 0.5)
    expect(chooseLayout({ type: 'linear', link: 'identity', weights: [row(255)], intercepts: [0] })).toBe('readable')
    expect(chooseLayout({ type: 'linear', link: 'identity', weights: [row(256)], intercepts: [0] })).toBe('compact')
    const layer = (units: number, inputs: number) => ({ weights: Array.from({ length: units }, () => row(inputs)), biases: row(units), activation: 'relu' as const })
    expect(chooseLayout({ type: 'mlp', output: 'identity', layers: [layer(10, 20), layer(1, 10)] })).toBe('readable') // 200+10+10+1
    expect(chooseLayout({ type: 'mlp', output: 'identity', layers: [layer(16, 20), layer(1, 16)] })).toBe('compact')
  })
})

describe('a damaged or hostile model file is refused with one line, never printed', () => {
  const cases: [string, (ir: ModelIR) => void, RegExp][] = [
    ['code in a threshold', (ir) => ((ir.model as { trees: FlatTree[] }).trees[0].threshold[0] = '0; process.exit(1)' as never), /model\.trees\[0\]\.threshold\[0\] is "0; process\.exit\(1\)", not a number/],
    ['a child out of range', (ir) => ((ir.model as { trees: FlatTree[] }).trees[0].left[0] = 99), /model\.trees\[0\]\.left\[0\] is 99, not an integer in -1\.\.2/],
    ['a cycle', (ir) => ((ir.model as { trees: FlatTree[] }).trees[0].left[0] = 0), /reaches node 0 twice/],
    ['a feature out of range', (ir) => ((ir.model as { trees: FlatTree[] }).trees[0].feature[0] = 3), /feature\[0\] is 3/],
    ['a level that is no text', (ir) => (ir.features.steps[0] = { kind: 'ordinal', column: 'x', levels: [{}] as never, other: false }), /levels\[0\] is \{\}, not text/],
    ['a wrong width', (ir) => (ir.features.width = 2), /features\.width is 2 but the steps make 1 features/],
    ['a class count that does not fit', (ir) => (ir.target.classes = ['a', 'b', 'c']), /3 classes for a binary task/],
    ['an unknown model type', (ir) => ((ir.model as { type: string }).type = 'svm'), /model\.type is "svm", expected one of trees, linear, mlp/],
  ]
  for (const [what, damage, message] of cases) {
    it(what, () => {
      const ir = treeIr([fullTree(1)])
      damage(ir)
      expect(() => planScorer(ir, { source: 'run/model.json' })).toThrow(ModelFileError)
      expect(() => planScorer(ir, { source: 'run/model.json' })).toThrow(message)
      try {
        planScorer(ir, { source: 'run/model.json' })
      } catch (err) {
        expect((err as Error).message).toMatch(/^run\/model\.json: /)
        expect((err as Error).message).not.toContain('\n')
      }
    })
  }

  const ensembleCases: [string, (members: Record<string, unknown>[]) => void, RegExp][] = [
    // The two members' pipelines are the same, so they share one feature (width 1).
    ['an ensemble member past the features', (m) => (m[1].offset = 5), /model\.members\[1\]\.offset is 5, not an integer in 0\.\.1/],
    ['code in a member weight', (m) => (m[0].weight = '1; process.exit(1)'), /model\.members\[0\]\.weight is "1; process\.exit\(1\)", not a number/],
    ['an ensemble inside an ensemble', (m) => (m[0].model = { type: 'ensemble', members: [] }), /model\.members\[0\]\.model\.type is "ensemble" \(an ensemble member is a single model\)/],
    ['a damaged member tree', (m) => ((m[1].model as { trees: FlatTree[] }).trees[0].left[0] = 99), /model\.members\[1\]\.model\.trees\[0\]\.left\[0\] is 99, not an integer in -1\.\.2/],
  ]
  for (const [what, damage, message] of ensembleCases) {
    it(what, () => {
      const ir = buildEnsemble([{ ir: treeIr([fullTree(1)]), weight: 0.5 }, { ir: treeIr([fullTree(1)]), weight: 0.5 }], 'e')
      damage((ir.model as unknown as { members: Record<string, unknown>[] }).members)
      expect(() => planScorer(ir, { source: 'run/model.json' })).toThrow(ModelFileError)
      expect(() => planScorer(ir, { source: 'run/model.json' })).toThrow(message)
    })
  }

  it('null numbers (NaN or Infinity saved as JSON) count as 0, as the evaluator reads them', () => {
    const ir = treeIr([fullTree(1)])
    ;(ir.model as { trees: FlatTree[] }).trees[0].threshold[0] = null as never
    const plan = planScorer(ir)
    expect(plan.model.kind === 'trees' && plan.model.layout === 'readable' && !plan.model.trees[0].leaf && plan.model.trees[0].threshold).toBe(0)
    expect(plan.warnings).toEqual([expect.stringMatching(/^model\.trees\[0\]\.threshold\[0\] is null in the model file \(JSON cannot hold NaN or Infinity\): read as 0/)])
    expect(planScorer(treeIr([fullTree(1)])).warnings).toEqual([])
  })
})

describe('names, languages and files', () => {
  it('--name is a type-name prefix; the default comes from the target', () => {
    expect(defaultScorerName('failure')).toBe('Failure')
    expect(defaultScorerName('engine temp (c)')).toBe('EngineTempC')
    expect(defaultScorerName('état final')).toBe('EtatFinal')
    expect(defaultScorerName('9lives')).toBe('Model')
    expect(defaultScorerName('*/ ${x}')).toBe('X')
    expect(defaultScorerName('温度')).toBe('Model')
    expect(checkScorerName('CarFailure')).toBe('CarFailure')
    for (const bad of ['', '9a', 'a-b', 'a b', '$x', 'x'.repeat(65), 'déjà']) expect(() => checkScorerName(bad)).toThrow(UsageError)
    const code = exportScorer(treeIr([fullTree(1)]), { lang: 'ts', name: 'Churn' }).code
    expect(code).toContain('export interface ChurnInput {')
    expect(code).toContain('export function score(record: ChurnInput): ChurnPrediction {')
  })

  it('the language follows --lang or the --out extension, and a contradiction is a usage error', () => {
    expect(resolveLang('scorer.ts', undefined)).toBe('ts')
    expect(resolveLang('scorer.mjs', undefined)).toBe('js')
    expect(resolveLang('scorer', undefined)).toBe('ts')
    expect(resolveLang('scorer.js', 'js')).toBe('js')
    expect(() => resolveLang('scorer.js', 'ts')).toThrow(/JavaScript file name but --lang is ts/)
    expect(() => resolveLang('scorer.ts', 'js')).toThrow(UsageError)
    expect(importPathOf('src/failure-scorer.ts')).toBe('./failure-scorer.js')
    expect(importPathOf('a/b.mts')).toBe('./b.mjs')
    expect(importPathOf('scorer.js')).toBe('./scorer.js')
  })

  it('writes the file, and says what is wrong with --out in one line', async () => {
    const written = await writeScorer(treeIr([fullTree(1)]), { out: join(dir, 's.ts') })
    expect(written).toMatchObject({ lang: 'ts', importPath: './s.js', file: join(dir, 's.ts') })
    await expect(writeScorer(treeIr([fullTree(1)]), { out: dir })).rejects.toThrow(/is a folder: pass a file name/)
    await expect(writeScorer(treeIr([fullTree(1)]), { out: join(dir, 'missing', 's.ts') })).rejects.toThrow(UserError)
  })
})
