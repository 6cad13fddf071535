import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { readCsv } from '../../src/data/csv.js'
import { compileModel } from '../../src/ir/evaluate.js'
import { loadModel } from '../../src/ir/io.js'
import { runCli } from '../helpers/cli.js'
import { tempDir, writeFixture } from '../helpers/files.js'

const dir = tempDir()
let modelPath = ''

beforeAll(() => {
  const r = runCli(['automl', 'train', '--csv', 'examples/car-sensors.csv', '--target', 'failure', '--max-trials', '2', '--families', 'random_forest,logistic_regression', '--folds', '2', '--json', '--out', join(dir, 'run')], { timeoutMs: 300_000 })
  expect(r.status).toBe(0)
  modelPath = JSON.parse(r.stdout).winner.modelPath
}, 300_000)

describe('mlkafka predict', () => {
  it('writes the input columns plus prediction and p_<class>, equal to the IR evaluator on the same rows', async () => {
    const out = join(dir, 'scored.csv')
    const r = runCli(['predict', '--model', modelPath, '--csv', 'examples/car-sensors.csv', '--out', out])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^scored 5000 rows with \S+ -> /)
    const scored = await readCsv(out)
    const names = scored.columns.map((c) => c.name)
    expect(names.slice(-4)).toEqual(['prediction', 'p_no', 'p_yes', 'prediction_error'])
    const ir = await loadModel(modelPath)
    const expected = compileModel(ir).scoreTable(await readCsv('examples/car-sensors.csv'))
    const pYes = scored.columns[names.indexOf('p_yes')]
    if (pYes.type !== 'numeric') throw new Error('p_yes should be numeric')
    for (let i = 0; i < 5000; i++) expect(pYes.values[i]).toBe(expected[i * 2 + 1])
  })

  it('reports rows that cannot be scored with their line, keeps them in the output, exits 1', () => {
    const header = readFileSync('examples/car-sensors.csv', 'utf8').split('\n')[0]
    const good = 'car-1,suv-x,north,90,250,2000,0.3,12,10000,10,230,80,100,none,true,no'
    const bad = 'car-2,suv-x,north,90,lots,2000,0.3,12,10000,10,230,80,100,none,true,no'
    const file = writeFixture(dir, 'bad.csv', [header, good, '', bad, good].join('\n') + '\n')
    const r = runCli(['predict', '--model', modelPath, '--csv', file])
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toBe(`${file}: 1 of 3 rows could not be scored (their prediction_error column says why): line 4: field "oil_pressure_kpa": expected a number, got "lots"`)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[2]).toMatch(/,,,,"field ""oil_pressure_kpa"": expected a number, got ""lots"""$/)
  })

  it('a file without the model\'s columns is a one-line error', () => {
    const file = writeFixture(dir, 'other.csv', 'a,b\n1,2\n')
    const r = runCli(['predict', '--model', modelPath, '--csv', file])
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toMatch(new RegExp(`^Error: ${file}:1: the model needs columns "car_id", "model",`))
  })
})
