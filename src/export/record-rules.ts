/**
 * How a generated scorer reads one field of a record: the rules of src/features/record.ts and
 * src/data/cells.ts, stated once for every printer (TypeScript now, Java next). A printer must
 * implement them exactly; the parity tests hold its output against the IR evaluator on edge values.
 *
 * - The record must be an object (not null, not an array), else ScoringError with no field: NOT_A_RECORD.
 * - A field is read as `record[name]`: absent, undefined and null are missing.
 * - number fields (`numeric`/`raw` steps): a number is taken as is (NaN is missing, ±Infinity stays);
 *   true/false are 1/0; text is missing when it is a missing token (after trimming), else it must be a
 *   decimal number (parseNumber: no hex, no `Infinity`), else ScoringError "expected a number".
 *   Any other type: ScoringError "expected a number".
 * - boolean fields (a numeric step on a boolean column): as number fields, except that a number must be
 *   0 or 1 (or NaN) and text must be true/false in any case or the number 0 or 1, else ScoringError
 *   "expected true or false". Other types: "expected a number" (as record.ts says).
 * - A number or boolean field's text in the input column's `missingTexts` (after trimming) is missing.
 *   A numeric field with `decimalComma` reads text that parseCommaNumber reads (`1,5`) as that number;
 *   one with `isoDates` then text that parseIsoDate reads (`2024-05-01`) as its days since 1970-01-01.
 * - category fields: a number is its `String(n)` text (NaN is missing), a boolean its text, text is
 *   missing when it is a missing token, else the level exactly as given (not trimmed); a text that is
 *   no level is looked up again as canonicalLevel(text) (`1.50` finds `1.5`, `TRUE` finds `true`,
 *   ` red ` finds `red`).
 *   Other types: ScoringError "expected text".
 * - Fields are read in the order of the pipeline's steps; the first bad one throws.
 * - A ScoringError's message is `field "NAME": PROBLEM, got SHOWN` where SHOWN is
 *   JSON.stringify(value) (or String(value); a BigInt as `12n`, an object with a cycle as
 *   `[object Object]`), cut to 37 characters plus "..." when longer than 40.
 */
import { MISSING_TOKENS } from '../data/cells.js'

export { MISSING_TOKENS }
/** Every scorer's message for a record the model gives no number for (see features/record.ts). */
export { NO_SCORE } from '../features/record.js'
/** Every scorer's message (then ", got " and the value shown) for a record that is no object: null, a number, an array. */
export { NOT_A_RECORD } from '../features/record.js'

export type FieldReader = 'number' | 'boolean' | 'category'

export const EXPECTED: Readonly<Record<FieldReader, string>> = {
  number: 'expected a number',
  boolean: 'expected true or false',
  category: 'expected text',
}

/** show(): values longer than SHOWN_MAX characters are cut to SHOWN_CUT characters plus "...". */
export const SHOWN_MAX = 40
export const SHOWN_CUT = 37
