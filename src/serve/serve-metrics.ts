import type { CommittedOffset, PartitionOffsets } from '../kafka/client.js'
import { LatencyTracker } from './latency-tracker.js'

/** What `mlkafka serve` did in one metrics interval. */
export interface MetricsSnapshot {
  time: Date
  intervalMs: number
  /** Scored plus dead-lettered, in the interval. */
  messages: number
  scored: number
  deadLettered: number
  messagesPerSecond: number
  /** Decode-and-score time of the scored messages, microseconds; null when none was scored. */
  latencyUs: { p50: number; p99: number; max: number } | null
  totals: { messages: number; scored: number; deadLettered: number }
  /** End offsets minus committed offsets, summed over the input's partitions; null when unknown. */
  lag: number | null
}

/** Counters for the metrics line, reset at each snapshot (the totals are not). */
export class ServeMetrics {
  readonly latency = new LatencyTracker()
  private scored = 0
  private deadLettered = 0
  private totalScored = 0
  private totalDeadLettered = 0
  private since: number

  constructor(now: number = performance.now()) {
    this.since = now
  }

  /** Counts a batch's messages once they are acknowledged (latencies go to `latency` as they are measured). */
  addBatch(scored: number, deadLettered: number): void {
    this.scored += scored
    this.deadLettered += deadLettered
  }

  /** The interval since the last snapshot; starts the next one. */
  snapshot(lag: number | null, now: number = performance.now(), time: Date = new Date()): MetricsSnapshot {
    const intervalMs = Math.max(1, now - this.since)
    this.totalScored += this.scored
    this.totalDeadLettered += this.deadLettered
    const [p50, p99] = this.latency.percentiles([50, 99])
    const messages = this.scored + this.deadLettered
    const snap: MetricsSnapshot = {
      time,
      intervalMs: Math.round(intervalMs),
      messages,
      scored: this.scored,
      deadLettered: this.deadLettered,
      messagesPerSecond: round((messages * 1000) / intervalMs, 1),
      latencyUs: this.latency.count > 0 ? { p50: round(p50, 1), p99: round(p99, 1), max: round(this.latency.max, 1) } : null,
      totals: { messages: this.totalScored + this.totalDeadLettered, scored: this.totalScored, deadLettered: this.totalDeadLettered },
      lag,
    }
    this.scored = 0
    this.deadLettered = 0
    this.latency.reset()
    this.since = now
    return snap
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

/**
 * One line for stderr:
 * `serve: 2410.3 msg/s | latency p50 4.2 us, p99 21.7 us | dlq 0 (3 total) | lag 0 | 12051 messages in 5.0 s (61725 total)`
 */
export function formatMetricsLine(s: MetricsSnapshot): string {
  const latency = s.latencyUs ? `latency p50 ${s.latencyUs.p50} us, p99 ${s.latencyUs.p99} us` : 'latency p50 - us, p99 - us'
  return (
    `serve: ${s.messagesPerSecond.toFixed(1)} msg/s | ${latency} | dlq ${s.deadLettered} (${s.totals.deadLettered} total) | ` +
    `lag ${s.lag ?? '?'} | ${s.messages} messages in ${(s.intervalMs / 1000).toFixed(1)} s (${s.totals.messages} total)`
  )
}

export interface MetricsContext {
  modelId: string
  group: string
  /** Which serve process: host and pid. */
  instance: string
  inputTopic: string
  outputTopic: string
  dlqTopic: string
}

/** The JSON document produced to --metrics-topic (snake_case, like the scored messages' fields). */
export function metricsDocument(s: MetricsSnapshot, c: MetricsContext): Record<string, unknown> {
  return {
    type: 'mlkafka.serve.metrics',
    time: s.time.toISOString(),
    model_id: c.modelId,
    group: c.group,
    instance: c.instance,
    input_topic: c.inputTopic,
    output_topic: c.outputTopic,
    dlq_topic: c.dlqTopic,
    interval_ms: s.intervalMs,
    messages: s.messages,
    messages_per_s: s.messagesPerSecond,
    scored: s.scored,
    dlq: s.deadLettered,
    latency_us: s.latencyUs,
    lag: s.lag,
    total: { messages: s.totals.messages, scored: s.totals.scored, dlq: s.totals.deadLettered },
  }
}

/**
 * Messages the group has yet to process: per partition, the end offset minus the committed offset
 * (minus where the group will start when it has committed nothing there), summed.
 */
export function consumerLag(end: PartitionOffsets[], committed: CommittedOffset[], fromBeginning: boolean): number {
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset]))
  let lag = 0
  for (const p of end) {
    const at = byPartition.get(p.partition) ?? null
    const start = at ?? (fromBeginning ? p.low : p.high)
    lag += Math.max(0, p.high - Math.max(start, p.low))
  }
  return lag
}
