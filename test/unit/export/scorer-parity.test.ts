/**
 * Every family x task, in both layouts and both languages: the generated module, compiled by tsc with
 * the strictest flags (one tsc run for all) or run as plain JavaScript, scores every training row and a
 * few thousand edge-case records exactly as the IR evaluator does (trees and linear models to the bit,
 * nets within 1e-9 relative), and throws the same ScoringError for the same bad field.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/data/target.js'
import { exportScorer, type ScorerLang } from '../../../src/export/scorer.js'
import type { Layout } from '../../../src/export/layout.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { tempDir } from '../../helpers/files.js'
import {
  compareWithEvaluator,
  compileScorers,
  edgeRecords,
  importScorer,
  mixedTable,
  parityModels,
  recordsFromTable,
  writeModule,
  type RawRecord,
} from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-scorer-parity-')
const TASKS: Task[] = ['binary', 'multiclass', 'regression']
const LAYOUTS: Layout[] = ['readable', 'compact']
const LANGS: ScorerLang[] = ['ts', 'js']
const EDGE_RECORDS = 2000

interface Case {
  id: string
  family: string
  task: Task
  ir: ModelIR
  records: RawRecord[]
  relTol: number
}

const cases: Case[] = []
const modules = new Map<string, string>()

async function fitCases(task: Task): Promise<void> {
  const data = mixedTable({ rows: 300, task, seed: task.length })
  const models = await parityModels(data, (id) => `${id}-${task}`)
  const fromTable = recordsFromTable(data.table, data.target.name)
  for (const [id, ir, relTol] of models) {
    cases.push({ id: `${id}-${task}`, family: ir.family, task, ir, relTol, records: [...fromTable, ...edgeRecords(ir, data.table, EDGE_RECORDS, 11)] })
  }
}

const moduleKey = (c: Case, layout: Layout, lang: ScorerLang): string => `${c.id}-${layout}.${lang}`

beforeAll(async () => {
  for (const task of TASKS) await fitCases(task)
  const files: string[] = []
  for (const c of cases) {
    for (const layout of LAYOUTS) {
      for (const lang of LANGS) {
        const { code } = exportScorer(c.ir, { lang, layout, now: new Date('2026-01-01T00:00:00Z') })
        const file = writeModule(join(dir, lang), `${c.id}-${layout}.${lang}`, code)
        files.push(file)
        // TypeScript: the tsc output; JavaScript: the generated file itself, as a user runs it.
        modules.set(moduleKey(c, layout, lang), lang === 'ts' ? join(dir, 'out', 'ts', `${c.id}-${layout}.js`) : file)
      }
    }
  }
  // TypeScript under the strictest flags a project might set; JavaScript under --strict --checkJs.
  const ts = compileScorers(dir, files.filter((f) => f.endsWith('.ts')))
  if (ts.status !== 0) throw new Error(`tsc failed on the generated TypeScript:\n${ts.output.slice(0, 4000)}`)
  const js = compileScorers(dir, files.filter((f) => f.endsWith('.js')), ['--strict'])
  if (js.status !== 0) throw new Error(`tsc --checkJs failed on the generated JavaScript:\n${js.output.slice(0, 4000)}`)
  console.log(`parity: ${files.length / 2} TypeScript scorers compiled in one tsc run (${Math.round(ts.ms)} ms), ${files.length / 2} JavaScript scorers type-checked in another (${Math.round(js.ms)} ms)`)
}, 120_000)

afterAll(shutdownForestPool)

describe('generated scorers match the IR evaluator', () => {
  for (const task of TASKS) {
    for (const family of ['tree-small', 'tree-deep', 'forest', 'logistic', 'mlp', 'mlp-relu', 'ensemble']) {
      it(`${family} ${task}: both layouts, TypeScript and JavaScript`, async () => {
        const c = cases.find((x) => x.id === `${family}-${task}`)!
        for (const layout of LAYOUTS) {
          for (const lang of LANGS) {
            const scorer = await importScorer(modules.get(moduleKey(c, layout, lang))!)
            const report = compareWithEvaluator(c.ir, scorer, c.records, c.relTol)
            expect(report.mismatches, `${c.id} ${layout} ${lang}`).toEqual([])
            expect(report.compared).toBe(c.records.length)
            // Both paths are exercised: most records score, some throw.
            expect(report.scored).toBeGreaterThan(c.records.length / 2)
            expect(report.threw).toBeGreaterThan(50)
            expect(scorer.CLASSES).toEqual(c.ir.target.classes)
            expect(scorer.FIELDS).toEqual(c.ir.input.columns.map((col) => col.name))
            expect(scorer.MODEL).toEqual({ id: c.ir.modelId, family: c.ir.family, task: c.ir.target.task, target: c.ir.target.name })
          }
        }
      })
    }
  }

  it('picks the layout by size: small trees and models as readable code, big ones as arrays', () => {
    const layoutOf = (id: string): string => exportScorer(cases.find((x) => x.id === id)!.ir, { lang: 'ts' }).plan.layout
    expect(layoutOf('tree-small-binary')).toBe('readable')
    expect(layoutOf('forest-binary')).toBe('compact')
    expect(layoutOf('logistic-binary')).toBe('readable')
    expect(layoutOf('mlp-binary')).toBe('readable')
    const small = exportScorer(cases.find((x) => x.id === 'tree-small-binary')!.ir, { lang: 'ts' }).code
    expect(small).toMatch(/if \(.*\) \{ \/\/ "/)
    expect(small).not.toMatch(/new Float64Array\(\[/)
  })
})
