import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { readCsv } from '../../src/data/csv.js'
import { loadModel } from '../../src/ir/io.js'
import type { ModelIR } from '../../src/ir/model.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'
import { compareWithEvaluator, compileScorers, importScorer, recordsFromTable, type RawRecord } from '../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-export-scorer-')
const runDir = join(dir, 'run')
let records: RawRecord[] = []

beforeAll(async () => {
  const train = runCli(['automl', 'train', '--csv', 'examples/car-sensors.csv', '--target', 'failure', '--max-trials', '2', '--seed', '1', '--families', 'decision_tree,logistic_regression', '--json', '--out', runDir], { timeoutMs: 300_000 })
  if (train.status !== 0) throw new Error(`automl train failed: ${train.stderr}`)
  const table = await readCsv('examples/car-sensors.csv')
  records = recordsFromTable(table, 'failure')
}, 300_000)

describe('mlkafka export scorer (spawned as a user runs it)', () => {
  it('writes TypeScript and JavaScript scorers that score the example exactly like the model', async () => {
    const ts = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(dir, 'failure-scorer.ts')])
    expect(ts.stderr).toBe('')
    expect(ts.status).toBe(0)
    const lines = ts.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^wrote .*failure-scorer\.ts \(TypeScript, [\d.]+ kB\): scores "failure" \(binary\) with \S+ \((decision_tree|logistic_regression|ensemble)\)/)
    expect(lines[1].trim()).toBe('import { score } from "./failure-scorer.js"')
    expect(lines[2].trim()).toMatch(/^score\(\{ "car_id": \.\.\., "model": \.\.\., \.\.\. \}\) \/\/ -> \{ label, probabilities \}/)

    const js = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(dir, 'failure-scorer.js'), '--name', 'CarFailure', '--json'])
    expect(js.status).toBe(0)
    const out = JSON.parse(js.stdout)
    expect(out).toMatchObject({ file: join(dir, 'failure-scorer.js'), lang: 'js', name: 'CarFailure', task: 'binary', target: 'failure', classes: ['no', 'yes'], importPath: './failure-scorer.js' })
    expect(out.exports.values).toEqual(['score', 'scoreBatch', 'ScoringError', 'CLASSES', 'FIELDS', 'MODEL'])

    // Every kept model of the run (both families, and the ensemble of the two when it won), compiled in one
    // tsc run and compared on all 5000 rows.
    const models: ModelIR[] = []
    for (const f of readdirSync(join(runDir, 'models'))) models.push(await loadModel(join(runDir, 'models', f)))
    const families = new Set(models.map((m) => m.family))
    families.delete('ensemble')
    expect(families).toEqual(new Set(['decision_tree', 'logistic_regression']))
    const files: string[] = []
    for (const m of models) {
      const file = join(dir, `${m.modelId}.ts`)
      const r = runCli(['export', 'scorer', '--model', join(runDir, 'models', `${m.modelId}.json`), '--out', file])
      expect(r.status).toBe(0)
      files.push(file)
    }
    const compiled = compileScorers(dir, [join(dir, 'failure-scorer.ts'), ...files])
    expect(compiled.output).toBe('')
    const winner = await loadModel(join(runDir, 'model.json'))
    const header = readFileSync(join(dir, 'failure-scorer.ts'), 'utf8').slice(0, 2000)
    expect(header).toContain(`model: ${winner.modelId} (${winner.family})`)
    expect(header).toContain(`fingerprint ${winner.training!.fingerprint}`)
    expect(header).toMatch(/leaderboard: auc [\d.]+ \(ranking metric\)/)
    for (const [ir, module] of [
      [winner, join(dir, 'out', 'failure-scorer.js')],
      [winner, join(dir, 'failure-scorer.js')],
      ...models.map((m) => [m, join(dir, 'out', `${m.modelId}.js`)] as const),
    ] as const) {
      const report = compareWithEvaluator(ir, await importScorer(module), records)
      expect(report.mismatches).toEqual([])
      expect(report.scored).toBe(5000)
    }
  }, 120_000)

  it('input errors are one line with the right exit code', () => {
    const missing = runCli(['export', 'scorer', '--model', join(dir, 'nope.json'), '--out', join(dir, 'x.ts')])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/^Error: .*nope\.json: model file not found\. Check the path[^\n]*\n$/)
    const badName = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(dir, 'x.ts'), '--name', 'my-scorer'])
    expect(badName.status).toBe(2)
    expect(badName.stderr).toMatch(/^Error: --name "my-scorer": use a letter then letters, digits or _[^\n]*\n$/)
    const unwritable = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(dir, 'no-such-folder', 'x.ts')])
    expect(unwritable.status).toBe(1)
    expect(unwritable.stderr).toMatch(/^Error: --out .*x\.ts: folder .*no-such-folder does not exist[^\n]*\n$/)
    const folder = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', dir])
    expect(folder.status).toBe(1)
    expect(folder.stderr).toMatch(/^Error: --out .* is a folder: pass a file name[^\n]*\n$/)
    const noOut = runCli(['export', 'scorer', '--model', join(runDir, 'model.json')])
    expect(noOut.status).toBe(2)
    expect(noOut.stderr).toMatch(/^Error: missing --out FILE/)
    const json = runCli(['export', 'scorer', '--model', join(dir, 'nope.json'), '--out', join(dir, 'x.ts'), '--json'])
    expect(json.status).toBe(1)
    expect(JSON.parse(json.stdout).error).toMatchObject({ kind: 'ModelFileError', exitCode: 1 })
    const python = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(dir, 'x.py')])
    expect(python.status).toBe(2)
    expect(python.stderr).toMatch(/^Error: --out .*x\.py: a scorer is a TypeScript or JavaScript module, so its file name ends in \.ts, .*e\.g\. .*x\.ts\n$/)
    // .cjs is CommonJS to Node, which cannot load the scorer's `export`s from it.
    const commonJs = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(dir, 'x.cjs')])
    expect(commonJs.status).toBe(2)
    expect(commonJs.stderr).toMatch(/^Error: --out .*x\.cjs: a scorer is an ES module .*name it .*x\.mjs/)
    expect(existsSync(join(dir, 'x.cjs'))).toBe(false)
    const overModel = runCli(['export', 'scorer', '--model', join(runDir, 'model.json'), '--out', join(runDir, 'model.json')])
    expect(overModel.status).toBe(2)
    expect(existsSync(join(dir, 'x.py'))).toBe(false)
    const noModel = runCli(['export', 'scorer', '--model', dir, '--out', join(dir, 'x.ts')])
    expect(noModel.status).toBe(1)
    expect(noModel.stderr).toMatch(/: a folder without model\.json\. Pass a run directory written by `mlkafka automl train`, or a model file\n$/)
  })

  it('takes a run directory as --model: its model.json, the winner', async () => {
    const r = runCli(['export', 'scorer', '--model', runDir, '--out', join(dir, 'from-dir.js'), '--json'])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ file: join(dir, 'from-dir.js'), modelId: (await loadModel(join(runDir, 'model.json'))).modelId })
  })
})
