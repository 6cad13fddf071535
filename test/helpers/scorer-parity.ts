/**
 * Parity harness for generated scorers: a mixed-type dataset, records built from table rows and from
 * edge cases, one tsc run for many generated modules, and the comparison with the IR evaluator.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { CategoricalColumn, Column, NumericColumn, Table } from '../../src/data/table.js'
import { prepareTarget, type TargetData, type Task } from '../../src/data/target.js'
import { buildEnsemble } from '../../src/ir/ensemble.js'
import { compileModel } from '../../src/ir/evaluate.js'
import type { ModelIR, Prediction } from '../../src/ir/model.js'
import { fitModel } from '../../src/learners/fit-model.js'
import { logisticRegression } from '../../src/learners/linear.js'
import { mlp } from '../../src/learners/mlp.js'
import { Random } from '../../src/learners/random.js'
import { decisionTree, randomForest } from '../../src/learners/trees.js'
import { REPO_ROOT } from './cli.js'

export const TSC = join(REPO_ROOT, 'node_modules', '.bin', 'tsc')

export interface MixedTableOptions {
  rows: number
  task: Task
  seed: number
  /** Column names: 3 numeric, 1 boolean, 2 categorical, then the target (default plain names). */
  names?: string[]
  /** Levels of the first categorical column (the second has 9 levels, two of them rare). */
  levels?: string[]
  /** Class texts (default no/yes or c0..c2). */
  classes?: string[]
  missing?: number
  /**
   * Texts the second numeric column and the boolean column had among their values in the "file" (read
   * as missing there: Column.oddCells), so models carry them as their input columns' missingTexts.
   */
  oddTexts?: { numeric: string[]; boolean: string[] }
  /** The first numeric column had numbers with a decimal comma in its "file" (Column.commaCells); default true. */
  decimalComma?: boolean
  /** The third numeric column (days) had ISO dates in its "file" (Column.dateCells); default true. */
  isoDates?: boolean
}

export const PLAIN_NAMES = ['temp', 'pressure', 'rpm', 'turbo', 'color', 'code', 'target']
export const PLAIN_LEVELS = ['red', 'green', 'blue', 'gray']

/** Numeric, boolean and categorical columns with missing cells and rare levels, and a target that depends on them. */
export function mixedTable(options: MixedTableOptions): { table: Table; target: TargetData } {
  const { rows, task, seed } = options
  const names = options.names ?? PLAIN_NAMES
  const levels = options.levels ?? PLAIN_LEVELS
  const missing = options.missing ?? 0.08
  const random = new Random(seed)
  const num = [new Float64Array(rows), new Float64Array(rows), new Float64Array(rows)]
  const flag = new Float64Array(rows)
  const color = new Int32Array(rows)
  const code = new Int32Array(rows)
  const codeLevels = ['P0001', 'P0100', 'P0200', 'P0300', 'P0420', 'P0500', 'P0700', 'RARE1', 'RARE2']
  const signal = new Float64Array(rows)
  for (let i = 0; i < rows; i++) {
    num[0][i] = 90 + 10 * random.normal()
    num[1][i] = random.normal() * 3
    num[2][i] = Math.round(1000 + 2000 * random.next())
    flag[i] = random.next() < 0.4 ? 1 : 0
    color[i] = random.int(levels.length)
    // Rare codes (fewer than 5 rows) are pooled into __other__ by the pipeline.
    code[i] = i < 3 ? 7 + (i % 2) : random.int(7)
    signal[i] = 0.15 * (num[0][i] - 90) - 0.6 * num[1][i] + 0.0008 * (num[2][i] - 2000) + 1.2 * flag[i] + (color[i] % 3) - 0.8 + 0.3 * code[i] - 0.9
  }
  const k = task === 'multiclass' ? 3 : 2
  const classes = options.classes ?? (task === 'binary' ? ['no', 'yes'] : ['c0', 'c1', 'c2'])
  const columns: Column[] = []
  for (let i = 0; i < rows; i++) {
    for (const col of num) if (random.next() < missing) col[i] = NaN
    if (random.next() < missing) flag[i] = NaN
    if (random.next() < missing) color[i] = -1
    if (random.next() < missing) code[i] = -1
  }
  const odd = options.oddTexts ?? { numeric: ['unknown', '-'], boolean: ['maybe'] }
  const oddCells = (texts: string[]): NumericColumn['oddCells'] => (texts.length > 0 ? { count: texts.length, firstRow: 0, texts } : undefined)
  const commaCells = options.decimalComma ?? true ? { commaCells: { count: 1, firstRow: 0 } } : {}
  num.forEach((values, j) =>
    columns.push({
      name: names[j],
      type: 'numeric',
      values,
      ...(j === 1 && odd.numeric.length > 0 ? { oddCells: oddCells(odd.numeric) } : {}),
      ...(j === 0 ? commaCells : {}),
      ...(j === 2 && (options.isoDates ?? true) ? { dateCells: { count: 1, firstRow: 0 } } : {}),
    } satisfies NumericColumn),
  )
  columns.push({ name: names[3], type: 'boolean', values: flag, ...(odd.boolean.length > 0 ? { oddCells: oddCells(odd.boolean) } : {}) })
  columns.push({ name: names[4], type: 'categorical', codes: color, levels } satisfies CategoricalColumn)
  columns.push({ name: names[5], type: 'categorical', codes: code, levels: codeLevels } satisfies CategoricalColumn)
  if (task === 'regression') {
    columns.push({ name: names[6], type: 'numeric', values: Float64Array.from(signal, (s) => 10 + 3 * s + random.normal()) })
  } else {
    const label = Int32Array.from(signal, (s) => {
      if (k === 2) return random.next() < 1 / (1 + Math.exp(-s)) ? 1 : 0
      const z = s + random.normal()
      return z < -0.5 ? 0 : z < 1 ? 1 : 2
    })
    columns.push({ name: names[6], type: 'categorical', codes: label, levels: classes.slice(0, k) })
  }
  const table: Table = { source: `mixed(${task}, seed ${seed})`, nRows: rows, columns, fingerprint: `mixed-${task}-${seed}-${rows}` }
  return { table, target: prepareTarget(table, names[6], task) }
}

export type RawRecord = Record<string, unknown>

/** Records from table rows: numbers as numbers, categories as text, booleans as booleans; missing cells alternate between null, absent, 'NA', '' and NaN. */
export function recordsFromTable(table: Table, target: string): RawRecord[] {
  const out: RawRecord[] = []
  const missingForms = [null, undefined, 'NA', '', NaN, ' null ', '?']
  let m = 0
  for (let i = 0; i < table.nRows; i++) {
    const entries: [string, unknown][] = []
    for (const column of table.columns) {
      if (column.name === target) continue
      const present = column.type === 'categorical' ? column.codes[i] >= 0 : !Number.isNaN(column.values[i])
      if (!present) {
        const form = missingForms[m++ % missingForms.length]
        if (form !== undefined) entries.push([column.name, form])
        continue
      }
      if (column.type === 'categorical') entries.push([column.name, column.levels[column.codes[i]]])
      else if (column.type === 'boolean') entries.push([column.name, i % 3 === 0 ? (column.values[i] === 1 ? 'true' : 'false') : column.values[i] === 1])
      else entries.push([column.name, i % 5 === 0 ? String(column.values[i]) : column.values[i]])
    }
    // fromEntries makes own properties, so a column named __proto__ is a field, not the prototype.
    out.push(Object.fromEntries(entries))
  }
  return out
}

/** Thresholds the model splits on, so edge records hit split points exactly and just beside them. */
function thresholdsOf(ir: ModelIR): Map<number, number[]> {
  const byFeature = new Map<number, number[]>()
  const bodies = ir.model.type === 'ensemble' ? ir.model.members.map((m) => ({ body: m.model, offset: m.offset })) : [{ body: ir.model, offset: 0 }]
  for (const { body, offset } of bodies) {
    if (body.type !== 'trees') continue
    for (const t of body.trees) {
      t.feature.forEach((f, i) => {
        if (f < 0) return
        const list = byFeature.get(offset + f) ?? []
        list.push(t.threshold[i])
        byFeature.set(offset + f, list)
      })
    }
  }
  return byFeature
}

/** Days since 1970-01-01 as ISO text: a date when whole, else a date-time in UTC or at an offset (ms precision). */
function isoText(days: number, random: Random): string {
  if (!Number.isFinite(days)) return String(days)
  const ms = Math.round(days * 86_400_000)
  if (Number.isInteger(days)) return new Date(ms).toISOString().slice(0, 10)
  const offset = [0, 120, -330][random.int(3)]
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23)
  const zone = offset === 0 ? pick1(['Z', '', '+00:00'], random) : `${offset > 0 ? '+' : '-'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`
  return `${local}${zone}`
}
const pick1 = <T>(items: readonly T[], random: Random): T => items[random.int(items.length)]

const NUMBER_EDGES: unknown[] = [
  NaN, null, undefined, '', 'NA', ' NaN ', 'null', '?', '  12 ', '1e3', '-0', '.5', '5.', '+7', -0, 0, 1e308, -1e308, Infinity, -Infinity,
  5e-324, Number.MAX_VALUE, '0x1F', 'Infinity', 'abc', '1,5', true, false, {}, [], [1], '\u00a0NA', 'NA\u00a0 ', '\t3\n', ' -0,5 ', '1,2,3', ',5', '1.5,5',
  // White space beyond ASCII alone at an end: trimmed as trim() does (it had been read only beside an ASCII blank).
  'NA\u00a0', '\u00a012', '12\u3000', '\ufeff-0,5', '\u00a02024-05-01',
]
const BOOLEAN_EDGES: unknown[] = [true, false, 'true', ' FALSE ', 'True', 0, 1, '0', '1', ' 1 ', -0, 2, 0.5, 'yes', 'NA', '', null, undefined, NaN, {}, '1.0', '1e0']
const CATEGORY_EDGES: unknown[] = ['zzz-unknown', ' red', 'RED', 42, -0, 1.5, true, false, NaN, null, undefined, '', ' NA ', '?', 'null', {}, ['red'], 'null ', '__other__', '42.0', ' 1.50 ', '-0', '0e5', 'TRUE', ' false ', '1,5']

/** Random records mixing typical values (from the table) with edge cases per field, plus a few always-throwing ones. */
export function edgeRecords(ir: ModelIR, table: Table, n: number, seed: number): RawRecord[] {
  const random = new Random(seed)
  const pick = <T>(items: readonly T[]): T => items[random.int(items.length)]
  const thresholds = thresholdsOf(ir)
  // A column's features (an ensemble's pipeline reads a column once per member).
  const offsetsOf = new Map<string, number[]>()
  let offset = 0
  for (const step of ir.features.steps) {
    offsetsOf.set(step.column, [...(offsetsOf.get(step.column) ?? []), offset])
    offset += step.kind === 'onehot' ? step.levels.length + (step.other ? 1 : 0) : 1
  }
  const out: RawRecord[] = []
  for (let r = 0; r < n; r++) {
    const entries: [string, unknown][] = []
    // Mostly valid records (so scores are compared), some with an edge value that may throw.
    const wild = random.next() < 0.3
    for (const input of ir.input.columns) {
      const column = table.columns.find((c) => c.name === input.name)!
      const row = random.int(table.nRows)
      let value: unknown
      const u = random.next()
      if (input.type === 'categorical') {
        const c = column as CategoricalColumn
        if (u < 0.6) value = c.codes[row] >= 0 ? c.levels[c.codes[row]] : null
        else if (u < 0.75) value = pick(c.levels)
        else value = wild ? pick(CATEGORY_EDGES) : pick(CATEGORY_EDGES.filter((v) => typeof v !== 'object' || v === null))
      } else if (input.missingTexts && u < 0.1) {
        const t = pick(input.missingTexts)
        value = pick([t, ` ${t} `, `\u00a0${t}\t`, t.toUpperCase(), `${t}x`])
      } else if (input.type === 'boolean') {
        value = u < 0.5 ? random.next() < 0.5 : wild ? pick(BOOLEAN_EDGES) : pick([true, false, 'true', 'FALSE', 0, 1, null, undefined, 'NA'])
      } else {
        const values = (column as NumericColumn).values
        const ts = (offsetsOf.get(input.name) ?? []).flatMap((o) => thresholds.get(o) ?? [])
        if (u < 0.45) value = input.decimalComma && u < 0.2 ? String(values[row]).replace('.', ',') : input.isoDates && u < 0.2 ? isoText(values[row], random) : values[row]
        else if (u < 0.7 && ts.length > 0) {
          const t = pick(ts)
          value = pick([t, nextUp(t), nextDown(t), String(t), ...(input.isoDates ? [isoText(t, random), isoText(Math.floor(t), random)] : [])])
        } else value = wild ? pick(NUMBER_EDGES) : pick(NUMBER_EDGES.filter((v) => typeof v === 'number' || v === null || v === undefined || v === '  12 ' || v === 'NA'))
      }
      if (value !== undefined) entries.push([input.name, value])
    }
    if (random.next() < 0.05) entries.push(['not-a-field', { anything: 1 }])
    out.push(Object.fromEntries(entries))
  }
  return out
}

function nextUp(x: number): number {
  if (!Number.isFinite(x)) return x
  const b = new Float64Array([x])
  const i = new BigInt64Array(b.buffer)
  if (x === 0) return Number.MIN_VALUE
  i[0] += x > 0 ? 1n : -1n
  return b[0]
}

function nextDown(x: number): number {
  return -nextUp(-x)
}

export interface ScorerModule {
  score(record: RawRecord): Prediction
  scoreBatch(records: RawRecord[]): Prediction[]
  ScoringError: new (...args: never[]) => Error & { field: string }
  CLASSES?: readonly string[]
  FIELDS: readonly string[]
  MODEL: { id: string; family: string; task: string; target: string }
}

/** The strictest flags a user's project might set: the generated TypeScript must compile under all of them. */
export const STRICT_FLAGS = [
  '--strict',
  '--noUncheckedIndexedAccess',
  '--noUnusedLocals',
  '--noUnusedParameters',
  '--noImplicitReturns',
  '--noImplicitOverride',
  '--exactOptionalPropertyTypes',
  '--noPropertyAccessFromIndexSignature',
  '--verbatimModuleSyntax',
  '--isolatedModules',
]

export interface CompileResult {
  status: number | null
  output: string
  ms: number
}

/**
 * One tsc run (ES2022, NodeNext, ESM) over generated modules: .ts files are compiled to dir/out (keeping
 * their folder under dir), .js files are type-checked by their JSDoc types (checkJs). --skipLibCheck
 * only skips checking TypeScript's own lib .d.ts files.
 */
export function compileScorers(dir: string, files: string[], extraFlags: string[] = STRICT_FLAGS): CompileResult {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  const t0 = performance.now()
  const js = files.some((f) => f.endsWith('.js')) ? ['--allowJs', '--checkJs'] : []
  const r = spawnSync(
    TSC,
    [...extraFlags, ...js, '--skipLibCheck', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--lib', 'ES2022', '--noEmit', 'false', '--rootDir', dir, '--outDir', join(dir, 'out'), ...files],
    { encoding: 'utf8', cwd: dir },
  )
  return { status: r.status, output: r.stdout + r.stderr, ms: performance.now() - t0 }
}

export function writeModule(dir: string, file: string, code: string): string {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, file)
  writeFileSync(path, code)
  return path
}

export async function importScorer(path: string): Promise<ScorerModule> {
  return (await import(pathToFileURL(path).href)) as ScorerModule
}

type Outcome = { ok: true; prediction: Prediction } | { ok: false; name: string; message: string; field?: string }

function outcome(fn: () => Prediction): Outcome {
  try {
    return { ok: true, prediction: fn() }
  } catch (err) {
    const e = err as Error & { field?: string }
    return { ok: false, name: e.name, message: e.message, field: e.field }
  }
}

function sameNumber(a: number, b: number, relTol: number): boolean {
  if (Object.is(a, b)) return true
  if (relTol === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return false
  return Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b))
}

function samePrediction(a: Prediction, b: Prediction, relTol: number): boolean {
  if ('value' in a || 'value' in b) return 'value' in a && 'value' in b && Object.keys(b).join() === 'value' && sameNumber(a.value, b.value, relTol)
  if (Object.keys(b).join() !== 'label,probabilities' || !Array.isArray(b.probabilities)) return false
  if (a.probabilities.length !== b.probabilities.length) return false
  return a.label === b.label && a.probabilities.every((p, j) => sameNumber(p, b.probabilities[j], relTol))
}

export interface ParityReport {
  compared: number
  scored: number
  threw: number
  mismatches: { record: RawRecord; expected: Outcome; actual: Outcome }[]
}

/**
 * Scores every record with the IR evaluator and the generated module: both throw (same error class
 * name, field and message) or both return the same prediction (Object.is per number, or within relTol).
 */
export function compareWithEvaluator(ir: ModelIR, scorer: ScorerModule, records: RawRecord[], relTol = 0): ParityReport {
  const reference = compileModel(ir)
  const report: ParityReport = { compared: 0, scored: 0, threw: 0, mismatches: [] }
  const batchable: RawRecord[] = []
  for (const record of records) {
    const expected = outcome(() => reference.predictRecord(record))
    const actual = outcome(() => scorer.score(record))
    report.compared++
    let same: boolean
    if (expected.ok && actual.ok) {
      same = samePrediction(expected.prediction, actual.prediction, relTol)
      report.scored++
      batchable.push(record)
    } else if (!expected.ok && !actual.ok) {
      same = expected.name === actual.name && expected.message === actual.message && expected.field === actual.field
      report.threw++
    } else same = false
    if (!same && report.mismatches.length < 5) report.mismatches.push({ record, expected, actual })
  }
  // scoreBatch gives the same predictions as score, in order.
  const batch = scorer.scoreBatch(batchable)
  batch.forEach((p, i) => {
    const single = scorer.score(batchable[i])
    if (!samePrediction(single, p, 0) && report.mismatches.length < 5) {
      report.mismatches.push({ record: batchable[i], expected: { ok: true, prediction: single }, actual: { ok: true, prediction: p } })
    }
  })
  return report
}

/** Fits one model of a learner on every row of `data` (the learner's defaults, overridden by `params`). */
export function fitOnAllRows<P extends object>(
  data: { table: Table; target: TargetData },
  learner: { family: string; defaultParams(t: Task): P },
  params: Partial<P>,
  modelId: string,
): Promise<ModelIR> {
  const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
  return fitModel(learner as never, data.table, data.target, train, { ...learner.defaultParams(data.target.task), ...params }, { modelId, seed: 7 })
}

/**
 * The models every printer's parity tests run: each family, trees small and deep, nets with both
 * activations; [id, model, allowed relative error]. 10 trees: more than the compact form's 8 lanes, so
 * two lanes walk a second tree.
 */
export async function parityModels(data: { table: Table; target: TargetData }, modelId: (id: string) => string): Promise<[string, ModelIR, number][]> {
  const fit = <P extends object>(id: string, learner: { family: string; defaultParams(t: Task): P }, params: Partial<P>) => fitOnAllRows(data, learner, params, modelId(id))
  const models: [string, ModelIR, number][] = [
    ['tree-small', await fit('tree-small', decisionTree, { maxDepth: 3 }), 0],
    ['tree-deep', await fit('tree-deep', decisionTree, { maxDepth: 10, minSamplesLeaf: 1 }), 0],
    ['forest', await fit('forest', randomForest, { nTrees: 10, maxDepth: 5, workers: 1 }), 0],
    ['logistic', await fit('logistic', logisticRegression, {}), 0],
    ['mlp', await fit('mlp', mlp, { hidden: [6, 4], epochs: 25, activation: 'tanh' }), 1e-9],
    ['mlp-relu', await fit('mlp-relu', mlp, { hidden: [10], epochs: 25, activation: 'relu' }), 1e-9],
  ]
  // A net's refit as a run makes it: a bag of nets averaged, one copy of their shared pipeline.
  const bagged = await fit('mlp-bagged', mlp, { hidden: [5], epochs: 20, activation: 'relu' })
  const bag = buildEnsemble([models[5][1], bagged].map((ir) => ({ ir, weight: 1 / 2 })), modelId('mlp-bag'), { bag: 2 })
  models.push(['mlp-bag', { ...bag, family: 'mlp' }, 1e-9])
  const byId = new Map(models.map(([id, ir]) => [id, ir]))
  // Weights as ensemble selection makes them (picks / 7); a net among the members: 1e-9 relative. The
  // bag's nets join as members; the logistic regression and the nets share their pipeline.
  const parts = [['tree-small', 1], ['forest', 3], ['logistic', 2], ['mlp-bag', 1]] as const
  models.push(['ensemble', buildEnsemble(parts.map(([id, picks]) => ({ ir: byId.get(id)!, weight: picks / 7 })), modelId('ensemble')), 1e-9])
  return models
}

/** Hostile texts for Java output: quotes, backslashes, Java unicode escapes, `*\/`, keywords, surrogates. */
export const JAVA_HOSTILE_NAMES = [
  'engine "temp"\n*/ \\u000a \\u0022 \\ end',
  'class',
  '\u2028line\u2029sep \ud800 lone \u202eevil',
  'public static void',
  'na\u00efve caf\u00e9 \ud83d\ude00',
  '',
  'the target\r\n/* x */ // y',
]
export const JAVA_HOSTILE_LEVELS = ['"quoted"', 'back\\slash', '*/ close', '\\u0022', 'int', 'tab\there', '\ud83d\ude00 emoji', '\u2028', 'lone \udc00', 'null', '', '\u0000nul']
