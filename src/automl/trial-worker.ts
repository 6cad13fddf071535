/** Worker thread running AutoML trials on a table shared by the main thread (SharedArrayBuffers). */
import { parentPort } from 'node:worker_threads'
import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import type { MetricName } from './metrics.js'
import type { Fold } from './split.js'
import { refitModel, runTrial, TrialSkipped, type TrialSpec } from './trial.js'

export type TrialWorkerMessage =
  /** `wrapUp`: shared with the pool; nonzero when trials should finish now with what they have (see TrialPool.wrapUp). */
  | { type: 'init'; table: Table; target: TargetData; folds: Fold[]; metric: MetricName; wrapUp: Int32Array }
  | { type: 'trial'; id: number; spec: TrialSpec }
  /** Fit the trial's configuration on every training row (a refit) and return its IR. */
  | { type: 'fit'; id: number; spec: TrialSpec; stallMs?: number }

let context: { table: Table; target: TargetData; folds: Fold[]; metric: MetricName; wrapUp: Int32Array } | null = null

parentPort!.on('message', (msg: TrialWorkerMessage) => {
  if (msg.type === 'init') {
    context = { table: msg.table, target: msg.target, folds: msg.folds, metric: msg.metric, wrapUp: msg.wrapUp }
    return
  }
  const { table, target, folds, metric, wrapUp } = context!
  if (msg.type === 'fit') {
    const stalled = msg.stallMs ? new Promise((r) => setTimeout(r, msg.stallMs)) : Promise.resolve()
    stalled.then(() => refitModel(table, target, msg.spec, msg.spec.refitEndAt)).then(
      (ir) => parentPort!.postMessage({ id: msg.id, ir }),
      (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message, stack: err.stack }),
    )
    return
  }
  runTrial(table, target, folds, msg.spec, metric, undefined, wrapUp).then(
    ({ result, oof }) => parentPort!.postMessage({ id: msg.id, result, oof }, oof ? [oof.buffer as ArrayBuffer] : []),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err.message, stack: err.stack, skipped: err instanceof TrialSkipped }),
  )
})
