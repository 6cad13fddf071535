import { readCsv, type CsvReadOptions } from '../data/csv.js'
import { checkTopicName } from '../kafka/topic-names.js'
import { UsageError } from '../errors.js'
import type { Table } from '../data/table.js'
import { describeBadMessagesList, readTopicSnapshot, type BadMessage } from '../data/topic-source.js'
import { kafkaClientFromFlags, sayBrokerSilence, topicProgress, topicReadSettings, type TopicReadFlagValues } from './kafka-flags.js'

/** What a topic snapshot adds to a command's --json output: how much was read and what was skipped. */
export interface TopicReadSummary {
  name: string
  partitions: number
  messages: number
  skipped: number
  /** The first 100 skipped messages. */
  bad: BadMessage[]
}

/**
 * The CSV file a command reads: its FILE argument, or --csv FILE as `automl train` and `predict` take it
 * (either spelling works); undefined when neither is given, a UsageError when both are.
 */
export function csvFileOf(arg: string | undefined, flag: string | undefined): string | undefined {
  if (arg !== undefined && flag !== undefined && arg !== flag) throw new UsageError(`pass the CSV file once: as FILE (${arg}) or as --csv (${flag})`)
  return arg ?? flag
}

/** The --delimiter text every CSV command's help gives. */
export const DELIMITER_HELP = "field delimiter: ',' ';' '|' or 'tab' (when omitted, ',' ';' or tab as the header line shows)"

/** The delimiter --delimiter names: `,` `;` `|` or a tab (`tab`, `\t`); undefined to detect it; a usage error for anything else. */
export function delimiterOf(flag: string | undefined): string | undefined {
  if (flag === undefined) return undefined
  if (flag === 'tab' || flag === '\\t' || flag === '\t') return '\t'
  if (flag === ',' || flag === ';' || flag === '|') return flag
  throw new UsageError(`--delimiter ${JSON.stringify(flag)}: use ',', ';', '|' or tab (or leave it out to detect it from the header)`)
}

export async function readCsvFromFlags(file: string, delimiterFlag: string | undefined, options: Omit<CsvReadOptions, 'delimiter'> = {}): Promise<Table> {
  return readCsv(file, { ...options, delimiter: delimiterOf(delimiterFlag) })
}

/**
 * Reads a bounded snapshot of a topic as a table (progress on a terminal); skipped messages are listed
 * on stderr unless `quiet` (--json).
 */
export async function readTopicFromFlags(flags: TopicReadFlagValues & { topic: string }, quiet: boolean): Promise<{ table: Table; topic: TopicReadSummary }> {
  checkTopicName('--topic', flags.topic)
  const settings = topicReadSettings(flags)
  const client = await kafkaClientFromFlags(flags)
  const progress = topicProgress(`reading topic ${flags.topic}`)
  sayBrokerSilence(client, `reading topic ${flags.topic}`)
  try {
    const snapshot = await readTopicSnapshot({ client, topic: flags.topic, ...settings, onProgress: progress.update })
    if (snapshot.bad.length > 0 && !quiet) {
      process.stderr.write(`${describeBadMessagesList(flags.topic, snapshot.bad, snapshot.messages, settings.maxBadShare).join('\n')}\n`)
    }
    const topic = { name: flags.topic, partitions: snapshot.partitions, messages: snapshot.messages, skipped: snapshot.bad.length, bad: snapshot.bad.slice(0, 100) }
    return { table: snapshot.table, topic }
  } finally {
    progress.end()
    await client.close()
  }
}
