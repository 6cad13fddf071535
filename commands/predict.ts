import { once } from 'node:events'
import { createWriteStream, rmSync } from 'node:fs'
import { lstat, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { UsageError, UserError } from '../src/errors.js'
import { loadModel } from '../src/ir/io.js'
import { scoreCsv, type ScoreCsvResult } from '../src/ir/score-csv.js'
import { samePath } from '../src/cli/paths.js'
import { csvFileOf, DELIMITER_HELP, delimiterOf } from '../src/cli/table-source.js'

export default class Predict extends BaseCommand {
  static override description =
    'Score a CSV file with a saved model: writes the input\'s columns plus `prediction`, one `p_<class>` column per class (classification) and `prediction_error` for rows that could not be scored.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --model mlkafka-runs/20261125T120000Z-failure/model.json --csv examples/car-sensors.csv --out scored.csv',
    '<%= config.bin %> <%= command.id %> --model model.json --csv new-rows.csv > scored.csv',
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({ description: 'CSV file to score: the same as --csv', ignoreStdin: true }),
  }

  static override flags = {
    model: Flags.string({ char: 'm', description: 'model.json written by `mlkafka automl train`' }),
    csv: Flags.string({ description: 'CSV file to score (header row required; the model\'s input columns must be there)' }),
    out: Flags.string({ char: 'o', description: 'output CSV (default: standard output)' }),
    delimiter: Flags.string({ char: 'd', description: DELIMITER_HELP }),
  }

  async run(): Promise<object> {
    const { args, flags: given } = await this.parse(Predict)
    const flags = { ...given, csv: csvFileOf(args.file, given.csv) }
    if (!flags.model) throw new UsageError('missing --model FILE: the model.json to score with')
    if (!flags.csv) throw new UsageError('missing --csv FILE: the CSV file to score')
    if (this.jsonEnabled() && !flags.out) throw new UsageError('--json needs --out FILE: standard output carries the JSON summary')
    const ir = await loadModel(flags.model)
    if (flags.out !== undefined && (await samePath(flags.out, flags.csv))) throw new UsageError(`--out ${flags.out} is the input file: write the scores to another file`)
    // The scores go to a file beside --out, renamed to it when all rows are written: an existing --out
    // stays as it was when the input turns out bad. Anything but a plain file there (a device such as
    // /dev/null, a pipe, a link) is written to as it is.
    const existing = flags.out === undefined ? null : await lstat(flags.out).catch(() => null)
    if (existing?.isDirectory()) throw new UserError(`--out ${flags.out} is a folder: pass a file name for the scores, e.g. ${join(flags.out!, 'scored.csv')}`)
    const partial = flags.out === undefined || (existing !== null && !existing.isFile()) ? undefined : join(dirname(flags.out), `.${basename(flags.out)}.${process.pid}.partial`)
    const target = partial ?? flags.out
    const out = target !== undefined ? createWriteStream(target) : process.stdout
    const opened = target !== undefined ? Promise.race([once(out, 'open'), once(out, 'error').then(([e]) => Promise.reject(e))]) : Promise.resolve()
    await opened.catch((err: NodeJS.ErrnoException) => {
      throw new UserError(`${flags.out}: cannot write the output (${err.code ?? err.message})`)
    })
    // Ctrl-C leaves no partial file behind.
    const onSignal = (): void => {
      if (partial) rmSync(partial, { force: true })
      process.exit(130)
    }
    if (partial) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal)
    let result: ScoreCsvResult
    try {
      result = await scoreCsv(ir, flags.csv, out, { delimiter: delimiterOf(flags.delimiter) })
      if (target !== undefined) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
      if (partial) {
        await rename(partial, flags.out!).catch((err: NodeJS.ErrnoException) => {
          throw new UserError(`${flags.out}: cannot write the output (${err.code ?? err.message})`)
        })
      }
    } catch (err) {
      if (partial) {
        out.destroy()
        await unlink(partial).catch(() => {})
      }
      throw err
    } finally {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal)
    }
    if (result.renamed.length > 0 && !this.jsonEnabled()) {
      process.stderr.write(`note: ${flags.csv} has column${result.renamed.length > 1 ? 's' : ''} ${result.renamed.map((r) => r.column).join(', ')}: the scores are in ${result.renamed.map((r) => r.as).join(', ')}\n`)
    }
    const summary = { model: ir.modelId, input: flags.csv, output: flags.out ?? null, rows: result.rows, scored: result.scored, problems: result.problems, renamed: result.renamed }
    if (result.problems.length > 0) {
      const first = result.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ')
      const more = result.problems.length > 3 ? `; and ${result.problems.length - 3} more` : ''
      if (!this.jsonEnabled()) process.stderr.write(`${flags.csv}: ${result.problems.length} of ${result.rows} rows could not be scored (their prediction_error column says why): ${first}${more}\n`)
      process.exitCode = 1
    } else if (flags.out && !this.jsonEnabled()) {
      this.log(`scored ${result.rows} rows with ${ir.modelId} -> ${flags.out}`)
    }
    return summary
  }
}
