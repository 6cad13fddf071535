import { Command, Errors, type Interfaces } from '@oclif/core'
import { UsageError, UserError } from '../errors.js'

type FlagOutput = { [name: string]: unknown }
type ArgOutput = { [name: string]: unknown }

/** Exit code of a command stopped with Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130

/**
 * All mlkafka commands extend this: a UserError, or a flag oclif could not parse, becomes one line on
 * stderr (no stack trace) and its exit code (2 for flags); with --json the error is a JSON document on
 * stdout instead. Ctrl-C at a prompt ends the command quietly with 130.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err.name === 'ExitPromptError') {
      process.stderr.write('\n')
      this.exit(INTERRUPTED)
    }
    if (err instanceof UserError) {
      const user = err
      if (this.jsonEnabled()) this.logJson({ error: { message: user.message, kind: user.name, exitCode: user.exitCode } })
      else process.stderr.write(`Error: ${user.message}\n`)
      this.exit(user.exitCode)
    }
    return super.catch(err)
  }

  /** Flags and arguments; what oclif's parser cannot read is a one-line usage error (see parseError). */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv)
    } catch (err) {
      throw err instanceof Errors.CLIError ? parseError(err, this.id) : err
    }
  }

  /** JSON on stdout as plain text: oclif's colorizer overflows its stack on a big document. */
  override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n')
  }
}

/** A flag or argument error from oclif's parser, as a one-line usage error naming the command's help. */
function parseError(err: Error, id: string | undefined): UsageError {
  // oclif's messages span lines: a heading ("The following error occurred:"), the reasons, and "See more help with --help".
  const lines = err.message
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^See more help with --help$/.test(l) && !/^The following errors? occurred:$/.test(l))
    .map((l) => l.replace(/^Parsing (--\S+)\s*$/, '$1:'))
  const help = id ? `mlkafka ${id.replace(/:/g, ' ')} --help` : 'mlkafka --help'
  // A heading that ends in ':' runs on into its list ("Missing 1 required arg: runDir ...").
  const text = lines.reduce((acc, line) => (acc === '' ? line : `${acc}${acc.endsWith(':') ? ' ' : '; '}${line}`), '').replace(/\s{2,}/g, ' ')
  return new UsageError(`${text} (see ${help})`)
}
