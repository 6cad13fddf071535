import type { ProducedMessage, TopicMessages, TopicProducer } from '../kafka/client.js'
import { KafkaMessageTooLargeError } from '../kafka/errors.js'
import { DLQ_HEADERS } from './dead-letter.js'

/** Bytes per produce request: well under the broker's 1 MB message.max.bytes per partition batch. */
export const MAX_REQUEST_BYTES = 512 * 1024

/**
 * Sends outputs and dead letters in requests of at most MAX_REQUEST_BYTES, one after the other (acks
 * all). An output the broker refuses as too large (over its or the output topic's max message size: a
 * message near the limit, plus the added fields) goes to the dead-letter topic instead, as
 * `deadLetterOf` makes it; the request it was in is sent again message by message, in order (its
 * other messages may then be written twice: at least once). Returns
 * how many outputs went there. A dead letter too large for its topic stops the run: where it came
 * from, the error says (its headers).
 */
export async function sendInRequests(
  producer: TopicProducer,
  outputTopic: string,
  outputs: ProducedMessage[],
  dlqTopic: string,
  dead: ProducedMessage[],
  deadLetterOf?: (output: ProducedMessage) => ProducedMessage,
): Promise<number> {
  let moved = 0
  for (const request of splitRequests(outputTopic, outputs, dlqTopic, dead)) {
    try {
      await producer.sendTopics(request)
    } catch (err) {
      if (!(err instanceof KafkaMessageTooLargeError) || !deadLetterOf) throw err
      // The broker may have appended the request's other partitions: they are sent again (at least
      // once), by a new producer, as the old one's sequence numbers no longer match (see renew).
      await producer.renew()
      for (const { topic, messages } of request) {
        for (const m of messages) {
          try {
            await producer.sendTopics([{ topic, messages: [m] }])
          } catch (one) {
            if (!(one instanceof KafkaMessageTooLargeError) || topic !== outputTopic) throw tooLargeAt(one, m)
            const letter = deadLetterOf(m)
            await producer.sendTopics([{ topic: dlqTopic, messages: [letter] }]).catch((e: unknown) => {
              throw e instanceof KafkaMessageTooLargeError ? tooLargeAt(e, letter) : e
            })
            moved++
          }
        }
      }
    }
  }
  return moved
}

/** A too-large error naming the message's source (a dead letter's headers say it). */
function tooLargeAt(err: unknown, m: ProducedMessage): unknown {
  const h = m.headers
  if (!(err instanceof KafkaMessageTooLargeError) || !h?.[DLQ_HEADERS.sourceTopic]) return err
  const at = `${String(h[DLQ_HEADERS.sourceTopic])} partition ${String(h[DLQ_HEADERS.sourcePartition])} offset ${String(h[DLQ_HEADERS.sourceOffset])}`
  return new KafkaMessageTooLargeError(`${err.message}: the message at ${at} is too large for the dead-letter topic as well. Raise the topic's max.message.bytes, or move the consumer group past that offset`)
}

/** Groups the messages, in order, into requests of at most `maxBytes` (a bigger message goes alone). */
export function splitRequests(outputTopic: string, outputs: ProducedMessage[], dlqTopic: string, dead: ProducedMessage[], maxBytes = MAX_REQUEST_BYTES): TopicMessages[][] {
  const requests: TopicMessages[][] = []
  let request: TopicMessages[] = []
  let bytes = 0
  const add = (topic: string, m: ProducedMessage): void => {
    const size = messageBytes(m)
    if (bytes + size > maxBytes && bytes > 0) {
      requests.push(request)
      request = []
      bytes = 0
    }
    const last = request[request.length - 1]
    if (last?.topic === topic) last.messages.push(m)
    else request.push({ topic, messages: [m] })
    bytes += size
  }
  for (const m of outputs) add(outputTopic, m)
  for (const m of dead) add(dlqTopic, m)
  if (bytes > 0) requests.push(request)
  return requests
}

/** About what a message adds to a produce request, in bytes. */
function messageBytes(m: ProducedMessage): number {
  if (m.fields) return 24 + m.fields.length
  const len = (v: string | Buffer): number => (typeof v === 'string' ? Buffer.byteLength(v) : v.length)
  let n = 24 + (m.key ? len(m.key) : 0) + (m.value ? len(m.value) : 0)
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) n += 8 + Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((sum, x) => sum + len(x), 0) : len(v))
  }
  return n
}
