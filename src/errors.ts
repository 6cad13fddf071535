/**
 * Errors a user can act on. The CLI prints `message` as one line (no stack trace) and exits with
 * `exitCode`; anything that is not a UserError is a bug and keeps its stack.
 */
export class UserError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = new.target.name
    this.exitCode = exitCode
  }
}

/** Where in a file a problem is: 1-based line and column as an editor shows them. */
export interface FileLocation {
  file: string
  line?: number
  column?: number
  columnName?: string
}

export function formatLocation(at: FileLocation): string {
  let s = at.file
  if (at.line !== undefined) s += `:${at.line}`
  if (at.column !== undefined) s += `:${at.column}`
  if (at.columnName !== undefined) s += ` (column "${at.columnName}")`
  return s
}

/** Bad input data: says what was wrong, where, and what to do. */
export class DataError extends UserError {
  readonly location: FileLocation
  constructor(location: FileLocation, problem: string, hint?: string) {
    super(`${formatLocation(location)}: ${problem}${hint ? `. ${hint}` : ''}`)
    this.location = location
  }
}

/** A flag is missing or wrong and we may not prompt for it (CI or no TTY). */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2)
  }
}
