/**
 * The model IR made ready to print: a small language-neutral plan (m2cgen's assembler step). It holds
 * the record-reading step per column, the encoded feature layout, the model in the form the layout rule
 * chose (nested trees or flat arrays; unrolled or array weights), and the runtime helpers the code needs.
 * Printers (src/export/typescript/, later src/export/java/) only turn a plan into text.
 *
 * Everything that ends up in generated code is checked here: numbers are numbers, indexes are in range,
 * trees are trees. A hand-edited or hostile model file gets a one-line error, never injected code.
 */
import { isMissingText } from '../data/cells.js'
import type { ColumnType } from '../data/table.js'
import type { Task } from '../data/target.js'
import { ModelFileError } from '../ir/io.js'
import type { Activation, FlatTree, MemberBodyIR, ModelBodyIR, ModelIR } from '../ir/model.js'
import { chooseLayout, describeLayout, type Layout, type LayoutChoice } from './layout.js'
import type { FieldReader } from './record-rules.js'
import { laneForest, type LaneForest } from './tree-lanes.js'

export interface PlanField {
  name: string
  type: ColumnType
  /** A numeric or boolean field's texts read as missing besides the usual markers (InputColumn.missingTexts). */
  missingTexts: string[]
  /** A numeric field's text may be a number with a decimal comma (InputColumn.decimalComma). */
  decimalComma: boolean
  /** A numeric field's text may be an ISO date (InputColumn.isoDates). */
  isoDates: boolean
}

/**
 * One pipeline step: which field it reads, how, and where its outputs go in the feature vector. A text
 * in `missingTexts` (after trimming white space) is missing before the reader sees it; with
 * `decimalComma`, a text that parseCommaNumber reads is that number; with `isoDates`, one that
 * parseIsoDate reads is its days since 1970-01-01 (both: readTextNumber).
 */
export type PlanStep =
  | { kind: 'numeric'; column: string; reader: 'number' | 'boolean'; missingTexts: string[]; decimalComma: boolean; isoDates: boolean; offset: number; impute: number; center: number; scale: number }
  | { kind: 'raw'; column: string; reader: 'number' | 'boolean'; missingTexts: string[]; decimalComma: boolean; isoDates: boolean; offset: number }
  | CategoryStep

/**
 * A categorical step. `codes` maps a level to its code (first occurrence wins, as indexOf does); a
 * present text not listed is looked up again as canonicalLevel(text) (`1.50` finds `1.5`), and one
 * still not listed gets `otherCode` (-1: none). onehot: code k sets output offset + k of `width`
 * outputs; ordinal: the output is the code, NaN for -1.
 */
export interface CategoryStep {
  kind: 'onehot' | 'ordinal'
  column: string
  reader: 'category'
  offset: number
  width: number
  levels: string[]
  codes: [string, number][]
  otherCode: number
}

export type PlanTreeNode =
  | { leaf: true; values: number[] }
  | { leaf: false; feature: number; threshold: number; missingLeft: boolean; left: PlanTreeNode; right: PlanTreeNode; text: string }

/**
 * Trees. scores start at 0, each tree adds its leaf's values in tree order, `average` divides by the
 * tree count: the evaluator's sums. `readable` trees are nested; a single readable tree's leaf values are
 * already final (0 + v, / 1 for average: computed here with the same operations).
 */
export type TreeModelPlan =
  | { kind: 'trees'; layout: 'readable'; outputs: number; average: boolean; count: number; trees: PlanTreeNode[] }
  | CompactTreesPlan

/**
 * All trees' nodes concatenated, in two forms. `node`/`threshold`/`leafValues` walk a tree at a time
 * (Java): per node, `node` holds three numbers, a split is [feature * 2 + (missing goes right ? 1 : 0),
 * left, right], a leaf is [0, itself, where its values start in leafValues] with threshold Infinity.
 * `lanes` is the form for walking many trees side by side on binned features (TypeScript; see
 * tree-lanes.ts), null when its words cannot hold the model.
 */
export interface CompactTreesPlan {
  kind: 'trees'
  layout: 'compact'
  outputs: number
  average: boolean
  count: number
  node: number[]
  threshold: number[]
  leafValues: number[]
  /** Per tree: its root (first node); then the node count. */
  nodeStart: number[]
  lanes: LaneForest | null
}

/** z_k = intercepts[k] + sum_j weights[k][j] * x[j], then the link. */
export interface LinearModelPlan {
  kind: 'linear'
  layout: Layout
  link: 'identity' | 'logistic' | 'softmax'
  weights: number[][]
  intercepts: number[]
  inWidth: number
}

export interface MlpModelPlan {
  kind: 'mlp'
  layout: Layout
  layers: { weights: number[][]; biases: number[]; activation: Activation; inWidth: number }[]
  output: 'identity' | 'logistic' | 'softmax'
}

/** One model: a single model's plan, or an ensemble member's. Its features are f[0 .. its width). */
export type MemberPlan = TreeModelPlan | LinearModelPlan | MlpModelPlan

/**
 * An ensemble member: its model reads f[offset .. offset + width) of the ensemble's feature vector
 * (printers hand it that slice), described by its own steps (offsets from its first feature) and labels.
 */
export interface EnsembleMemberPlan {
  modelId: string
  family: string
  weight: number
  offset: number
  width: number
  steps: PlanStep[]
  featureLabels: string[]
  model: MemberPlan
}

/** s starts at 0; each member in order scores its slice into scratch t, then s_j += weight * t_j. */
export interface EnsemblePlan {
  kind: 'ensemble'
  /** compact when any member is. */
  layout: Layout
  outputs: number
  members: EnsembleMemberPlan[]
}

export type ModelPlan = MemberPlan | EnsemblePlan

/**
 * The name of a field's set of texts read as missing (PlanStep.missingTexts), `MISSING_TEXTS_<n>`: one
 * per field, declared (by `declare`, in the printer's language) the first time a step asks, since an
 * ensemble's pipeline reads a field once per member.
 */
export function missingTextSets(declare: (name: string, column: string, texts: string[]) => void): (column: string, texts: string[]) => string {
  const names = new Map<string, string>()
  return (column, texts) => {
    let name = names.get(column)
    if (name === undefined) {
      name = `MISSING_TEXTS_${names.size}`
      names.set(column, name)
      declare(name, column, texts)
    }
    return name
  }
}

/** The output link of a single model's plan. */
export function linkOf(model: MemberPlan): 'identity' | 'logistic' | 'softmax' {
  return model.kind === 'linear' ? model.link : model.kind === 'mlp' ? model.output : 'identity'
}

/** Fixed runtime code a printer emits when the plan needs it (each language has its own version). */
export type RuntimeHelper =
  | 'ScoringError'
  | 'show'
  | 'isMissingText'
  | 'parseNumber'
  | 'parseBoolean'
  | 'readNumber'
  | 'readBoolean'
  | 'readCategory'
  | 'parseCommaNumber'
  | 'parseIsoDate'
  | 'readTextNumber'
  | 'canonicalLevel'
  | 'argmax'
  | 'sigmoid'
  | 'softmax'

/** Emission order: a helper comes after the ones it uses. */
export const RUNTIME_HELPERS: readonly RuntimeHelper[] = [
  'ScoringError',
  'show',
  'isMissingText',
  'parseNumber',
  'parseBoolean',
  'readNumber',
  'readBoolean',
  'readCategory',
  'parseCommaNumber',
  'parseIsoDate',
  'readTextNumber',
  'canonicalLevel',
  'argmax',
  'sigmoid',
  'softmax',
]

const HELPER_USES: Partial<Record<RuntimeHelper, RuntimeHelper[]>> = {
  readNumber: ['isMissingText', 'parseNumber', 'show'],
  readBoolean: ['isMissingText', 'parseBoolean', 'parseNumber', 'show'],
  readCategory: ['isMissingText', 'show'],
  parseCommaNumber: ['parseNumber'],
  readTextNumber: ['parseCommaNumber', 'parseIsoDate', 'parseNumber', 'readNumber', 'isMissingText', 'show'],
  canonicalLevel: ['parseNumber', 'parseBoolean'],
}

const READER_HELPER: Record<FieldReader, RuntimeHelper> = { number: 'readNumber', boolean: 'readBoolean', category: 'readCategory' }

export interface ScorerPlan {
  modelId: string
  family: string
  task: Task
  target: string
  /** Classification: class texts, in the order of the probabilities. */
  classes: string[] | null
  fields: PlanField[]
  steps: PlanStep[]
  /** Feature vector width. */
  width: number
  /** Scores per record: classes, or 1 for regression. */
  outputs: number
  /** A short name per feature (for comments): the column, or column=level for one-hot outputs. */
  featureLabels: string[]
  model: ModelPlan
  layout: Layout
  layoutText: string
  helpers: RuntimeHelper[]
  /** Things the user should know: the scorer matches the evaluator, but the model file lost information. */
  warnings: string[]
}

class Checker {
  /** Paths of numbers the model file holds as null (JSON has no NaN or Infinity). */
  readonly nulls: string[] = []
  constructor(private readonly source: string) {}
  fail(path: string, problem: string): never {
    throw new ModelFileError(`${this.source}: ${path} ${problem}. The model file is damaged or was edited: export a model written by \`mlkafka automl train\``)
  }
  /** A number as the evaluator sees it: null (JSON's NaN/Infinity) acts as 0, like Float64Array.from and arithmetic do. */
  num(value: unknown, path: string): number {
    if (value === null) {
      this.nulls.push(path)
      return 0
    }
    if (typeof value !== 'number') this.fail(path, `is ${JSON.stringify(value) ?? typeof value}, not a number`)
    return value
  }
  int(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(path, `is ${JSON.stringify(value)}, not an integer in ${min}..${max}`)
    return value
  }
  str(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `is ${JSON.stringify(value) ?? typeof value}, not text`)
    return value
  }
  array(value: unknown, path: string, length?: number): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'is not an array')
    if (length !== undefined && value.length !== length) this.fail(path, `has ${value.length} entries, expected ${length}`)
    return value
  }
  nums(value: unknown, path: string, length?: number): number[] {
    return this.array(value, path, length).map((v, i) => this.num(v, `${path}[${i}]`))
  }
  obj(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'is not an object')
    return value as Record<string, unknown>
  }
  oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
    if (!options.includes(value as T)) this.fail(path, `is ${JSON.stringify(value)}, expected one of ${options.join(', ')}`)
    return value as T
  }
}

export interface PlanOptions {
  /** Where the model came from, for error messages (a file path). */
  source?: string
  layout?: LayoutChoice
}

export function planScorer(ir: ModelIR, options: PlanOptions = {}): ScorerPlan {
  const check = new Checker(options.source ?? `model ${JSON.stringify(ir.modelId)}`)
  const task = check.oneOf(ir.target?.task, 'target.task', ['binary', 'multiclass', 'regression'] as const)
  const classes = task === 'regression' ? null : check.array(ir.target.classes, 'target.classes').map((c, i) => check.str(c, `target.classes[${i}]`))
  if (classes !== null && classes.length < (task === 'binary' ? 2 : 1)) check.fail('target.classes', `has ${classes.length} classes`)
  if (task === 'binary' && classes!.length !== 2) check.fail('target.classes', `has ${classes!.length} classes for a binary task`)
  const outputs = classes === null ? 1 : classes.length

  const fields = check.array(ir.input?.columns, 'input.columns').map((c, i): PlanField => {
    const col = c as { name?: unknown; type?: unknown; missingTexts?: unknown; decimalComma?: unknown; isoDates?: unknown }
    const type = check.oneOf(col?.type, `input.columns[${i}].type`, ['numeric', 'boolean', 'categorical'] as const)
    // As the evaluator: a categorical column's missingTexts mean nothing.
    const missingTexts =
      col?.missingTexts === undefined || type === 'categorical' ? [] : check.array(col.missingTexts, `input.columns[${i}].missingTexts`).map((t, j) => check.str(t, `input.columns[${i}].missingTexts[${j}]`))
    for (const flag of ['decimalComma', 'isoDates'] as const) {
      if (col?.[flag] !== undefined && typeof col[flag] !== 'boolean') check.fail(`input.columns[${i}].${flag}`, 'is not true or false')
    }
    const numeric = type === 'numeric'
    return { name: check.str(col?.name, `input.columns[${i}].name`), type, missingTexts, decimalComma: numeric && col?.decimalComma === true, isoDates: numeric && col?.isoDates === true }
  })
  const fieldOf = new Map(fields.map((f) => [f.name, f]))
  const { steps, width, featureLabels } = planSteps(ir, check, fieldOf)
  const body = ir.model as ModelBodyIR
  const model = planModel(body, { check, outputs, task, choice: options.layout ?? 'auto' }, { width, steps, labels: featureLabels })
  const helpers = new Set<RuntimeHelper>(['ScoringError', 'show']) // score() shows a record that is no record
  for (const step of steps) {
    helpers.add(READER_HELPER[step.reader])
    if ((step.kind === 'numeric' || step.kind === 'raw') && (step.decimalComma || step.isoDates)) helpers.add('readTextNumber')
    // A level to look up (one that is not a missing token): a text that is none is looked up again as its canonical level.
    if ((step.kind === 'onehot' || step.kind === 'ordinal') && step.codes.some(([level]) => !isMissingText(level))) helpers.add('canonicalLevel')
  }
  if (classes !== null) helpers.add('argmax')
  for (const member of model.kind === 'ensemble' ? model.members.map((m) => m.model) : [model]) {
    const link = linkOf(member)
    if (link === 'logistic') helpers.add('sigmoid')
    if (link === 'softmax') helpers.add('softmax')
  }
  for (const h of [...helpers]) for (const used of HELPER_USES[h] ?? []) helpers.add(used)

  return {
    modelId: check.str(ir.modelId, 'modelId'),
    family: check.str(ir.family, 'family'),
    task,
    target: check.str(ir.target.name, 'target.name'),
    classes,
    fields,
    steps,
    width,
    outputs,
    featureLabels,
    model,
    layout: model.layout,
    layoutText:
      model.kind === 'ensemble'
        ? `an ensemble of ${model.members.length} models (${model.members.map((m, i) => `${m.modelId}: ${describeLayout((body as Extract<ModelBodyIR, { type: 'ensemble' }>).members[i].model, m.model.layout, true)}`).join('; ')})`
        : describeLayout(body as MemberBodyIR, model.layout),
    helpers: RUNTIME_HELPERS.filter((h) => helpers.has(h)),
    warnings:
      check.nulls.length === 0
        ? []
        : [
            `${check.nulls[0]}${check.nulls.length > 1 ? ` and ${check.nulls.length - 1} more numbers` : ''} ${check.nulls.length > 1 ? 'are' : 'is'} null in the model file (JSON cannot hold NaN or Infinity): read as 0, exactly as the IR evaluator and \`mlkafka predict\` read them, which may differ from the model as trained`,
          ],
  }
}

function planSteps(ir: ModelIR, check: Checker, fieldOf: Map<string, PlanField>): { steps: PlanStep[]; width: number; featureLabels: string[] } {
  const steps: PlanStep[] = []
  const featureLabels: string[] = []
  let offset = 0
  check.array(ir.features?.steps, 'features.steps').forEach((s, i) => {
    const at = `features.steps[${i}]`
    const raw = s as Record<string, unknown>
    const kind = check.oneOf(raw?.kind, `${at}.kind`, ['numeric', 'raw', 'onehot', 'ordinal'] as const)
    const column = check.str(raw.column, `${at}.column`)
    if (kind === 'numeric' || kind === 'raw') {
      const field = fieldOf.get(column)
      const reader = field?.type === 'boolean' ? 'boolean' : 'number'
      const missingTexts = field?.missingTexts ?? []
      const decimalComma = field?.decimalComma ?? false
      const isoDates = field?.isoDates ?? false
      steps.push(
        kind === 'raw'
          ? { kind, column, reader, missingTexts, decimalComma, isoDates, offset }
          : { kind, column, reader, missingTexts, decimalComma, isoDates, offset, impute: check.num(raw.impute, `${at}.impute`), center: check.num(raw.center, `${at}.center`), scale: check.num(raw.scale, `${at}.scale`) },
      )
      featureLabels.push(column)
      offset++
      return
    }
    const levels = check.array(raw.levels, `${at}.levels`).map((l, j) => check.str(l, `${at}.levels[${j}]`))
    if (typeof raw.other !== 'boolean') check.fail(`${at}.other`, 'is not true or false')
    const codes = new Map<string, number>()
    levels.forEach((level, code) => {
      if (!codes.has(level)) codes.set(level, code)
    })
    const width = kind === 'onehot' ? levels.length + (raw.other ? 1 : 0) : 1
    steps.push({ kind, column, reader: 'category', offset, width, levels, codes: [...codes], otherCode: raw.other ? levels.length : -1 })
    if (kind === 'onehot') {
      for (const level of levels) featureLabels.push(`${column}=${level}`)
      if (raw.other) featureLabels.push(`${column}=__other__`)
    } else featureLabels.push(column)
    offset += width
  })
  if (ir.features.width !== offset) check.fail('features.width', `is ${JSON.stringify(ir.features.width)} but the steps make ${offset} features`)
  return { steps, width: offset, featureLabels }
}

/** What planning a model needs besides the model: the checker, the target's outputs and the layout asked for. */
interface ModelContext {
  check: Checker
  outputs: number
  task: Task
  choice: LayoutChoice
}

/** The features a model reads (all of them, or an ensemble member's slice): width, steps and labels. */
interface FeatureView {
  width: number
  steps: PlanStep[]
  labels: string[]
}

function planModel(body: ModelBodyIR, ctx: ModelContext, view: FeatureView): ModelPlan {
  if (body?.type === 'ensemble') return planEnsemble(body, ctx, view)
  return planMember(body, ctx, 'model', view)
}

/** Members: each a single model on its own contiguous slice of the features; weights are numbers. */
function planEnsemble(body: Extract<ModelBodyIR, { type: 'ensemble' }>, ctx: ModelContext, { width, steps, labels }: FeatureView): EnsemblePlan {
  const { check, outputs } = ctx
  const list = check.array(body.members, 'model.members')
  if (list.length === 0) check.fail('model.members', 'is empty')
  const members = list.map((raw, i): EnsembleMemberPlan => {
    const at = `model.members[${i}]`
    const m = raw as Record<string, unknown>
    if (typeof m !== 'object' || m === null) check.fail(at, 'is not an object')
    const offset = check.int(m.offset, `${at}.offset`, 0, width)
    const memberWidth = check.int(m.width, `${at}.width`, 0, width - offset)
    const stepWidth = (s: PlanStep): number => (s.kind === 'onehot' ? s.width : 1)
    const inside = steps.filter((s) => s.offset + stepWidth(s) > offset && s.offset < offset + memberWidth)
    const straddling = inside.find((s) => s.offset < offset || s.offset + stepWidth(s) > offset + memberWidth)
    if (straddling) check.fail(at, `reads features ${offset}..${offset + memberWidth - 1}, which cut the features of column ${JSON.stringify(straddling.column)} in two`)
    const memberSteps = inside.map((s) => ({ ...s, offset: s.offset - offset }))
    const model = check.obj(m.model, `${at}.model`) as unknown as MemberBodyIR
    if ((model as { type?: unknown }).type === 'ensemble') check.fail(`${at}.model.type`, 'is "ensemble" (an ensemble member is a single model)')
    return {
      modelId: check.str(m.modelId, `${at}.modelId`),
      family: check.str(m.family, `${at}.family`),
      weight: check.num(m.weight, `${at}.weight`),
      offset,
      width: memberWidth,
      steps: memberSteps,
      featureLabels: labels.slice(offset, offset + memberWidth),
      model: planMember(model, ctx, `${at}.model`, { width: memberWidth, steps: memberSteps, labels: labels.slice(offset, offset + memberWidth) }),
    }
  })
  return { kind: 'ensemble', layout: members.some((m) => m.model.layout === 'compact') ? 'compact' : 'readable', outputs, members }
}

function planMember(body: MemberBodyIR, ctx: ModelContext, at: string, { width, steps, labels }: FeatureView): MemberPlan {
  const { check, outputs, task, choice } = ctx
  const kind = check.oneOf(body?.type, `${at}.type`, ['trees', 'linear', 'mlp'] as const)
  if (kind === 'trees') {
    const m = body as Extract<ModelBodyIR, { type: 'trees' }>
    const combine = check.oneOf(m.combine, `${at}.combine`, ['single', 'average'] as const)
    if (m.outputs !== outputs) check.fail(`${at}.outputs`, `is ${JSON.stringify(m.outputs)}, the ${task} target needs ${outputs}`)
    const trees = check.array(m.trees, `${at}.trees`).map((t, i) => checkTree(t as FlatTree, check, `${at}.trees[${i}]`, width, outputs))
    if (trees.length === 0) check.fail(`${at}.trees`, 'is empty')
    if (combine === 'single' && trees.length !== 1) check.fail(`${at}.trees`, `has ${trees.length} trees for combine "single"`)
    const layout = chooseLayout({ ...m, trees }, choice)
    const average = combine === 'average'
    if (layout === 'readable') {
      const single = trees.length === 1
      // The evaluator computes 0 + v (then / 1 for average); for one tree those are constants.
      const finalValue = (v: number): number => (average ? (0 + v) / 1 : 0 + v)
      return {
        kind: 'trees',
        layout,
        outputs,
        average,
        count: trees.length,
        trees: trees.map((t) => nestTree(t, 0, outputs, single ? finalValue : (v) => v, steps, labels)),
      }
    }
    return flattenTrees(trees, outputs, average)
  }
  const inWidthOf = (rows: number[][]): number => rows[0]?.length ?? 0
  if (kind === 'linear') {
    const m = body as Extract<ModelBodyIR, { type: 'linear' }>
    const link = check.oneOf(m.link, `${at}.link`, ['identity', 'logistic', 'softmax'] as const)
    const rows = check.array(m.weights, `${at}.weights`).map((w, i) => check.nums(w, `${at}.weights[${i}]`, width))
    const intercepts = check.nums(m.intercepts, `${at}.intercepts`, rows.length)
    const need = link === 'softmax' ? outputs : 1
    if (link === 'identity' && task !== 'regression') check.fail(`${at}.link`, `is identity for a ${task} target`)
    if (link === 'logistic' && outputs !== 2) check.fail(`${at}.link`, `is logistic for ${outputs} classes`)
    if (link === 'softmax' && task === 'regression') check.fail(`${at}.link`, 'is softmax for a regression target')
    if (rows.length !== need && !(link !== 'softmax' && rows.length >= 1)) check.fail(`${at}.weights`, `has ${rows.length} rows, expected ${need}`)
    // identity and logistic use row 0 only, as the evaluator does.
    const used = link === 'softmax' ? rows : rows.slice(0, 1)
    const linear = { ...m, weights: used, intercepts: intercepts.slice(0, used.length) }
    return { kind: 'linear', layout: chooseLayout(linear, choice), link, weights: used, intercepts: linear.intercepts, inWidth: inWidthOf(used) }
  }
  const m = body as Extract<ModelBodyIR, { type: 'mlp' }>
  const output = check.oneOf(m.output, `${at}.output`, ['identity', 'logistic', 'softmax'] as const)
  let inWidth = width
  const layers = check.array(m.layers, `${at}.layers`).map((l, i) => {
    const lat = `${at}.layers[${i}]`
    const layer = l as { weights?: unknown; biases?: unknown; activation?: unknown }
    const weights = check.array(layer?.weights, `${lat}.weights`).map((w, j) => check.nums(w, `${lat}.weights[${j}]`, inWidth))
    const biases = check.nums(layer.biases, `${lat}.biases`, weights.length)
    const activation = check.oneOf(layer.activation, `${lat}.activation`, ['relu', 'tanh', 'identity'] as const)
    if (weights.length === 0) check.fail(`${lat}.weights`, 'is empty')
    const planned = { weights, biases, activation, inWidth }
    inWidth = weights.length
    return planned
  })
  if (layers.length === 0) check.fail(`${at}.layers`, 'is empty')
  const need = output === 'softmax' ? outputs : 1
  if (output === 'identity' && task !== 'regression') check.fail(`${at}.output`, `is identity for a ${task} target`)
  if (output === 'logistic' && outputs !== 2) check.fail(`${at}.output`, `is logistic for ${outputs} classes`)
  if (output === 'softmax' && task === 'regression') check.fail(`${at}.output`, 'is softmax for a regression target')
  if (output === 'softmax' ? inWidth !== need : inWidth < 1) check.fail(`${at}.layers`, `end in ${inWidth} units, expected ${need}`)
  return { kind: 'mlp', layout: chooseLayout({ ...m, layers }, choice), layers, output }
}

/** A FlatTree that checkTree has passed. */
type CheckedTree = FlatTree

/** Checks a flat tree: parallel arrays, indexes in range, every node reached once from the root (no cycles). */
function checkTree(t: FlatTree, check: Checker, at: string, width: number, outputs: number): CheckedTree {
  const feature = check.array(t?.feature, `${at}.feature`).map((f, i) => check.int(f, `${at}.feature[${i}]`, -1, width - 1))
  const n = feature.length
  if (n === 0) check.fail(`${at}.feature`, 'is empty')
  const threshold = check.nums(t.threshold, `${at}.threshold`, n)
  const left = check.array(t.left, `${at}.left`, n).map((c, i) => check.int(c, `${at}.left[${i}]`, -1, n - 1))
  const right = check.array(t.right, `${at}.right`, n).map((c, i) => check.int(c, `${at}.right[${i}]`, -1, n - 1))
  const missingLeft = check.array(t.missingLeft, `${at}.missingLeft`, n).map((m, i) => check.int(m, `${at}.missingLeft[${i}]`, 0, 1))
  const value = check.nums(t.value, `${at}.value`, n * outputs)
  const seen = new Uint8Array(n)
  const stack = [0]
  while (stack.length > 0) {
    const node = stack.pop()!
    if (seen[node]) check.fail(at, `reaches node ${node} twice (not a tree)`)
    seen[node] = 1
    if (feature[node] >= 0) {
      if (left[node] < 0 || right[node] < 0) check.fail(at, `node ${node} splits but has no children`)
      stack.push(right[node], left[node])
    }
  }
  return { feature, threshold, left, right, missingLeft, value }
}

function quote(s: string): string {
  return JSON.stringify(s)
}

/** What a split tests, in the user's terms: `"temp" <= 97.5` or `"color" in {"red", "blue"}` (missing: left). */
function describeSplit(feature: number, threshold: number, missingLeft: boolean, steps: PlanStep[], labels: string[]): string {
  const step = steps.find((s) => feature >= s.offset && feature < s.offset + (s.kind === 'onehot' || s.kind === 'ordinal' ? s.width : 1))
  const missing = missingLeft ? ' (missing goes left)' : ''
  if (step?.kind === 'ordinal') {
    const left = step.levels.filter((_, code) => code <= threshold)
    const shown = left.slice(0, 6).map(quote)
    if (left.length > 6) shown.push(`... ${left.length - 6} more`)
    if (step.otherCode >= 0 && step.otherCode <= threshold) shown.push('other levels')
    return `${quote(step.column)} in {${shown.join(', ')}}${missing}`
  }
  return `${quote(labels[feature] ?? `feature ${feature}`)} <= ${threshold}${missing}`
}

function nestTree(t: CheckedTree, node: number, k: number, leafValue: (v: number) => number, steps: PlanStep[], labels: string[]): PlanTreeNode {
  if (t.feature[node] < 0) return { leaf: true, values: t.value.slice(node * k, node * k + k).map(leafValue) }
  const missingLeft = t.missingLeft[node] === 1
  return {
    leaf: false,
    feature: t.feature[node],
    threshold: t.threshold[node],
    missingLeft,
    left: nestTree(t, t.left[node], k, leafValue, steps, labels),
    right: nestTree(t, t.right[node], k, leafValue, steps, labels),
    text: describeSplit(t.feature[node], t.threshold[node], missingLeft, steps, labels),
  }
}

/** All trees in one set of arrays (CompactTreesPlan), each tree's nodes in its own order. */
function flattenTrees(trees: CheckedTree[], k: number, average: boolean): TreeModelPlan {
  const node: number[] = []
  const threshold: number[] = []
  const leafValues: number[] = []
  const nodeStart: number[] = []
  for (const t of trees) {
    const base = threshold.length
    nodeStart.push(base)
    for (let i = 0; i < t.feature.length; i++) {
      if (t.feature[i] < 0) {
        node.push(0, base + i, leafValues.length)
        threshold.push(Infinity)
        for (let j = 0; j < k; j++) leafValues.push(t.value[i * k + j])
      } else {
        node.push(t.feature[i] * 2 + (t.missingLeft[i] === 1 ? 0 : 1), base + t.left[i], base + t.right[i])
        threshold.push(t.threshold[i])
      }
    }
  }
  nodeStart.push(threshold.length)
  return { kind: 'trees', layout: 'compact', outputs: k, average, count: trees.length, node, threshold, leafValues, nodeStart, lanes: laneForest(trees, k) }
}
