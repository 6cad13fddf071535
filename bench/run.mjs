#!/usr/bin/env node
// `npm run bench [-- --suite NAME ...] [--quick]`: runs the benchmark suites one after another (never two
// at once: the machine has 2 cores), prints a table and writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const chosen = args.flatMap((a, i) => (args[i - 1] === '--suite' ? [a] : []))
const suites = {
  'data-load': async () => (await import('./suites/data-load.mjs')).run(quick ? { rows: 100_000 } : {}),
  learners: async () => (await import('./suites/learners.mjs')).run(quick ? { rows: 10_000 } : {}),
  scorer: async () => (await import('./suites/scorer.mjs')).run(quick ? { seconds: 1 } : {}),
  serve: async () => (await import('./suites/serve.mjs')).run(quick ? { messages: 10_000, rounds: 1 } : {}),
  automl: async () => (await import('./suites/automl.mjs')).run(quick ? { budget: '15s' } : {}),
}
const names = chosen.length > 0 ? chosen : Object.keys(suites)
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  quick,
  results: [],
}
for (const name of names) {
  if (!suites[name]) throw new Error(`unknown suite ${name}; suites: ${Object.keys(suites).join(', ')}`)
  process.stderr.write(`bench: ${name}...\n`)
  const out = await suites[name]()
  report.results.push(...(Array.isArray(out) ? out : [out]))
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(report, null, 2) + '\n')
for (const r of report.results) console.log(JSON.stringify(r))
