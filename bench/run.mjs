#!/usr/bin/env node
// `npm run bench [-- --suite NAME ...] [--quick] [--readme]`: runs the benchmark suites one after another
// (never two at once: the machine has 2 cores), prints each result as a JSON line and keeps the latest
// result of every suite in bench/results/latest.json. --readme rewrites the table in README.md from it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { renderBenchTables } from './render.mjs'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const chosen = args.flatMap((a, i) => (args[i - 1] === '--suite' ? [a] : []))
/** A suite of real tables: automl-study's runs on one list of splits (its first alone with --quick). */
async function realTables(key) {
  const study = await import('./suites/automl-study.mjs')
  const splits = study[key]
  return study.run({ splits: quick ? splits.slice(0, 1) : splits, ...(quick ? { budget: '15s' } : {}) })
}
const suites = {
  'data-load': async () => (await import('./suites/data-load.mjs')).run(quick ? { rows: 100_000 } : {}),
  learners: async () => (await import('./suites/learners.mjs')).run(quick ? { rows: 10_000 } : {}),
  scorer: async () => (await import('./suites/scorer.mjs')).run(quick ? { seconds: 1 } : {}),
  serve: async () => (await import('./suites/serve.mjs')).run(quick ? { messages: 10_000, rounds: 1 } : {}),
  automl: async () => (await import('./suites/automl.mjs')).run(quick ? { budget: '15s' } : {}),
  'automl-study': async () => (await import('./suites/automl-study.mjs')).run(quick ? { budget: '15s', splits: [['iris', 1], ['syn_friedman1', 1]] } : {}),
  ...Object.fromEntries(
    [
      ['automl-real', 'REAL_SPLITS'],
      ['automl-fresh', 'FRESH_SPLITS'],
      ['automl-fresh2', 'FRESH2_SPLITS'],
      ['automl-fresh3', 'FRESH3_SPLITS'],
      ['automl-fresh4', 'FRESH4_SPLITS'],
      ['automl-fresh5', 'FRESH5_SPLITS'],
      ['automl-fresh6', 'FRESH6_SPLITS'],
      ['automl-fresh7', 'FRESH7_SPLITS'],
    ].map(([name, key]) => [name, () => realTables(key)]),
  ),
}
const latestFile = new URL('./results/latest.json', import.meta.url)
const report = existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, 'utf8')) : { suites: {} }
report.suites ??= {}
// automl-study (about 20 minutes), automl-real (about 30), automl-fresh, automl-fresh2, automl-fresh3, automl-fresh4, automl-fresh5, automl-fresh6 and automl-fresh7 run only when asked for by name.
const names = args.includes('--readme') && chosen.length === 0 ? [] : chosen.length > 0 ? chosen : Object.keys(suites).filter((n) => !n.startsWith('automl-'))
for (const name of names) {
  if (!suites[name]) throw new Error(`unknown suite ${name}; suites: ${Object.keys(suites).join(', ')}`)
  process.stderr.write(`bench: ${name}...\n`)
  const out = await suites[name]()
  const results = Array.isArray(out) ? out : [out]
  report.suites[name] = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, quick, results }
  for (const r of results) console.log(JSON.stringify(r))
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(latestFile, JSON.stringify(report, null, 2) + '\n')
}
if (args.includes('--readme')) {
  const readme = new URL('../README.md', import.meta.url)
  const text = readFileSync(readme, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  if (i < 0 || j < i) throw new Error('README.md has no <!-- bench:start --> ... <!-- bench:end --> section')
  writeFileSync(readme, text.slice(0, i + start.length) + '\n' + renderBenchTables(report) + '\n' + text.slice(j))
  process.stderr.write('bench: README.md table updated\n')
}
