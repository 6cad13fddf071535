import type { ProducedMessage, StreamBatch, TopicProducer, TopicRecord } from '../kafka/client.js'
import { deadLetterMessage } from './dead-letter.js'
import { sendInRequests } from './produce-requests.js'
import type { BatchScorer } from './scoring-pool.js'

/** Messages per scoring request and per send: a batch's chunks are scored and sent one after the other, overlapped. */
export const SCORE_CHUNK = 1000

export interface BatchHandlerOptions {
  producer: TopicProducer
  /** null: pass messages through unscored (the benchmark's baseline). */
  scorer: BatchScorer | null
  inputTopic: string
  outputTopic: string
  dlqTopic: string
  modelId: string
  /** Write input partition p to partition p of the output / dead-letter topic (else: by key). */
  pinOutputPartition: boolean
  pinDlqPartition: boolean
  /** Each scored message's decode-and-score microseconds. */
  onLatency: (us: number) => void
  /** Once all of a batch's messages are acknowledged. */
  onDone: (info: { partition: number; messages: number; scored: number; deadLettered: number; ms: number }) => void
}

/**
 * The handler of one partition batch: scores it, produces each output (same key, the input's headers)
 * and each dead letter, and resolves only when the broker has acknowledged all of them; the consumer
 * then commits the batch. Scoring starts at once; writing waits for the partition's batch before
 * (`batch.after`), so outputs keep the input's order. A failure anywhere rejects, and the batch is not
 * committed.
 */
export function createBatchHandler(o: BatchHandlerOptions): (batch: StreamBatch) => Promise<void> {
  return async (batch) => {
    const started = performance.now()
    const outPartition = o.pinOutputPartition ? batch.partition : undefined
    const dlqPartition = o.pinDlqPartition ? batch.partition : undefined
    const records = batch.records
    const scorer = o.scorer
    let scored = 0
    let deadLettered = 0
    const chunks: TopicRecord[][] = []
    for (let i = 0; i < records.length; i += SCORE_CHUNK) chunks.push(records.slice(i, i + SCORE_CHUNK))
    if (!scorer) {
      // Sent in the same chunks as scored messages, so the baseline's produce requests are alike.
      await batch.after
      for (const chunk of chunks) {
        const outputs = chunk.map((r): ProducedMessage => ({ key: r.key, value: r.value, headers: r.headers, partition: outPartition }))
        await sendInRequests(o.producer, o.outputTopic, outputs, o.dlqTopic, [])
        scored += outputs.length
      }
    } else {
      // All chunks go to the scorer at once; each is sent as soon as it is scored and the one before it
      // is acknowledged, so scoring chunk k+1 overlaps sending chunk k. Sends stay in partition order.
      const scoring = chunks.map((c) => scorer.score(c))
      for (const p of scoring) p.catch(() => {}) // each is awaited below, in order
      await batch.after
      for (let c = 0; c < chunks.length; c++) {
        const chunk = chunks[c]
        const scores = await scoring[c]
        const outputs: ProducedMessage[] = []
        const dead: ProducedMessage[] = []
        // Each output's input record, for its dead letter when the output is too large to write.
        const sources = new Map<ProducedMessage, TopicRecord>()
        let d = 0
        for (let i = 0; i < chunk.length; i++) {
          const r = chunk[i]
          const fields = scores.fields[i]
          if (fields === null) {
            dead.push({ ...deadLetterMessage(o.inputTopic, r, scores.dead[d++].reason, o.modelId), partition: dlqPartition })
            continue
          }
          o.onLatency(scores.latencies[i])
          // The fields hold the key, the output value and the input's headers; the key also picks the partition when not pinned.
          const output: ProducedMessage = { key: r.key, value: null, fields, partition: outPartition }
          outputs.push(output)
          sources.set(output, r)
        }
        const tooLarge = { kind: 'output-too-large' as const, message: `the scored message is too large for topic ${o.outputTopic} (MESSAGE_TOO_LARGE: over the broker's or the topic's max message size)` }
        const moved = await sendInRequests(o.producer, o.outputTopic, outputs, o.dlqTopic, dead, (output) => ({
          ...deadLetterMessage(o.inputTopic, sources.get(output)!, tooLarge, o.modelId),
          partition: dlqPartition,
        }))
        scored += outputs.length - moved
        deadLettered += dead.length + moved
      }
    }
    o.onDone({ partition: batch.partition, messages: records.length, scored, deadLettered, ms: performance.now() - started })
  }
}
