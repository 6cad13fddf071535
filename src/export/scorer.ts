/**
 * `mlkafka export scorer`: the model IR as one dependency-free module that scores records exactly as
 * the IR evaluator does. The IR becomes a language-neutral plan (scorer-plan.ts: layout rule, runtime
 * helpers, record-reading steps), which one printer per language turns into text (typescript/ now;
 * java/ next to it later).
 */
import { UsageError } from '../errors.js'
import type { ModelIR } from '../ir/model.js'
import { headerFacts } from './header.js'
import type { LayoutChoice } from './layout.js'
import { planScorer, type ScorerPlan } from './scorer-plan.js'
import { printTypeScript } from './typescript/print.js'

export type ScorerLang = 'ts' | 'js'
export const SCORER_LANGS: readonly ScorerLang[] = ['ts', 'js']

export interface ScorerOptions {
  lang: ScorerLang
  /** Type-name prefix (see scorerName); default: from the target column. */
  name?: string
  /** How the header's usage example imports the module (default './scorer.js'). */
  importPath?: string
  /** Where the model came from, for error messages. */
  source?: string
  layout?: LayoutChoice
  /** The export date in the header (default now). */
  now?: Date
}

export interface ExportedScorer {
  code: string
  lang: ScorerLang
  name: string
  plan: ScorerPlan
  /** Names the module exports: values, then types (TypeScript only). */
  exports: { values: string[]; types: string[] }
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/** Checks --name: a prefix for type names, so a letter then letters, digits or _ (at most 64). */
export function checkScorerName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`--name ${JSON.stringify(name)}: use a letter then letters, digits or _ (at most 64), e.g. --name Failure; it prefixes the exported type names`)
  }
  return name
}

/**
 * The default name: the target column in PascalCase (`failure` -> Failure; accents dropped: `état final`
 * -> EtatFinal), or Model when that is no name.
 */
export function defaultScorerName(target: string): string {
  const pascal = target
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')
    .slice(0, 64)
  return NAME.test(pascal) ? pascal : 'Model'
}

export function exportScorer(ir: ModelIR, options: ScorerOptions): ExportedScorer {
  const plan = planScorer(ir, { source: options.source, layout: options.layout })
  const name = options.name === undefined ? defaultScorerName(plan.target) : checkScorerName(options.name)
  const facts = headerFacts(ir, plan, options.now ?? new Date())
  const code = printTypeScript(plan, facts, { lang: options.lang, name, importPath: options.importPath ?? './scorer.js' })
  const values = ['score', 'scoreBatch', 'ScoringError', ...(plan.classes === null ? [] : ['CLASSES']), 'FIELDS', 'MODEL']
  const types = options.lang === 'ts' ? [`${name}Input`, `${name}Prediction`, ...(plan.classes === null ? [] : [`${name}Class`])] : []
  return { code, lang: options.lang, name, plan, exports: { values, types } }
}
