/**
 * Scaffolds: real files under templates/<target>/ with {{PLACEHOLDER}}s, filled with text the exporter
 * made safe for each file's language, and written under --out. A template with a placeholder nobody
 * fills (or a value for none) is a bug here, caught when filling rather than in a user's build.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { UserError } from '../../errors.js'
import { PACKAGE_ROOT } from '../../version.js'
import type { ColumnType } from '../../data/table.js'
import type { PlanField, ScorerPlan } from '../scorer-plan.js'

export const TEMPLATES_ROOT = join(PACKAGE_ROOT, 'templates')

/** A file of the generated project: its path under the output folder and its text. */
export interface ScaffoldFile {
  path: string
  content: string
}

export interface UdfOptions {
  /** Scorer class prefix: NAME + "Scorer" (default from the target). */
  name?: string
  packageName: string
  source?: string
  now?: Date
}

export interface Scaffold {
  files: ScaffoldFile[]
  /** The generated scorer (Java for ksqldb and kafka-streams, TypeScript for kafkajs). */
  scorer: { plan: ScorerPlan }
  artifactId: string
  /** Commands to run next, from the project folder. */
  nextSteps: string[]
}

/** A field's kind for a scaffold's README and signatures: its column type, or `date` for a numeric column that held ISO dates. */
export function fieldKind(field: PlanField): ColumnType | 'date' {
  return field.isoDates ? 'date' : field.type
}

/** A field's kind as its README says it: `date` is spelled out. */
export function fieldKindText(field: PlanField): string {
  return field.isoDates ? 'date: ISO text, or days since 1970-01-01 as a number' : field.type
}

export function artifactIdOf(className: string): string {
  return className.replace(/Scorer$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase() || 'model'
}

export async function readTemplate(target: string, file: string): Promise<string> {
  return readFile(join(TEMPLATES_ROOT, target, file), 'utf8')
}

/** Replaces every {{KEY}}; a placeholder without a value is a bug in the exporter, not the user's problem. */
export function fillTemplate(text: string, values: Record<string, string>, name: string): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = values[key]
    if (value === undefined) throw new Error(`template ${name}: no value for {{${key}}}`)
    return value
  })
}

/** Text inside a markdown code span (`...`): one line, no backticks; backslashes there are shown as written, so nothing is escaped. */
export function codeSpanText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/`/g, "'")
}

/** The first `n` items joined by ", ", with ", ..." when there are more (a README names a few classes). */
export function firstFew(items: string[], n = 6): string {
  return items.slice(0, n).join(', ') + (items.length > n ? `, ... (${items.length} in all)` : '')
}

/** Markdown-safe one-line text for READMEs (model ids and names can hold anything). */
export function markdownText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[`<>*_[\]\\|]/g, (c) => `\\${c}`)
}

/** Writes the files under `out` (created when missing; its parent must exist). Existing files are replaced. */
export async function writeScaffold(out: string, files: ScaffoldFile[]): Promise<string[]> {
  const existing = await stat(out).catch(() => null)
  if (existing !== null && !existing.isDirectory()) throw new UserError(`--out ${out} is a file: pass a folder for the generated project`)
  if (existing === null && !(await stat(dirname(out)).catch(() => null))?.isDirectory()) {
    throw new UserError(`--out ${out}: folder ${dirname(out)} does not exist. Create it first or choose another path`)
  }
  const written: string[] = []
  try {
    for (const file of files) {
      const path = join(out, file.path)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, file.content)
      written.push(path)
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(`--out ${out}: cannot write the project (${code ?? (err as Error).message}). Check that the folder is writable`)
  }
  // Named as --out names the folder (relative or absolute), so that --json's files and out agree.
  return written
}
