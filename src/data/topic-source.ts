import { createHash } from 'node:crypto'
import type { KafkaClient, OffsetRange, TopicRecord } from '../kafka/client.js'
import { TopicDataError } from '../kafka/errors.js'
import { ColumnBuilder } from './column-builder.js'
import { parseCsvMessage } from './csv.js'
import { JsonTableBuilder, parseJsonRow } from './json-rows.js'
import type { Column, Table } from './table.js'
import { plural } from '../words.js'

/**
 * A Kafka topic as a table: a bounded snapshot. The end offset of every partition is fixed when the
 * read starts, so a live topic cannot make it run forever; rows are ordered by (partition, offset),
 * so the same messages always give the same table, and the same rows in a 1-partition topic give the
 * same table as the CSV file they came from.
 */

export type TopicFormat = 'json' | 'csv'
export const TOPIC_FORMATS: readonly TopicFormat[] = ['json', 'csv']

export interface BadMessage {
  partition: number
  offset: number
  reason: string
}

export interface TopicSnapshotOptions {
  client: KafkaClient
  topic: string
  /** json: one object per message (the default); csv: one CSV line per message, named by `columns`. */
  format?: TopicFormat
  /** csv: the names of the fields (required). json: keep only these keys, in this order. */
  columns?: string[]
  /** Start at the first message at or after this time in each partition, instead of the beginning. */
  fromTimestamp?: Date
  /** Read at most this many messages, shared among the partitions in proportion to their size. */
  maxMessages?: number
  /** Fail when more than this share of the messages are not rows (default 0.01). */
  maxBadShare?: number
  /** Messages read so far of the snapshot's total. */
  onProgress?: (read: number, total: number) => void
}

export interface TopicSnapshot {
  table: Table
  /** Messages that are not rows, in (partition, offset) order. */
  bad: BadMessage[]
  /** Messages read (rows + bad). */
  messages: number
  partitions: number
  /** The offsets read, [start, end) per partition. */
  ranges: OffsetRange[]
}

export const DEFAULT_MAX_BAD_SHARE = 0.01

/**
 * Splits `max` messages among partitions in proportion to their sizes (largest remainder, ties to the
 * lower partition), so which messages a bounded read takes never depends on fetch timing.
 */
export function limitRanges(ranges: OffsetRange[], max: number): OffsetRange[] {
  const total = ranges.reduce((s, r) => s + (r.end - r.start), 0)
  if (total <= max) return ranges
  const quota = ranges.map((r) => Math.floor(((r.end - r.start) * max) / total))
  let left = max - quota.reduce((s, q) => s + q, 0)
  const byRemainder = ranges
    .map((r, i) => ({ i, rem: ((r.end - r.start) * max) / total - quota[i] }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i)
  for (const { i } of byRemainder) {
    if (left === 0) break
    if (quota[i] < ranges[i].end - ranges[i].start) {
      quota[i]++
      left--
    }
  }
  return ranges.map((r, i) => ({ partition: r.partition, start: r.start, end: r.start + quota[i] }))
}

/** Where each partition's snapshot starts and ends. */
async function snapshotRanges(client: KafkaClient, topic: string, fromTimestamp?: Date): Promise<OffsetRange[]> {
  const ends = await client.fetchEndOffsets(topic)
  if (!fromTimestamp) return ends.map((o) => ({ partition: o.partition, start: o.low, end: o.high }))
  const starts = new Map((await client.fetchOffsetsAt(topic, fromTimestamp)).map((o) => [o.partition, o.offset]))
  return ends.map((o) => {
    const start = Math.max(o.low, Math.min(starts.get(o.partition) ?? o.high, o.high))
    return { partition: o.partition, start, end: o.high }
  })
}

function formatShare(share: number): string {
  const pct = share * 100
  return `${Number(pct.toPrecision(pct < 1 ? 2 : 3))}%`
}

/** "partition 0 offset 17: not valid JSON; ..." for the first few bad messages. */
export function describeBadMessages(bad: BadMessage[], first = 3): string {
  const shown = bad.slice(0, first).map((b) => `partition ${b.partition} offset ${b.offset}: ${b.reason}`)
  if (bad.length > first) shown.push(`and ${bad.length - first} more`)
  return shown.join('; ')
}

/** A warning for messages skipped within --max-bad: a heading line, then one line per message (the first `first`). */
export function describeBadMessagesList(topic: string, bad: BadMessage[], messages: number, maxBadShare: number, first = 10): string[] {
  const lines = [
    `warning: topic ${topic}: skipped ${plural(bad.length, 'message')} of ${messages} that ${bad.length === 1 ? 'is' : 'are'} not a row (${formatShare(bad.length / messages)}, within --max-bad ${formatShare(maxBadShare)}):`,
  ]
  for (const b of bad.slice(0, first)) lines.push(`  partition ${b.partition} offset ${b.offset}: ${b.reason}`)
  if (bad.length > first) lines.push(`  and ${bad.length - first} more (--json lists the first 100)`)
  return lines
}

/** Decodes the messages in order into builders; returns the bad ones. */
function buildColumns(records: TopicRecord[], format: TopicFormat, columns: string[] | undefined, topic: string): { columns: Column[]; rows: number; bad: BadMessage[] } {
  const bad: BadMessage[] = []
  if (format === 'json') {
    const builder = new JsonTableBuilder(columns)
    for (const r of records) {
      if (r.value === null) {
        bad.push({ partition: r.partition, offset: r.offset, reason: 'no value (a tombstone)' })
        continue
      }
      const row = parseJsonRow(r.value)
      if ('bad' in row) bad.push({ partition: r.partition, offset: r.offset, reason: row.bad })
      else builder.add(row.cells)
    }
    const missing = builder.rows > 0 ? builder.neverSeen() : []
    if (missing.length > 0) {
      throw new TopicDataError(
        { topic },
        `--columns names ${missing.map((m) => JSON.stringify(m)).join(', ')} but no message has ${missing.length === 1 ? 'that key' : 'those keys'}`,
        'Check the spelling against the keys of the messages',
      )
    }
    return { columns: builder.finish(), rows: builder.rows, bad }
  }

  const names = columns!
  const builders = names.map((n) => new ColumnBuilder(n))
  let rows = 0
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  for (const r of records) {
    const at = { partition: r.partition, offset: r.offset }
    if (r.value === null) {
      bad.push({ ...at, reason: 'no value (a tombstone)' })
      continue
    }
    let text: string
    try {
      text = utf8.decode(r.value)
    } catch {
      bad.push({ ...at, reason: 'not UTF-8 text' })
      continue
    }
    const line = parseCsvMessage(text, names)
    if ('bad' in line) {
      bad.push({ ...at, reason: line.bad })
      continue
    }
    for (let j = 0; j < names.length; j++) builders[j].push(line.fields[j])
    rows++
  }
  return { columns: builders.map((b) => b.finish()), rows, bad }
}

/** Reads a bounded snapshot of a topic into a Table. Throws TopicDataError for what a user must fix. */
export async function readTopicSnapshot(options: TopicSnapshotOptions): Promise<TopicSnapshot> {
  const { client, topic } = options
  const format = options.format ?? 'json'
  const maxBadShare = options.maxBadShare ?? DEFAULT_MAX_BAD_SHARE
  if (format === 'csv' && (options.columns === undefined || options.columns.length === 0)) {
    throw new TopicDataError({ topic }, 'CSV messages have no header', 'Name their fields with --columns a,b,c')
  }

  const full = await snapshotRanges(client, topic, options.fromTimestamp)
  const ranges = options.maxMessages !== undefined ? limitRanges(full, options.maxMessages) : full
  const total = ranges.reduce((s, r) => s + (r.end - r.start), 0)
  if (total === 0) {
    const partitions = plural(full.length, 'partition')
    if (options.fromTimestamp) {
      throw new TopicDataError({ topic }, `no messages at or after ${options.fromTimestamp.toISOString()} (${partitions})`, 'Pass an earlier --from-timestamp, or leave it out to read from the beginning')
    }
    throw new TopicDataError({ topic }, `the topic has no messages (${partitions})`, `Produce rows to it first, e.g. mlkafka topic load FILE.csv --topic ${topic}`)
  }

  // Buffered per partition and ordered by offset, so fetch timing never changes the row order.
  const byPartition = new Map<number, TopicRecord[]>(ranges.map((r) => [r.partition, []]))
  let read = 0
  options.onProgress?.(0, total)
  await client.readRanges(topic, ranges, (records) => {
    const list = byPartition.get(records[0].partition)!
    for (const r of records) list.push(r)
    read += records.length
    options.onProgress?.(read, total)
  })

  const ordered: TopicRecord[] = []
  const hash = createHash('sha256')
  const length = Buffer.alloc(4)
  for (const r of ranges) {
    const list = byPartition.get(r.partition)!
    list.sort((a, b) => a.offset - b.offset)
    for (const rec of list) {
      // Each value prefixed by its length (0xffffffff for none), so value boundaries count too.
      length.writeUInt32BE(rec.value === null ? 0xffffffff : rec.value.length)
      hash.update(length)
      if (rec.value !== null) hash.update(rec.value)
      ordered.push(rec)
    }
  }

  const built = buildColumns(ordered, format, options.columns, topic)
  const messages = ordered.length
  const { bad } = built
  const badShare = messages > 0 ? bad.length / messages : 0
  if (bad.length > 0 && badShare > maxBadShare) {
    throw new TopicDataError(
      { topic },
      `${bad.length} of ${messages} messages are not ${format === 'json' ? 'rows (flat JSON objects)' : 'CSV rows'} (${formatShare(badShare)}, more than --max-bad ${formatShare(maxBadShare)}): ${describeBadMessages(bad)}`,
      'Fix the producer, or raise --max-bad to skip them',
    )
  }
  if (built.rows === 0) {
    throw new TopicDataError({ topic }, `none of the ${plural(messages, 'message')} is a row: ${describeBadMessages(bad)}`, 'Fix the producer, or check --format')
  }

  if (built.columns.length === 0) {
    throw new TopicDataError({ topic }, `the ${plural(built.rows, 'message')} are JSON objects without keys ({})`, 'Produce objects with one key per column')
  }

  return {
    table: { source: `topic ${topic}`, nRows: built.rows, columns: built.columns, fingerprint: `sha256:${hash.digest('hex')}` },
    bad,
    messages,
    partitions: full.length,
    ranges,
  }
}
