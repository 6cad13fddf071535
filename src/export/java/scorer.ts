/**
 * The Java scorer: the same plan as `mlkafka export scorer` (scorer-plan.ts), printed as one Java class.
 * Java's 64 KB method limit makes big single trees print as arrays sooner than in TypeScript.
 */
import { UsageError } from '../../errors.js'
import type { ModelIR } from '../../ir/model.js'
import { headerFacts } from '../header.js'
import { chooseLayout, modelSize, type LayoutChoice } from '../layout.js'
import { planScorer, type ScorerPlan } from '../scorer-plan.js'
import { defaultScorerName } from '../scorer.js'
import { isJavaClassName, isJavaPackage } from './literals.js'
import { printJava } from './print.js'

/** A single tree stays nested ifs up to this many splits + leaf values (about 40 KB of bytecode at most). */
export const JAVA_SINGLE_TREE_MAX_UNITS = 2000

export interface JavaScorerOptions {
  /** Class name (default: the target in PascalCase + "Scorer"). */
  className?: string
  /** Java package ('' or undefined: none). */
  packageName?: string
  source?: string
  layout?: LayoutChoice
  now?: Date
  /** What wrote the code, for the header (default `mlkafka export udf`). */
  command?: string
}

export interface ExportedJavaScorer {
  code: string
  className: string
  packageName: string
  /** Path of the source file under a source root, e.g. com/example/FailureScorer.java. */
  path: string
  plan: ScorerPlan
}

export function checkJavaClassName(name: string, flag = '--name'): string {
  if (!isJavaClassName(name)) throw new UsageError(`${flag} ${JSON.stringify(name)}: use a letter then letters, digits or _ (at most 64), not a Java keyword, e.g. ${flag} Failure`)
  return name
}

export function checkJavaPackage(name: string): string {
  if (!isJavaPackage(name)) throw new UsageError(`--package ${JSON.stringify(name)}: use lower-case Java identifiers separated by dots, e.g. --package com.example.models`)
  return name
}

/** Readable unless the model is too big for one Java method (see JAVA_SINGLE_TREE_MAX_UNITS). */
export function javaLayout(ir: ModelIR, choice: LayoutChoice = 'auto'): LayoutChoice {
  if (choice !== 'auto' || ir.model?.type !== 'trees' || !Array.isArray(ir.model.trees)) return choice
  try {
    return chooseLayout(ir.model) === 'readable' && modelSize(ir.model).codeUnits > JAVA_SINGLE_TREE_MAX_UNITS ? 'compact' : 'auto'
  } catch {
    return 'auto' // a damaged model: planScorer says what is wrong
  }
}

export function exportJavaScorer(ir: ModelIR, options: JavaScorerOptions = {}): ExportedJavaScorer {
  const plan = planScorer(ir, { source: options.source, layout: javaLayout(ir, options.layout) })
  const className = options.className === undefined ? `${defaultScorerName(plan.target)}Scorer` : checkJavaClassName(options.className)
  const packageName = options.packageName ? checkJavaPackage(options.packageName) : ''
  const facts = headerFacts(ir, plan, options.now ?? new Date(), options.command ?? 'mlkafka export udf')
  const code = printJava(plan, facts, { className, packageName })
  const path = [...(packageName ? packageName.split('.') : []), `${className}.java`].join('/')
  return { code, className, packageName, path, plan }
}
