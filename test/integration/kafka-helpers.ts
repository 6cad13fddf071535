import { randomBytes } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { inject } from 'vitest'
import { createKafkaClient, type KafkaClient, type ProducedMessage } from '../../src/kafka/client.js'
import type { KafkaLogEntry } from '../../src/kafka/log.js'

/** The test cluster ('' when Kafka tests are skipped: no Java outside CI). */
export const brokers = inject('kafkaBrokers')
export const skipReason = inject('kafkaSkipReason')
export const suiteName = (name: string): string => `${name} (kafka ${brokers || `skipped: ${skipReason}`})`

/** A topic name no other test (or earlier run on the same cluster) uses. */
export function freshTopic(prefix: string): string {
  return `mlkafka-test-${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

/** A client on the test cluster whose log lines are kept, not printed. */
export async function testClient(): Promise<KafkaClient & { logged: KafkaLogEntry[] }> {
  const logged: KafkaLogEntry[] = []
  const client = await createKafkaClient({ brokers, log: (e) => logged.push(e) })
  return Object.assign(client, { logged })
}

/** Creates the topic and produces the messages in batches (in order, per partition when given). */
export async function produce(client: KafkaClient, topic: string, messages: ProducedMessage[], partitions = 1): Promise<void> {
  await client.createTopicIfMissing(topic, partitions)
  const producer = await client.openProducer()
  try {
    for (let i = 0; i < messages.length; i += 500) await producer.send(topic, messages.slice(i, i + 500))
  } finally {
    await producer.close()
  }
}

/** Creates a 1-partition topic with topic configs (say max.message.bytes), through kafkajs's admin. */
export async function createTopicWithConfig(topic: string, configs: Record<string, string>): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }], waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}
