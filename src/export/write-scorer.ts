/**
 * Writes a generated scorer to a file for `mlkafka export scorer`: the language from --lang or the file
 * extension, the import path for the usage example, and errors a user can act on in one line.
 */
import { stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { samePath } from '../cli/paths.js'
import { UsageError, UserError } from '../errors.js'
import type { ModelIR } from '../ir/model.js'
import { exportScorer, type ExportedScorer, type ScorerLang } from './scorer.js'
import { propertyKey, stringLiteral } from './typescript/literals.js'

// A scorer is an ES module: .cjs and .cts name CommonJS modules, which Node would not load it as.
const JS_EXTENSIONS = ['.js', '.mjs']
const TS_EXTENSIONS = ['.ts', '.mts']
/** File name endings a scorer may have. */
const SCORER_EXTENSIONS: readonly string[] = [...TS_EXTENSIONS, ...JS_EXTENSIONS]

/** --lang, or the one the --out extension names (.js/.mjs: js), else ts; a contradiction is a usage error. */
export function resolveLang(out: string, lang: string | undefined): ScorerLang {
  const ext = extname(out).toLowerCase()
  const implied: ScorerLang | undefined = JS_EXTENSIONS.includes(ext) ? 'js' : TS_EXTENSIONS.includes(ext) ? 'ts' : undefined
  if (ext === '.cjs' || ext === '.cts') {
    throw new UsageError(`--out ${out}: a scorer is an ES module (export ...), which Node does not load from a ${ext} file (CommonJS); name it ${out.slice(0, -ext.length)}${ext === '.cjs' ? '.mjs' : '.mts'} and load it with import() from CommonJS code`)
  }
  if (implied === undefined && ext !== '') {
    throw new UsageError(`--out ${out}: a scorer is a TypeScript or JavaScript module, so its file name ends in ${SCORER_EXTENSIONS.join(', ')}, e.g. ${out.slice(0, -ext.length)}.ts`)
  }
  if (lang === undefined) return implied ?? 'ts'
  if (lang !== 'ts' && lang !== 'js') throw new UsageError(`--lang ${lang}: use ts or js`)
  if (implied !== undefined && implied !== lang) throw new UsageError(`--out ${out} is a ${implied === 'js' ? 'JavaScript' : 'TypeScript'} file name but --lang is ${lang}: change one of them`)
  return lang
}

/** How code next to the file imports it: './scorer.js' for scorer.ts (ESM import paths name the .js output). */
export function importPathOf(out: string): string {
  const file = basename(out)
  const ext = extname(file)
  const stem = ext ? file.slice(0, -ext.length) : file
  const outExt = ext === '.mts' ? '.mjs' : ext === '.ts' || ext === '' ? '.js' : ext
  return `./${stem}${outExt}`
}

export interface WrittenScorer extends ExportedScorer {
  file: string
  bytes: number
  importPath: string
}

export async function writeScorer(ir: ModelIR, options: { out: string; lang?: string; name?: string; source?: string }): Promise<WrittenScorer> {
  const lang = resolveLang(options.out, options.lang)
  const importPath = importPathOf(options.out)
  const exported = exportScorer(ir, { lang, name: options.name, importPath, source: options.source })
  const existing = await stat(options.out).catch(() => null)
  if (existing && options.source !== undefined && (await samePath(options.out, options.source))) throw new UsageError(`--out ${options.out} is the model file itself: write the scorer to another file, e.g. scorer.${lang}`)
  if (existing?.isDirectory()) throw new UserError(`--out ${options.out} is a folder: pass a file name, e.g. ${join(options.out, `scorer.${lang}`)}`)
  // The folder must exist: creating folders is left to the user (a typo should not build a tree).
  const folder = dirname(options.out)
  if (!(await stat(folder).catch(() => null))?.isDirectory()) throw new UserError(`--out ${options.out}: folder ${folder} does not exist. Create it first or choose another path`)
  try {
    await writeFile(options.out, exported.code)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(`--out ${options.out}: cannot write the scorer (${code ?? (err as Error).message}). Check that the folder is writable`)
  }
  return { ...exported, file: options.out, bytes: Buffer.byteLength(exported.code), importPath }
}

/** The two lines printed after writing: how to import the module and call it. */
export function usageHint(written: WrittenScorer): string[] {
  const { plan } = written
  const fields = plan.fields.slice(0, 2).map((f) => `${propertyKey(f.name)}: ...`)
  const record = `{ ${[...fields, ...(plan.fields.length > 2 ? ['...'] : [])].join(', ')} }`
  const returns = plan.classes === null ? '{ value }' : '{ label, probabilities }  (probabilities[i] is for CLASSES[i])'
  return [`import { score } from ${stringLiteral(written.importPath)}`, `score(${record}) // -> ${returns}`]
}
