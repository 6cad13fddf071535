/**
 * How one raw cell (CSV text or a JSON value) becomes a typed value. The CSV reader, the IR evaluator
 * and the generated scorers all follow these rules, so a value means the same thing everywhere.
 */

/**
 * Texts that mean "no value", compared after trimming white space: pandas's default missing-value
 * markers (what `read_csv` reads as NaN, so a file pandas wrote or reads means the same here), and `?`.
 */
export const MISSING_TOKENS: readonly string[] = [
  '',
  'NA',
  'NaN',
  'null',
  '?',
  'N/A',
  'n/a',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '<NA>',
  'NULL',
  'None',
  'nan',
  '-nan',
  '-NaN',
  '1.#IND',
  '-1.#IND',
  '1.#QNAN',
  '-1.#QNAN',
]

const MISSING = new Set(MISSING_TOKENS)
/** The longest marker: a longer text is never one. */
const LONGEST_MISSING = Math.max(...MISSING_TOKENS.map((t) => t.length))

export function isMissingText(s: string): boolean {
  if (s.length === 0) return true
  const c0 = s.charCodeAt(0)
  const cl = s.charCodeAt(s.length - 1)
  if (c0 <= 32 || cl <= 32) s = s.trim()
  return s.length <= LONGEST_MISSING && MISSING.has(s)
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * A decimal number (`12`, `-3.5`, `.5`, `1e-3`, surrounding blanks allowed), else NaN.
 * Stricter than `Number()`: hex, binary, octal and `Infinity` are text, not numbers.
 */
export function parseNumber(s: string): number {
  let t = s
  if (t.length === 0) return NaN
  if (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32) {
    t = t.trim()
    if (t.length === 0) return NaN
  }
  const last = t.charCodeAt(t.length - 1)
  if (!isDigit(last) && last !== 46 /* . */) return NaN
  const first = t.charCodeAt(0)
  if (!isDigit(first) && first !== 45 && first !== 43 && first !== 46) return NaN
  if (t.length > 1 && first === 48 /* 0 */) {
    const second = t.charCodeAt(1) | 32
    if (second === 120 /* x */ || second === 98 /* b */ || second === 111 /* o */) return NaN
  }
  return Number(t)
}

/**
 * A number written with a decimal comma (`1,5`, `-0,25`, `,5`; blanks around allowed) as in a `;`- or
 * tab-separated file from a European locale, else NaN. The first comma stands for the point; text with
 * a point too, or more commas, is NaN (`1.234,5` thousands separators are not read).
 */
export function parseCommaNumber(s: string): number {
  const i = s.indexOf(',')
  return i < 0 ? NaN : parseNumber(`${s.slice(0, i)}.${s.slice(i + 1)}`)
}

/** `true`/`false` in any letter case, else undefined. */
export function parseBoolean(s: string): boolean | undefined {
  const t = s.trim().toLowerCase()
  if (t === 'true') return true
  if (t === 'false') return false
  return undefined
}

/**
 * The level a category's text stands for: a decimal number is its shortest text (`1.50`, ` 1.5` and
 * `15e-1` are `1.5`, as a number given as a number is String(n)); `true`/`false` in any letter case is
 * `true`/`false`; any other text is itself, blanks and all. Training codes a categorical column's cells
 * by it (a column that turns categorical after numbers has only the numbers' values), and scoring
 * looks up a text that is no level by it, so `1.50` in the file to score finds the level `1.5`.
 */
export function canonicalLevel(s: string): string {
  const v = parseNumber(s)
  if (!Number.isNaN(v)) return String(v)
  const b = parseBoolean(s)
  return b === undefined ? s : b ? 'true' : 'false'
}
