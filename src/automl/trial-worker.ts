/** Worker thread running AutoML trials on a table shared by the main thread (SharedArrayBuffers). */
import { parentPort } from 'node:worker_threads'
import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import type { MetricName } from './metrics.js'
import type { Fold } from './split.js'
import { runTrial, type TrialSpec } from './trial.js'

export type TrialWorkerMessage =
  | { type: 'init'; table: Table; target: TargetData; folds: Fold[]; metric: MetricName }
  | { type: 'trial'; id: number; spec: TrialSpec }

let context: { table: Table; target: TargetData; folds: Fold[]; metric: MetricName } | null = null

parentPort!.on('message', (msg: TrialWorkerMessage) => {
  if (msg.type === 'init') {
    context = { table: msg.table, target: msg.target, folds: msg.folds, metric: msg.metric }
    return
  }
  const { table, target, folds, metric } = context!
  runTrial(table, target, folds, msg.spec, metric).then(
    ({ result, oof }) => parentPort!.postMessage({ id: msg.id, result, oof }, oof ? [oof.buffer as ArrayBuffer] : []),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message, stack: err.stack }),
  )
})
