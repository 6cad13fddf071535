import type { ProducedMessage, TopicMessages, TopicProducer } from '../kafka/client.js'

/** Bytes per produce request: well under the broker's 1 MB message.max.bytes per partition batch. */
export const MAX_REQUEST_BYTES = 512 * 1024

/** Sends outputs and dead letters in requests of at most MAX_REQUEST_BYTES, one after the other (acks all). */
export async function sendInRequests(producer: TopicProducer, outputTopic: string, outputs: ProducedMessage[], dlqTopic: string, dead: ProducedMessage[]): Promise<void> {
  for (const request of splitRequests(outputTopic, outputs, dlqTopic, dead)) await producer.sendTopics(request)
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
