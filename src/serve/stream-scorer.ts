import type { ModelIR } from '../ir/model.js'
import type { KafkaClient } from '../kafka/client.js'
import { KafkaGroupSharedError, KafkaUnreachableError } from '../kafka/errors.js'
import { createBatchHandler } from './batch-handler.js'
import { LatencyTracker } from './latency-tracker.js'
import { MetricsReporter } from './metrics-reporter.js'
import { InlineScorer, ScoringPool, type BatchScorer } from './scoring-pool.js'
import type { MetricsSnapshot } from './serve-metrics.js'
import { plural } from '../words.js'

/**
 * `mlkafka serve`: a consumer-group member that scores every message of the input topic with the model
 * IR's evaluator and produces the result (same key) to the output topic, or the message unchanged to the
 * dead-letter topic when it cannot be scored. A batch's offsets are committed only after all of its
 * output and dead-letter messages are acknowledged by every in-sync replica (at-least-once).
 */

/** Reconnects in a row (without rejoining the group in between) before serve gives up: about 2 minutes. */
const MAX_RESTARTS = 10
/** When this many messages went to the dead-letter topic and none was scored, serve says so (once). */
const ALL_DEAD_WARNING = 100

/** Partitions handled at once at most, when each input partition writes to its own output partitions. */
const MAX_CONCURRENT_PARTITIONS = 8

/** Batches of one partition in the handler at once, when each input partition writes to its own output partitions. */
const BATCHES_IN_FLIGHT = 2

export interface StreamScorerOptions {
  client: KafkaClient
  ir: ModelIR
  inputTopic: string
  outputTopic: string
  dlqTopic: string
  groupId: string
  metricsTopic?: string
  /** Keep only these input fields in the output (default: all). */
  outputFields?: string[]
  /** The messages are CSV lines with these fields (--format csv --columns); else JSON objects. */
  csvColumns?: string[]
  metricsIntervalMs: number
  /** Where a group with no committed offsets starts: the oldest message (true) or new ones only. */
  fromBeginning: boolean
  /**
   * Copy messages to the output topic without decoding or scoring: the benchmark's baseline, with the
   * same consumer, producer, batching and commits.
   */
  passthrough?: boolean
  /** Scoring worker threads; 0 scores on the thread that runs the Kafka client (default 1). */
  workers?: number
  /** Receives each stderr line (start-up, assignments, metrics, stop). */
  log: (line: string) => void
  onMetrics?: (snapshot: MetricsSnapshot) => void
  /** After each batch is acknowledged and about to be committed. */
  onBatch?: (info: { partition: number; messages: number; scored: number; deadLettered: number; ms: number }) => void
  /** Once the consumer has joined its group and fetches (nothing is in flight before). */
  onConsuming?: () => void
}

export interface ServeSummary {
  scored: number
  deadLettered: number
  seconds: number
  /** Decode-and-score time per scored message over the whole run, microseconds (null: none scored). */
  latencyUs: { p50: number; p99: number } | null
}

/** Scores the input topic until `signal` aborts (then finishes in-flight batches and commits). */
export async function runStreamScorer(options: StreamScorerOptions, signal: AbortSignal): Promise<ServeSummary> {
  const { client, ir, inputTopic, outputTopic, dlqTopic, log } = options
  const t0 = performance.now()
  const totals = { scored: 0, deadLettered: 0 }
  let warnedAllDead = false
  const runLatency = new LatencyTracker()
  const summary = (): ServeSummary => {
    const [p50, p99] = runLatency.percentiles([50, 99])
    return {
      scored: totals.scored,
      deadLettered: totals.deadLettered,
      seconds: (performance.now() - t0) / 1000,
      latencyUs: runLatency.count > 0 ? { p50: Math.round(p50 * 10) / 10, p99: Math.round(p99 * 10) / 10 } : null,
    }
  }

  const partitions = await client.partitionCount(inputTopic)
  const ensure = async (topic: string, count: number): Promise<number> => {
    const r = await client.createTopicIfMissing(topic, count)
    if (r.created) log(`serve: created topic ${topic} (${plural(r.partitions, 'partition')})`)
    return r.partitions
  }
  const outPartitions = await ensure(outputTopic, partitions)
  const dlqPartitions = await ensure(dlqTopic, partitions)
  if (options.metricsTopic !== undefined) await ensure(options.metricsTopic, 1)
  // Same partition count: input partition p writes to partition p, which keeps each partition's order
  // whatever the keys, and lets partitions be handled concurrently (no two write to one partition).
  const pinOutput = outPartitions === partitions
  const pinDlq = dlqPartitions === partitions
  for (const [topic, count, pinned] of [[outputTopic, outPartitions, pinOutput], [dlqTopic, dlqPartitions, pinDlq]] as const) {
    if (!pinned) log(`serve: note: topic ${topic} has ${plural(count, 'partition')}, ${inputTopic} has ${partitions}: messages go to the partition of their key, one input partition at a time`)
  }
  if (signal.aborted) return summary()

  // A group that consumers of other topics are in would deal this member their partitions, which it
  // would not read (see groupTopics): refused before joining, so that they go on.
  const others = (await client.groupTopics(options.groupId)).filter((t) => t !== inputTopic)
  if (others.length > 0) {
    throw new KafkaGroupSharedError(
      `consumer group ${options.groupId} is in use by consumers of topic ${others.join(', ')}: joining it would take partitions of theirs that this serve does not read. Give it a --group of its own`,
    )
  }
  // Tests only: a serve that has passed the check waits this long before joining, so that a second serve
  // can pass it too (two serves of different topics joining one group at once, as they can by chance).
  const joinDelayMs = Number(process.env.MLKAFKA_TEST_JOIN_DELAY_MS ?? 0)
  if (joinDelayMs > 0) {
    log(`serve: test: joining group ${options.groupId} in ${joinDelayMs} ms`)
    await new Promise((r) => setTimeout(r, joinDelayMs))
    if (signal.aborted) return summary()
  }
  // The client closes the producer if anything below fails before the try block.
  const producer = await client.openProducer()
  const workers = options.workers ?? 1
  const scorer: BatchScorer | null = options.passthrough
    ? null
    : workers > 0
      ? new ScoringPool(ir, { outputFields: options.outputFields, csvColumns: options.csvColumns }, workers)
      : new InlineScorer(ir, { outputFields: options.outputFields, csvColumns: options.csvColumns })
  const reporter = new MetricsReporter({ ...options, producer, modelId: ir.modelId, intervalMs: options.metricsIntervalMs })
  const handle = createBatchHandler({
    producer,
    scorer,
    inputTopic,
    outputTopic,
    dlqTopic,
    modelId: ir.modelId,
    pinOutputPartition: pinOutput,
    pinDlqPartition: pinDlq,
    onLatency: (us) => {
      reporter.metrics.latency.record(us)
      runLatency.record(us)
    },
    onDone: (done) => {
      reporter.metrics.addBatch(done.scored, done.deadLettered)
      totals.scored += done.scored
      totals.deadLettered += done.deadLettered
      // A topic of other messages (CSV lines, another schema) goes to the DLQ whole: say so once, early.
      if (!warnedAllDead && totals.scored === 0 && totals.deadLettered >= ALL_DEAD_WARNING) {
        warnedAllDead = true
        const reads = options.csvColumns
          ? `serve reads CSV lines of the ${options.csvColumns.length} fields --columns names`
          : "serve scores JSON objects with the model's fields (CSV lines: --format csv --columns a,b,c)"
        log(`serve: warning: none of the first ${totals.deadLettered} messages could be scored; all went to ${dlqTopic} (its mlkafka-error header says why). ${reads}: is ${inputTopic} such a topic?`)
      }
      options.onBatch?.(done)
    },
  })
  const consumer = client.createStreamConsumer(options.groupId, {
    fromBeginning: options.fromBeginning,
    partitionsConsumedConcurrently: pinOutput && pinDlq ? Math.min(partitions, MAX_CONCURRENT_PARTITIONS) : 1,
    // Pinned partitions: fetch and score a partition's next batch while its last one is written.
    batchesInFlight: pinOutput && pinDlq ? BATCHES_IN_FLIGHT : 1,
    onAssigned: (ps) => log(`serve: group ${options.groupId}: ${ps.length > 0 ? `assigned ${plural(ps.length, 'partition')} of ${inputTopic} (${ps.join(', ')})` : `no partition of ${inputTopic} assigned (more members than partitions)`}`),
    maxRestarts: MAX_RESTARTS,
    onRestart: (err, attempt) => {
      const what = err instanceof KafkaUnreachableError ? `lost the connection to Kafka at ${err.brokers.join(',')} (${err.code ?? 'connection closed'})` : err.message
      log(`serve: ${what}; reconnecting (attempt ${attempt} of ${MAX_RESTARTS})`)
    },
  })

  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
  try {
    log(
      `serve: model ${ir.modelId} (${ir.family}, ${ir.target.task}${options.passthrough ? ', pass-through: not scoring' : ''}) reads ${inputTopic} ` +
        `(${plural(partitions, 'partition')}) -> ${outputTopic}; unscorable -> ${dlqTopic}; group ${options.groupId}`,
    )
    await scorer?.ready()
    reporter.start()
    if (!signal.aborted) await consumer.start(inputTopic, handle)
    options.onConsuming?.()
    await Promise.race([stopped, consumer.done()])
    // Stop fetching, let the batches in flight finish, commit, leave the group.
    await consumer.stop()
  } catch (err) {
    await consumer.stop()
    throw err
  } finally {
    await reporter.stop()
    await producer.close()
    await scorer?.close()
  }
  const s = summary()
  log(`serve: stopped after ${s.seconds.toFixed(1)} s: ${s.scored} scored, ${s.deadLettered} to ${dlqTopic}; offsets committed`)
  return s
}

