import { availableParallelism } from 'node:os'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { parseDuration } from '../src/cli/durations.js'
import { kafkaClientFromFlags, kafkaConnectionFlags, parseColumns, sayBrokerSilence } from '../src/cli/kafka-flags.js'
import { UsageError } from '../src/errors.js'
import { loadModel } from '../src/ir/io.js'
import type { KafkaClient } from '../src/kafka/client.js'
import { parseOutputFields } from '../src/serve/output-record.js'
import { resolveServeTopics } from '../src/serve/serve-topics.js'
import { runStreamScorer, type ServeSummary } from '../src/serve/stream-scorer.js'

export default class Serve extends BaseCommand {
  static override description =
    'Score a Kafka topic with a saved model, continuously, as a consumer group: each input message gives one output message with the same key, ' +
    'holding the input\'s fields plus `prediction`, one `p_<class>` field per class (classification), `model_id` and `latency_us`. ' +
    'A message that cannot be scored (not UTF-8 JSON, not an object, a field of the wrong type; with --format csv, a line that is no CSV line of --columns\'s fields) goes unchanged to the dead-letter topic, ' +
    'with headers saying why and where from. Offsets are committed only after the output is acknowledged (at-least-once). ' +
    'Run more instances with the same --group to share the partitions. Ctrl-C or SIGTERM finishes the messages in flight, commits and exits 0.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --model mlkafka-runs/20261125T120000Z-failure/model.json --brokers 127.0.0.1:9092 --input-topic car-sensors --output-topic car-sensors.scored',
    '<%= config.bin %> <%= command.id %> --model model.json --input-topic events --output-topic events.scored --dlq-topic events.bad --group fraud-v3 --metrics-topic mlkafka.metrics',
    'KAFKA_BROKERS=kafka:9093 <%= config.bin %> <%= command.id %> --model model.json --kafka-config kafka.json --input-topic events --output-topic scores --output-fields id,customer --metrics-interval 30s',
    '<%= config.bin %> <%= command.id %> --model model.json --input-topic readings --format csv --columns id,site,temperature,pressure --output-topic readings.scored',
  ]

  static override flags = {
    model: Flags.string({ char: 'm', description: 'model.json written by `mlkafka automl train`' }),
    ...kafkaConnectionFlags,
    'input-topic': Flags.string({ description: 'topic to score: one JSON object per message (or one CSV line, see --format)', helpGroup: 'TOPICS' }),
    format: Flags.string({ description: 'message format of the input topic: one JSON object or one CSV line per message (CSV fields are read as texts, as in a CSV file; the output is JSON)', options: ['json', 'csv'], default: 'json', helpGroup: 'TOPICS' }),
    columns: Flags.string({ description: 'with --format csv: the names of the CSV fields, in order (CSV messages have no header row)', helpGroup: 'TOPICS' }),
    'output-topic': Flags.string({ description: 'topic for the scored messages (created with the input\'s partition count when missing)', helpGroup: 'TOPICS' }),
    'dlq-topic': Flags.string({ description: 'dead-letter topic for messages that cannot be scored (default: <input-topic>.dlq)', helpGroup: 'TOPICS' }),
    'metrics-topic': Flags.string({ description: 'also produce each metrics line as a JSON message to this topic (created when missing)', helpGroup: 'TOPICS' }),
    group: Flags.string({ description: 'consumer group id; instances with the same group share the partitions (default: mlkafka-serve-<model id>-<input topic>)' }),
    start: Flags.string({ description: 'where a group with no committed offsets starts: the oldest message or only new ones', options: ['earliest', 'latest'], default: 'earliest' }),
    'output-fields': Flags.string({ description: 'comma-separated input fields to keep in the output, in this order (null when a message lacks one); default: all fields, as they were' }),
    'metrics-interval': Flags.string({ description: 'how often to print the metrics line (messages/s, p50/p99 scoring latency, DLQ count, consumer lag) on stderr', default: '5s' }),
    workers: Flags.integer({ description: 'scoring threads beside the one running the Kafka client; 0 scores on that thread (default: 1, or 0 on a single core)', min: 0, max: 64 }),
    passthrough: Flags.boolean({ description: 'copy messages to the output topic without scoring (benchmark baseline)', hidden: true }),
  }

  async run(): Promise<ServeSummary> {
    const { flags } = await this.parse(Serve)
    const missing = [
      flags.model === undefined && '--model FILE',
      flags['input-topic'] === undefined && '--input-topic NAME',
      flags['output-topic'] === undefined && '--output-topic NAME',
    ].filter((m): m is string => m !== false)
    if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')} (see mlkafka serve --help)`)
    const topics = resolveServeTopics({ input: flags['input-topic']!, output: flags['output-topic']!, dlq: flags['dlq-topic'], metrics: flags['metrics-topic'] })
    const metricsIntervalMs = parseDuration('--metrics-interval', flags['metrics-interval'])
    if (metricsIntervalMs < 100) throw new UsageError(`--metrics-interval must be at least 100ms (got "${flags['metrics-interval']}")`)
    const outputFields = flags['output-fields'] !== undefined ? parseOutputFields(flags['output-fields']) : undefined
    if (flags.format === 'csv' && flags.columns === undefined) throw new UsageError('--format csv needs --columns a,b,c: CSV messages have no header row')
    if (flags.format !== 'csv' && flags.columns !== undefined) throw new UsageError('--columns only applies with --format csv (JSON messages name their fields)')
    const csvColumns = flags.columns !== undefined ? parseColumns(flags.columns) : undefined
    const notColumn = csvColumns === undefined ? undefined : outputFields?.find((f) => !csvColumns.includes(f))
    if (notColumn !== undefined) throw new UsageError(`--output-fields: "${notColumn}" is not one of --columns (${csvColumns!.join(', ')})`)

    // First signal: stop fetching, finish and commit what is in flight, exit 0. Second: exit at once.
    // Before the consumer runs nothing is in flight: the first exits at once (not after a connect's wait).
    const stop = new AbortController()
    let consuming = false
    const onSignal = (): void => {
      if (!consuming) {
        process.stderr.write('serve: stopped before it began to consume\n')
        process.exit(0)
      }
      if (stop.signal.aborted) process.exit(130)
      process.stderr.write('serve: stopping: finishing the messages in flight (again to quit at once)\n')
      stop.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    let client: KafkaClient | undefined
    try {
      const ir = await loadModel(flags.model!)
      const absent = csvColumns ? ir.input.columns.map((c) => c.name).filter((name) => !csvColumns.includes(name)) : []
      if (absent.length > 0) {
        const shown = absent.slice(0, 8).join(', ') + (absent.length > 8 ? `, ... (${absent.length})` : '')
        process.stderr.write(`serve: warning: --columns lacks ${absent.length === 1 ? 'an input column' : 'input columns'} of the model (${shown}): missing in every message, as a blank field would be\n`)
      }
      client = await kafkaClientFromFlags(flags)
      sayBrokerSilence(client, 'serve')
      return await runStreamScorer(
        {
          client,
          ir,
          inputTopic: topics.input,
          outputTopic: topics.output,
          dlqTopic: topics.dlq,
          groupId: flags.group ?? (await defaultGroupId(client, ir.modelId, topics.input)),
          metricsTopic: topics.metrics,
          outputFields,
          csvColumns,
          metricsIntervalMs,
          fromBeginning: flags.start === 'earliest',
          passthrough: flags.passthrough,
          workers: flags.workers ?? (availableParallelism() > 1 ? 1 : 0),
          onConsuming: () => (consuming = true),
          log: (line) => process.stderr.write(`${line}\n`),
        },
        stop.signal,
      )
    } finally {
      await client?.close()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

/**
 * mlkafka-serve-<model id>-<input topic>. A group named as before that default named it
 * (mlkafka-serve-<model id>) and has offsets on this topic goes on being used, so that after an upgrade
 * serve neither scores the topic again from its start nor skips what came in meanwhile.
 */
async function defaultGroupId(client: KafkaClient, modelId: string, inputTopic: string): Promise<string> {
  const earlier = `mlkafka-serve-${modelId}`
  const committed = await client.fetchCommittedOffsets(earlier, inputTopic).catch(() => [])
  if (!committed.some((c) => c.offset !== null)) return `${earlier}-${inputTopic}`
  process.stderr.write(`serve: note: group ${earlier} (the default group of earlier versions) has offsets on ${inputTopic}: going on with it\n`)
  return earlier
}
