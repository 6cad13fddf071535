import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { checkbox, confirm, input, select } from '@inquirer/prompts'
import type { Table } from '../data/table.js'
import { describeTable } from '../data/schema.js'
import { UserError } from '../errors.js'

/** Prompts only for a person at a terminal: never in CI (CI set), never without a TTY, never with --json. */
export function canPrompt(json: boolean): boolean {
  const ci = process.env.CI
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
  return !json && !inCi && process.stdin.isTTY === true && process.stdout.isTTY === true
}

function csvFilesNearby(): string[] {
  const found: string[] = []
  for (const dir of ['.', 'examples', 'data']) {
    try {
      for (const name of readdirSync(dir)) if (/\.(csv|tsv)$/i.test(name)) found.push(dir === '.' ? name : join(dir, name))
    } catch {
      // no such folder
    }
  }
  return found.slice(0, 30)
}

export async function promptCsvFile(): Promise<string> {
  const nearby = csvFilesNearby()
  const other = '(another file...)'
  if (nearby.length > 0) {
    const choice = await select({ message: 'CSV file to train on', choices: [...nearby, other].map((v) => ({ value: v, name: v })) })
    if (choice !== other) return choice
  }
  return input({
    message: 'Path of the CSV file',
    validate: (v) => {
      try {
        return statSync(v.trim()).isFile() ? true : 'not a file'
      } catch {
        return 'no such file'
      }
    },
  }).then((v) => v.trim())
}

/**
 * Asks for the target column; a column `check` refuses (it throws a UserError: one value, a name per
 * row...) is said on stderr and asked again, rather than ending the session.
 */
export async function promptTarget(table: Table, check: (name: string) => void): Promise<string> {
  for (;;) {
    const name = await askTarget(table)
    try {
      check(name)
      return name
    } catch (err) {
      if (!(err instanceof UserError)) throw err
      process.stderr.write(`${err.message}\n`)
    }
  }
}

async function askTarget(table: Table): Promise<string> {
  const schema = describeTable(table, 2)
  return select({
    message: 'Column to predict (the target)',
    pageSize: 15,
    // The last column is the usual place for the label.
    default: schema[schema.length - 1]?.name,
    choices: schema.map((c) => ({
      value: c.name,
      name: `${c.name}  (${c.type}, ${c.distinct} distinct${c.missing > 0 ? `, ${c.missing} missing` : ''})`,
    })),
  })
}

export async function promptChoice<T extends string>(message: string, choices: readonly T[], preferred: T): Promise<T> {
  const ordered = [preferred, ...choices.filter((c) => c !== preferred)]
  return select({ message, choices: ordered.map((c) => ({ value: c, name: c === preferred ? `${c} (recommended)` : c })) })
}

export async function promptText(message: string, preferred: string, validate: (v: string) => true | string): Promise<string> {
  return input({ message, default: preferred, validate })
}

export async function promptMany<T extends string>(message: string, choices: readonly T[]): Promise<T[]> {
  return checkbox({
    message,
    choices: choices.map((c) => ({ value: c, name: c, checked: true })),
    validate: (picked) => (picked.length > 0 ? true : 'pick at least one'),
  })
}

export async function promptConfirm(message: string, preferred: boolean): Promise<boolean> {
  return confirm({ message, default: preferred })
}
