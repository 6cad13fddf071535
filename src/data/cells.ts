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

/**
 * Whether trim() may take something off a character's end: ASCII blanks and controls (<= 32), and the
 * white space beyond ASCII (U+00A0 and up: a no-break space from a spreadsheet, U+3000...). Texts are
 * trimmed only then, as a speed-up that must not change what trim() would give (it had skipped the
 * non-ASCII ones, so `\u00a0NA` was missing only with an ASCII blank beside it).
 */
export const mayTrimAt = (c: number): boolean => c <= 32 || c >= 160

export function isMissingText(s: string): boolean {
  if (s.length === 0) return true
  if (mayTrimAt(s.charCodeAt(0)) || mayTrimAt(s.charCodeAt(s.length - 1))) s = s.trim()
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
  if (mayTrimAt(t.charCodeAt(0)) || mayTrimAt(t.charCodeAt(t.length - 1))) {
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

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const monthDays = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/**
 * An ISO 8601 date or date-time (`2024-05-01`, `2024-05-01T13:45`, `2024-05-01 13:45:30.25Z`,
 * `2024-05-01T13:45:30+02:00`; blanks around allowed) as days since 1970-01-01 00:00 UTC, a time
 * being a fraction of a day (no offset means UTC; an offset is taken off), else NaN. Dates that do not
 * exist (`2023-02-29`, hour 24) are NaN.
 */
export function parseIsoDate(s: string): number {
  let t = s
  if (t.length > 0 && (mayTrimAt(t.charCodeAt(0)) || mayTrimAt(t.charCodeAt(t.length - 1)))) t = t.trim()
  if (t.length < 10 || t.charCodeAt(4) !== 45 /* - */) return NaN
  const m = ISO_DATE.exec(t)
  if (m === null) return NaN
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > monthDays(year, month)) return NaN
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
  const seconds = ((hour * 60 + minute - offset) * 60 + second) + (m[7] === undefined ? 0 : Number(`0${m[7]}`))
  return daysFromCivil(year, month, day) + seconds / 86400
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
 * `true`/`false`; any other text is itself without blanks around it (` yes` and `yes ` are `yes`: in
 * a file written `a, b, c` every category starts with one). Training codes a categorical column's
 * cells by it (a column that turns categorical after numbers has only the numbers' values), and
 * scoring looks up a text that is no level by it, so `1.50` in the file to score finds the level `1.5`.
 */
export function canonicalLevel(s: string): string {
  const v = parseNumber(s)
  if (!Number.isNaN(v)) return String(v)
  const b = parseBoolean(s)
  return b === undefined ? s.trim() : b ? 'true' : 'false'
}
