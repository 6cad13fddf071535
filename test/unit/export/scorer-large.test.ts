/**
 * A 500-tree forest of small trees: printed as flat arrays, it still compiles with tsc (the time is
 * measured and printed, never asserted: speed is the benchmarks' business) and scores like the evaluator.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { exportScorer } from '../../../src/export/scorer.js'
import { fitModel } from '../../../src/learners/fit-model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { randomForest } from '../../../src/learners/trees.js'
import { tempDir } from '../../helpers/files.js'
import { compareWithEvaluator, compileScorers, edgeRecords, importScorer, mixedTable, recordsFromTable, writeModule } from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-scorer-large-')

afterAll(shutdownForestPool)

describe('a 500-tree forest', () => {
  it('exports as compact arrays that tsc compiles, and scores like the evaluator', async () => {
    const data = mixedTable({ rows: 400, task: 'multiclass', seed: 21 })
    const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
    const params = { ...randomForest.defaultParams('multiclass'), nTrees: 500, maxDepth: 4, workers: 1 }
    const ir = await fitModel(randomForest, data.table, data.target, train, params, { modelId: 'forest-500', seed: 3 })
    const exported = exportScorer(ir, { lang: 'ts' })
    expect(exported.plan.layout).toBe('compact')
    const file = writeModule(dir, 'forest-500.ts', exported.code)
    const compiled = compileScorers(dir, [file])
    expect(compiled.output).toBe('')
    const nodes = ir.model.type === 'trees' ? ir.model.trees.reduce((n, t) => n + t.feature.length, 0) : 0
    console.log(`500-tree forest: ${nodes} nodes, ${(statSync(file).size / 1024).toFixed(0)} kB of TypeScript, tsc (strict, one file) ${Math.round(compiled.ms)} ms`)

    const records = [...recordsFromTable(data.table, data.target.name), ...edgeRecords(ir, data.table, 600, 4)]
    const report = compareWithEvaluator(ir, await importScorer(join(dir, 'out', 'forest-500.js')), records)
    expect(report.mismatches).toEqual([])
    expect(report.scored).toBeGreaterThan(500)
  }, 120_000)
})
