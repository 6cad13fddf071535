import { Worker } from 'node:worker_threads'
import type { ModelIR } from '../ir/model.js'
import type { TopicRecord } from '../kafka/client.js'
import type { HeaderValue, RecordHeaders } from '../kafka/record-fields.js'
import { workerScriptUrl } from '../worker-url.js'
import type { DeadLetterReason } from './dead-letter.js'
import { MessageScorer } from './message-scorer.js'
import { packValues, unpackValues, type FromScoringWorker, type ToScoringWorker } from './scoring-protocol.js'
import type { OutputRecordOptions } from './output-record.js'

/** A batch's results, by message index. */
export interface BatchScores {
  /**
   * Each message's output as the fields of its Kafka record: the input's key, the output value (UTF-8
   * JSON) and the input's headers (src/kafka/record-fields.ts); null for one that goes to the DLQ.
   */
  fields: (Buffer | null)[]
  /** Decode-and-score microseconds of each message (NaN for a dead one). */
  latencies: Float64Array
  /** The messages that go to the DLQ, in index order, with why. */
  dead: { index: number; reason: DeadLetterReason }[]
}

/** Scores batches of messages: on worker threads (ScoringPool) or on this thread (InlineScorer). */
export interface BatchScorer {
  /** Resolves once scoring can start (workers loaded, model compiled). */
  ready(): Promise<void>
  score(records: readonly TopicRecord[]): Promise<BatchScores>
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

  async score(records: readonly TopicRecord[]): Promise<BatchScores> {
    const headers = records.some((r) => hasHeaders(r.headers)) ? records.map((r) => r.headers) : undefined
    const scored = this.scorer.scoreBatch(
      records.map((r) => r.value),
      records.map((r) => r.key),
      headers,
    )
    return { fields: unpackValues(scored.data, scored.lengths), latencies: scored.latencies, dead: scored.dead }
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
    const init: ToScoringWorker = { type: 'init', ir, outputFields: options.outputFields, csvColumns: options.csvColumns }
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

  score(records: readonly TopicRecord[]): Promise<BatchScores> {
    if (this.broken) return Promise.reject(this.broken)
    let slot = this.slots[0]
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s
    const id = this.nextId++
    const { data, lengths } = packValues(records.map((r) => r.value))
    const keys = packValues(records.map((r) => r.key))
    const msg: ToScoringWorker = { type: 'batch', id, data, lengths, keyData: keys.data, keyLengths: keys.lengths }
    if (records.some((r) => hasHeaders(r.headers))) msg.headers = records.map((r) => ownHeaders(r.headers))
    return new Promise<BatchScores>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      slot.worker.postMessage(msg, [data.buffer, lengths.buffer, keys.data.buffer, keys.lengths.buffer] as ArrayBuffer[])
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
    pending.resolve({ fields: unpackValues(msg.data, msg.lengths), latencies: msg.latencies, dead: msg.dead })
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

function hasHeaders(headers: RecordHeaders | undefined): boolean {
  for (const _ in headers) return true
  return false
}

/**
 * Headers to post to a worker, their byte values copied: a received header value is a view of the whole
 * fetch response, which posting would copy entire.
 */
function ownHeaders(headers: RecordHeaders | undefined): RecordHeaders | undefined {
  if (!hasHeaders(headers)) return undefined
  const own = (v: HeaderValue): HeaderValue => (typeof v === 'string' ? v : Uint8Array.prototype.slice.call(v))
  const out: RecordHeaders = {}
  // defineProperty: a header may be named __proto__.
  for (const [k, v] of Object.entries(headers!)) Object.defineProperty(out, k, { value: v === null || v === undefined ? v : Array.isArray(v) ? v.map(own) : own(v), enumerable: true, writable: true, configurable: true })
  return out
}
