import { Command } from '@oclif/core'
import { UserError } from '../errors.js'

/**
 * All mlkafka commands extend this: a UserError becomes one line on stderr (no stack trace) and the
 * error's exit code; with --json the error is a JSON document on stdout instead.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof UserError) {
      if (this.jsonEnabled()) this.logJson({ error: { message: err.message, kind: err.name, exitCode: err.exitCode } })
      else process.stderr.write(`Error: ${err.message}\n`)
      this.exit(err.exitCode)
    }
    return super.catch(err)
  }
}
