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
const suites = {
  'data-load': async () => (await import('./suites/data-load.mjs')).run(quick ? { rows: 100_000 } : {}),
  learners: async () => (await import('./suites/learners.mjs')).run(quick ? { rows: 10_000 } : {}),
  scorer: async () => (await import('./suites/scorer.mjs')).run(quick ? { seconds: 1 } : {}),
  serve: async () => (await import('./suites/serve.mjs')).run(quick ? { messages: 10_000, rounds: 1 } : {}),
  automl: async () => (await import('./suites/automl.mjs')).run(quick ? { budget: '15s' } : {}),
  'automl-study': async () => (await import('./suites/automl-study.mjs')).run(quick ? { budget: '15s', splits: [['iris', 1], ['syn_friedman1', 1]] } : {}),
  'automl-real': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.REAL_SPLITS.slice(0, 1) : study.REAL_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
  'automl-fresh': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.FRESH_SPLITS.slice(0, 1) : study.FRESH_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
  'automl-fresh2': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.FRESH2_SPLITS.slice(0, 1) : study.FRESH2_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
  'automl-fresh3': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.FRESH3_SPLITS.slice(0, 1) : study.FRESH3_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
  'automl-fresh4': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.FRESH4_SPLITS.slice(0, 1) : study.FRESH4_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
  'automl-fresh5': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.FRESH5_SPLITS.slice(0, 1) : study.FRESH5_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
  'automl-fresh6': async () => {
    const study = await import('./suites/automl-study.mjs')
    return study.run({ splits: quick ? study.FRESH6_SPLITS.slice(0, 1) : study.FRESH6_SPLITS, ...(quick ? { budget: '15s' } : {}) })
  },
}
const latestFile = new URL('./results/latest.json', import.meta.url)
const report = existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, 'utf8')) : { suites: {} }
report.suites ??= {}
// automl-study (about 20 minutes), automl-real (about 30), automl-fresh, automl-fresh2, automl-fresh3, automl-fresh4, automl-fresh5 and automl-fresh6 run only when asked for by name.
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
