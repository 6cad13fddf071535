import { describe, expect, it } from 'vitest'
import { detectDelimiter, readCsv } from '../../../src/data/csv.js'
import { DataError } from '../../../src/errors.js'
import type { CategoricalColumn, NumericColumn } from '../../../src/data/table.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()

async function errorOf(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(DataError)
    return err as DataError
  }
  throw new Error('expected a DataError')
}

describe('readCsv', () => {
  it('infers numeric, boolean and categorical columns with missing values', async () => {
    const file = writeFixture(dir, 'types.csv', 'n,b,c\n1.5,true,red\nNA,FALSE,\n-2e1,,blue\n?,True,null\n')
    const table = await readCsv(file)
    expect(table.nRows).toBe(4)
    const [n, b, c] = table.columns as [NumericColumn, NumericColumn, CategoricalColumn]
    expect(n.type).toBe('numeric')
    expect(Array.from(n.values)).toEqual([1.5, NaN, -20, NaN])
    expect(b.type).toBe('boolean')
    expect(Array.from(b.values)).toEqual([1, 0, NaN, 1])
    expect(c.type).toBe('categorical')
    expect(Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]))).toEqual(['red', null, 'blue', null])
  })

  it('turns a column categorical when a later cell is text, keeping earlier values as text', async () => {
    const file = writeFixture(dir, 'mixed.csv', 'x\n1\n2.50\nabc\n')
    const [x] = (await readCsv(file)).columns as [CategoricalColumn]
    expect(x.type).toBe('categorical')
    expect(Array.from(x.codes, (k) => x.levels[k])).toEqual(['1', '2.5', 'abc'])
  })

  it('codes a number or true/false in a categorical column by its canonical text, wherever the column turned categorical', async () => {
    // Text first (categorical from the start) or numbers first (re-coded when text comes): the same levels.
    for (const cells of [['abc', '2.50', '2.5', ' 2.5', '25e-1', 'TRUE', 'true', '007'], ['2.50', '2.5', ' 2.5', '25e-1', 'abc', 'TRUE', 'true', '007']]) {
      const [x] = (await readCsv(writeFixture(dir, 'canonical.csv', `x\n${cells.join('\n')}\n`))).columns as [CategoricalColumn]
      expect(x.type).toBe('categorical')
      expect(Array.from(x.codes, (k) => x.levels[k])).toEqual(cells.map((c) => (c === 'abc' ? 'abc' : c === 'TRUE' || c === 'true' ? 'true' : c === '007' ? '7' : '2.5')))
    }
  })

  it('reads decimal commas as numbers in a ; separated file, not in a comma or tab separated one', async () => {
    const semi = await readCsv(writeFixture(dir, 'euro.csv', 'price;qty;code\n1,5;3;a\n-0,25;4;b\n2;5;1,5\nNA;6;c\n'))
    const [price, qty, code] = semi.columns as [NumericColumn, NumericColumn, CategoricalColumn]
    expect(price.type).toBe('numeric')
    expect(Array.from(price.values)).toEqual([1.5, -0.25, 2, NaN])
    expect(price.commaCells).toEqual({ count: 2, firstRow: 0 })
    expect(qty.commaCells).toBeUndefined()
    // In a categorical column a decimal comma is text, kept as written.
    expect(code.levels).toEqual(['a', 'b', '1,5', 'c'])
    const tab = await readCsv(writeFixture(dir, 'us.tsv', 'price\tqty\n1,234\t3\n2\t4\n'))
    expect(tab.columns[0].type).toBe('categorical')
    const comma = await readCsv(writeFixture(dir, 'us.csv', 'price,qty\n"1,5",3\n2,4\n'))
    expect(comma.columns[0].type).toBe('categorical')
  })

  it('keeps a decimal-comma or date cell as written when its column turns categorical later', async () => {
    const [x] = (await readCsv(writeFixture(dir, 'euro-mixed.csv', 'x;y\n1,50;1\n2024-05-01;2\n2;2\n1,50;3\nabc;3\ndef;4\n'))).columns as [CategoricalColumn]
    expect(Array.from(x.codes, (k) => x.levels[k])).toEqual(['1,50', '2024-05-01', '2', '1,50', 'abc', 'def'])
  })

  it('reads ISO dates as days since 1970-01-01, unless told not to', async () => {
    const file = writeFixture(dir, 'dates.csv', 'when,y\n2024-05-01,1\n2024-05-01T12:00:00+02:00,2\nNA,3\n1970-01-01,4\n')
    const [when] = (await readCsv(file)).columns as [NumericColumn]
    expect(Array.from(when.values)).toEqual([19844, 19844 + 10 / 24, NaN, 0])
    expect(when.dateCells).toEqual({ count: 3, firstRow: 0 })
    const [text] = (await readCsv(file, { isoDates: false })).columns as [CategoricalColumn]
    expect(text.levels).toEqual(['2024-05-01', '2024-05-01T12:00:00+02:00', '1970-01-01'])
  })

  it('a category that is a missing marker but for blanks trim() takes (a no-break space) is missing', async () => {
    const [c] = (await readCsv(writeFixture(dir, 'nbsp.csv', 'c\nred\n\u00a0NA\n\u00a0\nblue\n'))).columns as [CategoricalColumn]
    expect(Array.from(c.codes)).toEqual([0, -1, -1, 1])
    expect(c.levels).toEqual(['red', 'blue'])
  })

  it('keeps a numeric column numeric when a few cells are other text, those missing and noted, wherever they are', async () => {
    const values = Array.from({ length: 200 }, (_, i) => String(i * 0.5))
    for (const at of [0, 57, 199]) {
      const cells = [...values]
      cells[at] = 'inf'
      cells[(at + 100) % 200] = ' unknown '
      const [x] = (await readCsv(writeFixture(dir, `odd-${at}.csv`, `x\n${cells.join('\n')}\n`))).columns as [NumericColumn]
      expect(x.type).toBe('numeric')
      expect(Number.isNaN(x.values[at]) && Number.isNaN(x.values[(at + 100) % 200])).toBe(true)
      expect(x.values.filter((v) => !Number.isNaN(v))).toHaveLength(198)
      expect(x.oddCells).toEqual({ count: 2, firstRow: Math.min(at, (at + 100) % 200), texts: at < 100 ? ['inf', 'unknown'] : ['unknown', 'inf'] })
    }
    // Over 2% of the cells, or more than 5 different texts: categorical, every text in its row.
    const many = [...values]
    for (let i = 0; i < 5; i++) many[i * 40] = 'n/k'
    const [m] = (await readCsv(writeFixture(dir, 'odd-many.csv', `x\n${many.join('\n')}\n`))).columns as [CategoricalColumn]
    expect(m.type).toBe('categorical')
    expect(Array.from(m.codes.slice(0, 3), (k) => m.levels[k])).toEqual(['n/k', '0.5', '1'])
    const kinds = [...values]
    for (let i = 0; i < 6; i++) kinds[i * 30] = `code${i}`
    expect((await readCsv(writeFixture(dir, 'odd-kinds.csv', `x\n${kinds.join('\n')}\n`))).columns[0].type).toBe('categorical')
  })

  it("reads pandas's missing-value markers as missing", async () => {
    const markers = ['N/A', 'n/a', '#N/A', 'NULL', 'None', 'nan', '<NA>', '-nan']
    const file = writeFixture(dir, 'markers.csv', `x,c\n${markers.map((m, i) => `${m},${i % 2 ? m : 'k'}`).join('\n')}\n1.5,k\n`)
    const [x, c] = (await readCsv(file)).columns as [NumericColumn, CategoricalColumn]
    expect(x.type).toBe('numeric')
    expect(x.oddCells).toBeUndefined()
    expect(Array.from(x.values)).toEqual([...markers.map(() => NaN), 1.5])
    expect(c.levels).toEqual(['k'])
  })

  it('names a blank header cell by its position (a pandas index column)', async () => {
    const table = await readCsv(writeFixture(dir, 'pandas.csv', ',a,b\n0,1,x\n1,2,y\n'))
    expect(table.columns.map((c) => c.name)).toEqual(['column_1', 'a', 'b'])
  })

  it('takes blanks around header names and category cells as layout', async () => {
    const table = await readCsv(writeFixture(dir, 'spaced.csv', 'age, income , colour\n30, 1.5, red\n41, 2.5, blue\n'))
    expect(table.columns.map((c) => c.name)).toEqual(['age', 'income', 'colour'])
    expect(table.columns.map((c) => c.type)).toEqual(['numeric', 'numeric', 'categorical'])
    expect((table.columns[2] as CategoricalColumn).levels).toEqual(['red', 'blue'])
  })

  it('handles quoted fields, embedded delimiters and newlines, CRLF and a BOM', async () => {
    const file = writeFixture(dir, 'quoted.csv', '\uFEFFname,note\r\n"Smith, J","said ""hi""\r\non two lines"\r\nLee,plain\r\n')
    const table = await readCsv(file)
    const [name, note] = table.columns as [CategoricalColumn, CategoricalColumn]
    expect(name.name).toBe('name')
    expect(name.levels).toEqual(['Smith, J', 'Lee'])
    expect(note.levels[0]).toBe('said "hi"\r\non two lines')
  })

  it('detects ; and tab delimiters, and takes --delimiter', async () => {
    expect(detectDelimiter('a;b;c\n1;2;3')).toBe(';')
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t')
    expect(detectDelimiter('"a;x",b,c\n')).toBe(',')
    const semi = writeFixture(dir, 'semi.csv', 'a;b\n1;x\n')
    const table = await readCsv(semi)
    expect(table.columns.map((c) => c.name)).toEqual(['a', 'b'])
    const forced = await readCsv(semi, { delimiter: ',' })
    expect(forced.columns.map((c) => c.name)).toEqual(['a;b'])
  })

  it('keeps source line numbers when asked', async () => {
    const file = writeFixture(dir, 'lines.csv', 'a,b\n1,"x\ny"\n\n2,z\n')
    const table = await readCsv(file, { trackLines: true })
    expect(Array.from(table.lines!)).toEqual([3, 5])
  })

  it('fingerprints the file content', async () => {
    const a = await readCsv(writeFixture(dir, 'fa.csv', 'a\n1\n'))
    const b = await readCsv(writeFixture(dir, 'fb.csv', 'a\n1\n'))
    const c = await readCsv(writeFixture(dir, 'fc.csv', 'a\n2\n'))
    expect(a.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(a.fingerprint).toBe(b.fingerprint)
    expect(a.fingerprint).not.toBe(c.fingerprint)
  })
})

describe('readCsv errors', () => {
  it('file missing', async () => {
    const err = await errorOf(readCsv(`${dir}/nope.csv`))
    expect(err.message).toBe(`${dir}/nope.csv: file not found. Check the path`)
  })

  it('file unreadable', async () => {
    // Tests run as root in CI, where chmod 000 does not stop a read: a path through a file cannot be read by anyone.
    const file = writeFixture(dir, 'plain.csv', 'a\n1\n')
    expect((await errorOf(readCsv(`${file}/inner.csv`))).message).toBe(`${file}/inner.csv: cannot read the file (ENOTDIR)`)
  })

  it('a directory', async () => {
    expect((await errorOf(readCsv(dir))).message).toContain('is a directory')
  })

  it('empty file', async () => {
    const file = writeFixture(dir, 'empty.csv', '')
    expect((await errorOf(readCsv(file))).message).toBe(`${file}: file is empty. Pass a CSV file with a header row and data rows`)
    const blank = writeFixture(dir, 'blank.csv', '\n  \n')
    expect((await errorOf(readCsv(blank))).message).toContain('file is empty')
  })

  it('header only', async () => {
    const file = writeFixture(dir, 'header.csv', 'a,b,c\n')
    expect((await errorOf(readCsv(file))).message).toBe(`${file}:2: the file has a header but no data rows. Add data rows below the header`)
  })

  it('ragged row names line and column', async () => {
    const file = writeFixture(dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n')
    const err = await errorOf(readCsv(file))
    expect(err.location).toMatchObject({ file, line: 3, column: 3 })
    expect(err.message).toMatch(/ragged\.csv:3:3: row has 2 fields but the header has 3/)
    const long = writeFixture(dir, 'long.csv', 'a,b\n1,2\n3,4,5\n')
    expect((await errorOf(readCsv(long))).message).toMatch(/long\.csv:3:3: row has 3 fields but the header has 2/)
  })

  it('unclosed quote names the line', async () => {
    const file = writeFixture(dir, 'quote.csv', 'a,b\n1,"x ""y"""\n2,"open\n4,5\n8,9\n')
    expect((await errorOf(readCsv(file))).message).toBe(`${file}:3: a quoted field opens here and is never closed. Close the quote ("...") or escape quotes inside fields by doubling them ("")`)
  })

  it('a file that is not UTF-8 text names the line of its first bad byte', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},caf\u00e9 ${i % 7}`).join('\n')
    // Latin-1 bytes (\xe9 alone is not UTF-8) from line 2999 on, past the reader's first chunks.
    const text = `id,name\n${rows}\n`
    const at = text.indexOf('\n2997,') + 1
    const bytes = Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), Buffer.from(text.slice(at), 'latin1')])
    const file = writeFixture(dir, 'latin1.csv', bytes)
    const message = (await errorOf(readCsv(file))).message
    expect(message.startsWith(`${file}:2999: the file is not UTF-8 text (byte `)).toBe(true)
    expect(message).toContain('is not part of a UTF-8 character; a Latin-1 or Windows-1252 export?). Save it as UTF-8, or convert it: iconv')
    // UTF-8 whose 4-byte characters the reader's chunks cut is read as it is.
    const good = writeFixture(dir, 'utf8.csv', Buffer.from(`id,name\n${rows.replace(/caf/g, '\u{1F600}')}\n`.repeat(200), 'utf8'))
    expect((await readCsv(good)).nRows).toBe(3000 * 200 + 199)
  })

  it('duplicated header name', async () => {
    const file = writeFixture(dir, 'dup.csv', 'a,b,a\n1,2,3\n')
    const err = await errorOf(readCsv(file))
    expect(err.message).toBe(`${file}:1:3: duplicated column name "a" (also column 1). Rename one of them in the header`)
  })
})
