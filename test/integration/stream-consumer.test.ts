import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KafkaClient, StreamBatch } from '../../src/kafka/client.js'
import { brokers, freshTopic, suiteName, testClient } from './kafka-helpers.js'

/**
 * The stream consumer under `mlkafka serve`, on a real broker: with two batches of a partition in the
 * handler at once, writes keep the partition's order and a batch is committed only once handled.
 */

const PARTITIONS = 2
const PER_PARTITION = 40
/** 100 KB values: a fetch (1 MB per partition) holds about ten, so each partition comes in several batches. */
const VALUE = Buffer.alloc(100 * 1024, 'x')

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function waitFor(what: string, done: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const t0 = Date.now()
  while (!(await done())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe.skipIf(!brokers)(suiteName('StreamConsumer'), () => {
  let client: KafkaClient
  let topic: string

  beforeAll(async () => {
    client = await testClient()
    topic = freshTopic('stream-consumer')
    await client.createTopicIfMissing(topic, PARTITIONS)
    const producer = await client.openProducer()
    try {
      // Four 100 KB messages per request: under the broker's 1 MB per partition batch.
      for (let i = 0; i < PER_PARTITION; i += 4) {
        await producer.sendTopics([{ topic, messages: Array.from({ length: PARTITIONS * 4 }, (_, j) => ({ key: `k${i + (j >> 1)}`, value: VALUE, partition: j % PARTITIONS })) }])
      }
    } finally {
      await producer.close()
    }
  })

  afterAll(async () => {
    await client?.close()
  })

  const committed = async (group: string): Promise<number[]> => (await client.fetchCommittedOffsets(group, topic)).map((c) => c.offset ?? 0)
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

  it('two batches of a partition in the handler at once: writes in offset order, each offset once, all committed', async () => {
    const group = `${topic}-ordered`
    const consumer = client.createStreamConsumer(group, { partitionsConsumedConcurrently: PARTITIONS, batchesInFlight: 2 })
    const written = range(PARTITIONS).map((): number[] => [])
    const inHandler = range(PARTITIONS).map(() => 0)
    const most = range(PARTITIONS).map(() => 0)
    await consumer.start(topic, async (batch: StreamBatch) => {
      const p = batch.partition
      most[p] = Math.max(most[p], ++inHandler[p])
      try {
        await sleep(150) // scoring: overlaps the batch before
        await batch.after
        written[p].push(...batch.records.map((r) => r.offset))
        await sleep(20) // writing
      } finally {
        inHandler[p]--
      }
    })
    await waitFor('every message written', () => written.every((w) => w.length >= PER_PARTITION))
    await waitFor('every offset committed', async () => (await committed(group)).every((o) => o === PER_PARTITION))
    await consumer.stop()
    for (const w of written) expect(w).toEqual(range(PER_PARTITION))
    expect(most).toEqual([2, 2])
  })

  it('a failed batch is not committed, nor is any later batch of its partition written; done() rejects with the error', async () => {
    const group = `${topic}-failing`
    const consumer = client.createStreamConsumer(group, { partitionsConsumedConcurrently: PARTITIONS, batchesInFlight: 2 })
    const written = range(PARTITIONS).map((): number[] => [])
    let batchesOf0 = 0
    let firstBatchEnd = -1
    await consumer.start(topic, async (batch: StreamBatch) => {
      const p = batch.partition
      const nth = p === 0 ? ++batchesOf0 : 0
      await sleep(50)
      await batch.after
      if (nth === 2) throw new Error('the output topic is gone')
      written[p].push(...batch.records.map((r) => r.offset))
      if (nth === 1) firstBatchEnd = batch.records[batch.records.length - 1].offset + 1
    })
    await expect(consumer.done()).rejects.toThrow('the output topic is gone')
    await consumer.stop()
    expect(firstBatchEnd).toBeGreaterThan(0)
    expect(firstBatchEnd).toBeLessThan(PER_PARTITION)
    expect(written[0]).toEqual(range(firstBatchEnd))
    const [c0, c1] = await committed(group)
    expect(c0).toBe(firstBatchEnd)
    // The other partition commits no more than it wrote.
    expect(c1).toBeLessThanOrEqual(written[1].length)
  })

  it('stop() finishes the batches in the handler and commits exactly what was written', async () => {
    const group = `${topic}-stopped`
    const consumer = client.createStreamConsumer(group, { partitionsConsumedConcurrently: PARTITIONS, batchesInFlight: 2 })
    const written = range(PARTITIONS).map((): number[] => [])
    await consumer.start(topic, async (batch: StreamBatch) => {
      await sleep(300)
      await batch.after
      written[batch.partition].push(...batch.records.map((r) => r.offset))
    })
    await waitFor('a first batch written on each partition', () => written.every((w) => w.length > 0))
    await consumer.stop()
    const counts = written.map((w) => w.length)
    expect(counts.some((n) => n < PER_PARTITION), 'stopped before the end').toBe(true)
    for (const [p, w] of written.entries()) expect(w).toEqual(range(counts[p]))
    expect(await committed(group)).toEqual(counts)
  })
})
