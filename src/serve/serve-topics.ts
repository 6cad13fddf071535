import { UsageError } from '../errors.js'
import { checkTopicName } from '../kafka/topic-names.js'

/** The topics `mlkafka serve` reads and writes. */
export interface ServeTopics {
  input: string
  output: string
  /** Default: `<input>.dlq`. */
  dlq: string
  metrics?: string
}

/**
 * Checks that no two roles share a topic: writing to the input would make serve read its own output
 * forever; outputs mixed with dead letters or metrics could not be told apart.
 */
export function resolveServeTopics(t: { input: string; output: string; dlq?: string; metrics?: string }): ServeTopics {
  checkTopicName('--input-topic', t.input)
  checkTopicName('--output-topic', t.output)
  const dlq = checkTopicName(t.dlq === undefined ? '--dlq-topic (default: <input-topic>.dlq)' : '--dlq-topic', t.dlq ?? `${t.input}.dlq`)
  if (t.metrics !== undefined) checkTopicName('--metrics-topic', t.metrics)
  for (const [flag, topic] of [['--output-topic', t.output], ['--dlq-topic', dlq], ['--metrics-topic', t.metrics]] as const) {
    if (topic === t.input) throw new UsageError(`${flag} must differ from --input-topic (${t.input}): serve would read its own output`)
  }
  if (dlq === t.output) throw new UsageError(`--dlq-topic must differ from --output-topic (${t.output})`)
  if (t.metrics !== undefined && (t.metrics === t.output || t.metrics === dlq)) throw new UsageError('--metrics-topic must differ from the output and dead-letter topics')
  return { input: t.input, output: t.output, dlq, metrics: t.metrics }
}
