import type { MessageHeaders, ProducedMessage, TopicRecord } from '../kafka/client.js'
import type { UnscorableKind } from './message-decoder.js'

/** Header names on a dead-letter message; everything a user needs to find and replay it. */
export const DLQ_HEADERS = {
  /** Why it was not scored, one line: `not valid JSON`, `field "rpm": expected a number, got "fast"`. */
  error: 'mlkafka-error',
  /** tombstone | not-utf8 | not-json | not-object | not-csv | ill-typed-field | no-score | output-too-large */
  errorKind: 'mlkafka-error-kind',
  sourceTopic: 'mlkafka-source-topic',
  sourcePartition: 'mlkafka-source-partition',
  sourceOffset: 'mlkafka-source-offset',
  /** The source message's timestamp, milliseconds since the epoch. */
  sourceTimestamp: 'mlkafka-source-timestamp',
  modelId: 'mlkafka-model-id',
} as const

/**
 * Why a message went to the dead-letter topic: it could not be read or scored (no-score: the model gives
 * no number for it, see NO_SCORE), or its scored output is over the max message size.
 */
export type DeadLetterKind = UnscorableKind | 'no-score' | 'output-too-large'

export interface DeadLetterReason {
  kind: DeadLetterKind
  message: string
}

/** The headers saying why and where from, as text. */
export function deadLetterHeaders(source: { topic: string; partition: number; offset: number; timestamp: number }, reason: DeadLetterReason, modelId: string): Record<string, string> {
  return {
    [DLQ_HEADERS.error]: reason.message,
    [DLQ_HEADERS.errorKind]: reason.kind,
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: String(source.offset),
    [DLQ_HEADERS.sourceTimestamp]: String(source.timestamp),
    [DLQ_HEADERS.modelId]: modelId,
  }
}

/**
 * The dead-letter message for a record: its key and value byte for byte, its own headers, and ours
 * (which replace same-named ones, say from an earlier pass through a DLQ).
 */
export function deadLetterMessage(topic: string, record: TopicRecord, reason: DeadLetterReason, modelId: string): ProducedMessage {
  const headers: MessageHeaders = { ...record.headers, ...deadLetterHeaders({ topic, ...record }, reason, modelId) }
  return { key: record.key, value: record.value, headers }
}
