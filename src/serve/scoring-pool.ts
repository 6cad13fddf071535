import { Worker } from 'node:worker_threads'
import type { ModelIR } from '../ir/model.js'
import { workerScriptUrl } from '../worker-url.js'
import type { DeadLetterReason } from './dead-letter.js'
import { MessageScorer } from './message-scorer.js'
import { packValues, unpackValues, type FromScoringWorker, type ToScoringWorker } from './scoring-protocol.js'
import type { OutputRecordOptions } from './output-record.js'

/** A batch's results, by message index. */
export interface BatchScores {
  /** The output value of each message (UTF-8); null for one that goes to the DLQ. */
  values: (Buffer | null)[]
  /** Decode-and-score microseconds of each message (NaN for a dead one). */
  latencies: Float64Array
  /** The messages that go to the DLQ, in index order, with why. */
  dead: { index: number; reason: DeadLetterReason }[]
}

/** Scores batches of message values: on worker threads (ScoringPool) or on this thread (InlineScorer). */
export interface BatchScorer {
  /** Resolves once scoring can start (workers loaded, model compiled). */
  ready(): Promise<void>
  score(values: (Buffer | null)[]): Promise<BatchScores>
  close(): Promise<void>
}

/** Scores on the calling thread (`--workers 0`). */
export class InlineScorer implements BatchScorer {
  private readonly scorer: MessageScorer

  constructor(ir: ModelIR, options: OutputRecordOptions = {}) {
    this.scorer = new MessageScorer(ir, options)
  }

  async ready(): Promise<void> {
    this.scorer.warmUp()
  }

  async score(values: (Buffer | null)[]): Promise<BatchScores> {
    const scored = this.scorer.scoreBatch(values)
    return { values: unpackValues(scored.data, scored.lengths), latencies: scored.latencies, dead: scored.dead }
  }

  async close(): Promise<void> {}
}

interface Pending {
  resolve: (scores: BatchScores) => void
  reject: (err: Error) => void
}

interface Slot {
  worker: Worker
  pending: Map<number, Pending>
  ready: Promise<void>
  markReady: () => void
}

/**
 * Scores on `size` worker threads, so the thread running the Kafka client only packs values and sends
 * results: scoring overlaps fetching and producing. A batch goes to the worker with the fewest batches
 * waiting. A worker that dies fails its batches and every later one (serve then stops with the error).
 */
export class ScoringPool implements BatchScorer {
  private readonly slots: Slot[] = []
  private nextId = 1
  private broken: Error | null = null
  private failStartup: (err: Error) => void = () => {}
  private readonly started: Promise<void>

  constructor(ir: ModelIR, options: OutputRecordOptions, size: number) {
    const init: ToScoringWorker = { type: 'init', ir, outputFields: options.outputFields }
    const failed = new Promise<never>((_, reject) => (this.failStartup = reject))
    failed.catch(() => {}) // observed through ready()
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerScriptUrl('serve/scoring-worker'))
      let markReady = (): void => {}
      const ready = new Promise<void>((resolve) => (markReady = resolve))
      const slot: Slot = { worker, pending: new Map(), ready, markReady }
      worker.on('message', (msg: FromScoringWorker) => this.receive(slot, msg))
      worker.on('error', (err) => this.fail(err))
      worker.on('exit', (code) => this.fail(new Error(`scoring worker exited (code ${code})`)))
      worker.postMessage(init)
      this.slots.push(slot)
    }
    this.started = Promise.race([Promise.all(this.slots.map((s) => s.ready)).then(() => {}), failed])
  }

  ready(): Promise<void> {
    return this.started
  }

  score(values: (Buffer | null)[]): Promise<BatchScores> {
    if (this.broken) return Promise.reject(this.broken)
    let slot = this.slots[0]
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s
    const id = this.nextId++
    const { data, lengths } = packValues(values)
    const msg: ToScoringWorker = { type: 'batch', id, data, lengths }
    return new Promise<BatchScores>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      slot.worker.postMessage(msg, [data.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer])
    })
  }

  private receive(slot: Slot, msg: FromScoringWorker): void {
    if (msg.type === 'ready') {
      slot.markReady()
      return
    }
    const pending = slot.pending.get(msg.id)
    if (!pending) return
    slot.pending.delete(msg.id)
    if (msg.type === 'failed') {
      const err = new Error(`scoring worker: ${msg.message}`)
      if (msg.stack) err.stack = msg.stack
      pending.reject(err)
      return
    }
    pending.resolve({ values: unpackValues(msg.data, msg.lengths), latencies: msg.latencies, dead: msg.dead })
  }

  private fail(err: Error): void {
    if (this.broken) return
    this.broken = err
    this.failStartup(err)
    for (const slot of this.slots) {
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
    }
  }

  async close(): Promise<void> {
    this.broken ??= new Error('scoring pool closed')
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
  }
}
