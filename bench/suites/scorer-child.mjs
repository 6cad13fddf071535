// One family in its own process (so no other family's code shares the JIT's type feedback): fits a
// model on the example CSV, exports it as TypeScript, compiles it with the project's tsc, checks it
// against the IR evaluator on every row, then measures records per second of score() and of the
// evaluator's predictRecord() on the same records, one record at a time on one core.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readCsv } from '../../dist/src/data/csv.js'
import { prepareTarget } from '../../dist/src/data/target.js'
import { exportScorer } from '../../dist/src/export/scorer.js'
import { compileModel } from '../../dist/src/ir/evaluate.js'
import { fitModel } from '../../dist/src/learners/fit-model.js'
import { shutdownForestPool } from '../../dist/src/learners/forest-pool.js'
import { logisticRegression } from '../../dist/src/learners/linear.js'
import { mlp } from '../../dist/src/learners/mlp.js'
import { decisionTree, randomForest } from '../../dist/src/learners/trees.js'

const [config, secondsArg] = process.argv.slice(2)
const seconds = Number(secondsArg)
const CONFIGS = {
  decision_tree: [decisionTree, { maxDepth: 10 }],
  // scikit-learn's defaults: unlimited depth (33 levels here).
  random_forest: [randomForest, { nTrees: 100, workers: 1 }],
  random_forest_depth10: [randomForest, { nTrees: 100, maxDepth: 10, workers: 1 }],
  logistic_regression: [logisticRegression, {}],
  mlp: [mlp, { hidden: [64, 64], epochs: 20 }],
}
const TSC = new URL('../../node_modules/.bin/tsc', import.meta.url).pathname

const table = await readCsv(new URL('../../examples/car-sensors.csv', import.meta.url).pathname)
const target = prepareTarget(table, 'failure')
const train = Int32Array.from({ length: target.y.length }, (_, i) => i)
const [learner, params] = CONFIGS[config]
const ir = await fitModel(learner, table, target, train, { ...learner.defaultParams(target.task), ...params }, { modelId: config, seed: 1 })
await shutdownForestPool()

// Records as a stream would carry them: numbers, booleans, category text, null for missing.
const records = []
for (let i = 0; i < table.nRows; i++) {
  const r = {}
  for (const c of table.columns) {
    if (c.name === 'failure') continue
    if (c.type === 'categorical') r[c.name] = c.codes[i] < 0 ? null : c.levels[c.codes[i]]
    else if (Number.isNaN(c.values[i])) r[c.name] = null
    else r[c.name] = c.type === 'boolean' ? c.values[i] === 1 : c.values[i]
  }
  records.push(r)
}

const dir = mkdtempSync(join(tmpdir(), 'mlkafka-bench-scorer-'))
const exported = exportScorer(ir, { lang: 'ts' })
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
writeFileSync(join(dir, 'scorer.ts'), exported.code)
const t0 = performance.now()
const tsc = spawnSync(TSC, ['--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--outDir', join(dir, 'out'), join(dir, 'scorer.ts')], { encoding: 'utf8' })
const tscMs = performance.now() - t0
if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`)
const scorer = await import(pathToFileURL(join(dir, 'out', 'scorer.js')).href)
const model = compileModel(ir)

// Sanity: the same predictions before timing anything.
for (const r of records) {
  const a = model.predictRecord(r)
  const b = scorer.score(r)
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`parity: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
}

/**
 * Records per second of fn over the records after a warm-up, in windows of a quarter second for
 * `seconds`: the best window (what the code can do) and the median (what a busy machine gave); and the
 * same per second of this process's CPU time, which another busy process on the machine disturbs less
 * (it still shares the caches and the memory bus).
 */
function rate(fn) {
  let sink = 0
  const pass = () => {
    for (let i = 0; i < records.length; i++) {
      const p = fn(records[i])
      sink += p.value ?? p.probabilities[0]
    }
  }
  const warm = performance.now()
  while (performance.now() - warm < 300) pass()
  const windows = []
  const cpuWindows = []
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    let n = 0
    const w = performance.now()
    const cpu = process.cpuUsage()
    while (performance.now() - w < 250) {
      pass()
      n += records.length
    }
    const used = process.cpuUsage(cpu)
    windows.push(n / ((performance.now() - w) / 1000))
    cpuWindows.push(n / ((used.user + used.system) / 1e6))
  }
  if (Number.isNaN(sink)) console.error('')
  const sorted = (xs) => xs.sort((a, b) => a - b)
  sorted(windows)
  sorted(cpuWindows)
  const median = (xs) => Math.round(xs[xs.length >> 1])
  return { best: Math.round(windows.at(-1)), median: median(windows), cpuMedian: median(cpuWindows) }
}

const scorerRate = rate(scorer.score)
const evaluatorRate = rate(model.predictRecord)
rmSync(dir, { recursive: true, force: true })
const body = ir.model
console.log(
  JSON.stringify({
    config,
    family: ir.family,
    size:
      body.type === 'trees'
        ? { trees: body.trees.length, nodes: body.trees.reduce((n, t) => n + t.feature.length, 0), maxDepth: params.maxDepth ?? 0 }
        : body.type === 'linear'
          ? { weights: body.weights.flat().length }
          : { hidden: body.layers.slice(0, -1).map((l) => l.biases.length) },
    layout: exported.plan.layoutText,
    bytes: exported.code.length,
    tscMs: Math.round(tscMs),
    scorerRowsPerSecond: scorerRate.best,
    scorerMedianRowsPerSecond: scorerRate.median,
    scorerCpuMedianRowsPerSecond: scorerRate.cpuMedian,
    evaluatorRowsPerSecond: evaluatorRate.best,
    evaluatorMedianRowsPerSecond: evaluatorRate.median,
  }),
)
