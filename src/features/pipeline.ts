import type { CategoricalColumn, NumericColumn, Table } from '../data/table.js'
import { canonicalLevel, isMissingText, parseCommaNumber, parseIsoDate } from '../data/cells.js'
import { columnIndex } from '../data/table.js'
import type { Task } from '../data/target.js'
import type { FeaturePipelineIR, FeatureStep, InputColumn } from '../ir/model.js'
import { readCategoryField, readNumericField, type RawRecord } from './record.js'

export interface PipelineOptions {
  /**
   * One-hot: most levels kept per column (the rest pooled into `__other__`), while the encoded training
   * matrix stays within MAX_ONEHOT_CELLS; wider, every column keeps fewer (down to MIN_ONEHOT_LEVELS).
   */
  maxOneHotLevels: number
  /** Ordinal codes (trees): most levels kept per column. */
  maxOrdinalLevels: number
  /** A level seen in fewer training rows than this is pooled into `__other__`. */
  minLevelCount: number
}

/**
 * Levels kept by default: as many as scikit-learn's one-hot encoder would give a linear model, within
 * reason. With 32 (before session 12), a 300-level column whose every level shifts the target (9,000
 * rows) left the ridge regression at 1.02 CV RMSE and the run's winner (forests) at 0.73, where
 * scikit-learn's ridge on every level scored 0.51.
 */
export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = { maxOneHotLevels: 1024, maxOrdinalLevels: 254, minLevelCount: 5 }
/** The encoded training matrix of a dense pipeline (rows x width, 8 bytes a cell) stays within this many cells by keeping fewer levels... */
export const MAX_ONEHOT_CELLS = 2 ** 23
/** ... but never fewer than this many per column. */
export const MIN_ONEHOT_LEVELS = 32
/**
 * Past a column's 32 most frequent levels, a level needs this many training rows of its own (a
 * coefficient fitted on fewer is mostly noise): an ID-like column (the example's car_id: 896 cars on
 * 5,000 rows, no signal) then adds few columns, where keeping every level seen 5 times (587) made the
 * nets' CV AUC drop from 0.804 to 0.790 and the logistic regression's C path 7 times slower.
 */
const WIDE_ONEHOT_MIN_COUNT = 10

/** The training rows a pipeline is fitted on, with their targets (for target-ordered level codes). */
export interface TrainingRows {
  rows: Int32Array
  y: Float64Array
  task: Task
}

/** A numeric column's stray text up to this long is saved in the model as a missing marker (InputColumn.missingTexts). */
export const MISSING_TEXT_MAX_CHARS = 100

export function inputColumnsOf(table: Table, target: string): InputColumn[] {
  return table.columns
    .filter((c) => c.name !== target)
    .map((c): InputColumn => {
      const input: InputColumn = { name: c.name, type: c.type }
      // A long text is no missing marker but broken data (a quote gone astray): missing in training, an
      // error in its row when scoring.
      const markers = c.type !== 'categorical' && c.oddCells ? c.oddCells.texts.filter((t) => t.length <= MISSING_TEXT_MAX_CHARS) : []
      if (markers.length > 0) input.missingTexts = markers
      if (c.type === 'numeric' && c.commaCells) input.decimalComma = true
      if (c.type === 'numeric' && c.dateCells) input.isoDates = true
      return input
    })
}

/** k-th smallest of a[0, n) (Hoare's quickselect; reorders a). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i] < pivot) i++
      while (a[j] > pivot) j--
      if (i <= j) {
        const t = a[i]
        a[i] = a[j]
        a[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k]
  }
  return a[k]
}

/** Median of the n present values in `present` (0 when none); linear time, no full sort; reorders them. */
function medianOf(present: Float64Array, n: number): number {
  if (n === 0) return 0
  const upper = select(present, n, n >> 1)
  if (n % 2 === 1) return upper
  // The lower middle is the largest value left of the upper one after the partition.
  let lower = -Infinity
  for (let i = 0; i < n >> 1; i++) if (present[i] > lower) lower = present[i]
  return (lower + upper) / 2
}

/**
 * Imputation by the median, centering by the mean and scaling by the std of the training rows. The
 * column is read once (gathered into row order); the sums then run over that copy in row order.
 */
function fitNumeric(column: NumericColumn, rows: Int32Array): FeatureStep {
  const values = column.values
  const m = rows.length
  const gathered = new Float64Array(m)
  const present = new Float64Array(m)
  let n = 0
  for (let i = 0; i < m; i++) {
    const v = values[rows[i]]
    gathered[i] = v
    if (v === v) present[n++] = v
  }
  const impute = medianOf(present, n)
  let sum = 0
  for (let i = 0; i < m; i++) {
    const v = gathered[i]
    sum += v === v ? v : impute
  }
  let center = sum / m
  let ss = 0
  for (let i = 0; i < m; i++) {
    const v = gathered[i]
    const d = (v === v ? v : impute) - center
    ss += d * d
  }
  let sd = Math.sqrt(ss / m)
  if (!Number.isFinite(center) || !Number.isFinite(sd)) ({ center, sd } = scaledMoments(gathered, impute))
  return { kind: 'numeric', column: column.name, impute, center, scale: sd > 0 ? sd : 1 }
}

/**
 * The mean and std of values near the double's limit (a sentinel such as -1.797e308), whose sums
 * overflow to Infinity and made every row's feature NaN: computed on the values divided by the largest
 * magnitude, then scaled back. The feature is then finite for every row, if of little use.
 */
function scaledMoments(values: Float64Array, impute: number): { center: number; sd: number } {
  let big = 0
  for (const v of values) if (v === v && Math.abs(v) > big) big = Math.abs(v)
  big = Math.max(big, Math.abs(impute), Number.MIN_VALUE)
  let sum = 0
  for (const v of values) sum += (v === v ? v : impute) / big
  const mean = sum / values.length
  let ss = 0
  for (const v of values) {
    const d = (v === v ? v : impute) / big - mean
    ss += d * d
  }
  return { center: mean * big, sd: Math.sqrt(ss / values.length) * big }
}

/**
 * Levels kept for a categorical column: frequent enough, at most `max`, most frequent first. With
 * `wideMinCount`, levels past the first MIN_ONEHOT_LEVELS need that many rows.
 */
function keptLevels(column: CategoricalColumn, rows: Int32Array, max: number, minCount: number, wideMinCount = minCount): { kept: number[]; counts: number[]; pooled: boolean } {
  const counts = new Array<number>(column.levels.length).fill(0)
  for (let i = 0; i < rows.length; i++) {
    const c = column.codes[rows[i]]
    if (c >= 0) counts[c]++
  }
  const seen = counts.map((_, i) => i).filter((i) => counts[i] > 0)
  seen.sort((a, b) => counts[b] - counts[a] || (column.levels[a] < column.levels[b] ? -1 : 1))
  const kept = seen.filter((i, rank) => counts[i] >= (rank >= MIN_ONEHOT_LEVELS ? Math.max(minCount, wideMinCount) : minCount)).slice(0, max)
  return { kept, counts, pooled: kept.length < seen.length }
}

function fitOrdinal(column: CategoricalColumn, train: TrainingRows, options: PipelineOptions): FeatureStep {
  const { kept, pooled } = keptLevels(column, train.rows, options.maxOrdinalLevels, options.minLevelCount)
  if (train.task !== 'multiclass') {
    // Ordered by the target's mean per level, so `code <= t` splits group levels that behave alike.
    const sum = new Float64Array(column.levels.length)
    const count = new Float64Array(column.levels.length)
    for (let i = 0; i < train.rows.length; i++) {
      const c = column.codes[train.rows[i]]
      if (c >= 0) {
        sum[c] += train.y[i]
        count[c]++
      }
    }
    const mean = (c: number): number => sum[c] / count[c]
    kept.sort((a, b) => mean(a) - mean(b) || (column.levels[a] < column.levels[b] ? -1 : 1))
  }
  return { kind: 'ordinal', column: column.name, levels: kept.map((c) => column.levels[c]), other: pooled }
}

function fitOneHot(column: CategoricalColumn, rows: Int32Array, maxLevels: number, options: PipelineOptions): FeatureStep {
  const { kept, pooled } = keptLevels(column, rows, maxLevels, options.minLevelCount, WIDE_ONEHOT_MIN_COUNT)
  return { kind: 'onehot', column: column.name, levels: kept.map((c) => column.levels[c]), other: pooled }
}

/**
 * The most one-hot levels per column a dense pipeline keeps: options.maxOneHotLevels, lowered (to no
 * fewer than MIN_ONEHOT_LEVELS) until the training matrix fits in MAX_ONEHOT_CELLS.
 */
function oneHotCap(table: Table, inputs: InputColumn[], rows: Int32Array, options: PipelineOptions): number {
  let cap = options.maxOneHotLevels
  if (cap <= MIN_ONEHOT_LEVELS) return cap
  const columns = inputs.map((input) => table.columns[columnIndex(table, input.name)])
  // Levels each categorical column would keep without a cap (plus __other__), and the numbers' width.
  const wanted = columns.filter((c): c is CategoricalColumn => c.type === 'categorical').map((c) => {
    const { kept, pooled } = keptLevels(c, rows, Infinity, options.minLevelCount, WIDE_ONEHOT_MIN_COUNT)
    return kept.length + (pooled ? 1 : 0)
  })
  const numbers = columns.length - wanted.length
  const width = (k: number): number => numbers + wanted.reduce((w, n) => w + Math.min(n, k + 1), 0)
  while (cap > MIN_ONEHOT_LEVELS && width(cap) * rows.length > MAX_ONEHOT_CELLS) cap = Math.max(MIN_ONEHOT_LEVELS, Math.floor(cap / 2))
  return cap
}

export function stepWidth(step: FeatureStep): number {
  return step.kind === 'onehot' ? step.levels.length + (step.other ? 1 : 0) : 1
}

/** Fits imputation, scaling and level codes on the training rows only. */
export function fitPipeline(
  table: Table,
  inputs: InputColumn[],
  encoding: 'tree' | 'dense',
  train: TrainingRows,
  options: PipelineOptions = DEFAULT_PIPELINE_OPTIONS,
): FeaturePipelineIR {
  const cap = encoding === 'dense' ? oneHotCap(table, inputs, train.rows, options) : 0
  const steps: FeatureStep[] = inputs.map((input) => {
    const column = table.columns[columnIndex(table, input.name)]
    if (column.type === 'categorical') {
      return encoding === 'tree' ? fitOrdinal(column, train, options) : fitOneHot(column, train.rows, cap, options)
    }
    return encoding === 'tree' ? { kind: 'raw', column: column.name } : fitNumeric(column, train.rows)
  })
  return { encoding, steps, width: steps.reduce((w, s) => w + stepWidth(s), 0) }
}

/** Output names of the feature vector, for messages and generated code comments. */
export function featureNames(pipeline: FeaturePipelineIR): string[] {
  const names: string[] = []
  for (const step of pipeline.steps) {
    if (step.kind === 'onehot') {
      for (const level of step.levels) names.push(`${step.column}=${level}`)
      if (step.other) names.push(`${step.column}=__other__`)
    } else names.push(step.column)
  }
  return names
}

/** Level -> code; a level listed twice keeps its first code (as a left-to-right search would). */
export function levelCodes(levels: string[]): Map<string, number> {
  const index = new Map<string, number>()
  levels.forEach((l, i) => {
    if (!index.has(l)) index.set(l, i)
  })
  return index
}

/** Code of each table level under a categorical step: its feature code, or -1 for "not listed". */
function levelLookup(column: CategoricalColumn, levels: string[]): Int32Array {
  const index = levelCodes(levels)
  return Int32Array.from(column.levels, (l) => index.get(l) ?? -1)
}

export interface EncodedMatrix {
  /** Row-major n x d. */
  X: Float64Array
  n: number
  d: number
}

/**
 * Recently encoded matrices, for an AutoML search: every trial of a fold fits the same (cached, see
 * fit-model.ts) pipeline on the same rows and scores the same validation rows, so after the first trial
 * a fold's matrices come from here. A hit needs the same pipeline object, the same table object and
 * the same rows; callers must treat the returned matrix as read-only. Bounded in bytes (oldest out).
 */
const ENCODE_CACHE_BYTES = 96 * 1024 * 1024
/** Matrices above this size are not kept (they would push out everything else for little gain). */
const ENCODE_CACHE_MAX_ENTRY = 24 * 1024 * 1024
interface EncodeCacheEntry {
  pipeline: FeaturePipelineIR
  table: Table
  rows: Int32Array | undefined
  matrix: EncodedMatrix
}
const encodeCache: EncodeCacheEntry[] = []
let encodeCacheBytes = 0

function sameRows(a: Int32Array | undefined, b: Int32Array | undefined): boolean {
  if (a === b) return true
  if (!a || !b || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Encodes the given table rows (all when omitted) into the model's feature matrix (read-only: it may be shared). */
export function encodeTable(pipeline: FeaturePipelineIR, table: Table, rows?: Int32Array): EncodedMatrix {
  for (let i = encodeCache.length - 1; i >= 0; i--) {
    const e = encodeCache[i]
    if (e.pipeline === pipeline && e.table === table && sameRows(e.rows, rows)) return e.matrix
  }
  const matrix = encodeTableUncached(pipeline, table, rows)
  const bytes = matrix.X.byteLength
  if (bytes <= ENCODE_CACHE_MAX_ENTRY) {
    encodeCache.push({ pipeline, table, rows: rows ? Int32Array.from(rows) : undefined, matrix })
    encodeCacheBytes += bytes
    while (encodeCacheBytes > ENCODE_CACHE_BYTES) encodeCacheBytes -= encodeCache.shift()!.matrix.X.byteLength
  }
  return matrix
}

function encodeTableUncached(pipeline: FeaturePipelineIR, table: Table, rows?: Int32Array): EncodedMatrix {
  const n = rows ? rows.length : table.nRows
  const d = pipeline.width
  const X = new Float64Array(n * d)
  let offset = 0
  for (const step of pipeline.steps) {
    const ci = columnIndex(table, step.column)
    if (ci < 0) throw new Error(`column "${step.column}" is not in the table`)
    const column = table.columns[ci]
    if (step.kind === 'numeric' || step.kind === 'raw') {
      if (column.type === 'categorical') throw new Error(`column "${step.column}" is categorical, the model expects numbers`)
      const values = column.values
      for (let i = 0; i < n; i++) {
        const v = values[rows ? rows[i] : i]
        X[i * d + offset] = step.kind === 'raw' ? v : ((Number.isNaN(v) ? step.impute : v) - step.center) / step.scale
      }
      offset++
      continue
    }
    if (column.type !== 'categorical') throw new Error(`column "${step.column}" is ${column.type}, the model expects categories`)
    const lookup = levelLookup(column, step.levels)
    const codes = column.codes
    const otherCode = step.other ? step.levels.length : -1
    for (let i = 0; i < n; i++) {
      const c = codes[rows ? rows[i] : i]
      const k = c < 0 ? -1 : lookup[c] >= 0 ? lookup[c] : otherCode
      if (step.kind === 'onehot') {
        if (k >= 0) X[i * d + offset + k] = 1
      } else {
        X[i * d + offset] = k >= 0 ? k : NaN
      }
    }
    offset += stepWidth(step)
  }
  return { X, n, d }
}

/** Encodes one record into `out`; see compileRecordEncoder. */
export type RecordEncoder = (record: RawRecord, out: Float64Array) => void

/**
 * A record encoder for a pipeline, with its lookups built once (the stream scorer calls it per message).
 * Same rules as encodeTable (a text the training file had among a column's numbers, its input column's
 * missingTexts, is missing); a value of the wrong type throws a ScoringError naming the field.
 */
export function compileRecordEncoder(pipeline: FeaturePipelineIR, inputs: InputColumn[]): RecordEncoder {
  const inputOf = new Map(inputs.map((c) => [c.name, c]))
  const steps = pipeline.steps.map((step) => {
    const input = inputOf.get(step.column)
    // A numeric field's extra text rules (a categorical column's mean nothing).
    const numeric = (step.kind === 'numeric' || step.kind === 'raw') && input !== undefined && input.type !== 'categorical'
    return {
      step,
      isBoolean: input?.type === 'boolean',
      missingTexts: numeric && input.missingTexts?.length ? new Set(input.missingTexts) : null,
      comma: numeric && input.type === 'numeric' && input.decimalComma === true,
      dates: numeric && input.type === 'numeric' && input.isoDates === true,
      levels: step.kind === 'onehot' || step.kind === 'ordinal' ? levelCodes(step.levels) : null,
      width: stepWidth(step),
    }
  })
  return (record, out) => {
    let offset = 0
    for (const { step, isBoolean, missingTexts, comma, dates, levels, width } of steps) {
      // A value of the field's own type is taken as is; anything else only when the record has the field
      // itself: `constructor` or `toString` are absent unless the record has them. (Generated scorers
      // check in the same order.)
      let value = record[step.column]
      const fastType = step.kind === 'numeric' || step.kind === 'raw' ? (isBoolean ? 'boolean' : 'number') : 'string'
      if (typeof value !== fastType && !Object.hasOwn(record, step.column)) value = undefined
      if (step.kind === 'numeric' || step.kind === 'raw') {
        if (missingTexts !== null && typeof value === 'string' && missingTexts.has(value.trim())) value = undefined
        let v = comma && typeof value === 'string' ? parseCommaNumber(value) : NaN
        if (Number.isNaN(v) && dates && typeof value === 'string') v = parseIsoDate(value)
        if (Number.isNaN(v)) v = readNumericField(step.column, isBoolean, value)
        out[offset++] = step.kind === 'raw' ? v : ((Number.isNaN(v) ? step.impute : v) - step.center) / step.scale
        continue
      }
      let level = readCategoryField(step.column, value)
      let k = level === null ? -1 : (levels!.get(level) ?? -1)
      // A text that is no level may stand for one: `1.50` for `1.5`, `TRUE` for `true`, ` red` for `red`
      // (see canonicalLevel); or be missing but for blanks that trim() takes and isMissingText keeps (`\u00a0NA`).
      if (level !== null && k < 0) {
        level = canonicalLevel(level)
        if (isMissingText(level)) level = null
        else k = levels!.get(level) ?? -1
      }
      if (level !== null && k < 0 && step.other) k = step.levels.length
      if (step.kind === 'onehot') {
        for (let j = 0; j < width; j++) out[offset + j] = j === k ? 1 : 0
        offset += width
      } else {
        out[offset++] = k >= 0 ? k : NaN
      }
    }
  }
}

/** Encodes one record (a JSON object from a stream or a scorer call) into `out`. */
export function encodeRecord(pipeline: FeaturePipelineIR, inputs: InputColumn[], record: RawRecord, out: Float64Array): void {
  compileRecordEncoder(pipeline, inputs)(record, out)
}
