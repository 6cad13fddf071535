// Session 24: which trials should an ensemble pick from? Step 2 of 2 (see ensemble-pool-lab.mjs): ensemble
// selection (the search's own selectEnsemble and ensembleWins) run again on each split's saved out-of-fold
// scores with other candidate pools, rounds, bagging and weights; each variant's winner scored on the test
// rows against scikit-learn's grid-searched best. "current" is the ten best trials (the rule before this
// session), "max3perFam" the rule since (ensembleCandidates).
// usage: [V=1] [MINTEST=n] node bench/experiments/ensemble-pool-sim.mjs [split-regex]
import { ensembleCandidates, selectEnsemble, ensembleWins } from '../../dist/src/automl/ensemble.js'
import { computeMetrics, higherIsBetter } from '../../dist/src/automl/metrics.js'
import { Random } from '../../dist/src/learners/random.js'
import { readFileSync, readdirSync } from 'node:fs'
const LAB = process.env.LAB_DIR ?? 'lab'
const only = process.argv[2] ? new RegExp(process.argv[2]) : null
const minTest = Number(process.env.MINTEST ?? 0)
const splits = readdirSync(LAB).filter((f) => f.endsWith('.json') && (!only || only.test(f))).map((f) => JSON.parse(readFileSync(`${LAB}/${f}`, 'utf8'))).filter((s) => s.yTest.length >= minTest)
const testOf = (s, preds) => computeMetrics(s.task, Float64Array.from(preds), Float64Array.from(s.yTest), s.k)[s.metric]
const blend = (s, members) => { const out = new Float64Array(members[0].c.test.length); for (const { c, w } of members) for (let i = 0; i < out.length; i++) out[i] += w * c.test[i]; return out }
const atLeast = (s, x) => (higherIsBetter(s.metric) ? x >= s.sk : x <= s.sk)
// The best `total` candidates with at most `per` of a family.
const capped = (per, total) => (s) => { const out = []; const n = {}; for (const c of s.ranked) { if (out.length >= total) break; if ((n[c.family] = (n[c.family] ?? 0) + 1) <= per) out.push(c) } return out }
function layoutOf(s) { return { task: s.task, outputs: s.cands[0].oof.length / s.yOof.length, y: Float64Array.from(s.yOof), foldStart: s.foldStart, foldsPerPartition: 5 } }
const variants = {
  current: { pool: (s) => s.ranked.slice(0, 10) },
  top5: { pool: (s) => s.ranked.slice(0, 5) },
  top15: { pool: (s) => s.ranked.slice(0, 15) },
  'top10+fam': { pool: (s) => [...s.ranked.slice(0, 10), ...s.ranked.slice(10).filter((c) => !s.ranked.slice(0, 10).some((d) => d.family === c.family) && s.ranked.findIndex((d) => d.family === c.family) === s.ranked.indexOf(c))] },
  rounds10: { pool: (s) => s.ranked.slice(0, 10), rounds: 10 },
  rounds50: { pool: (s) => s.ranked.slice(0, 10), rounds: 50 },
  alwaysEns: { pool: (s) => s.ranked.slice(0, 10), always: true },
  bagged: { pool: (s) => s.ranked.slice(0, 10), bags: 20 },
  'bagged-top15': { pool: (s) => s.ranked.slice(0, 15), bags: 20 },
  single: { pool: (s) => s.ranked.slice(0, 10), never: true },
  'max5perFam': { pool: capped(5, 10) },
  // The rule in use: the search's own ensembleCandidates (10, at most 3 a family).
  'max3perFam': { pool: (s) => ensembleCandidates(s.ranked) },
  'max2perFam': { pool: capped(2, 10) },
  'max4perFam': { pool: capped(4, 10) },
  'max3of8': { pool: capped(3, 8) },
  'max3of12': { pool: capped(3, 12) },
  'top10+fam+cap3': { pool: (s) => { const out = capped(3, 10)(s); for (const c of s.ranked) if (!out.some((d) => d.family === c.family)) out.push(c); return out } },
  'flatten': { pool: (s) => s.ranked.slice(0, 10), flatten: 0.5 },
  'uniformPicked': { pool: (s) => s.ranked.slice(0, 10), flatten: 1 },
}
const tally = {}
const lines = []
for (const s of splits) {
  s.ranked = s.cands.filter((c) => c.oof && Number.isFinite(c.lbScore)).sort((a, b) => a.rank - b.rank).map((c) => ({ ...c, row: { modelId: c.id, family: c.family, score: c.lbScore, scoreStd: c.std }, oof: Float64Array.from(c.oof) }))
  const L = layoutOf(s)
  const best = s.ranked[0]
  const fallback = s.ranked.find((c) => c.id === s.singleWinner) ?? best
  const row = { split: s.split, sk: +s.sk.toFixed(4) }
  for (const [name, v] of Object.entries(variants)) {
    const pool = v.pool(s)
    const sel = v.never ? null : selectEnsemble(pool, L, s.metric, { rounds: v.rounds })
    let members = null
    if (sel && (v.always || ensembleWins(sel.score, best.lbScore, s.metric))) {
      members = sel.members.map((m) => ({ c: pool.find((c) => c.id === m.row.modelId), w: m.weight }))
      if (v.bags) {
        const rnd = new Random(1)
        const w = new Map()
        for (let b = 0; b < v.bags; b++) {
          const sub = pool.filter(() => rnd.next() < 0.5)
          const bs = sub.length >= 2 ? selectEnsemble(sub, L, s.metric, { rounds: v.rounds }) : null
          const ms = bs ? bs.members.map((m) => ({ id: m.row.modelId, w: m.weight })) : [{ id: (sub[0] ?? pool[0]).id, w: 1 }]
          for (const m of ms) w.set(m.id, (w.get(m.id) ?? 0) + m.w / v.bags)
        }
        members = [...w].map(([id, ww]) => ({ c: pool.find((c) => c.id === id), w: ww }))
      }
    }
    if (members && v.flatten) members = members.map((m) => ({ c: m.c, w: (1 - v.flatten) * m.w + v.flatten / members.length }))
    const test = members ? testOf(s, blend(s, members)) : testOf(s, fallback.test)
    const pass = atLeast(s, test)
    const errLeft = higherIsBetter(s.metric) ? 1 - s.sk : Math.abs(s.sk)
    const good = higherIsBetter(s.metric) ? test : -test
    if (name === 'current') row.cur = good
    const d = (good - row.cur) / Math.max(errLeft, 1e-9)
    tally[name] = tally[name] ?? { pass: 0, ens: 0, n: 0, better: 0, worse: 0, rel: 0 }
    tally[name].better += d > 1e-9; tally[name].worse += d < -1e-9; tally[name].rel += d * 100
    tally[name].pass += pass; tally[name].ens += !!members; tally[name].n++
    row[name] = `${test.toPrecision(5)}${members ? 'E' : ''}${pass ? '+' : '-'}`
  }
  lines.push(row)
}
for (const r of lines) { delete r.cur; if (process.env.V) console.log(Object.values(r).join('\t')) }
console.log(Object.keys(variants).join('\t'))
for (const [k, v] of Object.entries(tally)) console.log(k.padEnd(14), 'pass', v.pass, 'of', v.n, 'ensembles', v.ens, 'vs current better', v.better, 'worse', v.worse, 'mean rel %', (v.rel / v.n).toFixed(3))
