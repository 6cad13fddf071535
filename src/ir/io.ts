import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UserError } from '../errors.js'
import { IR_FORMAT, IR_VERSION, type ModelIR } from './model.js'

export class ModelFileError extends UserError {}

function fail(source: string, problem: string, hint: string): never {
  throw new ModelFileError(`${source}: ${problem}. ${hint}`)
}

/** Checks that a parsed JSON value is a model IR this version can read. */
export function parseModelIR(value: unknown, source: string): ModelIR {
  const hint = 'Pass a model.json written by `mlkafka automl train`'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, 'not a JSON object', hint)
  const v = value as Record<string, unknown>
  if (v.format !== IR_FORMAT) fail(source, `not an mlkafka model (format is ${JSON.stringify(v.format)}, expected "${IR_FORMAT}")`, hint)
  if (typeof v.version !== 'number') fail(source, 'model has no version number', hint)
  if (v.version > IR_VERSION) fail(source, `model format version ${v.version} is newer than this mlkafka reads (${IR_VERSION})`, 'Upgrade mlkafka')
  if (!Number.isInteger(v.version) || v.version < 1) fail(source, `model format version ${v.version} is not supported (this mlkafka reads 1 to ${IR_VERSION})`, 'Retrain the model')
  for (const key of ['input', 'target', 'features', 'model'] as const) {
    if (typeof v[key] !== 'object' || v[key] === null) fail(source, `model has no "${key}" section`, hint)
  }
  reviveNumbers(v)
  return value as ModelIR
}

/**
 * JSON has no Infinity or NaN: non-finite numbers in the IR (a tree split between present and missing
 * values has threshold Infinity) are written as the strings "Infinity", "-Infinity" and "NaN", and
 * read back as numbers in the numeric fields (see reviveNumbers).
 */
export function serializeModel(ir: ModelIR): string {
  // A replacer function would be called for each of a big forest's millions of numbers (3-4x slower):
  // spell the few non-finite ones first, copying only the arrays and objects that hold one.
  return JSON.stringify(spellNonFinite(ir))
}

function spelled(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  return typeof v === 'object' && v !== null ? spellNonFinite(v) : v
}

/** The value with non-finite numbers as strings; the same object where it holds none. */
function spellNonFinite(value: object): object {
  if (Array.isArray(value)) {
    let out: unknown[] | null = null
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      if (typeof v === 'number' ? Number.isFinite(v) : typeof v !== 'object' || v === null) continue
      const w = spelled(v)
      if (w !== v) (out ??= value.slice())[i] = w
    }
    return out ?? value
  }
  let out: Record<string, unknown> | null = null
  for (const [k, v] of Object.entries(value)) {
    const w = spelled(v)
    if (w !== v) (out ??= { ...value })[k] = w
  }
  return out ?? value
}

const NON_FINITE: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN }

function reviveNumber(v: unknown): unknown {
  return typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v
}

function reviveArray(a: unknown): void {
  if (!Array.isArray(a)) return
  for (let i = 0; i < a.length; i++) {
    if (Array.isArray(a[i])) reviveArray(a[i])
    else a[i] = reviveNumber(a[i])
  }
}

/** Turns the non-finite spellings back into numbers, only where the IR holds numbers (never in levels). */
function reviveNumbers(ir: Record<string, unknown>): void {
  const features = ir.features as { steps?: Record<string, unknown>[] } | undefined
  for (const step of features?.steps ?? []) for (const key of ['impute', 'center', 'scale']) if (key in step) step[key] = reviveNumber(step[key])
  reviveBody(ir.model as Record<string, unknown> | undefined)
}

function reviveBody(model: Record<string, unknown> | undefined): void {
  if (typeof model !== 'object' || model === null) return
  if (Array.isArray(model.members)) {
    for (const member of model.members as Record<string, unknown>[]) {
      if (typeof member !== 'object' || member === null) continue
      member.weight = reviveNumber(member.weight)
      reviveBody(member.model as Record<string, unknown> | undefined)
    }
    return
  }
  for (const tree of (model.trees as Record<string, unknown>[] | undefined) ?? []) for (const key of ['threshold', 'value']) reviveArray(tree[key])
  reviveArray(model.weights)
  reviveArray(model.intercepts)
  for (const layer of (model.layers as Record<string, unknown>[] | undefined) ?? []) {
    reviveArray(layer.weights)
    reviveArray(layer.biases)
  }
}

export async function saveModel(file: string, ir: ModelIR): Promise<void> {
  await writeFile(file, serializeModel(ir) + '\n')
}

/** Reads a model file, or a run directory's model.json (the winner). */
export async function loadModel(path: string): Promise<ModelIR> {
  let text: string
  let file = path
  try {
    if ((await stat(path).catch(() => null))?.isDirectory()) file = join(path, 'model.json')
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && file !== path) throw new ModelFileError(`${path}: a folder without model.json. Pass a run directory written by \`mlkafka automl train\`, or a model file`)
    if (code === 'ENOENT') throw new ModelFileError(`${file}: model file not found. Check the path (a run directory holds model.json)`)
    throw new ModelFileError(`${file}: cannot read the model file (${code ?? (err as Error).message})`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ModelFileError(`${file}: not valid JSON (${(err as Error).message}). Pass a model.json written by \`mlkafka automl train\``)
  }
  return parseModelIR(value, file)
}
