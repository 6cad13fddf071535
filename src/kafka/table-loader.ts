import { JsonRowEncoder } from '../data/json-rows.js'
import { cellText, columnIndex, isMissingAt, type Table } from '../data/table.js'
import { UsageError } from '../errors.js'
import type { KafkaClient, ProducedMessage } from './client.js'

/** Messages per produce request: big enough to be fast, small enough to stay well under the broker's 1 MB default. */
export const LOAD_BATCH_SIZE = 500

export interface LoadTableOptions {
  client: KafkaClient
  table: Table
  topic: string
  /** Partitions of the topic when it has to be created. */
  partitions: number
  /** Column whose text is each message's key (rows with it missing get no key). */
  key?: string
  onProgress?: (rowsSent: number, total: number) => void
}

export interface LoadTableResult {
  topic: string
  rows: number
  partitions: number
  created: boolean
  /** Messages the topic held before this load (the new ones were appended after them). */
  messagesBefore: number
  ms: number
}

/** Produces every row of the table to the topic as a JSON object, creating the topic if it is missing. */
export async function loadTableIntoTopic(options: LoadTableOptions): Promise<LoadTableResult> {
  const { client, table, topic } = options
  const t0 = performance.now()
  let keyColumn = -1
  if (options.key !== undefined) {
    keyColumn = columnIndex(table, options.key)
    if (keyColumn < 0) {
      throw new UsageError(`--key: column "${options.key}" is not in ${table.source} (columns: ${table.columns.map((c) => c.name).join(', ')})`)
    }
  }

  const { created, partitions } = await client.createTopicIfMissing(topic, options.partitions)
  const messagesBefore = created ? 0 : (await client.fetchEndOffsets(topic)).reduce((s, o) => s + (o.high - o.low), 0)
  const encoder = new JsonRowEncoder(table)
  const keyOf = (i: number): string | null => {
    if (keyColumn < 0) return null
    const c = table.columns[keyColumn]
    return isMissingAt(c, i) ? null : cellText(c, i)
  }

  const producer = await client.openProducer()
  try {
    for (let from = 0; from < table.nRows; from += LOAD_BATCH_SIZE) {
      const to = Math.min(table.nRows, from + LOAD_BATCH_SIZE)
      const batch: ProducedMessage[] = []
      for (let i = from; i < to; i++) batch.push({ key: keyOf(i), value: encoder.encode(i) })
      await producer.send(topic, batch)
      options.onProgress?.(to, table.nRows)
    }
  } finally {
    await producer.close()
  }
  return { topic, rows: table.nRows, partitions, created, messagesBefore, ms: Math.round(performance.now() - t0) }
}
