import { describe, expect, it } from 'vitest'
import { readCsv } from '../../../src/data/csv.js'
import { describeTable, textCellNotes } from '../../../src/data/schema.js'
import { prepareTarget } from '../../../src/data/target.js'
import { encodeRecord, encodeTable, featureNames, fitPipeline, inputColumnsOf, MAX_ONEHOT_CELLS } from '../../../src/features/pipeline.js'
import { ScoringError } from '../../../src/features/record.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()

async function fixture() {
  const lines = ['num,color,flag,y']
  const colors = ['red', 'red', 'red', 'blue', 'blue', 'green', 'rare']
  for (let i = 0; i < 70; i++) lines.push(`${i % 10 === 0 ? 'NA' : i},${colors[i % 7]},${i % 2 === 0},${i % 7 === 3 ? 'b' : 'a'}`)
  const table = await readCsv(writeFixture(dir, 'p.csv', lines.join('\n')))
  const target = prepareTarget(table, 'y')
  return { table, target, inputs: inputColumnsOf(table, 'y') }
}

describe('feature pipeline', () => {
  it('a sentinel near the double\'s limit (-1.797e308) leaves every row\'s feature finite (its sums overflowed, and every row was NaN)', async () => {
    const lines = ['a,y', ...Array.from({ length: 100 }, (_, i) => `${i % 25 === 0 ? '-1.7976931348623157e308' : (i % 7) / 7},${i % 2}`)]
    const table = await readCsv(writeFixture(dir, 'sentinel.csv', lines.join('\n')))
    const target = prepareTarget(table, 'y')
    const p = fitPipeline(table, inputColumnsOf(table, 'y'), 'dense', { rows: target.rows, y: target.y, task: target.task })
    const step = p.steps[0] as { center: number; scale: number }
    expect(Number.isFinite(step.center) && Number.isFinite(step.scale) && step.scale > 0).toBe(true)
    expect(encodeTable(p, table, target.rows).X.every(Number.isFinite)).toBe(true)
  })

  it('a numeric column\'s stray texts are its missing markers, unless long (broken data: an error when scoring); notes cut them short', async () => {
    const long = 'x'.repeat(5000)
    const lines = ['a,b,y', ...Array.from({ length: 300 }, (_, i) => `${i === 3 ? 'unknown' : i === 7 ? long : i},${i % 5},${i % 2}`)]
    const table = await readCsv(writeFixture(dir, 'stray.csv', lines.join('\n')))
    const a = inputColumnsOf(table, 'y').find((c) => c.name === 'a')!
    expect(a).toEqual({ name: 'a', type: 'numeric', missingTexts: ['unknown'] })
    const notes = textCellNotes(table)
    expect(notes).toEqual([`note: column a is numeric, but 2 cells are other text ("unknown", "${'x'.repeat(37)}..."; first at data row 4): read as missing; fix or blank them if that is wrong`])
    const schema = describeTable(table).find((c) => c.name === 'a')!
    expect(schema.textCells!.texts.map((t) => t.length)).toEqual([7, 100])
  })

  it('dense: median imputation, standardization and one-hot with rare levels pooled', async () => {
    const { table, target, inputs } = await fixture()
    const train = { rows: target.rows, y: target.y, task: target.task }
    const p = fitPipeline(table, inputs, 'dense', train, { maxOneHotLevels: 2, maxOrdinalLevels: 254, minLevelCount: 5 })
    expect(p.steps[0]).toMatchObject({ kind: 'numeric', column: 'num', impute: 35 })
    expect(p.steps[1]).toEqual({ kind: 'onehot', column: 'color', levels: ['red', 'blue'], other: true })
    expect(featureNames(p)).toEqual(['num', 'color=red', 'color=blue', 'color=__other__', 'flag'])
    const { X, d } = encodeTable(p, table)
    // Standardized columns have mean 0 and variance 1 on the training rows.
    let mean = 0
    for (let i = 0; i < table.nRows; i++) mean += X[i * d]
    expect(mean / table.nRows).toBeCloseTo(0, 12)
    // Row 0: num is missing -> the median; color red.
    const step = p.steps[0] as { impute: number; center: number; scale: number }
    expect(X[0]).toBe((35 - step.center) / step.scale)
    expect(Array.from(X.subarray(1, 4))).toEqual([1, 0, 0])
    // Row 5 is green (pooled) -> __other__.
    expect(Array.from(X.subarray(5 * d + 1, 5 * d + 4))).toEqual([0, 0, 1])
  })

  it('dense: a column of hundreds of levels keeps its 32 most frequent and every other level seen in 10 rows or more, fewer only when the encoded matrix would pass MAX_ONEHOT_CELLS', async () => {
    const table = async (levels: number, perLevel: number) => {
      const lines = ['x,lvl,y']
      for (let i = 0; i < levels * perLevel; i++) lines.push(`${i % 7},L${i % levels},${i % 3}`)
      // Two levels seen in fewer than 5 rows: pooled.
      lines.push('1,rare1,0', '2,rare2,1')
      const t = await readCsv(writeFixture(dir, `levels-${levels}.csv`, lines.join('\n')))
      const target = prepareTarget(t, 'y', 'regression')
      return fitPipeline(t, inputColumnsOf(t, 'y'), 'dense', { rows: target.rows, y: target.y, task: target.task })
    }
    const wide = (await table(300, 10)).steps[1]
    expect(wide.kind === 'onehot' && [wide.levels.length, wide.other]).toEqual([300, true])
    // An ID-like column, each level in 5 to 9 rows: its 32 most frequent levels, as any column keeps.
    const idLike = (await table(300, 9)).steps[1]
    expect(idLike.kind === 'onehot' && [idLike.levels.length, idLike.other]).toEqual([32, true])
    // 1,000 levels on 10,000 rows: 10 million cells; half the levels (the most frequent) fit.
    expect(10_002 * 1002).toBeGreaterThan(MAX_ONEHOT_CELLS)
    const capped = (await table(1000, 10)).steps[1]
    expect(capped.kind === 'onehot' && [capped.levels.length, capped.other]).toEqual([512, true])
    expect(10_002 * 514).toBeLessThanOrEqual(MAX_ONEHOT_CELLS)
  })

  it('tree: raw values with NaN and target-ordered ordinal codes', async () => {
    const { table, target, inputs } = await fixture()
    const p = fitPipeline(table, inputs, 'tree', { rows: target.rows, y: target.y, task: target.task })
    const ordinal = p.steps[1]
    expect(ordinal.kind).toBe('ordinal')
    // "blue" rows are class b half the time, so blue is coded last (highest mean of the positive class).
    expect(ordinal.kind === 'ordinal' && ordinal.levels.at(-1)).toBe('blue')
    const { X, d } = encodeTable(p, table)
    expect(Number.isNaN(X[0])).toBe(true)
    expect(X[d]).toBe(1)
  })

  it('records encode exactly like table rows, unknown and missing values included', async () => {
    const { table, target, inputs } = await fixture()
    for (const encoding of ['dense', 'tree'] as const) {
      const p = fitPipeline(table, inputs, encoding, { rows: target.rows, y: target.y, task: target.task })
      const { X, d } = encodeTable(p, table)
      const out = new Float64Array(d)
      encodeRecord(p, inputs, { num: 'NA', color: 'red', flag: true }, out)
      expect(Array.from(out)).toEqual(Array.from(X.subarray(0, d)))
      encodeRecord(p, inputs, { num: '12', color: 'never-seen', flag: 'false' }, out)
      expect(out.every((v) => typeof v === 'number')).toBe(true)
      encodeRecord(p, inputs, {}, out)
      expect(out.length).toBe(d)
      expect(() => encodeRecord(p, inputs, { num: 'twelve' }, out)).toThrow(new ScoringError('num', 'expected a number, got "twelve"'))
      expect(() => encodeRecord(p, inputs, { flag: 'maybe' }, out)).toThrow(/field "flag": expected true or false/)
    }
  })
})

describe('median imputation', () => {
  it('equals the median of a full sort, for odd and even counts, ties and missing values', () => {
    let seed = 3
    const r = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296)
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(r() * 50)
      const values = Float64Array.from({ length: n }, () => (r() < 0.2 ? NaN : Math.floor(r() * 10) - 3))
      const table = { source: 's', nRows: n, columns: [{ name: 'x', type: 'numeric' as const, values }], fingerprint: '' }
      const rows = Int32Array.from({ length: n }, (_, i) => i)
      const p = fitPipeline(table, [{ name: 'x', type: 'numeric' }], 'dense', { rows, y: new Float64Array(n), task: 'regression' })
      const present = Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
      const h = present.length / 2
      const expected = present.length === 0 ? 0 : present.length % 2 ? present[(present.length - 1) / 2] : (present[h - 1] + present[h]) / 2
      expect((p.steps[0] as { impute: number }).impute).toBe(expected)
    }
  })
})

describe('encoded matrices are reused within a search', () => {
  it('the same pipeline, table and rows give the same matrix object; other rows a new, correct one', async () => {
    const { syntheticTable } = await import('../../helpers/synthetic.js')
    const { table, target } = syntheticTable({ rows: 200, task: 'binary', seed: 9, missing: 0.1 })
    const pipeline = fitPipeline(table, inputColumnsOf(table, target.name), 'dense', { rows: target.rows, y: target.y, task: 'binary' })
    const a = Int32Array.from({ length: 50 }, (_, i) => i * 2)
    const first = encodeTable(pipeline, table, a)
    expect(encodeTable(pipeline, table, Int32Array.from(a))).toBe(first)
    const b = Int32Array.from({ length: 50 }, (_, i) => i * 2 + 1)
    const other = encodeTable(pipeline, table, b)
    expect(other).not.toBe(first)
    // A fresh pipeline object (equal content) encodes anew, to the same numbers.
    const again = encodeTable(structuredClone(pipeline), table, b)
    expect(again).not.toBe(other)
    expect(Array.from(again.X)).toEqual(Array.from(other.X))
  })
})
