import { Flags } from '@oclif/core'
import { TOPIC_FORMATS, DEFAULT_MAX_BAD_SHARE, type TopicFormat } from '../data/topic-source.js'
import { UsageError } from '../errors.js'
import { describeAnswering, describeSilence } from '../kafka/answer-watch.js'
import { createKafkaClient, type KafkaClient } from '../kafka/client.js'

/**
 * Flags shared by every command that talks to Kafka (`topic load`, `data inspect --topic`, later
 * `automl train --topic` and `serve`), and their parsing into options with one-line UsageErrors.
 */

export const kafkaConnectionFlags = {
  brokers: Flags.string({
    description: 'Kafka bootstrap servers, HOST:PORT[,HOST:PORT] (default: $KAFKA_BROKERS)',
    helpGroup: 'KAFKA',
  }),
  'kafka-config': Flags.string({
    description: 'JSON file with the connection settings: {"ssl": true|{...}, "sasl": {"mechanism", "username", "password"}, "clientId", "connectionTimeout", "requestTimeout"}',
    helpGroup: 'KAFKA',
  }),
}

/** Reading a table from a topic (a bounded snapshot). `topic` itself is declared by each command. */
export const topicReadFlags = {
  format: Flags.string({ description: 'message format: one JSON object or one CSV line per message (default json)', options: [...TOPIC_FORMATS], helpGroup: 'KAFKA' }),
  columns: Flags.string({ description: 'comma-separated column names: required with --format csv; with json, keep only these keys, in this order', helpGroup: 'KAFKA' }),
  'from-timestamp': Flags.string({ description: 'start at the first message at or after this ISO time in each partition, e.g. 2024-05-01T00:00:00Z (default: the beginning)', helpGroup: 'KAFKA' }),
  'max-messages': Flags.integer({ description: 'read at most this many messages (shared among partitions in proportion to their size)', min: 1, helpGroup: 'KAFKA' }),
  'max-bad': Flags.string({ description: `fail when more than this share of messages are not rows, as 0.01 or 1% (default ${DEFAULT_MAX_BAD_SHARE})`, helpGroup: 'KAFKA' }),
}

/** Everything a command that reads a table from a topic instead of a file declares. */
export const topicSourceFlags = {
  topic: Flags.string({ description: 'read a bounded snapshot of this Kafka topic (its messages up to now) instead of a CSV file', helpGroup: 'KAFKA' }),
  ...kafkaConnectionFlags,
  ...topicReadFlags,
}

/** Flags that mean nothing without --topic. */
export const TOPIC_ONLY_FLAGS = ['brokers', 'kafka-config', ...Object.keys(topicReadFlags)] as const

export interface KafkaConnectionFlagValues {
  brokers?: string
  'kafka-config'?: string
}

export interface TopicReadFlagValues extends KafkaConnectionFlagValues {
  format?: string
  columns?: string
  'from-timestamp'?: string
  'max-messages'?: number
  'max-bad'?: string
}

export interface TopicReadSettings {
  format: TopicFormat
  columns?: string[]
  fromTimestamp?: Date
  maxMessages?: number
  maxBadShare: number
}

/** A share as `0.05` or `5%`, between 0 and 1. */
export function parseMaxBad(text: string): number {
  const t = text.trim()
  const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(t)
  const share = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN
  if (!m || share > 1) throw new UsageError(`--max-bad: "${text}" is not a share between 0 and 1 (e.g. 0.01 or 1%)`)
  return share
}

/** An ISO 8601 date or date-time; a date alone is midnight UTC. */
export function parseTimestamp(text: string): Date {
  const t = text.trim()
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t) ? Date.parse(t.replace(' ', 'T')) : NaN
  if (Number.isNaN(ms)) throw new UsageError(`--from-timestamp: "${text}" is not an ISO date or time (e.g. 2024-05-01 or 2024-05-01T12:00:00Z)`)
  return new Date(ms)
}

export function parseColumns(text: string): string[] {
  const names = text.split(',').map((s) => s.trim())
  if (names.some((n) => n.length === 0)) throw new UsageError(`--columns: "${text}" has an empty name (use a,b,c)`)
  const seen = new Set<string>()
  for (const n of names) {
    if (seen.has(n)) throw new UsageError(`--columns: "${n}" is named twice`)
    seen.add(n)
  }
  return names
}

export function topicReadSettings(flags: TopicReadFlagValues): TopicReadSettings {
  const format = (flags.format ?? 'json') as TopicFormat
  const columns = flags.columns !== undefined ? parseColumns(flags.columns) : undefined
  if (format === 'csv' && columns === undefined) throw new UsageError('--format csv needs --columns a,b,c: CSV messages have no header row')
  return {
    format,
    columns,
    fromTimestamp: flags['from-timestamp'] !== undefined ? parseTimestamp(flags['from-timestamp']) : undefined,
    maxMessages: flags['max-messages'],
    maxBadShare: flags['max-bad'] !== undefined ? parseMaxBad(flags['max-bad']) : DEFAULT_MAX_BAD_SHARE,
  }
}

/** Topic flags given without --topic are a mistake worth saying (they would be ignored). */
export function rejectTopicOnlyFlags(flags: Record<string, unknown>, instead: string): void {
  const given = TOPIC_ONLY_FLAGS.filter((f) => flags[f] !== undefined)
  if (given.length > 0) throw new UsageError(`--${given[0]} only applies with --topic, not with ${instead}`)
}

export function kafkaClientFromFlags(flags: KafkaConnectionFlagValues): Promise<KafkaClient> {
  return createKafkaClient({ brokers: flags.brokers, kafkaConfig: flags['kafka-config'] })
}

/**
 * Says on stderr when a broker stops answering (its requests time out; a paused or overloaded broker
 * closes nothing, so no error comes) and when it answers again, each once, for as long as the client
 * is open (`prefix`: the command's words: serve, topic load, reading topic T). On a terminal the line
 * first clears topicProgress's line, which the next update draws again.
 */
export function sayBrokerSilence(client: KafkaClient, prefix: string, stream: NodeJS.WriteStream = process.stderr): () => void {
  const clear = stream.isTTY === true ? '\r\x1b[2K' : ''
  return client.answers.listen({
    silent: (e) => void stream.write(`${clear}${prefix}: ${describeSilence(e)}\n`),
    answering: (e) => void stream.write(`${clear}${prefix}: ${describeAnswering(e)}\n`),
  })
}

/**
 * "reading topic T: 1200 of 5000 messages" redrawn on stderr while it grows, only on a terminal
 * (CI logs and pipes get nothing).
 */
export function topicProgress(label: string, stream: NodeJS.WriteStream = process.stderr): { update: (done: number, total: number) => void; end: () => void } {
  if (stream.isTTY !== true) return { update: () => {}, end: () => {} }
  let drawn = false
  let lastDraw = 0
  return {
    update: (done, total) => {
      const now = Date.now()
      if (done < total && now - lastDraw < 100) return
      lastDraw = now
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100
      stream.write(`\r\x1b[2K${label}: ${done} of ${total} messages (${pct}%)`)
      drawn = true
    },
    end: () => {
      if (drawn) stream.write('\r\x1b[2K')
    },
  }
}
