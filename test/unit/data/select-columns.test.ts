import { describe, expect, it } from 'vitest'
import { readCsv } from '../../../src/data/csv.js'
import { freeTextNotes, identifierNotes, selectTrainingColumns } from '../../../src/data/select-columns.js'
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

  it('leaves out a pandas index of a shuffled frame (first column, blank header, a different whole number on every row)', async () => {
    // A frame sorted by its target, shuffled, written with to_csv(): its index gives the target away.
    const order = Array.from({ length: 60 }, (_, i) => (i * 37) % 60)
    const csv = (header: string) => `${header},x,y\n` + rows(60, (i) => `${order[i]},${(i * 0.37) % 1},${order[i] < 30 ? 'no' : 'yes'}`)
    for (const header of ['', 'Unnamed: 0']) {
      const { table, leftOut } = selectTrainingColumns(await readCsv(writeFixture(dir, 'shuffled.csv', csv(header))), 'y')
      expect(table.columns.map((c) => c.name)).toEqual(['x', 'y'])
      expect(leftOut).toEqual([{ column: header === '' ? 'column_1' : header, reason: 'a pandas index: a blank header and a different whole number on every row (where each row sat before the frame was shuffled or split)' }])
    }
    // Named, or not first, or with a repeat: a column like any other.
    expect(selectTrainingColumns(await readCsv(writeFixture(dir, 'named.csv', csv('case'))), 'y').leftOut).toEqual([])
    const later = writeFixture(dir, 'later.csv', 'x,,y\n' + rows(60, (i) => `${(i * 0.37) % 1},${order[i]},${i % 2}`))
    expect(selectTrainingColumns(await readCsv(later), 'y').leftOut).toEqual([])
    const repeats = writeFixture(dir, 'repeats.csv', ',x,y\n' + rows(60, (i) => `${order[i] % 50},${i * 0.5},${i % 2}`))
    expect(selectTrainingColumns(await readCsv(repeats), 'y').leftOut).toEqual([])
  })

  it('notes columns that look like identifiers, and keeps them', async () => {
    const table = await readCsv(writeFixture(dir, 'ids.csv', 'PID,idcase,user_id,paid,grp_id,y\n' + rows(40, (i) => `${1000 + i * 3},${(i * 7) % 40},${i},${i % 5},${i % 4},${i % 2}`)))
    expect(identifierNotes(table, 'y')).toEqual(
      ['PID', 'idcase', 'user_id'].map((c) => `note: column ${c} looks like an identifier (a different whole number on every row): it is used as a number; if it only names the rows, leave it out with --ignore ${c}`),
    )
    expect(selectTrainingColumns(table, 'y').leftOut).toEqual([{ column: 'user_id', reason: 'a row number: counts up by one on every row' }])
  })

  it('notes a column of free text (no text in 5 rows), not one of repeated levels or of few rows', async () => {
    const words = ['red', 'green', 'blue', 'fast', 'slow', 'big']
    const text = (i: number): string => `${words[i % 6]} ${words[(i * 7) % 6]} ${i}`
    const table = await readCsv(
      writeFixture(dir, 'text.csv', 'note,tag,mostly,y\n' + rows(60, (i) => `${text(i)},${i < 50 ? `t${i % 10}` : text(i)},${i < 40 ? '' : text(i)},${i % 2}`)),
    )
    // tag: 10 levels of 5 rows; mostly: 20 texts of 40 blanks and 20 rows.
    expect(freeTextNotes(table, 'y', 5)).toEqual([
      'note: column note has 60 different texts in 60 rows, none in 5 rows: models do not read free text; with a value in every row, it tells them nothing (--ignore note leaves it out)',
      'note: column mostly has 20 different texts in 20 rows, none in 5 rows: models do not read free text; they see only whether a value is there (--ignore mostly leaves it out)',
    ])
    expect(freeTextNotes(table, 'note', 5)).toHaveLength(1)
    const few = await readCsv(writeFixture(dir, 'few-text.csv', 'note,y\n' + rows(8, (i) => `${text(i)},${i % 2}`)))
    expect(freeTextNotes(few, 'y', 5)).toEqual([])
  })
})
