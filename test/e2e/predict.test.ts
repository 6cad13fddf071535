import { spawnSync } from 'node:child_process'
import { lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { readCsv } from '../../src/data/csv.js'
import { compileModel } from '../../src/ir/evaluate.js'
import { loadModel } from '../../src/ir/io.js'
import type { InputColumn } from '../../src/ir/model.js'
import { REPO_ROOT, runCli } from '../helpers/cli.js'
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

  it('a row with more or fewer fields than the header keeps its place, with its line and the reason', () => {
    const lines = readFileSync('examples/car-sensors.csv', 'utf8').split('\n').slice(0, 4)
    const file = writeFixture(dir, 'ragged.csv', [lines[0], lines[1], 'car-9,suv-x,north', lines[2], lines[3]].join('\n') + '\n')
    const r = runCli(['predict', '--model', join(dir, 'run'), file])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("line 3: row has 3 fields but the header has 16: fix the row, or quote fields that contain ','")
    const out = r.stdout.trim().split('\n')
    expect(out).toHaveLength(5)
    expect(out[2]).toMatch(/^car-9,suv-x,north,{13},{4}"row has 3 fields but the header has 16/)
    expect(out[3].startsWith(lines[2])).toBe(true)
  })

  it('never spoils a file: --out may not be the input, and an existing --out stays as it was when the input is bad', () => {
    const input = writeFixture(dir, 'in.csv', readFileSync('examples/car-sensors.csv', 'utf8').split('\n').slice(0, 20).join('\n') + '\n')
    const before = readFileSync(input, 'utf8')
    const same = runCli(['predict', '--model', modelPath, '--csv', input, '--out', input])
    expect(same.status).toBe(2)
    expect(same.stderr.trim()).toBe(`Error: --out ${input} is the input file: write the scores to another file`)
    expect(readFileSync(input, 'utf8')).toBe(before)

    const kept = writeFixture(dir, 'kept.csv', 'precious\n')
    const unclosed = writeFixture(dir, 'unclosed.csv', before.split('\n').slice(0, 6).join('\n') + '\ncar-1,"suv-x,north\n' + before.split('\n').slice(6).join('\n'))
    const bad = runCli(['predict', '--model', modelPath, '--csv', unclosed, '--out', kept])
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim()).toBe(`Error: ${unclosed}:7: a quoted field opens here and is never closed. Close the quote ("...") or escape quotes inside fields by doubling them ("")`)
    expect(readFileSync(kept, 'utf8')).toBe('precious\n')
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([])

    const good = runCli(['predict', '--model', modelPath, '--csv', input, '--out', kept])
    expect(good.status).toBe(0)
    expect(readFileSync(kept, 'utf8').split('\n')).toHaveLength(21)

    // Anything but a plain file is written to as it is: a link stays a link, its file gets the scores.
    const link = join(dir, 'link.csv')
    symlinkSync(join(dir, 'linked.csv'), link)
    expect(runCli(['predict', '--model', modelPath, '--csv', input, '--out', link]).status).toBe(0)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'linked.csv'), 'utf8').split('\n')).toHaveLength(21)
    const folder = runCli(['predict', '--model', modelPath, '--csv', input, '--out', dir])
    expect(folder.status).toBe(1)
    expect(folder.stderr).toBe(`Error: --out ${dir} is a folder: pass a file name for the scores, e.g. ${join(dir, 'scored.csv')}\n`)
  })

  it('an input column named prediction: the scores go to prediction_mlkafka, and a note says so', () => {
    const lines = readFileSync('examples/car-sensors.csv', 'utf8').split('\n').slice(0, 4)
    const file = writeFixture(dir, 'has-prediction.csv', lines.map((l, i) => `${l},${i === 0 ? 'prediction' : 'theirs'}`).join('\n') + '\n')
    const r = runCli(['predict', '--model', modelPath, '--csv', file])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe(`note: ${file} has column prediction: the scores are in prediction_mlkafka\n`)
    expect(r.stdout.split('\n')[0].endsWith(',prediction,prediction_mlkafka,p_no,p_yes,prediction_error')).toBe(true)
  })

  it('leaves piped stdin alone: a loop over file names scores every file', () => {
    // oclif fills a missing argument from piped stdin unless told not to: `ls *.csv | while read f; do
    // mlkafka predict --csv "$f" ...` had its first predict eat the rest of the list as its FILE.
    const lines = readFileSync('examples/car-sensors.csv', 'utf8').split('\n').slice(0, 4).join('\n') + '\n'
    for (const name of ['jan.csv', 'feb.csv']) writeFixture(dir, name, lines)
    const loop = `printf 'jan.csv\\nfeb.csv\\n' | while read f; do node ${join(REPO_ROOT, 'bin/run.js')} predict --model ${modelPath} --csv "$f" --out "scored-$f" || exit 1; done`
    const r = spawnSync('bash', ['-c', loop], { cwd: dir, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    for (const name of ['jan.csv', 'feb.csv']) expect(readFileSync(join(dir, `scored-${name}`), 'utf8').split('\n')).toHaveLength(5)
    // Piped text is not a file name either: a missing --csv is still the missing-flag error.
    const missing = runCli(['predict', '--model', modelPath], { input: 'some data\n' })
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/--csv/)
  })

  it('output piped into a reader that stops early ends quietly', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node bin/run.js predict --model ${modelPath} --csv examples/car-sensors.csv | head -1`], { cwd: REPO_ROOT, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout.startsWith('car_id,model,')).toBe(true)
  })
})

describe('a table as pandas writes it', () => {
  // pandas's to_csv() with its index: a blank header cell over 0, 1, 2, ...; a customer ID; a constant column.
  const rows = Array.from({ length: 120 }, (_, i) => {
    const x1 = ((i * 37) % 101) / 10
    const x2 = ((i * 53) % 89) / 10
    return `${i},C${(i * 7919) % 1000},${x1},${x2},EU,${x1 + x2 > 9.5 ? 'yes' : 'no'}`
  })
  const file = writeFixture(dir, 'pandas.csv', [',customer,x1,x2,region,churned', ...rows].join('\n') + '\n')

  it('trains without the row numbers, the constant and the ignored columns, says so, and scores the same file', async () => {
    const out = join(dir, 'pandas-run')
    const r = runCli(['automl', 'train', '--csv', file, '--target', 'churned', '--ignore', 'customer', '--max-trials', '1', '--families', 'logistic_regression', '--json', '--out', out])
    expect(r.status).toBe(0)
    expect(r.stderr).toContain('column column_1 left out: a row number: counts up by one on every row')
    expect(r.stderr).toContain('column customer left out: ignored (--ignore)')
    expect(r.stderr).toContain('column region left out: the same value in every row')
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))
    expect(run.columnsLeftOut.map((c: { column: string }) => c.column)).toEqual(['column_1', 'customer', 'region'])
    const ir = await loadModel(join(out, 'model.json'))
    expect(ir.input.columns.map((c) => c.name)).toEqual(['x1', 'x2'])
    const scored = join(dir, 'pandas-scored.csv')
    const p = runCli(['predict', '--model', join(out, 'model.json'), '--csv', file, '--out', scored])
    expect(p.status).toBe(0)
    const lines = readFileSync(scored, 'utf8').trim().split('\n')
    expect(lines[0]).toBe(',customer,x1,x2,region,churned,prediction,p_no,p_yes,prediction_error')
    expect(lines).toHaveLength(121)
  })

  it('a header with blanks after its commas and a stray text among numbers: trains, and scores every row of the same file', async () => {
    const spaced = writeFixture(dir, 'spaced.csv', ['x1, x2, churned', ...rows.map((row, i) => {
      const [, , x1, x2, , y] = row.split(',')
      return `${x1}, ${i % 60 === 3 ? 'unknown' : x2}, ${y}`
    })].join('\n') + '\n')
    const out = join(dir, 'spaced-run')
    const r = runCli(['automl', 'train', '--csv', spaced, '--target', 'churned', '--max-trials', '1', '--families', 'logistic_regression', '--json', '--out', out])
    expect(r.status).toBe(0)
    expect(r.stderr).toContain('note: column x2 is numeric, but 2 cells are other text ("unknown"')
    const ir = await loadModel(join(out, 'model.json'))
    expect(ir.input.columns).toEqual([{ name: 'x1', type: 'numeric' }, { name: 'x2', type: 'numeric', missingTexts: ['unknown'] }])
    const scored = join(dir, 'spaced-scored.csv')
    const p = runCli(['predict', '--model', join(out, 'model.json'), '--csv', spaced, '--out', scored])
    expect(p.stderr).toBe('')
    expect(p.status).toBe(0)
    const lines = readFileSync(scored, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(121)
    expect(lines.filter((l) => l.endsWith(',')).length).toBe(120)
    // A model written before header names were trimmed names the column ` x2`: it scores the file too.
    const old = join(dir, 'spaced-old.json')
    writeFileSync(old, readFileSync(join(out, 'model.json'), 'utf8').replaceAll('"x2"', '" x2"'))
    const o = runCli(['predict', '--model', old, '--csv', spaced, '--out', join(dir, 'spaced-old.csv')])
    expect(o.stderr).toBe('')
    expect(readFileSync(join(dir, 'spaced-old.csv'), 'utf8')).toBe(readFileSync(scored, 'utf8'))
    // The input's cells as they were (quoted: they start with a blank), a prediction and no error.
    // The class is the level without the blank (canonicalLevel).
    expect(lines[4]).toMatch(/^[0-9.]+," unknown"," (yes|no)",(yes|no),[0-9.e-]+,[0-9.e-]+,$/)
  })

  it('AUC with fewer rows of a class than folds: without --folds, as many folds as the class has rows; --folds given, a usage error that says what to change', () => {
    const few = writeFixture(dir, 'few-yes.csv', ['x,y', ...Array.from({ length: 60 }, (_, i) => `${i % 7},${i === 5 || i === 40 ? 'yes' : 'no'}`)].join('\n') + '\n')
    const fewer = runCli(['automl', 'train', '--csv', few, '--target', 'y', '--max-trials', '1', '--families', 'logistic_regression', '--out', join(dir, 'few-yes-run')])
    expect(fewer.status).toBe(0)
    expect(fewer.stderr).toContain('note: 2-fold CV instead of 5: class "yes" of y has 2 rows, and auc needs both classes in every fold (--folds sets it)\n')
    const r = runCli(['automl', 'train', '--csv', few, '--target', 'y', '--max-trials', '1', '--families', 'logistic_regression', '--folds', '5'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--metric auc needs both classes in every validation fold, but class "yes" of y has 2 rows for 5 folds: use --folds 2, or --metric logloss')
  })
})

describe('files from other tools score as they trained', () => {
  /** Trains a linear model on `file`, scores the same file with predict, and returns the predictions beside the evaluator's on the training table. */
  async function trainAndPredict(name: string, file: string, target: string): Promise<{ stderr: string; predicted: number[]; trained: number[]; inputs: InputColumn[] }> {
    const out = join(dir, `${name}-run`)
    const r = runCli(['automl', 'train', '--csv', file, '--target', target, '--max-trials', '1', '--families', 'logistic_regression', '--json', '--out', out])
    expect(r.status).toBe(0)
    const scored = join(dir, `${name}-scored.csv`)
    const p = runCli(['predict', '--model', join(out, 'model.json'), '--csv', file, '--out', scored])
    expect(p.stderr).toBe('')
    expect(p.status).toBe(0)
    const table = await readCsv(scored)
    const prediction = table.columns.find((c) => c.name === 'prediction')!
    if (prediction.type !== 'numeric') throw new Error('prediction should be numeric')
    const ir = await loadModel(join(out, 'model.json'))
    const trained = compileModel(ir).scoreTable(await readCsv(file))
    return { stderr: r.stderr, predicted: Array.from(prediction.values), trained: Array.from(trained), inputs: ir.input.columns }
  }

  it("a column of numbers written as 1.0 that turns categorical at a text: 1.0 scores as the level 1 it trained as", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const grade = i % 25 === 3 ? 'unknown' : i % 25 === 7 ? 'n/k' : `${1 + (i % 4)}.0`
      const x = ((i * 37) % 101) / 50 - 1
      return `${grade},${x},${(grade.endsWith('.0') ? 1.5 * Number(grade) : 0) + x}`
    })
    const file = writeFixture(dir, 'grades.csv', ['grade,x,y', ...rows].join('\n') + '\n')
    const { predicted, trained } = await trainAndPredict('grades', file, 'y')
    expect(predicted).toEqual(trained)
  })

  it('a column of ISO dates: read as days since 1970-01-01, noted, and scored from the same file', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => {
      const day = 19000 + ((i * 37) % 101) * 3
      const at = new Date(day * 86_400_000 + (i % 2) * 43_200_000).toISOString()
      return `${i % 3 === 0 ? at.slice(0, 10) : at.slice(0, 16)},${i % 4},${((day - 19000) / 100 + (i % 2) * 0.005).toFixed(4)}`
    })
    const file = writeFixture(dir, 'dates.csv', ['when,k,y', ...rows].join('\n') + '\n')
    const inspect = runCli(['data', 'inspect', file])
    expect(inspect.stdout).toMatch(/when\s+date\s+0\.0%\s+134\s+2022-01-08 .. 2022-11-04 12:00:00/)
    const { stderr, predicted, trained, inputs } = await trainAndPredict('dates', file, 'y')
    expect(stderr).toContain('note: column when has 150 dates (first at data row 1): read as days since 1970-01-01 UTC')
    expect(inputs[0]).toEqual({ name: 'when', type: 'numeric', isoDates: true })
    expect(predicted).toEqual(trained)
    // y is linear in the date: the model follows it.
    expect(Math.abs(predicted[149] - Number(rows[149].split(',')[2]))).toBeLessThan(0.05)
  })

  it('a ;-separated file with decimal commas: read as numbers, noted, and scored from the same file', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => {
      const x = (((i * 37) % 101) / 10).toFixed(2)
      return `${x.replace('.', ',')};${i % 3 === 0 ? 'a' : 'b'};${(2 * Number(x) + (i % 3 === 0 ? 1 : 0)).toFixed(3).replace('.', ',')}`
    })
    const file = writeFixture(dir, 'euro.csv', ['x;g;y', ...rows].join('\n') + '\n')
    const { stderr, predicted, trained, inputs } = await trainAndPredict('euro', file, 'y')
    expect(stderr).toContain('note: column x has 150 numbers with a decimal comma (first at data row 1): 1,5 reads as 1.5, here and when scoring')
    expect(inputs).toEqual([{ name: 'x', type: 'numeric', decimalComma: true }, { name: 'g', type: 'categorical' }])
    expect(predicted).toEqual(trained)
    // y = 2x + [g = a]: row 1 (x = 0, g = a) is about 1.
    expect(Math.abs(predicted[0] - 1)).toBeLessThan(0.2)
  })
})
