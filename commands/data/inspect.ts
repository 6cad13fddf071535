import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { rejectTopicOnlyFlags, topicSourceFlags } from '../../src/cli/kafka-flags.js'
import { csvFileOf, DELIMITER_HELP, readCsvFromFlags, readTopicFromFlags, type TopicReadSummary } from '../../src/cli/table-source.js'
import { renderInspectReport } from '../../src/cli/render-inspect.js'
import { inspectTable, type InspectReport } from '../../src/data/inspect.js'
import { parseTask, TASKS } from '../../src/data/target.js'
import type { Table } from '../../src/data/table.js'
import { DataError, UsageError } from '../../src/errors.js'

export default class DataInspect extends BaseCommand {
  static override description =
    'Show the schema of a CSV file or a Kafka topic: each column\'s inferred type, missing values, distinct values and range or top levels. With --target, also the task (binary, multiclass or regression) and the class balance. A topic is read as a bounded snapshot: its messages up to the moment the command starts.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> examples/car-sensors.csv',
    '<%= config.bin %> <%= command.id %> examples/car-sensors.csv --target failure',
    '<%= config.bin %> <%= command.id %> data.csv --target price --task regression --json',
    '<%= config.bin %> <%= command.id %> export.tsv --delimiter tab',
    '<%= config.bin %> <%= command.id %> --topic car-sensors --brokers 127.0.0.1:9092 --target failure',
    '<%= config.bin %> <%= command.id %> --topic readings --format csv --columns ts,sensor,value --max-messages 100000',
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({ description: 'CSV file to inspect (header row required); or read a topic with --topic', ignoreStdin: true }),
  }

  static override flags = {
    csv: Flags.string({ description: 'CSV file to inspect: the same as FILE (as `automl train` and `predict` take it)' }),
    target: Flags.string({ char: 't', description: 'target column: also show the task and class balance' }),
    task: Flags.string({ description: 'override the inferred task', options: [...TASKS] }),
    delimiter: Flags.string({ char: 'd', description: DELIMITER_HELP }),
    ...topicSourceFlags,
  }

  async run(): Promise<InspectReport & { topic?: TopicReadSummary }> {
    const { args, flags } = await this.parse(DataInspect)
    const file = csvFileOf(args.file, flags.csv)
    if ((file === undefined) === (flags.topic === undefined)) {
      throw new UsageError(file === undefined ? 'pass a CSV FILE or --topic NAME to inspect' : 'pass either a CSV FILE or --topic NAME, not both')
    }
    if (flags.task !== undefined && flags.target === undefined) throw new UsageError('--task applies to the target: pass --target COL with it')

    let table: Table
    let topic: TopicReadSummary | undefined
    if (file !== undefined) {
      rejectTopicOnlyFlags(flags, 'a CSV file')
      table = await readCsvFromFlags(file, flags.delimiter)
    } else {
      if (flags.delimiter !== undefined) throw new UsageError('--delimiter only applies to a CSV file; for messages that are CSV lines use --format csv --columns a,b,c')
      ;({ table, topic } = await readTopicFromFlags({ ...flags, topic: flags.topic! }, this.jsonEnabled()))
    }

    // Header names are trimmed when read, so a target name is too.
    const task = parseTask(flags.task)
    let report: InspectReport
    try {
      report = inspectTable(table, flags.target?.trim(), task)
    } catch (err) {
      // A column that cannot be the target (one value, a name per row...): the columns are still worth
      // seeing, so the table comes first, then the error (exit 1) says what is wrong with the target.
      if (!(err instanceof DataError) || this.jsonEnabled()) throw err
      this.log(renderInspectReport(inspectTable(table)))
      throw err
    }
    if (!this.jsonEnabled()) this.log(renderInspectReport(report))
    return topic ? { ...report, topic } : report
  }
}
