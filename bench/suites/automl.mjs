// The AutoML goal: on real datasets (scikit-learn's bundled ones), the test score of mlkafka's winner
// within a 60 s budget on 2 cores vs scikit-learn's best of the same four families tuned by grid search
// with 5-fold CV. Both see the same train CSV; both are scored on the same test CSV.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'

const ROOT = new URL('../../', import.meta.url).pathname
export const higherIsBetter = (metric) => metric === 'auc'

export function testScore(metric, scoredCsv, classes) {
  // Real tables have quoted cells with commas in them.
  const [header, ...rows] = parse(readFileSync(scoredCsv, 'utf8'))
  const t = header.indexOf('target')
  if (metric === 'rmse') {
    const p = header.indexOf('prediction')
    return Math.sqrt(rows.reduce((s, r) => s + (Number(r[p]) - Number(r[t])) ** 2, 0) / rows.length)
  }
  const pcols = classes.map((c) => header.indexOf(`p_${c}`))
  if (metric === 'logloss') {
    return -rows.reduce((s, r) => s + Math.log(Math.min(1 - 1e-15, Math.max(1e-15, Number(r[pcols[classes.indexOf(r[t])]])))), 0) / rows.length
  }
  // AUC of the positive (second) class, ties counted half.
  const items = rows.map((r) => ({ p: Number(r[pcols[1]]), y: r[t] === classes[1] ? 1 : 0 })).sort((a, b) => a.p - b.p)
  let rankSum = 0
  let pos = 0
  for (let i = 0; i < items.length; ) {
    let j = i
    while (j + 1 < items.length && items[j + 1].p === items[i].p) j++
    for (let k = i; k <= j; k++) if (items[k].y === 1) {
      pos++
      rankSum += (i + j) / 2 + 1
    }
    i = j + 1
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * (items.length - pos))
}

export async function run({ budget = '60s' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mlkafka-bench-automl-'))
  const { OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, ...env } = process.env
  const py = spawnSync('python3', [join(ROOT, 'bench/suites/automl_datasets.py'), dir, '60'], { encoding: 'utf8', env, maxBuffer: 1 << 24 })
  if (py.status !== 0) throw new Error(`scikit-learn baseline failed (is scikit-learn installed?): ${py.stderr}`)
  const baselines = JSON.parse(py.stdout.trim().split('\n').at(-1))
  const results = []
  for (const b of baselines) {
    const runDir = join(dir, `${b.dataset}-run`)
    const t0 = performance.now()
    const train = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'automl', 'train', '--csv', join(dir, `${b.dataset}-train.csv`), '--target', 'target', '--task', b.task, '--metric', b.metric, '--time-budget', budget, '--seed', '1', '--out', runDir, '--json'], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 26 })
    const seconds = (performance.now() - t0) / 1000
    if (train.status !== 0) throw new Error(`automl train failed on ${b.dataset}: ${train.stderr}`)
    const out = JSON.parse(train.stdout)
    const scored = join(dir, `${b.dataset}-scored.csv`)
    const pred = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'predict', '--model', out.winner.modelPath, '--csv', join(dir, `${b.dataset}-test.csv`), '--out', scored], { encoding: 'utf8' })
    if (pred.status !== 0) throw new Error(`predict failed on ${b.dataset}: ${pred.stderr}`)
    const model = JSON.parse(readFileSync(out.winner.modelPath, 'utf8'))
    const ours = testScore(b.metric, scored, model.target.classes ?? [])
    results.push({
      name: `automl ${b.dataset}`,
      rows: b.rows,
      cols: b.cols,
      metric: b.metric,
      testScore: Number(ours.toFixed(4)),
      winner: out.winner.family,
      trials: out.leaderboard.length,
      runSeconds: Number(seconds.toFixed(1)),
      sklearnTestScore: Number(b.sklearnTest.toFixed(4)),
      sklearnWinner: b.sklearnBest,
      sklearnGridSeconds: Number(b.sklearnSeconds.toFixed(1)),
      // "At least as good", up to floating-point rounding (an AUC from the same pair count can differ in the last bit).
      pass: higherIsBetter(b.metric) ? ours >= b.sklearnTest - 1e-12 : ours <= b.sklearnTest + 1e-12,
    })
  }
  return results
}
