import { hostname } from 'node:os'
import type { KafkaClient, TopicProducer } from '../kafka/client.js'
import { consumerLag, formatMetricsLine, metricsDocument, ServeMetrics, type MetricsContext, type MetricsSnapshot } from './serve-metrics.js'

export interface MetricsReporterOptions {
  client: KafkaClient
  producer: TopicProducer
  groupId: string
  inputTopic: string
  outputTopic: string
  dlqTopic: string
  modelId: string
  fromBeginning: boolean
  intervalMs: number
  /** Also produce each snapshot as JSON here. */
  metricsTopic?: string
  log: (line: string) => void
  onMetrics?: (snapshot: MetricsSnapshot) => void
}

/**
 * Every interval: takes the metrics snapshot, looks up the group's lag, prints the line and produces
 * the JSON document to the metrics topic. A slow tick (a lag lookup waiting on the broker) is never
 * overlapped by the next one; a metrics topic that cannot be written to is reported once, not fatal.
 */
export class MetricsReporter {
  readonly metrics = new ServeMetrics()
  private readonly context: MetricsContext
  private timer: NodeJS.Timeout | undefined
  private tick: Promise<void> = Promise.resolve()
  private ticking = false
  private writeFailed = false

  constructor(private readonly o: MetricsReporterOptions) {
    this.context = { modelId: o.modelId, group: o.groupId, instance: `${hostname()}/${process.pid}`, inputTopic: o.inputTopic, outputTopic: o.outputTopic, dlqTopic: o.dlqTopic }
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.ticking) return
      this.ticking = true
      this.tick = this.report().finally(() => (this.ticking = false))
    }, this.o.intervalMs)
  }

  /** Stops the timer and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.tick
  }

  private async report(): Promise<void> {
    const { client, groupId, inputTopic, metricsTopic } = this.o
    const snap = this.metrics.snapshot(null)
    snap.lag = await client
      .fetchEndOffsets(inputTopic)
      .then(async (end) => consumerLag(end, await client.fetchCommittedOffsets(groupId, inputTopic), this.o.fromBeginning))
      .catch(() => null)
    this.o.log(formatMetricsLine(snap))
    this.o.onMetrics?.(snap)
    if (metricsTopic === undefined) return
    try {
      await this.o.producer.send(metricsTopic, [{ key: this.context.instance, value: JSON.stringify(metricsDocument(snap, this.context)) }])
      this.writeFailed = false
    } catch (err) {
      if (!this.writeFailed) this.o.log(`serve: cannot write metrics to topic ${metricsTopic}: ${(err as Error).message}`)
      this.writeFailed = true
    }
  }
}
