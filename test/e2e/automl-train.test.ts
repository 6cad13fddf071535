import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadModel } from '../../src/ir/io.js'
import { REPO_ROOT, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'

const dir = tempDir()

describe('mlkafka automl train (spawned as a user runs it)', () => {
  it('--max-trials --seed --json on the example: a ranked leaderboard, the run files, and the same result again', async () => {
    const args = ['automl', 'train', '--csv', 'examples/car-sensors.csv', '--target', 'failure', '--max-trials', '5', '--seed', '3', '--folds', '3', '--json']
    const first = runCli([...args, '--out', join(dir, 'a')], { timeoutMs: 300_000 })
    expect(first.stderr).not.toMatch(/Error/)
    expect(first.status).toBe(0)
    const out = JSON.parse(first.stdout)
    expect(out).toMatchObject({ runDir: join(dir, 'a'), task: 'binary', target: 'failure', metric: 'auc' })
    // Five trials, and the ensemble of the best of them, which beats them all on this table.
    expect(out.leaderboard).toHaveLength(6)
    const families = new Set(out.leaderboard.map((r: { family: string }) => r.family))
    expect(families).toEqual(new Set(['decision_tree', 'random_forest', 'logistic_regression', 'mlp', 'ensemble']))
    const scores = out.leaderboard.map((r: { score: number }) => r.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
    for (const row of out.leaderboard) {
      expect(Object.keys(row).sort()).toEqual(['family', 'metrics', 'modelId', 'params', 'predictUsPerRow', 'rank', 'score', 'scoreStd', 'sizeBytes', 'trainMs'])
      expect(row.score).toBeGreaterThan(0.5)
      expect(Object.keys(row.metrics).sort()).toEqual(['accuracy', 'auc', 'aucpr', 'f1', 'logloss'])
    }
    const ensembleRow = out.leaderboard[0]
    expect(ensembleRow).toMatchObject({ rank: 1, modelId: 'ensemble_1', family: 'ensemble' })
    const weights = Object.entries(ensembleRow.params.weights as Record<string, number>)
    expect(weights.length).toBeGreaterThanOrEqual(2)
    expect(weights.reduce((sum, [, w]) => sum + w, 0)).toBeCloseTo(1, 12)
    expect(out.winner).toMatchObject({ modelId: 'ensemble_1', family: 'ensemble', modelPath: join(dir, 'a', 'model.json') })
    expect(JSON.parse(readFileSync(join(dir, 'a', 'leaderboard.json'), 'utf8')).winner).toBe(out.winner.modelId)

    // model.json holds the ensemble of its members refit on all rows (a net as its bag of nets, mlp_4#1
    // to #5, each with its share of the net's weight); each member is saved too.
    const model = await loadModel(out.winner.modelPath)
    expect(model.modelId).toBe(out.winner.modelId)
    if (model.model.type !== 'ensemble') throw new Error('expected an ensemble')
    const summed = new Map<string, number>()
    for (const m of model.model.members) summed.set(m.modelId.split('#')[0], (summed.get(m.modelId.split('#')[0]) ?? 0) + m.weight)
    expect([...summed].map(([id, w]) => [id, Number(w.toPrecision(12))])).toEqual(weights.map(([id, w]) => [id, Number(w.toPrecision(12))]))
    const bagged = model.model.members.filter((m) => m.family === 'mlp')
    if (bagged.length > 0) expect(bagged.map((m) => m.modelId)).toEqual([1, 2, 3, 4, 5].map((k) => `${bagged[0].modelId.split('#')[0]}#${k}`))
    for (const [id] of weights) expect((await loadModel(join(dir, 'a', 'models', `${id}.json`))).modelId).toBe(id)
    // The best single model is kept and named next to the ensemble.
    const single = out.leaderboard.find((r: { family: string }) => r.family !== 'ensemble')
    expect(out.singleWinner).toEqual({ modelId: single.modelId, family: single.family, modelPath: join(dir, 'a', 'models', `${single.modelId}.json`) })
    expect((await loadModel(out.singleWinner.modelPath)).model.type).not.toBe('ensemble')
    expect(model.training).toMatchObject({ rows: 5000, metric: 'auc' })
    expect(model.training!.fingerprint).toMatch(/^sha256:/)
    for (const f of ['leaderboard.json', 'run.json']) expect(existsSync(join(dir, 'a', f))).toBe(true)
    const run = JSON.parse(readFileSync(join(dir, 'a', 'run.json'), 'utf8'))
    expect(run).toMatchObject({ seed: 3, rows: 5000, stoppedBy: 'max-trials' })
    expect(existsSync(join(dir, 'a', 'models', `${out.winner.modelId}.json`))).toBe(true)

    // Same seed and trial count: the same leaderboard (timings aside).
    const second = JSON.parse(runCli([...args, '--out', join(dir, 'b')], { timeoutMs: 300_000 }).stdout)
    const stable = (rows: { modelId: string; params: unknown; score: number; metrics: unknown }[]) => rows.map((r) => [r.modelId, r.params, r.score, r.metrics])
    expect(stable(second.leaderboard)).toEqual(stable(out.leaderboard))

    const reprint = runCli(['leaderboard', join(dir, 'a'), '--json'])
    expect(reprint.status).toBe(0)
    expect(stable(JSON.parse(reprint.stdout).leaderboard)).toEqual(stable(out.leaderboard))
    expect(JSON.parse(reprint.stdout).winner).toEqual(out.winner)
    expect(JSON.parse(reprint.stdout).singleWinner).toEqual(out.singleWinner)
    const table = runCli(['leaderboard', join(dir, 'a')])
    expect(table.stdout).toMatch(/rank\s+model\s+family\s+auc \(cv\)/)
    expect(table.stdout).toMatch(/^\s+\*1\s+ensemble_1\s+ensemble\s/m)
    expect(table.stdout).toContain(`best single model: ${out.singleWinner.modelId} (models/${out.singleWinner.modelId}.json)`)
  }, 600_000)

  it('leaderboard: the best 20 on a terminal (--all for every one), a run\'s model.json for its directory, one-line errors for what is not a run', () => {
    const run = join(dir, 'many')
    const trained = runCli(['automl', 'train', 'examples/car-sensors.csv', '--target', 'failure', '--families', 'decision_tree', '--strategy', 'random', '--max-trials', '24', '--validation', 'holdout', '--no-ensemble', '--out', run], { timeoutMs: 300_000 })
    expect(trained.status).toBe(0)
    // A holdout gives one score per model: the header says so, with no spread column.
    expect(trained.stdout).toMatch(/rank\s+model\s+family\s+auc \(holdout\)\s+logloss/)
    expect(trained.stdout).toContain(`... 4 more models: mlkafka leaderboard ${run} --all lists them`)
    const top = runCli(['leaderboard', run])
    expect(top.stdout.split('\n').filter((l) => /^\s+\*?\d+\s+decision_tree_/.test(l))).toHaveLength(20)
    const all = runCli(['leaderboard', run, '--all'])
    expect(all.stdout.split('\n').filter((l) => /^\s+\*?\d+\s+decision_tree_/.test(l))).toHaveLength(24)
    expect(all.stdout).not.toContain('more models')
    const viaModel = runCli(['leaderboard', join(run, 'model.json'), '--json'])
    expect(viaModel.status).toBe(0)
    expect(JSON.parse(viaModel.stdout)).toMatchObject({ runDir: run, stoppedBy: 'max-trials', winner: { modelPath: join(run, 'model.json') } })
    expect(JSON.parse(viaModel.stdout).leaderboard).toHaveLength(24)

    // A trial every fold of which scored NaN ranks last, saved as null: the board still reads.
    const board = JSON.parse(readFileSync(join(run, 'leaderboard.json'), 'utf8'))
    Object.assign(board.rows.at(-1), { score: null, scoreStd: null, metrics: { ...board.rows.at(-1).metrics, logloss: null } })
    mkdirSync(join(dir, 'nan-run'))
    writeFileSync(join(dir, 'nan-run', 'leaderboard.json'), JSON.stringify(board))
    const nanRows = runCli(['leaderboard', join(dir, 'nan-run'), '--all'])
    expect(nanRows.status, nanRows.stderr).toBe(0)
    expect(nanRows.stdout).toMatch(new RegExp(`^\\s+24\\s+${board.rows.at(-1).modelId}\\s+decision_tree\\s+NaN\\s+NaN\\s`, 'm'))

    writeFileSync(join(dir, 'not-a-board.json'), '{}')
    mkdirSync(join(dir, 'odd'))
    writeFileSync(join(dir, 'odd', 'leaderboard.json'), '{"rows": []}')
    for (const [path, message] of [
      [join(dir, 'no', 'such', 'run'), 'no such directory'],
      [join(dir, 'not-a-board.json'), 'is a file, and its folder has no leaderboard.json'],
      [join(dir, 'odd'), 'not a leaderboard written by `mlkafka automl train`'],
    ]) {
      const r = runCli(['leaderboard', path])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(new RegExp(`^Error: [^\n]*${message.replace(/[`.]/g, '\\$&')}[^\n]*\n$`))
    }
  }, 300_000)

  it('checks --out before the search: a file, or a folder of other files, is a usage error; an earlier run\'s directory is replaced', () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x\n')
    const args = ['automl', 'train', 'examples/car-sensors.csv', '--target', 'failure', '--families', 'decision_tree', '--max-trials', '1', '--folds', '2']
    const onFile = runCli([...args, '--out', file])
    expect(onFile.status).toBe(2)
    expect(onFile.stderr).toContain(`Error: --out ${file} is a file: pass a folder for the run's files`)
    expect(onFile.stderr).not.toMatch(/trial|leaderboard/)
    const other = join(dir, 'other')
    mkdirSync(other)
    writeFileSync(join(other, 'notes.txt'), 'mine\n')
    const onOther = runCli([...args, '--out', other])
    expect(onOther.status).toBe(2)
    expect(onOther.stderr).toContain(`Error: --out ${other} holds other files: pass a new or empty folder, or an earlier run's directory to replace that run`)
    expect(readdirSync(other)).toEqual(['notes.txt'])

    // Run a (with an ensemble and five model files) again with one tree: only the new run's files remain.
    const again = runCli([...args, '--out', join(dir, 'a'), '--json'])
    expect(again.status).toBe(0)
    expect(readdirSync(join(dir, 'a', 'models'))).toEqual(['decision_tree_1.json'])
    expect(JSON.parse(readFileSync(join(dir, 'a', 'run.json'), 'utf8')).keptModels).toEqual(['decision_tree_1'])
  })

  it('flags it cannot read are one-line usage errors (exit 2), also as --json', () => {
    const unknown = runCli(['automl', 'train', '--csv', 'x.csv', '--target', 'y', '--bogus'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toBe('Error: Nonexistent flag: --bogus (see mlkafka automl train --help)\n')
    const json = runCli(['automl', 'train', '--csv', 'x.csv', '--folds', '1', '--json'])
    expect(json.status).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: '--folds: Expected an integer greater than or equal to 2 but received: 1 (see mlkafka automl train --help)', kind: 'UsageError', exitCode: 2 } })
    const delimiter = runCli(['data', 'inspect', 'examples/car-sensors.csv', '--delimiter', 'x'])
    expect(delimiter.status).toBe(2)
    expect(delimiter.stderr).toBe(`Error: --delimiter "x": use ',', ';', '|' or tab (or leave it out to detect it from the header)\n`)
    const help = runCli(['help', 'automl', 'train'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('$ mlkafka automl train [FILE]')
  })

  it('--metric in any letter case and a --target with blanks around it are read as the header\'s; --json says why the run stopped', () => {
    const r = runCli(['automl', 'train', 'examples/car-sensors.csv', '--target', ' failure ', '--metric', 'AUC', '--families', 'logistic_regression', '--max-trials', '1', '--folds', '2', '--json', '--out', join(dir, 'cased')])
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'failure', metric: 'auc', stoppedBy: 'max-trials' })
  })

  it('logistic regression alone ends after its grid of C, before the time budget, and says so', () => {
    const r = runCli(['automl', 'train', 'examples/car-sensors.csv', '--target', 'failure', '--families', 'logistic_regression', '--time-budget', '5m', '--out', join(dir, 'grid')])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toContain('note: every configuration of logistic_regression was tried (logistic regression searches a grid of C), so the search ended before its time budget')
    const run = JSON.parse(readFileSync(join(dir, 'grid', 'run.json'), 'utf8'))
    expect(run.stoppedBy).toBe('search-space')
    const board = JSON.parse(readFileSync(join(dir, 'grid', 'leaderboard.json'), 'utf8'))
    // C = 1, the path over the other decades, and (failures are rare) the grid with balanced class
    // weights; and an ensemble of them when it is within its margin of the best (see ensembleWins).
    const singles = board.rows.filter((row: { family: string }) => row.family !== 'ensemble')
    expect(singles.map((row: { modelId: string }) => row.modelId).sort()).toEqual(['logistic_regression_1', 'logistic_regression_2', 'logistic_regression_3'])
    for (const row of singles) expect([0.01, 0.1, 1, 10, 100]).toContain(row.params.C)
    for (const row of board.rows.filter((r: { family: string }) => r.family === 'ensemble')) {
      for (const member of Object.keys(row.params.weights)) expect(member).toMatch(/^logistic_regression_[123]$/)
    }
  })

  it('fewer rows than folds: without --folds, fewer folds and a note; --folds given, a usage error that says what to change (every score was NaN, and a NaN winner was saved)', () => {
    const file = join(dir, 'tiny.csv')
    writeFileSync(file, 'a,b,y\n1.5,u,1.2\n3,v,2.5\n7,u,0.3\n2,v,9\n')
    const fewer = runCli(['automl', 'train', file, '--target', 'y', '--max-trials', '2', '--out', join(dir, 'tiny-ok')])
    expect(fewer.status).toBe(0)
    expect(fewer.stderr).toContain('note: 4-fold CV instead of 5: there are 4 rows (--folds sets it)\n')
    expect(JSON.parse(readFileSync(join(dir, 'tiny-ok', 'run.json'), 'utf8')).options.folds).toBe(4)
    const r = runCli(['automl', 'train', file, '--target', 'y', '--max-trials', '2', '--folds', '5', '--out', join(dir, 'tiny')])
    expect(r.status).toBe(2)
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('Error: y has a value in 4 rows, too few for 5 validation folds: use --folds 4, or add rows')
    expect(existsSync(join(dir, 'tiny'))).toBe(false)
  })

  it('without a TTY, a missing flag is a clear usage error, never a prompt', () => {
    const r = runCli(['automl', 'train', '--target', 'failure'])
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toMatch(/^Error: missing --csv FILE/)
  })
})

describe('mlkafka automl train --time-budget', () => {
  it('is a hard wall-clock limit for the whole command: the process exits within 5% of it, with a saved winner', async () => {
    const out = join(dir, 'budget')
    const budgetMs = 10_000
    const started = performance.now()
    const child = spawn(process.execPath, ['bin/run.js', 'automl', 'train', '--csv', 'examples/car-sensors.csv', '--target', 'failure', '--time-budget', '10s', '--out', out, '--json'], {
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    const wallMs = performance.now() - started
    expect(code).toBe(0)
    expect(wallMs).toBeLessThanOrEqual(budgetMs * 1.05)
    const result = JSON.parse(stdout)
    expect(existsSync(result.winner.modelPath)).toBe(true)
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).stoppedBy).toBe('time-budget')
  }, 60_000)
})

/** `automl train` with these flags, run from `cwd` (CI-like, no TTY), once its stderr matches `ready`. */
async function trainUntil(flags: string[], cwd: string, ready: RegExp): Promise<{ child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/run.js'), 'automl', 'train', ...flags], { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (ready.test(stderr)) resolve()
    })
    child.on('exit', () => reject(new Error(`exited before ${ready}: ${stderr}`)))
  })
  return { child, exited, stderr: () => stderr }
}

describe('mlkafka automl train interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s (Ctrl-C, `timeout`) stops the search and still writes the leaderboard of finished trials and the best model', async (signal, status) => {
    const out = join(dir, `interrupted-${signal}`)
    const train = await trainUntil(['--csv', 'examples/car-sensors.csv', '--target', 'failure', '--time-budget', '10m', '--out', out], REPO_ROOT, /trial 2: /)
    train.child.kill(signal)
    expect(await train.exited).toBe(status)
    const stderr = train.stderr()
    expect(stderr).toContain(`stopping (${signal}): finishing up with the trials done so far`)
    const board = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8'))
    expect(board.rows.length).toBeGreaterThanOrEqual(2)
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))
    expect(run.stoppedBy).toBe('interrupted')
    const model = await loadModel(join(out, 'model.json'))
    expect(model.modelId).toBe(board.rows[0].modelId)
    // Reprinted, the board says it is the part of a run that finished.
    expect(runCli(['leaderboard', out]).stdout).toContain(`note: this run was interrupted: the leaderboard holds the ${board.rows.length} models that finished`)
  }, 300_000)

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s before any trial finished: its exit code, nothing saved, and no empty folder left behind', async (signal, status) => {
    const cwd = tempDir()
    const train = await trainUntil(['--csv', join(REPO_ROOT, 'examples/car-sensors.csv'), '--target', 'failure', '--families', 'random_forest', '--time-budget', '10m'], cwd, /training on /)
    train.child.kill(signal)
    expect(await train.exited).toBe(status)
    expect(train.stderr()).toMatch(/Error: interrupted before any trial finished: nothing was saved\n$/)
    expect(readdirSync(cwd)).toEqual([])
  }, 120_000)
})
