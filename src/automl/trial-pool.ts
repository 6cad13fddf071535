import { Worker } from 'node:worker_threads'
import type { Column, Table } from '../data/table.js'
import type { ModelIR } from '../ir/model.js'
import type { TargetData } from '../data/target.js'
import { toShared } from '../shared-memory.js'
import { workerScriptUrl } from '../worker-url.js'
import type { MetricName } from './metrics.js'
import type { Fold } from './split.js'
import type { TrialWorkerMessage } from './trial-worker.js'
import type { TrialOutcome, TrialResult, TrialSpec } from './trial.js'

/** A trial cut off by the time budget or an interrupt: its worker was stopped mid-fit. */
export class TrialCutOff extends Error {
  constructor() {
    super('trial cut off')
    this.name = 'TrialCutOff'
  }
}

/** An array in shared memory: itself when it already is, else a shared copy. */
const shared = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(a: T): T => (a.buffer instanceof SharedArrayBuffer ? a : toShared(a))

/**
 * The table and target in shared memory, as worker threads read them. Pools made from the result share
 * one copy (the search's pool and its refits' run at the same time).
 */
export function shareWithWorkers(table: Table, target: TargetData): { table: Table; target: TargetData } {
  const columns: Column[] = table.columns.map((c) =>
    c.type === 'categorical' ? { ...c, codes: shared(c.codes) } : { ...c, values: shared(c.values) },
  )
  return { table: { ...table, columns, lines: undefined }, target: { ...target, y: shared(target.y), rows: shared(target.rows) } }
}

/** Refits of these models wait this long on their worker before fitting: a test's stand-in for a refit slower than its trials foretold. */
let refitStall: { modelIds: readonly string[]; ms: number } | null = null
export function stallRefitsForTest(stall: typeof refitStall): void {
  refitStall = stall
}

interface Pending {
  resolve: (r: never) => void
  reject: (e: Error) => void
}

interface Slot {
  worker: Worker
  busy: Pending & { id: number } | null
}

/**
 * Runs trials on worker threads, `size` at a time. Each worker gets the table once (shared memory, no
 * copy per trial). `cutOff()` stops every trial in progress at once by terminating its worker: the hard
 * edge of a time budget, whatever the learner is doing. `wrapUp()` first asks them to finish with what
 * they have (a forest's trees so far, a net's epochs), then cuts off those still running.
 */
export class TrialPool {
  private slots: Slot[] = []
  private queue: { id: number; type: 'trial' | 'fit'; spec: TrialSpec; pending: Pending }[] = []
  private nextId = 1
  private init: TrialWorkerMessage
  private closed = false
  private readonly wrapFlag = new Int32Array(new SharedArrayBuffer(4))

  constructor(table: Table, target: TargetData, folds: Fold[], metric: MetricName, readonly size: number) {
    const data = shareWithWorkers(table, target)
    const f = folds.map((fold) => ({ train: shared(fold.train), valid: shared(fold.valid) }))
    this.init = { type: 'init', table: data.table, target: data.target, folds: f, metric, wrapUp: this.wrapFlag }
    for (let i = 0; i < size; i++) this.slots.push(this.spawn())
  }

  private spawn(): Slot {
    const worker = new Worker(workerScriptUrl('automl/trial-worker'))
    const slot: Slot = { worker, busy: null }
    worker.on('message', (msg: { id: number; result?: TrialResult; oof?: Float64Array | null; ir?: ModelIR; error?: string; stack?: string; skipped?: boolean }) => {
      const busy = slot.busy
      if (!busy || busy.id !== msg.id) return
      slot.busy = null
      if (msg.result) busy.resolve({ result: msg.result, oof: msg.oof ?? null } satisfies TrialOutcome as never)
      else if (msg.ir) busy.resolve(msg.ir as never)
      // Not started for lack of time: like a trial cut off, not a failure.
      else if (msg.skipped) busy.reject(new TrialCutOff())
      else {
        const err = new Error(msg.error)
        err.stack = msg.stack
        busy.reject(err)
      }
      this.pump()
    })
    worker.on('error', (err) => {
      const busy = slot.busy
      slot.busy = null
      busy?.reject(err)
    })
    worker.postMessage(this.init)
    return slot
  }

  /** Cross-validates a configuration. */
  run(spec: TrialSpec): Promise<TrialOutcome> {
    return this.submit<TrialOutcome>('trial', spec)
  }

  /** Fits a configuration on every training row (a refit), on a worker like its trials. */
  fit(spec: TrialSpec): Promise<ModelIR> {
    return this.submit<ModelIR>('fit', spec)
  }

  private submit<T>(type: 'trial' | 'fit', spec: TrialSpec): Promise<T> {
    if (this.closed) return Promise.reject(new TrialCutOff())
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, type, spec, pending: { resolve: resolve as (r: never) => void, reject } })
      this.pump()
    })
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return
      if (slot.busy) continue
      const job = this.queue.shift()!
      slot.busy = { id: job.id, ...job.pending }
      const stallMs = job.type === 'fit' && refitStall?.modelIds.includes(job.spec.modelId) ? refitStall.ms : 0
      slot.worker.postMessage((stallMs > 0 ? { type: 'fit', id: job.id, spec: job.spec, stallMs } : { type: job.type, id: job.id, spec: job.spec }) satisfies TrialWorkerMessage)
    }
  }

  /**
   * Starts no more trials (queued ones reject with TrialCutOff) and tells the running ones to finish now
   * with what they have: on a holdout a forest grows no more trees and a net trains no more epochs (see
   * runFolds). Those still running after `graceMs` (a fit that cannot stop early, or a k-fold trial) are
   * cut off.
   */
  async wrapUp(graceMs: number): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.pending.reject(new TrialCutOff())
    Atomics.store(this.wrapFlag, 0, 1)
    const until = performance.now() + graceMs
    while (this.slots.some((s) => s.busy) && performance.now() < until) await new Promise((r) => setTimeout(r, 10))
    await this.cutOff()
  }

  /** Stops every queued and running trial now; their promises reject with TrialCutOff. */
  async cutOff(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.pending.reject(new TrialCutOff())
    await Promise.all(
      this.slots.map(async (slot) => {
        const busy = slot.busy
        slot.busy = null
        await slot.worker.terminate()
        busy?.reject(new TrialCutOff())
      }),
    )
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
  }
}
