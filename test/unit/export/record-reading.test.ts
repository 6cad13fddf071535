/**
 * The record-reading rules, value by value (not sampled): a generated scorer reads a number, a boolean
 * and a category field exactly as encodeRecord does, including missing tokens, blanks, booleans as text,
 * unknown levels and the ScoringError message. Runs the JavaScript output directly (no tsc needed).
 */
import { describe, expect, it } from 'vitest'
import { exportScorer } from '../../../src/export/scorer.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import { NO_SCORE } from '../../../src/export/record-rules.js'
import { overflowingModel, ridgeModel } from '../../helpers/ir-fixtures.js'
import { tempDir } from '../../helpers/files.js'
import { compareWithEvaluator, importScorer, writeModule, type RawRecord } from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-record-reading-')

/** A linear model that passes every feature through (weights 1): any difference in reading shows in the value. */
function passThrough(encoding: 'dense' | 'tree', missingTexts = false): ModelIR {
  const steps =
    encoding === 'dense'
      ? [
          { kind: 'numeric' as const, column: 'n', impute: 7, center: 0.5, scale: 3 },
          { kind: 'numeric' as const, column: 'b', impute: 0.25, center: 0, scale: 1 },
          { kind: 'onehot' as const, column: 'c', levels: ['red', 'blue', '42', 'true', 'red'], other: true },
        ]
      : [
          { kind: 'raw' as const, column: 'n' },
          { kind: 'raw' as const, column: 'b' },
          { kind: 'ordinal' as const, column: 'c', levels: ['red', 'blue', '42', 'true'], other: false },
        ]
  const width = encoding === 'dense' ? 8 : 3
  // Distinct powers of two keep each feature's contribution visible in the sum.
  const weights = Array.from({ length: width }, (_, j) => 2 ** j)
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: `reading-${encoding}${missingTexts ? '-texts' : ''}`,
    family: 'logistic_regression',
    params: {},
    input: {
      columns: missingTexts
        ? [
            // Texts the training file had among the numbers: missing when scoring too (a categorical column's mean nothing).
            { name: 'n', type: 'numeric', missingTexts: ['unknown', 'abc', '1,5'], decimalComma: true, isoDates: true },
            { name: 'b', type: 'boolean', missingTexts: ['yes', 'maybe'] },
            { name: 'c', type: 'categorical', missingTexts: ['red'] },
          ]
        : [{ name: 'n', type: 'numeric' }, { name: 'b', type: 'boolean' }, { name: 'c', type: 'categorical' }],
    },
    target: { name: 'y', task: 'regression' },
    features: { encoding, width, steps },
    model: { type: 'linear', link: 'identity', weights: [weights], intercepts: [0.125] },
  }
}

const VALUES: unknown[] = [
  undefined, null, NaN, 0, -0, 1, 2, 0.5, -1.5, 1e308, -1e308, Infinity, -Infinity, 5e-324, true, false,
  '', ' ', 'NA', ' NA ', 'NaN', 'null', '?', ' ? ', 'na', 'None', '\u00a0NA', 'NA\u00a0', '\tNA\n', '\u3000',
  '12', '  12 ', '-3.5', '.5', '5.', '+7', '-0', '1e3', '1E-3', '0x1F', '0b1', '0o7', '00012', 'Infinity', '-Infinity', '1,5', '1 2', 'abc', '1e', 'e1',
  'true', 'false', ' TRUE ', 'False', 'yes', '0', '1', ' 1 ', '1.0', '1e0', '2',
  'red', 'blue', ' red', 'RED', '42', 'true ', 'unknown', '__proto__', 'constructor',
  ' unknown ', '\u00a0abc\n', 'UNKNOWN', 'unknown.', 'maybe', ' yes',
  '0,5', ' -2,25 ', ',5', '5,', '1,5e1', '1,2,3', '1.234,5', 'NA,', '42.0', '4.2e1', ' 42 ', '042', 'TRUE', ' true', '1.50', '-0,0',
  '\u00a012', '12\u00a0', '\u3000-3.5', '\u00a0true', '\u00a0red', '\u00a02024-05-01',
  '2024-05-01', ' 2024-02-29T23:59:59.5Z ', '2023-02-29', '2024-13-01', '2024-05-01T24:00', '2024-05-01 10:00+02:00', '2024-05-01T10:00-0530',
  '0000-01-01', '9999-12-31T23:59:59.999999999+23:59', '2024-5-1', '2024-05-01T10', '2024-05-01T10:00:00.', '1969-12-31T23:59:59.123456789Z', '2024-05-01Z',
  {}, [], [1], { a: 1 }, new Date(0), 'x'.repeat(60), () => 1, Symbol('s'), 10n,
]

describe('record reading: every value, every field kind, both encodings', () => {
  for (const [encoding, texts] of [['dense', false], ['tree', false], ['dense', true], ['tree', true]] as const) {
    it(`${encoding} encoding${texts ? ', with texts read as missing' : ''}`, async () => {
      const ir = passThrough(encoding, texts)
      const scorer = await importScorer(writeModule(dir, `${encoding}${texts ? '-texts' : ''}.js`, exportScorer(ir, { lang: 'js' }).code))
      const records: RawRecord[] = []
      for (const v of VALUES) {
        for (const field of ['n', 'b', 'c']) {
          const base: RawRecord = { n: 1, b: true, c: 'red' }
          if (v === undefined) delete base[field]
          else base[field] = v
          records.push(base)
        }
      }
      const report = compareWithEvaluator(ir, scorer, records)
      expect(report.mismatches).toEqual([])
      // Each field kind both reads values and rejects some. (Tree encoding keeps a missing value as NaN for
      // the trees to route; this linear stand-in gives no number for it, and that throws too.)
      expect(report.scored).toBeGreaterThan(encoding === 'tree' ? VALUES.length / 2 : VALUES.length)
      expect(report.threw).toBeGreaterThan(VALUES.length / 2)
    })
  }

  it("reads a numeric or boolean field's texts from training as missing, and only those", async () => {
    const ir = passThrough('dense', true)
    const scorer = await importScorer(writeModule(dir, 'texts.js', exportScorer(ir, { lang: 'js' }).code))
    const missing = scorer.score({ n: null, b: null, c: 'red' })
    expect(scorer.score({ n: ' unknown ', b: 'maybe', c: 'red' })).toEqual(missing)
    expect(scorer.score({ n: '1,5', b: '\tyes ', c: 'red' })).toEqual(missing)
    expect(() => scorer.score({ n: 'Unknown', b: true, c: 'red' })).toThrow('field "n": expected a number, got "Unknown"')
    expect(() => scorer.score({ n: 1, b: 'no', c: 'red' })).toThrow('field "b": expected true or false, got "no"')
    // decimalComma: 0,5 is 0.5; two commas or a point and a comma are no number.
    expect(scorer.score({ n: '0,5', b: true, c: 'red' })).toEqual(scorer.score({ n: 0.5, b: true, c: 'red' }))
    expect(() => scorer.score({ n: '1.234,5', b: true, c: 'red' })).toThrow('field "n": expected a number, got "1.234,5"')
    // isoDates: a date or date-time is its days since 1970-01-01 UTC; a date that does not exist is no number.
    const at = (n: unknown): unknown => scorer.score({ n, b: true, c: 'red' })
    expect(at('1970-01-01')).toEqual(at(0))
    expect(at('2024-05-01T12:00')).toEqual(at(19844.5))
    expect(at(' 2024-05-01 14:00+02:00 ')).toEqual(at(19844.5))
    expect(at('2024-05-01T06:30:00-05:30')).toEqual(at(19844.5))
    expect(() => at('2023-02-29')).toThrow('field "n": expected a number, got "2023-02-29"')
  })

  it('looks up a category text that is no level as the level it stands for (1.50 is 1.5, TRUE is true)', async () => {
    const ir = passThrough('dense')
    const scorer = await importScorer(writeModule(dir, 'levels.js', exportScorer(ir, { lang: 'js' }).code))
    const at = (c: unknown): unknown => scorer.score({ n: 1, b: true, c })
    expect(at('42.0')).toEqual(at('42'))
    expect(at(' 4.2e1 ')).toEqual(at(42))
    expect(at('TRUE')).toEqual(at('true'))
    expect(at('42.0')).not.toEqual(at('zzz'))
    expect(at(' red\t')).toEqual(at('red'))
    expect(at('RED')).toEqual(at('zzz'))
  })

  it('the error names the field and shows the value as the evaluator does', async () => {
    const ir = passThrough('dense')
    const scorer = await importScorer(writeModule(dir, 'errors.js', exportScorer(ir, { lang: 'js' }).code))
    const err = (() => {
      try {
        scorer.score({ n: 'twelve', b: 'maybe' })
      } catch (e) {
        return e as Error & { field: string }
      }
    })()!
    expect(err).toBeInstanceOf(scorer.ScoringError)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('ScoringError')
    expect(err.field).toBe('n')
    expect(err.message).toBe('field "n": expected a number, got "twelve"')
  })

  it('a record that is no object, or a field the message cannot show as JSON (a BigInt, a cycle), throws ScoringError as the evaluator does (both had thrown TypeError)', async () => {
    const ir = passThrough('dense')
    const scorer = await importScorer(writeModule(dir, 'not-a-record.js', exportScorer(ir, { lang: 'js' }).code))
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const records = [null, undefined, 42, 'n=1', [1, 2], { n: 10n, b: true, c: 'red' }, { n: 1, b: true, c: cycle }, { n: 1, b: 2n ** 70n, c: 'red' }] as RawRecord[]
    const report = compareWithEvaluator(ir, scorer, records)
    expect(report.mismatches).toEqual([])
    expect(report.threw).toBe(records.length)
    const problem = (record: unknown): { name: string; field: unknown; message: string } => {
      try {
        scorer.score(record as RawRecord)
      } catch (e) {
        const err = e as Error & { field: unknown }
        return { name: err.name, field: err.field, message: err.message }
      }
      throw new Error('scored')
    }
    expect(problem(null)).toEqual({ name: 'ScoringError', field: null, message: 'expected a record (an object of field values), got null' })
    expect(problem([1, 2])).toEqual({ name: 'ScoringError', field: null, message: 'expected a record (an object of field values), got [1,2]' })
    expect(problem({ n: 10n, b: true, c: 'red' })).toMatchObject({ field: 'n', message: 'field "n": expected a number, got 10n' })
    expect(problem({ n: 1, b: true, c: cycle })).toMatchObject({ field: 'c', message: 'field "c": expected text, got [object Object]' })
  })

  it('a record the model gives no number for throws ScoringError with no field, as the evaluator does (it had returned a made-up label)', async () => {
    const ir = overflowingModel()
    const scorer = await importScorer(writeModule(dir, 'overflow.js', exportScorer(ir, { lang: 'js' }).code))
    const record = JSON.parse('{"__proto__": 1e10, "b": -1e10}') as RawRecord
    expect(() => compileModel(ir).predictRecord(record)).toThrow(NO_SCORE)
    const err = (() => {
      try {
        return scorer.score(record)
      } catch (e) {
        return e as Error & { field: string | null }
      }
    })() as Error & { field: string | null }
    expect(err).toBeInstanceOf(scorer.ScoringError)
    expect(err.field).toBeNull()
    expect(err.message).toBe(NO_SCORE)
    expect(scorer.score(JSON.parse('{"__proto__": 1, "b": 1}') as RawRecord)).toMatchObject({ label: 'x' })
    // An infinite regression value is no number either (JSON has none: serve wrote null).
    const ridge = ridgeModel()
    const linear = await importScorer(writeModule(dir, 'ridge-overflow.js', exportScorer(ridge, { lang: 'js' }).code))
    expect(() => linear.score({ a: 1e308 })).toThrow(NO_SCORE)
    expect(() => compileModel(ridge).predictRecord({ a: 1e308 })).toThrow(NO_SCORE)
    expect(linear.score({ a: 1e300 })).toEqual({ value: compileModel(ridge).predictRecord({ a: 1e300 }).value })
  })
})
