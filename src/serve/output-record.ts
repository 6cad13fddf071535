import { UsageError } from '../errors.js'
import { argmax } from '../ir/evaluate.js'
import type { ModelIR, Prediction } from '../ir/model.js'
import { predictionColumns } from '../ir/score-csv.js'
import { FieldsBuffer } from '../kafka/record-fields.js'

/**
 * The scored message: the input's fields (all, in their original text, or only --output-fields), then
 * `prediction` (the label, or the value for regression), `p_<class>` per class (classification; the
 * same names as `mlkafka predict`'s columns), `model_id` and `latency_us`. A name the input already
 * uses gets `_mlkafka` appended, as in `mlkafka predict`.
 */
export interface OutputFieldNames {
  prediction: string
  /** One per class, in the model's class order; empty for regression. */
  probabilities: string[]
  modelId: string
  latency: string
}

/** The names of the added fields when the input's own fields are `taken`. */
export function outputFieldNames(ir: ModelIR, taken: Iterable<string>): OutputFieldNames {
  const names = new Set(taken)
  // predict's columns, minus prediction_error: an unscorable message goes to the DLQ instead.
  const cols = predictionColumns(ir, names).slice(0, -1)
  const free = (name: string): string => {
    let n = name
    while (names.has(n)) n = `${n}_mlkafka`
    names.add(n)
    return n
  }
  return { prediction: cols[0], probabilities: cols.slice(1), modelId: free('model_id'), latency: free('latency_us') }
}

/** A number as JSON writes it; NaN and infinities (which JSON cannot hold) as null. */
function jsonNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null'
}

/** The added fields' names as JSON keys (`"name":`), built once per set of names. */
interface KeyTexts {
  prediction: string
  probabilities: string[]
  modelId: string
  latency: string
}

function keyTexts(names: OutputFieldNames): KeyTexts {
  const key = (n: string): string => `${JSON.stringify(n)}:`
  return { prediction: key(names.prediction), probabilities: names.probabilities.map(key), modelId: key(names.modelId), latency: key(names.latency) }
}

/** --output-fields a,b,c: names, none empty or repeated. */
export function parseOutputFields(text: string): string[] {
  const names = text.split(',').map((s) => s.trim())
  if (names.some((n) => n.length === 0)) throw new UsageError(`--output-fields: "${text}" has an empty name (use a,b,c)`)
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice !== undefined) throw new UsageError(`--output-fields: "${twice}" is named twice`)
  return names
}

export interface OutputRecordOptions {
  /** Keep only these input fields, in this order (null when a message lacks one); default: all. */
  outputFields?: string[]
  /**
   * The messages are CSV lines with these fields (serve --format csv --columns), read as texts; the
   * output is JSON all the same, with these fields (or outputFields) as texts.
   */
  csvColumns?: string[]
}

/**
 * Builds output message values. With all fields kept, the input's JSON text is reused as it is (the
 * added fields are spliced in before its closing brace): no re-encoding, the original number
 * formatting and key order are kept.
 */
export class OutputRecordBuilder {
  private readonly ir: ModelIR
  private readonly outputFields: string[] | undefined
  private readonly plainNames: OutputFieldNames
  private readonly plainKeys: KeyTexts
  private readonly fieldKeys: string[]
  private readonly modelIdText: string
  private readonly labelTexts: Map<string, string>
  /** The classes as JSON strings, in the model's order (none for regression). */
  private readonly classTexts: string[]

  constructor(ir: ModelIR, options: OutputRecordOptions = {}) {
    this.ir = ir
    this.outputFields = options.outputFields ?? options.csvColumns
    this.plainNames = outputFieldNames(ir, this.outputFields ?? [])
    this.plainKeys = keyTexts(this.plainNames)
    this.fieldKeys = (this.outputFields ?? []).map((f) => `${JSON.stringify(f)}:`)
    this.modelIdText = JSON.stringify(ir.modelId)
    this.labelTexts = new Map((ir.target.classes ?? []).map((c) => [c, JSON.stringify(c)]))
    this.classTexts = (ir.target.classes ?? []).map((c) => JSON.stringify(c))
  }

  /** The added fields' names for a message with these fields. */
  namesFor(record: Record<string, unknown>): OutputFieldNames {
    return this.outputFields || !this.collides(record) ? this.plainNames : outputFieldNames(this.ir, Object.keys(record))
  }

  private collides(record: Record<string, unknown>): boolean {
    const n = this.plainNames
    if (Object.hasOwn(record, n.prediction) || Object.hasOwn(record, n.modelId) || Object.hasOwn(record, n.latency)) return true
    for (const p of n.probabilities) if (Object.hasOwn(record, p)) return true
    // predict renames prediction_error too, which can shift nothing else; no need to look for it.
    return false
  }

  /** The output value for a message whose JSON text is `text` (parsed: `record`). */
  build(text: string, record: Record<string, unknown>, prediction: Prediction, latencyUs: number): string {
    const keys = this.keysFor(record)
    let added = keys.prediction
    if ('value' in prediction) added += jsonNumber(prediction.value)
    else {
      added += this.labelTexts.get(prediction.label) ?? JSON.stringify(prediction.label)
      const p = prediction.probabilities
      for (let j = 0; j < p.length; j++) added += `,${keys.probabilities[j]}${jsonNumber(p[j])}`
    }
    const sink = new FieldsBuffer(256)
    this.write(sink, Buffer.from(text, 'utf8'), record, keys, added, latencyUs)
    return Buffer.from(sink.take()).toString('utf8')
  }

  /**
   * Appends the output's UTF-8 to `sink`, from the evaluator's scores (scores[base ..]: the value, or the
   * class probabilities) without making a Prediction first: the label is the first most probable class, as
   * in toPrediction. `bytes` is the message's value (the UTF-8 of the JSON text parsed as `record`).
   */
  appendFromScores(sink: ByteSink, bytes: Uint8Array, record: Record<string, unknown>, scores: Float64Array, base: number, latencyUs: number): void {
    const keys = this.keysFor(record)
    this.write(sink, bytes, record, keys, this.predictionFields(keys, scores, base), latencyUs)
  }

  /** `prediction` and, for classification, the p_<class> fields, as JSON members. */
  private predictionFields(keys: KeyTexts, scores: Float64Array, base: number): string {
    let added = keys.prediction
    const classes = this.classTexts.length
    if (classes === 0) added += jsonNumber(scores[base])
    else {
      added += this.classTexts[argmax(scores, base, classes)]
      for (let j = 0; j < classes; j++) added += `,${keys.probabilities[j]}${jsonNumber(scores[base + j])}`
    }
    return added
  }

  /** The added fields, then model_id, latency_us and the closing brace. */
  private tail(keys: KeyTexts, added: string, latencyUs: number): string {
    return `${added},${keys.modelId}${this.modelIdText},${keys.latency}${tenthsText(latencyUs)}}`
  }

  private keysFor(record: Record<string, unknown>): KeyTexts {
    return this.outputFields || !this.collides(record) ? this.plainKeys : keyTexts(outputFieldNames(this.ir, Object.keys(record)))
  }

  /**
   * The kept input fields, the prediction fields (`added`), model_id and latency_us. With all fields kept,
   * the message's bytes are copied up to the object's closing brace (only blanks follow it in JSON that
   * parsed as one object), not decoded and encoded again.
   */
  private write(sink: ByteSink, bytes: Uint8Array, record: Record<string, unknown>, keys: KeyTexts, added: string, latencyUs: number): void {
    const tail = this.tail(keys, added, latencyUs)
    if (this.outputFields) {
      let out = '{'
      for (let i = 0; i < this.outputFields.length; i++) out += `${this.fieldKeys[i]}${JSON.stringify(record[this.outputFields[i]]) ?? 'null'},`
      sink.text(out + tail)
      return
    }
    let close = bytes.length - 1
    while (bytes[close] !== 0x7d) close--
    let empty = true
    for (const _ in record) {
      empty = false
      break
    }
    sink.bytes(bytes, close)
    sink.text(empty ? tail : `,${tail}`)
  }
}

/** Where output values are written, one after the other (see FieldsBuffer). */
export interface ByteSink {
  /** Appends bytes[0 .. end). */
  bytes(bytes: Uint8Array, end: number): void
  /** Appends the text's UTF-8. */
  text(s: string): void
}

/** A number rounded to tenths, as JSON writes it (3.5, 12, 0.1): digits of an integer, no double printing. */
function tenthsText(v: number): string {
  const n = Math.round(v * 10)
  if (!(n >= 0 && n < 2 ** 31)) return jsonNumber(n / 10)
  const units = (n - (n % 10)) / 10
  return n % 10 === 0 ? String(units) : `${units}.${n % 10}`
}
