import { UserError, UsageError } from '../errors.js'

/**
 * Kafka problems a user can act on, each a one-line UserError naming what went wrong and where
 * (brokers, topic, partition, offset) and what to do. Nothing here ever carries a password.
 */

/**
 * No broker answered within the connect deadline (`seconds`), or the connection was lost later,
 * while `doing` something.
 */
export class KafkaUnreachableError extends UserError {
  readonly brokers: string[]
  readonly code: string | undefined
  constructor(brokers: string[], code: string | undefined, when: { seconds: number } | { doing: string }) {
    super(
      'seconds' in when
        ? `cannot reach Kafka at ${brokers.join(',')} (${code ?? 'no answer'}) after ${when.seconds} s: ` +
            'check --brokers / KAFKA_BROKERS and that the broker is running (in a clone of mlkafka, npm run kafka:up starts a local one)'
        : `lost the connection to Kafka at ${brokers.join(',')} (${code ?? 'connection closed'}) while ${when.doing}: check that the broker is still running, then try again`,
    )
    this.brokers = brokers
    this.code = code
  }
}

/** Neither --brokers nor KAFKA_BROKERS, or one of them is not HOST:PORT[,HOST:PORT]. */
export class KafkaBrokersError extends UsageError {}

/** The --kafka-config file is unreadable, not JSON, or has a bad key or value. */
export class KafkaConfigError extends UserError {
  readonly file: string
  /** `at` is `:line:column` for a JSON syntax error. */
  constructor(file: string, problem: string, at = '') {
    super(`${file}${at}: ${problem}`)
    this.file = file
  }
}

/** The brokers answered but refused the login (SASL) or the TLS handshake. */
export class KafkaAuthError extends UserError {}

export class TopicNotFoundError extends UserError {
  readonly topic: string
  constructor(topic: string, brokers: string[]) {
    super(
      `topic "${topic}" not found on ${brokers.join(',')}: check the name (mlkafka topic load FILE.csv --topic ${topic} creates and fills one)`,
    )
    this.topic = topic
  }
}

/** Where in a topic a problem is; the topic's counterpart of FileLocation. */
export interface TopicLocation {
  topic: string
  partition?: number
  offset?: number
}

export function formatTopicLocation(at: TopicLocation): string {
  let s = `topic ${at.topic}`
  if (at.partition !== undefined) s += ` partition ${at.partition}`
  if (at.offset !== undefined) s += ` offset ${at.offset}`
  return s
}

/** The topic's messages cannot make a table (empty topic, too many bad messages, ...). */
export class TopicDataError extends UserError {
  readonly location: TopicLocation
  constructor(location: TopicLocation, problem: string, hint?: string) {
    super(`${formatTopicLocation(location)}: ${problem}${hint ? `. ${hint}` : ''}`)
    this.location = location
  }
}

/** The snapshot read stopped making progress (a partition's messages never arrive). */
export class TopicReadStalledError extends UserError {}

/** Any other error reported by Kafka or the client, made one line. */
export class KafkaOperationError extends UserError {}

/** A consumer group that consumers of other topics are in (see KafkaClient.groupTopics). */
export class KafkaGroupSharedError extends UsageError {}

/** A message over the broker's (or the topic's) max message size: the broker refused the request that held it. */
export class KafkaMessageTooLargeError extends KafkaOperationError {}
