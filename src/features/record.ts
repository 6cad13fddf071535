import { UserError } from '../errors.js'
import { isMissingText, parseBoolean, parseNumber } from '../data/cells.js'

/** One input record as it arrives: a parsed JSON object or a CSV row keyed by header. */
export type RawRecord = Record<string, unknown>

/**
 * Why a record gets no score: arithmetic past the double's range (a value far beyond what training saw)
 * gives NaN (or, for a regression, an infinite value). The evaluator and every scorer throw their scoring error with this text and no field; serve
 * and the stream scaffolds send the message to the dead-letter topic with kind `no-score`, and predict
 * reports the row.
 */
export const NO_SCORE = 'the model gives no number for this record: a value is far outside the range training saw (near the limits of a double)'

/** A record that cannot be scored: a field has the wrong type (`field` names it), or the model gives no number for it, or it is no record (`field` is null; see NO_SCORE, NOT_A_RECORD). */
export class ScoringError extends UserError {
  readonly field: string | null
  constructor(field: string | null, problem: string) {
    super(field === null ? problem : `field "${field}": ${problem}`)
    this.field = field
  }
}

/**
 * What a record that is no record gets (null, a number, an array...): every scorer's message, followed by
 * ", got " and the value shown.
 */
export const NOT_A_RECORD = 'expected a record (an object of field values)'

/** A value as an error message shows it: its JSON (a BigInt as 12n), cut to 40 characters. */
function show(value: unknown): string {
  let s: string
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value)
  } catch {
    s = typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value) // a BigInt, an object with a cycle
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/** Throws ScoringError (no field) unless the value is a record: an object that is not an array. */
export function checkRecord(value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScoringError(null, `${NOT_A_RECORD}, got ${show(value)}`)
}

/**
 * A numeric (or boolean) field's value, NaN when missing (absent, null, or a missing token such as
 * "NA"). Numbers, numeric text, and for boolean columns true/false (also as text) and 0/1 are accepted.
 */
export function readNumericField(field: string, isBoolean: boolean, value: unknown): number {
  if (value === undefined || value === null) return NaN
  if (typeof value === 'number') {
    if (isBoolean && value !== 0 && value !== 1 && !Number.isNaN(value)) throw new ScoringError(field, `expected true or false, got ${show(value)}`)
    return value
  }
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    if (isMissingText(value)) return NaN
    if (isBoolean) {
      const b = parseBoolean(value)
      if (b !== undefined) return b ? 1 : 0
      const v = parseNumber(value)
      if (v === 0 || v === 1) return v
      throw new ScoringError(field, `expected true or false, got ${show(value)}`)
    }
    const v = parseNumber(value)
    if (Number.isNaN(v)) throw new ScoringError(field, `expected a number, got ${show(value)}`)
    return v
  }
  throw new ScoringError(field, `expected a number, got ${show(value)}`)
}

/** A categorical field's level, null when missing. Numbers and booleans count as their text. */
export function readCategoryField(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return isMissingText(value) ? null : value
  throw new ScoringError(field, `expected text, got ${show(value)}`)
}
