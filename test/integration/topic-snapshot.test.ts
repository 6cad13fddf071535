import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCsv } from '../../src/data/csv.js'
import { readTopicSnapshot } from '../../src/data/topic-source.js'
import type { NumericColumn } from '../../src/data/table.js'
import type { KafkaClient } from '../../src/kafka/client.js'
import { TopicDataError } from '../../src/kafka/errors.js'
import { loadTableIntoTopic } from '../../src/kafka/table-loader.js'
import { brokers, freshTopic, produce, suiteName, testClient } from './kafka-helpers.js'

/** The bounded topic reader as a library, on a real broker. */

describe.skipIf(!brokers)(suiteName('readTopicSnapshot'), () => {
  let client: KafkaClient & { logged: unknown[] }
  beforeAll(async () => {
    client = await testClient()
  })
  afterAll(async () => {
    await client?.close()
  })

  it('the rows of a CSV file loaded into a 1-partition topic give exactly the same Table', async () => {
    const csv = await readCsv('examples/car-sensors.csv')
    const topic = freshTopic('same-table')
    const loaded = await loadTableIntoTopic({ client, table: csv, topic, partitions: 1 })
    expect(loaded).toMatchObject({ rows: 5000, partitions: 1, created: true })
    const progress: [number, number][] = []
    const t0 = performance.now()
    const snap = await readTopicSnapshot({ client, topic, onProgress: (read, total) => progress.push([read, total]) })
    const ms = performance.now() - t0
    console.log(`[timing] topic load of 5000 rows: ${loaded.ms} ms; snapshot read of 5000 messages: ${Math.round(ms)} ms`)
    expect(snap.messages).toBe(5000)
    expect(snap.bad).toEqual([])
    expect(snap.table.source).toBe(`topic ${topic}`)
    expect(snap.table.nRows).toBe(csv.nRows)
    expect(snap.table.columns).toEqual(csv.columns)
    expect(progress[0]).toEqual([0, 5000])
    expect(progress.at(-1)).toEqual([5000, 5000])
  })

  it('a live producer appending during the read does not make it read past the start offsets', async () => {
    const topic = freshTopic('live')
    const row = (seq: number) => ({ value: JSON.stringify({ seq, v: seq % 7 }) })
    await produce(
      client,
      topic,
      Array.from({ length: 3000 }, (_, i) => row(i)),
    )
    const producer = await client.openProducer()
    let next = 3000
    let acked = 3000
    let stop = false
    // Bounded: at most 200 batches of 50 (10,000 messages, about 10 s) whatever happens to the read.
    const appending = (async () => {
      for (let b = 0; b < 200 && !stop; b++) {
        await producer.send(topic, Array.from({ length: 50 }, () => row(next++)))
        acked = next
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    try {
      while (next < 3200) await new Promise((r) => setTimeout(r, 20)) // appending for real before the read starts
      const snap = await readTopicSnapshot({ client, topic })
      const ends = snap.ranges.reduce((s, r) => s + r.end, 0)
      expect(snap.messages).toBe(ends)
      expect(snap.messages).toBeGreaterThanOrEqual(3200)
      // The snapshot is exactly the prefix 0..n-1: nothing past the offsets fixed at the start.
      const seq = snap.table.columns[0] as NumericColumn
      expect(Array.from(seq.values)).toEqual(Array.from({ length: snap.messages }, (_, i) => i))
      // A fast read can finish before the next batch lands: wait (bounded) until one has been acknowledged.
      for (let i = 0; i < 200 && acked <= snap.messages; i++) await new Promise((r) => setTimeout(r, 50))
      const high = (await client.fetchEndOffsets(topic))[0].high
      expect(high).toBeGreaterThan(snap.messages) // the producer kept appending during the read
    } finally {
      stop = true
      await appending
      await producer.close()
    }
  })

  it('--from-timestamp starts each partition at the first message at or after the time', async () => {
    const topic = freshTopic('time')
    const old = new Date('2020-01-01T00:00:00Z')
    const recent = new Date('2024-06-01T00:00:00Z')
    await produce(client, topic, [
      ...Array.from({ length: 10 }, (_, i) => ({ value: JSON.stringify({ i, era: 'old' }), timestamp: old })),
      ...Array.from({ length: 15 }, (_, i) => ({ value: JSON.stringify({ i, era: 'new' }), timestamp: recent })),
    ])
    const snap = await readTopicSnapshot({ client, topic, fromTimestamp: new Date('2023-01-01T00:00:00Z') })
    expect(snap.table.nRows).toBe(15)
    expect(snap.ranges).toEqual([{ partition: 0, start: 10, end: 25 }])
    const era = snap.table.columns[1]
    expect(era.type === 'categorical' && era.levels).toEqual(['new'])

    const none = readTopicSnapshot({ client, topic, fromTimestamp: new Date('2030-01-01T00:00:00Z') })
    await expect(none).rejects.toThrow(TopicDataError)
    await expect(none).rejects.toThrow(`topic ${topic}: no messages at or after 2030-01-01T00:00:00.000Z (1 partition)`)
  })

  it('JSON columns are the union of keys in first-seen order; --columns keeps and orders a subset', async () => {
    const topic = freshTopic('keys')
    await produce(client, topic, [
      { value: JSON.stringify({ a: 1, b: 'x' }) },
      { value: JSON.stringify({ b: 'y', c: true }) },
      { value: JSON.stringify({ a: null, c: false, d: '2.5' }) },
      { value: null }, // a tombstone is a bad message
    ])
    const snap = await readTopicSnapshot({ client, topic, maxBadShare: 0.5 })
    expect(snap.table.columns.map((c) => [c.name, c.type])).toEqual([
      ['a', 'numeric'],
      ['b', 'categorical'],
      ['c', 'boolean'],
      ['d', 'numeric'],
    ])
    expect(Array.from((snap.table.columns[0] as NumericColumn).values)).toEqual([1, NaN, NaN])
    expect(snap.bad).toEqual([{ partition: 0, offset: 3, reason: 'no value (a tombstone)' }])

    const subset = await readTopicSnapshot({ client, topic, columns: ['d', 'a'], maxBadShare: 0.5 })
    expect(subset.table.columns.map((c) => c.name)).toEqual(['d', 'a'])
    await expect(readTopicSnapshot({ client, topic, columns: ['a', 'zz'], maxBadShare: 0.5 })).rejects.toThrow(
      '--columns names "zz" but no message has that key',
    )
  })

  it('createGroupConsumer: a group member that hands over records and resumes after its committed offsets', async () => {
    const topic = freshTopic('group')
    await produce(client, topic, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) })))
    const groupId = `${topic}-group`
    const readAll = async (expected: number): Promise<number[]> => {
      const seen: number[] = []
      const consumer = client.createGroupConsumer(groupId)
      let done: () => void = () => {}
      const enough = new Promise<void>((resolve) => (done = resolve))
      await consumer.start(topic, {
        fromBeginning: true,
        onRecords: async (records) => {
          for (const r of records) seen.push(JSON.parse(r.value!.toString()).i as number)
          if (seen.length >= expected) done()
        },
      })
      await Promise.race([enough, new Promise((r) => setTimeout(r, 20_000))])
      await consumer.stop()
      return seen
    }
    expect(await readAll(30)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    await produce(client, topic, Array.from({ length: 5 }, (_, i) => ({ value: JSON.stringify({ i: 30 + i }) })))
    expect(await readAll(5)).toEqual([30, 31, 32, 33, 34])
  })
})
