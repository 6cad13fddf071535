import { describe, expect, it } from 'vitest'
import { readCsv } from '../../../src/data/csv.js'
import { prepareTarget } from '../../../src/data/target.js'
import { DataError, UsageError } from '../../../src/errors.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()
const load = (name: string, text: string) => readCsv(writeFixture(dir, name, text))

describe('prepareTarget', () => {
  it('infers binary from two text classes, sorted, and leaves out rows with a missing target', async () => {
    const table = await load('bin.csv', 'x,y\n1,yes\n2,no\n3,\n4,yes\n')
    const t = prepareTarget(table, 'y')
    expect(t.task).toBe('binary')
    expect(t.classes).toEqual(['no', 'yes'])
    expect(Array.from(t.y)).toEqual([1, 0, 1])
    expect(Array.from(t.rows)).toEqual([0, 1, 3])
    expect(t.missing).toBe(1)
    expect(t.classCounts).toEqual([1, 2])
  })

  it('infers multiclass from text, regression from real numbers, binary from 0/1 and booleans', async () => {
    const table = await load('many.csv', 'c,r,b,flag\na,1.5,0,true\nb,2.25,1,false\nc,3,1,true\n')
    expect(prepareTarget(table, 'c').task).toBe('multiclass')
    expect(prepareTarget(table, 'r').task).toBe('regression')
    expect(prepareTarget(table, 'b')).toMatchObject({ task: 'binary', classes: ['0', '1'] })
    expect(prepareTarget(table, 'flag')).toMatchObject({ task: 'binary', classes: ['false', 'true'] })
  })

  it('reads a few integer values with many rows each as classes, sorted numerically', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},${[3, 10, 2][i % 3]}`)
    const table = await load('int.csv', ['x,y', ...rows].join('\n'))
    expect(prepareTarget(table, 'y')).toMatchObject({ task: 'multiclass', classes: ['2', '3', '10'] })
    expect(prepareTarget(table, 'y', 'regression').task).toBe('regression')
  })

  it('target column absent: names the file, the header line and the columns', async () => {
    const table = await load('absent.csv', 'a,b\n1,2\n')
    expect(() => prepareTarget(table, 'label')).toThrow(new UsageError(`${table.source}:1: --target: column "label" is not in the header. Columns: a, b`))
  })

  it('target all missing', async () => {
    const table = await load('allmissing.csv', 'a,y\n1,\n2,NA\n')
    expect(() => prepareTarget(table, 'y')).toThrow(/target column "y" is missing in all 2 rows/)
  })

  it('a single class', async () => {
    const table = await load('single.csv', 'a,y\n1,ok\n2,ok\n3,\n')
    expect(() => prepareTarget(table, 'y')).toThrow(/has a single class \("ok"\) in all 2 rows with a value: there is nothing to learn/)
  })

  it('a name or id per row as the target: most classes would have a single row', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `${i},${i < 14 ? 'id-x' : `id-${i}`}`).join('\n')
    const table = await load('ids.csv', `a,y\n${ids}\n`)
    for (const task of [undefined, 'multiclass'] as const) {
      expect(() => prepareTarget(table, 'y', task)).toThrow(
        'target column "y" has 17 different values in 30 rows with a value: as classes, most would have a single row, too few to learn from. Pick a target whose values repeat: a name or an id of each row is no target',
      )
    }
    // Half as many classes as rows (2 rows a class) is allowed, and so is a table of fewer than 10 rows.
    const pairs = Array.from({ length: 30 }, (_, i) => `${i},k${i % 15}`).join('\n')
    expect(prepareTarget(await load('pairs.csv', `a,y\n${pairs}\n`), 'y').classes).toHaveLength(15)
    expect(prepareTarget(await load('tiny-ids.csv', 'a,y\n1,p\n2,q\n3,r\n'), 'y').classes).toEqual(['p', 'q', 'r'])
  })

  it('numbers with thousands separators as the target: said so, with or without --task regression', async () => {
    const prices = Array.from({ length: 30 }, (_, i) => `${i % 7},"${i + 1},${String((i * 37) % 1000).padStart(3, '0')}.50"`).join('\n')
    const table = await load('prices.csv', `a,price\n${prices}\n`)
    for (const task of [undefined, 'regression'] as const) {
      expect(() => prepareTarget(table, 'price', task)).toThrow('target column "price" holds numbers written with thousands separators (such as "1,000.50"), read as text. Write them without the separators to train a regression on them')
    }
  })

  it('a numeric target with one value', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},4.2`).join('\n')
    const table = await load('const.csv', `a,y\n${rows}\n`)
    expect(() => prepareTarget(table, 'y')).toThrow(/target column "y" is 4.2 in all 30 rows with a value: there is nothing to learn/)
  })

  it('a numeric target with a stray text cell stays numeric, that row left out', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},${i === 3 ? 'inf' : i * 1.5}`).join('\n')
    const t = prepareTarget(await load('inf.csv', `a,y\n${rows}\n`), 'y')
    expect(t).toMatchObject({ task: 'regression', missing: 1 })
    expect(t.y).toHaveLength(99)
  })

  it('task overrides that do not fit the data are usage errors', async () => {
    const table = await load('override.csv', 'c,y\na,1\nb,2\nc,3\n')
    expect(() => prepareTarget(table, 'c', 'regression')).toThrow(UsageError)
    expect(() => prepareTarget(table, 'y', 'binary')).toThrow(/--task binary needs 2 classes, but "y" has 3: use --task multiclass/)
  })

  it('a quantity (many different numbers) as binary or multiclass: the error says regression', async () => {
    const table = await load('quantity.csv', 'x,rpm\n' + Array.from({ length: 40 }, (_, i) => `${i},${1000 + i * 37}`).join('\n') + '\n')
    expect(() => prepareTarget(table, 'rpm', 'binary')).toThrow('--task binary needs 2 classes, but "rpm" has 40 different numbers: use --task regression (or leave --task out)')
    expect(() => prepareTarget(table, 'rpm', 'multiclass')).toThrow('--task multiclass on "rpm", which has 40 different numbers in 40 rows: use --task regression (or leave --task out)')
    expect(prepareTarget(table, 'rpm').task).toBe('regression')
  })
})
