/** Worker thread running AutoML trials on a table shared by the main thread (SharedArrayBuffers). */
import { parentPort } from 'node:worker_threads'
import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import { fitModel } from '../learners/fit-model.js'
import type { MetricName } from './metrics.js'
import { LEARNERS } from './space.js'
import type { Fold } from './split.js'
import { runTrial, type TrialSpec } from './trial.js'

export type TrialWorkerMessage =
  | { type: 'init'; table: Table; target: TargetData; folds: Fold[]; metric: MetricName }
  | { type: 'trial'; id: number; spec: TrialSpec }
  /** Fit the trial's configuration on every training row (a refit) and return its IR. */
  | { type: 'fit'; id: number; spec: TrialSpec; stallMs?: number }

let context: { table: Table; target: TargetData; folds: Fold[]; metric: MetricName } | null = null

parentPort!.on('message', (msg: TrialWorkerMessage) => {
  if (msg.type === 'init') {
    context = { table: msg.table, target: msg.target, folds: msg.folds, metric: msg.metric }
    return
  }
  const { table, target, folds, metric } = context!
  if (msg.type === 'fit') {
    const all = Int32Array.from({ length: target.y.length }, (_, i) => i)
    const stalled = msg.stallMs ? new Promise((r) => setTimeout(r, msg.stallMs)) : Promise.resolve()
    stalled.then(() => fitModel(LEARNERS[msg.spec.family], table, target, all, msg.spec.params, { modelId: msg.spec.modelId, seed: msg.spec.seed })).then(
      (ir) => parentPort!.postMessage({ id: msg.id, ir }),
      (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message, stack: err.stack }),
    )
    return
  }
  runTrial(table, target, folds, msg.spec, metric).then(
    ({ result, oof }) => parentPort!.postMessage({ id: msg.id, result, oof }, oof ? [oof.buffer as ArrayBuffer] : []),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message, stack: err.stack }),
  )
})
