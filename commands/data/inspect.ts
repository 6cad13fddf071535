import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderInspectReport } from '../../src/cli/render-inspect.js'
import { readCsv } from '../../src/data/csv.js'
import { inspectTable, type InspectReport } from '../../src/data/inspect.js'
import { parseTask, TASKS } from '../../src/data/target.js'

export default class DataInspect extends BaseCommand {
  static override description =
    'Show the schema of a CSV file: each column\'s inferred type, missing values, distinct values and range or top levels. With --target, also the task (binary, multiclass or regression) and the class balance.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> examples/car-sensors.csv',
    '<%= config.bin %> <%= command.id %> examples/car-sensors.csv --target failure',
    '<%= config.bin %> <%= command.id %> data.csv --target price --task regression --json',
    '<%= config.bin %> <%= command.id %> export.tsv --delimiter tab',
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({ description: 'CSV file to inspect (header row required)', required: true }),
  }

  static override flags = {
    target: Flags.string({ char: 't', description: 'target column: also show the task and class balance' }),
    task: Flags.string({ description: 'override the inferred task', options: [...TASKS] }),
    delimiter: Flags.string({ char: 'd', description: "field delimiter: ',' ';' or 'tab' (detected from the header when omitted)" }),
  }

  async run(): Promise<InspectReport> {
    const { args, flags } = await this.parse(DataInspect)
    const delimiter = flags.delimiter === 'tab' ? '\t' : flags.delimiter
    const table = await readCsv(args.file, { delimiter })
    const report = inspectTable(table, flags.target, parseTask(flags.task))
    if (!this.jsonEnabled()) this.log(renderInspectReport(report))
    return report
  }
}
