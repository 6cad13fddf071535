import { JsonRowEncoder } from '../data/json-rows.js'
import { cellText, columnIndex, isMissingAt, type Table } from '../data/table.js'
import { DataError, UsageError } from '../errors.js'
import type { KafkaClient, ProducedMessage } from './client.js'

/** Messages per produce request: big enough to be fast, small enough to stay well under the broker's 1 MB default... */
export const LOAD_BATCH_SIZE = 500
/** ...and bytes per produce request (rows of long texts reach them first). */
const LOAD_BATCH_BYTES = 512 * 1024
/** Kafka's default max message size (the broker's message.max.bytes, 1,048,588), less a record batch's overhead. */
const MAX_MESSAGE_BYTES = 1_048_588 - 1024

/**
 * The first row whose message (its JSON and key) would be over MAX_MESSAGE_BYTES, or null: checked before
 * anything is written, as a topic loaded up to a bad row is worse than none. A row is encoded to check
 * only when its text cells could make it that big (JSON escapes a character in at most 6 bytes).
 */
function oversizedRow(table: Table, encoder: JsonRowEncoder, keyOf: (i: number) => string | null): { row: number; bytes: number } | null {
  const texts = table.columns.flatMap((c) => (c.type === 'categorical' ? [{ codes: c.codes, lengths: c.levels.map((l) => l.length) }] : []))
  if (texts.length === 0) return null
  const floor = MAX_MESSAGE_BYTES / 6 - 64 * table.columns.length
  for (let i = 0; i < table.nRows; i++) {
    let chars = 0
    for (const t of texts) chars += t.codes[i] >= 0 ? t.lengths[t.codes[i]] : 0
    if (chars < floor) continue
    const bytes = Buffer.byteLength(encoder.encode(i)) + Buffer.byteLength(keyOf(i) ?? '')
    if (bytes > MAX_MESSAGE_BYTES) return { row: i, bytes }
  }
  return null
}

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

  const encoder = new JsonRowEncoder(table)
  const keyOf = (i: number): string | null => {
    if (keyColumn < 0) return null
    const c = table.columns[keyColumn]
    return isMissingAt(c, i) ? null : cellText(c, i)
  }

  const big = oversizedRow(table, encoder, keyOf)
  if (big) {
    const where = table.lines ? { file: table.source, line: table.lines[big.row] } : { file: table.source }
    throw new DataError(
      where,
      `${table.lines ? 'this row' : `data row ${big.row + 1}`} is ${(big.bytes / 1e6).toFixed(2)} MB as a JSON message, over Kafka's default max message size (1 MB)`,
      'Shorten its long cells or leave their columns out of the file; nothing was written',
    )
  }

  const { created, partitions } = await client.createTopicIfMissing(topic, options.partitions)
  const messagesBefore = created ? 0 : (await client.fetchEndOffsets(topic)).reduce((s, o) => s + (o.high - o.low), 0)

  const producer = await client.openProducer()
  try {
    let batch: ProducedMessage[] = []
    let bytes = 0
    const flush = async (sent: number): Promise<void> => {
      await producer.send(topic, batch)
      options.onProgress?.(sent, table.nRows)
      batch = []
      bytes = 0
    }
    for (let i = 0; i < table.nRows; i++) {
      const message = { key: keyOf(i), value: encoder.encode(i) }
      const size = Buffer.byteLength(message.value) + (message.key === null ? 0 : Buffer.byteLength(message.key))
      if (batch.length > 0 && (batch.length >= LOAD_BATCH_SIZE || bytes + size > LOAD_BATCH_BYTES)) await flush(i)
      batch.push(message)
      bytes += size
    }
    if (batch.length > 0) await flush(table.nRows)
  } finally {
    await producer.close()
  }
  return { topic, rows: table.nRows, partitions, created, messagesBefore, ms: Math.round(performance.now() - t0) }
}
