// Records per second of the generated TypeScript scorer (compiled by tsc) against the IR evaluator's
// predictRecord, per family, one record at a time on one core, on the example dataset's 5000 rows.
// Each model runs in its own process, one after another. Rates are the best quarter-second window
// (what the code does when it has the core) with the median beside it (what a busy machine gave), and
// the median per second of the process's CPU time (less disturbed by other work on the machine).
// The goal is checked on the best window.
import { spawnSync } from 'node:child_process'

/** Goals (records per second of the generated scorer): a depth-10 tree and a 100-tree forest. */
const GOALS = { decision_tree: 5_000_000, random_forest: 200_000, random_forest_depth10: 200_000, logistic_regression: null, mlp: null }

export async function run({ seconds = 3, models = Object.keys(GOALS) } = {}) {
  const rows = []
  for (const config of models) {
    const r = spawnSync(process.execPath, [new URL('./scorer-child.mjs', import.meta.url).pathname, config, String(seconds)], { encoding: 'utf8', maxBuffer: 1 << 24 })
    if (r.status !== 0) throw new Error(`scorer bench (${config}) failed: ${r.stderr}`)
    const o = JSON.parse(r.stdout.trim().split('\n').at(-1))
    const goal = GOALS[config]
    rows.push({
      name: `scorer ${config}`,
      ...o,
      speedup: Number((o.scorerRowsPerSecond / o.evaluatorRowsPerSecond).toFixed(2)),
      goalRowsPerSecond: goal,
      pass: goal === null ? null : o.scorerRowsPerSecond >= goal,
    })
  }
  return rows
}
