import { describe, expect, it } from 'vitest'
import { readCsv } from '../../../src/data/csv.js'
import { selectTrainingColumns } from '../../../src/data/select-columns.js'
import { DataError, UsageError } from '../../../src/errors.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()
const rows = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n'

describe('selectTrainingColumns', () => {
  it('leaves out ignored columns, constant ones and row numbers, and says why', async () => {
    const file = writeFixture(dir, 'cols.csv', 'idx,id,k,same,none,x,y\n' + rows(50, (i) => `${i},${(i * 7919) % 50},${i % 3 ? 'a' : 'b'},5,,${i * 0.1},${i % 2}`))
    const { table, leftOut } = selectTrainingColumns(await readCsv(file), 'y', ['id'])
    expect(table.columns.map((c) => c.name)).toEqual(['k', 'x', 'y'])
    expect(leftOut).toEqual([
      { column: 'idx', reason: 'a row number: counts up by one on every row' },
      { column: 'id', reason: 'ignored (--ignore)' },
      { column: 'same', reason: 'the same value in every row' },
      { column: 'none', reason: 'no value in any row' },
    ])
  })

  it('keeps a column that counts in another order, or with a gap, or is sometimes missing', async () => {
    const file = writeFixture(dir, 'keep.csv', 'down,gap,some,y\n' + rows(20, (i) => `${20 - i},${i < 10 ? i : i + 1},${i === 3 ? '' : 1},${i % 2}`))
    expect(selectTrainingColumns(await readCsv(file), 'y').leftOut).toEqual([])
  })

  it('refuses an unknown or target --ignore column, and a table with no input left', async () => {
    const table = await readCsv(writeFixture(dir, 'few.csv', 'c,y\n' + rows(10, (i) => `7,${i % 2}`)))
    expect(() => selectTrainingColumns(table, 'y', ['nope'])).toThrow(new UsageError(`--ignore: no column "nope" in ${table.source} (columns: c, y)`))
    expect(() => selectTrainingColumns(table, 'y', ['y'])).toThrow(UsageError)
    expect(() => selectTrainingColumns(table, 'y')).toThrow(DataError)
    expect(() => selectTrainingColumns(table, 'y')).toThrow(/no input column to learn from \(left out: "c" \(the same value in every row\)\)/)
    // A target that is not there is left for prepareTarget to report.
    expect(selectTrainingColumns(table, 'typo')).toEqual({ table, leftOut: [] })
  })
})
