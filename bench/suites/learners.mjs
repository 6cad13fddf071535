// Fit time and holdout accuracy of each learner family, side by side with scikit-learn when installed.
import { spawnSync } from 'node:child_process'
import { learnerDataset } from './learners-data.mjs'

// mlp_tfjs: the same MLP trained by TensorFlow.js (MLKAFKA_NN_BACKEND=tfjs), against the same scikit-learn fit.
const GOALS = { random_forest: 1.5, decision_tree: 1.5, logistic_regression: 2, mlp: 3, mlp_tfjs: 3 }
const SKLEARN_FAMILY = { mlp_tfjs: 'mlp' }

function runJson(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, env })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1))
}

function sklearnAvailable() {
  return spawnSync('python3', ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0
}

export async function run({ rows = 50_000, cols = 25, workers = 2, families = Object.keys(GOALS) } = {}) {
  const file = await learnerDataset(rows, cols)
  const ours = runJson(process.execPath, [new URL('./learners-child.mjs', import.meta.url).pathname, file, families.join(','), String(workers)])
  // This machine may set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow a
  // current numpy, so scikit-learn runs without them (both together), at its real speed.
  const { OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, ...sklearnEnv } = process.env
  const theirs = sklearnAvailable()
    ? runJson('python3', [new URL('./sklearn_learners.py', import.meta.url).pathname, file, [...new Set(families.map((f) => SKLEARN_FAMILY[f] ?? f))].join(','), String(workers)], sklearnEnv)
    : null
  return ours.map((o) => {
    const s = theirs?.find((t) => t.family === (SKLEARN_FAMILY[o.family] ?? o.family))
    const ratio = s ? o.fitSeconds / s.fitSeconds : null
    return {
      name: o.backend ? `fit mlp (${o.backend})` : `fit ${o.family}`,
      rows,
      cols,
      fitSeconds: round(o.fitSeconds),
      sklearnFitSeconds: s ? round(s.fitSeconds) : null,
      timeRatio: ratio === null ? null : round(ratio),
      // The TensorFlow.js row reports the measured choice of training loop; the goal is the default loop's.
      goalRatio: o.backend ? null : GOALS[o.family],
      accuracy: round(o.accuracy, 4),
      sklearnAccuracy: s ? round(s.accuracy, 4) : null,
      predictRowsPerSecond: o.predictRowsPerSecond,
      irBytes: o.irBytes,
      pass: s && !o.backend ? ratio <= GOALS[o.family] && o.accuracy >= s.accuracy - 0.01 : null,
    }
  })
}

const round = (v, d = 2) => Number(v.toFixed(d))
