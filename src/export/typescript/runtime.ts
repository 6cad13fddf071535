/**
 * The fixed runtime code of a TypeScript/JavaScript scorer: ScoringError, the record-reading rules
 * (src/export/record-rules.ts), argmax, sigmoid and softmax. Each is a copy, statement for statement,
 * of the evaluator's code (src/data/cells.ts, src/features/record.ts, src/ir/evaluate.ts), so scores and
 * error messages match; the parity tests check them on edge values. (isMissingText has one more early
 * return: untrimmed text longer than every token is no token.)
 *
 * They live here as small string constants rather than as files in templates/: each helper is emitted
 * only when the model needs it (unused code would fail a user's `noUnusedLocals`), in two dialects
 * (TypeScript annotations or JSDoc), between generated parts. templates/ keeps the scaffolds a user
 * fills in and reads as projects (UDFs, services).
 */
import type { RuntimeHelper } from '../scorer-plan.js'
import { EXPECTED, MISSING_TOKENS, SHOWN_CUT, SHOWN_MAX } from '../record-rules.js'
import { stringLiteral } from './literals.js'

/** TypeScript or plain JavaScript with JSDoc types: the same statements, annotated one way or the other. */
export interface Dialect {
  ts: boolean
  /** A TypeScript annotation (`: number`), or nothing in JavaScript. */
  t(annotation: string): string
  /**
   * The doc comment of a declaration (ending in a newline): the description in both dialects, plus the
   * JSDoc type tags (`@param {string} field`) in JavaScript. Empty when there is nothing to say.
   */
  doc(indent: string, description: string, tags?: string): string
  /** The non-null assertion `!` after an indexed read (for `noUncheckedIndexedAccess` projects), or nothing. */
  nn: string
}

export function dialect(lang: 'ts' | 'js'): Dialect {
  const ts = lang === 'ts'
  return {
    ts,
    t: (annotation) => (ts ? annotation : ''),
    doc: (indent, description, tags) => {
      const text = [description, ts ? '' : (tags ?? '')].filter(Boolean).join(' ')
      return text === '' ? '' : `${indent}/** ${text} */\n`
    },
    nn: ts ? '!' : '',
  }
}

const HELPERS: Record<RuntimeHelper, (d: Dialect) => string> = {
  ScoringError: (d) => `/**
 * A record that cannot be scored: a field has the wrong type (\`field\` names it), or the model gives no
 * number for it (\`field\` is null: a value far beyond the range training saw).
 */
export class ScoringError extends Error {
${d.ts ? '  readonly field: string | null' : '  /** @readonly @type {string | null} */\n  field'}
${d.doc('  ', '', '@param {string | null} field @param {string} problem')}  constructor(field${d.t(': string | null')}, problem${d.t(': string')}) {
    super(field === null ? problem : \`field "\${field}": \${problem}\`)
    this.name = 'ScoringError'
    this.field = field
  }
}`,

  show: (d) => `${d.doc('', `A value as an error message shows it: its JSON (a BigInt as 12n), cut to ${SHOWN_MAX} characters.`, '@param {unknown} value @returns {string}')}function show(value${d.t(': unknown')})${d.t(': string')} {
  let s${d.t(': string')}
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value)
  } catch {
    s = typeof value === 'bigint' ? \`\${value}n\` : Object.prototype.toString.call(value) // a BigInt, an object with a cycle
  }
  return s.length > ${SHOWN_MAX} ? \`\${s.slice(0, ${SHOWN_CUT})}...\` : s
}`,

  isMissingText: (d) => `${d.doc('', 'Texts that mean "no value", compared after trimming white space.', '@param {string} s @returns {boolean}')}function isMissingText(s${d.t(': string')})${d.t(': boolean')} {
  if (s.length === 0) return true
  const c0 = s.charCodeAt(0)
  const cl = s.charCodeAt(s.length - 1)
  if (c0 <= 32 || cl <= 32 || c0 >= 160 || cl >= 160) s = s.trim() // ASCII blanks, and white space beyond ASCII (U+00A0...)
  else if (s.length > ${Math.max(...MISSING_TOKENS.map((t) => t.length))}) return false // longer than every token
  switch (s) {
${MISSING_TOKENS.map((t) => `    case ${stringLiteral(t)}:`).join('\n')}
      return true
    default:
      return false
  }
}`,

  parseNumber: (d) => `${d.doc('', 'A decimal number (surrounding blanks allowed), else NaN: hex, binary, octal and Infinity are text.', '@param {string} s @returns {number}')}function parseNumber(s${d.t(': string')})${d.t(': number')} {
  let t = s
  if (t.length === 0) return NaN
  if (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32 || t.charCodeAt(0) >= 160 || t.charCodeAt(t.length - 1) >= 160) {
    t = t.trim()
    if (t.length === 0) return NaN
  }
  const last = t.charCodeAt(t.length - 1)
  if (!(last >= 48 && last <= 57) && last !== 46) return NaN
  const first = t.charCodeAt(0)
  if (!(first >= 48 && first <= 57) && first !== 45 && first !== 43 && first !== 46) return NaN
  if (t.length > 1 && first === 48) {
    const second = t.charCodeAt(1) | 32
    if (second === 120 || second === 98 || second === 111) return NaN
  }
  return Number(t)
}`,

  parseBoolean: (d) => `${d.doc('', '', '@param {string} s @returns {boolean | undefined}')}function parseBoolean(s${d.t(': string')})${d.t(': boolean | undefined')} {
  const t = s.trim().toLowerCase()
  if (t === 'true') return true
  if (t === 'false') return false
  return undefined
}`,

  readNumber: (d) => `${d.doc('', 'A number field: NaN when missing; numbers, numeric text and true/false accepted.', '@param {string} field @param {unknown} value @returns {number}')}function readNumber(field${d.t(': string')}, value${d.t(': unknown')})${d.t(': number')} {
  if (value === undefined || value === null) return NaN
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    if (isMissingText(value)) return NaN
    const v = parseNumber(value)
    if (Number.isNaN(v)) throw new ScoringError(field, \`${EXPECTED.number}, got \${show(value)}\`)
    return v
  }
  throw new ScoringError(field, \`${EXPECTED.number}, got \${show(value)}\`)
}`,

  parseCommaNumber: (d) => `${d.doc('', 'A number with a decimal comma (1,5), else NaN: the first comma stands for the point.', '@param {string} s @returns {number}')}function parseCommaNumber(s${d.t(': string')})${d.t(': number')} {
  const i = s.indexOf(',')
  return i < 0 ? NaN : parseNumber(\`\${s.slice(0, i)}.\${s.slice(i + 1)}\`)
}`,

  parseIsoDate: (d) => `${d.doc('', 'An ISO 8601 date or date-time (2024-05-01, 2024-05-01T13:45:30.25+02:00) as days since 1970-01-01 UTC (no offset: UTC), else NaN.', '@param {string} s @returns {number}')}function parseIsoDate(s${d.t(': string')})${d.t(': number')} {
  let t = s
  if (t.length > 0 && (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32 || t.charCodeAt(0) >= 160 || t.charCodeAt(t.length - 1) >= 160)) t = t.trim()
  if (t.length < 10 || t.charCodeAt(4) !== 45) return NaN
  const m = /^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(\\.\\d{1,9})?)?)?(Z|[+-]\\d{2}:?\\d{2})?$/.exec(t)
  if (m === null) return NaN
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const last = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
  if (month < 1 || month > 12 || day < 1 || day > last) return NaN
  const hour = m[4] === undefined ? 0 : Number(m[4])
  const minute = m[5] === undefined ? 0 : Number(m[5])
  const second = m[6] === undefined ? 0 : Number(m[6])
  if (hour > 23 || minute > 59 || second > 59) return NaN
  let offset = 0
  const zone = m[8]
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '')
    const oh = Number(digits.slice(1, 3))
    const om = Number(digits.slice(3, 5))
    if (oh > 23 || om > 59) return NaN
    offset = (zone.charCodeAt(0) === 45 ? -1 : 1) * (oh * 60 + om)
  }
  // Days from 1970-01-01 (Howard Hinnant's days_from_civil), then the time as a fraction of a day.
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468
  const seconds = ((hour * 60 + minute - offset) * 60 + second) + (m[7] === undefined ? 0 : Number(\`0\${m[7]}\`))
  return days + seconds / 86400
}`,

  readTextNumber: (d) => `${d.doc('', 'A number field whose text may also be a number with a decimal comma (comma: 1,5 is 1.5) or an ISO date (dates: days since 1970-01-01 UTC); otherwise as readNumber.', '@param {string} field @param {unknown} value @param {boolean} comma @param {boolean} dates @returns {number}')}function readTextNumber(field${d.t(': string')}, value${d.t(': unknown')}, comma${d.t(': boolean')}, dates${d.t(': boolean')})${d.t(': number')} {
  if (typeof value === 'string') {
    let v = comma ? parseCommaNumber(value) : NaN
    if (Number.isNaN(v) && dates) v = parseIsoDate(value)
    if (!Number.isNaN(v)) return v
  }
  return readNumber(field, value)
}`,

  canonicalLevel: (d) => `${d.doc('', 'The level a text that is no level stands for: the shortest text of a number (1.50 is 1.5), true/false in any case; else the text without blanks around it.', '@param {string} s @returns {string}')}function canonicalLevel(s${d.t(': string')})${d.t(': string')} {
  const v = parseNumber(s)
  if (!Number.isNaN(v)) return String(v)
  const b = parseBoolean(s)
  return b === undefined ? s.trim() : b ? 'true' : 'false'
}`,

  readBoolean: (d) => `${d.doc('', 'A boolean field as 1/0: NaN when missing; true/false (also as text) and 0/1 accepted.', '@param {string} field @param {unknown} value @returns {number}')}function readBoolean(field${d.t(': string')}, value${d.t(': unknown')})${d.t(': number')} {
  if (value === undefined || value === null) return NaN
  if (typeof value === 'number') {
    if (value !== 0 && value !== 1 && !Number.isNaN(value)) throw new ScoringError(field, \`${EXPECTED.boolean}, got \${show(value)}\`)
    return value
  }
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    if (isMissingText(value)) return NaN
    const b = parseBoolean(value)
    if (b !== undefined) return b ? 1 : 0
    const v = parseNumber(value)
    if (v === 0 || v === 1) return v
    throw new ScoringError(field, \`${EXPECTED.boolean}, got \${show(value)}\`)
  }
  throw new ScoringError(field, \`${EXPECTED.number}, got \${show(value)}\`)
}`,

  readCategory: (d) => `${d.doc('', 'A category field\'s level, null when missing. Numbers and booleans count as their text.', '@param {string} field @param {unknown} value @returns {string | null}')}function readCategory(field${d.t(': string')}, value${d.t(': unknown')})${d.t(': string | null')} {
  if (value === undefined || value === null) return null
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return isMissingText(value) ? null : value
  throw new ScoringError(field, \`${EXPECTED.category}, got \${show(value)}\`)
}`,

  argmax: (d) => `${d.doc('', 'Index of the largest score; the first one wins a tie.', '@param {Float64Array} s @returns {number}')}function argmax(s${d.t(': Float64Array')})${d.t(': number')} {
  let best = 0
  for (let j = 1; j < s.length; j++) if (s[j]${d.nn} > s[best]${d.nn}) best = j
  return best
}`,

  sigmoid: (d) => `${d.doc('', '', '@param {number} z @returns {number}')}function sigmoid(z${d.t(': number')})${d.t(': number')} {
  return 1 / (1 + Math.exp(-z))
}`,

  softmax: (d) => `${d.doc('', 'In-place softmax, in the evaluator\'s order: max, exp(z - max) summed in order, then divided.', '@param {Float64Array} s')}function softmax(s${d.t(': Float64Array')})${d.t(': void')} {
  let max = s[0]${d.nn}
  for (let j = 1; j < s.length; j++) if (s[j]${d.nn} > max) max = s[j]${d.nn}
  let sum = 0
  for (let j = 0; j < s.length; j++) {
    const e = Math.exp(s[j]${d.nn} - max)
    s[j] = e
    sum += e
  }
  for (let j = 0; j < s.length; j++) s[j] = s[j]${d.nn} / sum
}`,
}

export function runtimeHelper(helper: RuntimeHelper, d: Dialect): string {
  return HELPERS[helper](d)
}
