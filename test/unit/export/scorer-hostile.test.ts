/**
 * Column names, levels, classes, model ids and paths with quotes, backslashes, newlines, `*\/`, `${`,
 * reserved words, __proto__, U+2028/U+2029, lone surrogates and emoji: the generated code compiles, keeps
 * every text exactly, and scores like the IR evaluator.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/data/target.js'
import type { Layout } from '../../../src/export/layout.js'
import { exportScorer, type ScorerLang } from '../../../src/export/scorer.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { fitModel } from '../../../src/learners/fit-model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { logisticRegression } from '../../../src/learners/linear.js'
import { mlp } from '../../../src/learners/mlp.js'
import { decisionTree, randomForest } from '../../../src/learners/trees.js'
import { tempDir } from '../../helpers/files.js'
import { compareWithEvaluator, compileScorers, edgeRecords, importScorer, mixedTable, recordsFromTable, writeModule, type RawRecord } from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-scorer-hostile-')

export const HOSTILE_NAMES = [
  'engine "temp"\n*/ `${process.exit(1)}` \\ end',
  '__proto__',
  '\u2028line\u2029sep \ud800 lone </script> \u202eevil',
  'constructor',
  'class @param {string} rec',
  '',
  'the target\r\n/* x */ // y',
]
const HOSTILE_LEVELS = ['"quoted"', 'back\\slash', '*/ close', '${inj}', '__proto__', 'tab\there', '\ud83d\ude00 emoji', '\u2028', 'lone \udc00', 'toString', '', '@param {x} y']
const HOSTILE_CLASSES: Record<Task, string[] | undefined> = {
  binary: ['no*/', 'yes\\"\n'],
  multiclass: ['__proto__', '\u2029 c*/', 'constructor'],
  regression: undefined,
}

interface Case {
  id: string
  ir: ModelIR
  records: RawRecord[]
  relTol: number
}
const cases: Case[] = []

beforeAll(async () => {
  for (const task of ['binary', 'multiclass', 'regression'] as Task[]) {
    const data = mixedTable({ rows: 240, task, seed: 3, names: HOSTILE_NAMES, levels: HOSTILE_LEVELS, classes: HOSTILE_CLASSES[task] })
    const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
    const fit = async (learner: { family: string; defaultParams(t: Task): object }, params: object): Promise<ModelIR> => {
      const ir = await fitModel(learner as never, data.table, data.target, train, { ...learner.defaultParams(task), ...params }, { modelId: `m*/\u2028${learner.family}-${task}`, seed: 5 })
      // Hostile text in the header too: paths, fingerprints, params.
      return { ...ir, params: { ...ir.params, note: '*/ \n ${x}' }, training: { source: '/data/a*/b\n.csv', rows: 240, fingerprint: 'sha256:*/\u2028', createdAt: '2026-01-01T00:00:00Z', mlkafkaVersion: '0.1.0', metric: 'auc*/', metrics: { 'auc*/': 0.5 } } }
    }
    const irs = [await fit(decisionTree, { maxDepth: 4 }), await fit(logisticRegression, {})]
    if (task === 'multiclass') irs.push(await fit(randomForest, { nTrees: 5, maxDepth: 3, workers: 1 }), await fit(mlp, { hidden: [5], epochs: 10 }))
    const fromTable = recordsFromTable(data.table, data.target.name)
    for (const ir of irs) cases.push({ id: `${ir.family}-${task}`, ir, relTol: ir.family === 'mlp' ? 1e-9 : 0, records: [...fromTable, ...edgeRecords(ir, data.table, 600, 9)] })
  }
}, 60_000)

afterAll(shutdownForestPool)

describe('hostile names', () => {
  it('produce code that compiles, keeps every text exactly and scores like the evaluator', async () => {
    const files: { file: string; module: string; c: Case }[] = []
    for (const c of cases) {
      for (const layout of ['readable', 'compact'] as Layout[]) {
        for (const lang of ['ts', 'js'] as ScorerLang[]) {
          const { code } = exportScorer(c.ir, { lang, layout })
          // Nothing that ends a line or a comment, or hides text, gets through raw.
          expect(code).not.toMatch(/[\u2028\u2029\u202e]/)
          expect(code).not.toMatch(/\p{Cs}/u)
          // `${process.exit(1)}` stays inside double-quoted literals: importing the module below proves it inert.
          const file = writeModule(join(dir, lang), `${c.id}-${layout}.${lang}`, code)
          files.push({ file, c, module: lang === 'ts' ? join(dir, 'out', 'ts', `${c.id}-${layout}.js`) : file })
        }
      }
    }
    const ts = compileScorers(dir, files.filter((f) => f.file.endsWith('.ts')).map((f) => f.file))
    expect(ts.output).toBe('')
    const js = compileScorers(dir, files.filter((f) => f.file.endsWith('.js')).map((f) => f.file), ['--strict'])
    expect(js.output).toBe('')
    for (const { module, c } of files) {
      const scorer = await importScorer(module)
      expect(scorer.FIELDS).toEqual(HOSTILE_NAMES.slice(0, 6))
      expect(scorer.CLASSES).toEqual(c.ir.target.classes)
      expect(scorer.MODEL.id).toBe(c.ir.modelId)
      expect(scorer.MODEL.target).toBe(HOSTILE_NAMES[6])
      const report = compareWithEvaluator(c.ir, scorer, c.records, c.relTol)
      expect(report.mismatches, `${c.id} ${module}`).toEqual([])
      expect(report.scored).toBeGreaterThan(100)
    }
  }, 60_000)

  it('a hostile level is matched exactly: each level scores as the evaluator scores it', async () => {
    const c = cases.find((x) => x.id === 'decision_tree-binary')!
    const { code } = exportScorer(c.ir, { lang: 'js' })
    const scorer = await importScorer(writeModule(join(dir, 'levels'), 'levels.js', code))
    const base = Object.fromEntries([[HOSTILE_NAMES[0], 90], [HOSTILE_NAMES[1], 0], [HOSTILE_NAMES[2], 2000], [HOSTILE_NAMES[3], true], ['', 'P0001']])
    const records = HOSTILE_LEVELS.map((level) => ({ ...base, [HOSTILE_NAMES[4]]: level }))
    expect(compareWithEvaluator(c.ir, scorer, records).mismatches).toEqual([])
  })
})
