// Session 24: which trials should an ensemble pick from? Step 1 of 2: for each cached split of the
// automl-study suites that has a run (bench/results/automl-study-cache/<split>/run), recompute the out-of-fold
// scores of the run's 15 best trials, each family's best and the single winner on the run's own folds
// (checked against the leaderboard's CV scores), refit each on the training rows (a forest with 300 trees,
// a net as a bag of 5) and score the test rows; one JSON file per split in LAB_DIR (default ./lab).
// usage: npm run build && node bench/experiments/ensemble-pool-lab.mjs bench/results/automl-study-cache/*
// then: node bench/experiments/ensemble-pool-sim.mjs
import { readCsv } from '../../dist/src/data/csv.js'
import { prepareTarget } from '../../dist/src/data/target.js'
import { selectTrainingColumns } from '../../dist/src/data/select-columns.js'
import { compileModel } from '../../dist/src/ir/evaluate.js'
import { kFolds } from '../../dist/src/automl/split.js'
import { refitModel, runTrial } from '../../dist/src/automl/trial.js'
import { Random } from '../../dist/src/learners/random.js'
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
const LAB = process.env.LAB_DIR ?? 'lab'
const TOP = Number(process.env.TOP ?? 15)
mkdirSync(LAB, { recursive: true })
for (const dir of process.argv.slice(2)) {
  if (!existsSync(`${dir}/run/leaderboard.json`)) continue
  const split = dir.split('/').pop()
  if (existsSync(`${LAB}/${split}.json`)) continue
  const t0 = Date.now()
  const sk = JSON.parse(readFileSync(`${dir}/sklearn.json`, 'utf8'))
  const lb = JSON.parse(readFileSync(`${dir}/run/leaderboard.json`, 'utf8'))
  const run = JSON.parse(readFileSync(`${dir}/run/run.json`, 'utf8'))
  const task = sk.task, metric = sk.metric, seed = run.seed
  const tr = selectTrainingColumns(await readCsv(`${dir}/train.csv`), 'target').table
  const tTr = prepareTarget(tr, 'target', task)
  const te = await readCsv(`${dir}/test.csv`)
  const tTe = prepareTarget(te, 'target', task)
  const k = tTr.classes?.length ?? 0
  const yTest = Array.from(tTe.y, (v) => (k ? tTr.classes.indexOf(tTe.classes[v]) : v))
  if (k && yTest.some((v) => v < 0)) { console.error(split, 'test class not in train'); continue }
  const repeats = run.options.repeats ?? 1
  const folds = Array.from({ length: repeats }, (_, r) => kFolds(tTr, 5, r === 0 ? seed : Random.derive(seed, 0xcf, r))).flat()
  const yOof = []; const foldStart = [0]
  for (const f of folds) { for (const i of f.valid) yOof.push(tTr.y[i]); foldStart.push(yOof.length) }
  const singles = lb.rows.filter((r) => r.family !== 'ensemble' && Number.isFinite(r.score))
  const chosen = singles.slice(0, TOP)
  for (const fam of ['logistic_regression', 'decision_tree', 'random_forest', 'mlp']) { const b = singles.find((r) => r.family === fam); if (b && !chosen.includes(b)) chosen.push(b) }
  const sw = singles.find((r) => r.modelId === (lb.singleWinner ?? lb.winner)); if (sw && !chosen.includes(sw)) chosen.push(sw)
  const cands = []
  for (const r of chosen) {
    const { result, oof } = await runTrial(tr, tTr, folds, { modelId: r.modelId, family: r.family, params: r.params, seed: r.seed }, metric)
    const { bag, ...params0 } = r.refitParams ?? r.params
    const params = r.family === 'random_forest' ? { ...params0, nTrees: Math.max(300, params0.nTrees ?? 0), workers: 2 } : r.family === 'mlp' ? { ...params0, threads: 2 } : params0
    // A net refits as a bag of 5 (one model IR averaging them), as a run's winner does when time allows.
    const ir = await refitModel(tr, tTr, { modelId: r.modelId, family: r.family, params: r.family === 'mlp' ? { ...params, bag: 5 } : params, seed: r.seed })
    const sum = compileModel(ir).scoreTable(te, tTe.rows)
    cands.push({ id: r.modelId, family: r.family, rank: r.rank, lbScore: r.score, score: result.score, std: result.scoreStd, foldScores: result.foldScores, params: r.params, oof: oof ? Array.from(oof) : null, test: Array.from(sum) })
  }
  const ens = lb.rows.find((r) => r.family === 'ensemble')
  writeFileSync(`${LAB}/${split}.json`, JSON.stringify({ split, task, metric, k, sk: sk.sklearnTest, skBest: sk.sklearnBest, seed, yOof, foldStart, yTest, winner: lb.winner, singleWinner: lb.singleWinner ?? lb.winner, ens: ens ? { score: ens.score, weights: ens.params.weights } : null, nTrials: singles.length, cands }))
  const worst = Math.max(...cands.map((c) => Math.abs(c.score - c.lbScore) / Math.abs(c.lbScore || 1)))
  console.log(split, cands.length, 'cands', ((Date.now() - t0) / 1000).toFixed(1), 's; max rel CV diff vs leaderboard', worst.toExponential(2))
}
