// Session 22: when should an ensemble win over the best single model? Offline evaluation of rules on
// runs where both were saved. How the runs were made (a bench clone, not main): in src/automl/search.ts
// ensembleRow's test `!ensembleWins(...)` became `!(process.env.MLKAFKA_FORCE_ENSEMBLE || ensembleWins(...))`,
// then `MLKAFKA_FORCE_ENSEMBLE=1 npm run bench -- --suite automl-fresh4 > force-f4.log` (and automl-study),
// and each split's run/leaderboard.json copied to LB_DIR/<dataset>-<split>/ (the next suite overwrites it).
// usage: LB_DIR=dir node bench/experiments/ensemble-rules.mjs force-f4.log force-study.log
// Columns: split, metric, single trials, trials with every fold, the ensemble's CV gain over the best
// single model (% of the error left), the Tibshirani-Tibshirani estimate of the best's selection bias (%),
// the gain over a nested estimate of "pick the best single model" (%), test scores (ensemble, single
// winner, scikit-learn), and E / S when the ensemble / single winner is at least scikit-learn's.
import { readFileSync, existsSync } from 'node:fs'
const higher = (m) => ['auc', 'aucpr', 'accuracy', 'f1', 'r2'].includes(m)
const rows = []
for (const f of process.argv.slice(2)) for (const line of readFileSync(f, 'utf8').split('\n')) { if (!line.startsWith('{"name"')) continue; rows.push(JSON.parse(line)) }
const seen = new Set()
const out = []
for (const r of rows) {
  if (seen.has(r.name)) continue; seen.add(r.name)
  const m = r.name.match(/^(\S+) \(split (\d+)\)/)
  const dir = `${process.env.LB_DIR ?? 'lb'}/${m[1]}-${m[2]}`
  if (!existsSync(`${dir}/leaderboard.json`)) continue
  const lb = JSON.parse(readFileSync(`${dir}/leaderboard.json`, 'utf8'))
  const lrows = lb.rows ?? lb.leaderboard
  const hi = higher(r.metric)
  const ens = lrows.find((x) => x.family === 'ensemble')
  const singles = lrows.filter((x) => x.family !== 'ensemble' && Number.isFinite(x.score))
  const best = singles[0]
  const K = Math.max(...singles.map((x) => x.foldScores?.length ?? 0))
  const full = singles.filter((x) => x.foldScores?.length === K)
  let bias = 0
  for (let k = 0; k < K; k++) {
    const vals = full.map((x) => x.foldScores[k])
    const opt = hi ? Math.max(...vals) : Math.min(...vals)
    bias += hi ? opt - best.foldScores[k] : best.foldScores[k] - opt
  }
  bias /= K
  // Honest (nested) estimate of "pick the best single model": each fold scored by the model best on the other folds of its partition.
  let honest = best.score
  if (K >= 5) {
    const k = 5; let sum = 0
    for (let f = 0; f < K; f++) {
      const first = f - (f % k)
      let pick = null, pickKey = Infinity
      for (const x of full) {
        let m = 0
        for (let j = first; j < first + k; j++) if (j !== f) m += x.foldScores[j]
        m /= k - 1
        const key = hi ? -m : m
        if (key < pickKey) { pickKey = key; pick = x }
      }
      sum += pick.foldScores[f]
    }
    honest = sum / K
  }
  const errLeft = hi ? 1 - best.score : Math.abs(best.score)
  const honestGain = ens ? (hi ? ens.score - honest : honest - ens.score) : null
  const gain = ens ? (hi ? ens.score - best.score : best.score - ens.score) : null
  out.push({ honestGainPct: honestGain === null ? null : (100 * honestGain) / errLeft, name: r.name, metric: r.metric, trials: singles.length, full: full.length, K, ens: !!ens, gainPct: gain === null ? null : (100 * gain) / errLeft, biasPct: (100 * bias) / errLeft, pass: r.pass, singlePass: r.singlePass, ensTest: r.testScore, singleTest: r.singleTestScore, sk: r.sklearnTestScore, winner: r.winner, single: r.singleWinner })
}
const rules = {
  'single always': () => false,
  'ensemble always': (o) => o.ens,
  'margin 0.5% (current)': (o) => o.ens && o.gainPct > -0.5,
  'margin 1%': (o) => o.ens && o.gainPct > -1,
  'honest single': (o) => o.ens && o.honestGainPct >= 0,
  'honest single or 0.5%': (o) => o.ens && (o.honestGainPct >= 0 || o.gainPct > -0.5),
  'TT bias': (o) => o.ens && o.gainPct > -o.biasPct,
  'TT bias/2': (o) => o.ens && o.gainPct > -o.biasPct / 2,
  'max(0.5%, TT/2)': (o) => o.ens && o.gainPct > -Math.max(0.5, o.biasPct / 2),
}
for (const o of out) console.log([o.name.padEnd(28), o.metric.padEnd(7), String(o.trials).padStart(4), String(o.full).padStart(4), (o.gainPct === null ? '   -' : o.gainPct.toFixed(2)).padStart(7), o.biasPct.toFixed(2).padStart(6), (o.honestGainPct === null ? '   -' : o.honestGainPct.toFixed(2)).padStart(7), String(o.ensTest).padStart(9), String(o.singleTest).padStart(9), String(o.sk).padStart(9), o.pass ? 'E' : '.', o.singlePass ? 'S' : '.'].join(' '))
for (const [name, rule] of Object.entries(rules)) {
  let passes = 0, ensembles = 0
  for (const o of out) { const e = rule(o); ensembles += e ? 1 : 0; passes += (e ? o.pass : o.singlePass) ? 1 : 0 }
  console.log(`${name.padEnd(24)} passes ${passes}/${out.length}, ensembles ${ensembles}`)
}
