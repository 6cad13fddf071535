import { describe, expect, it } from 'vitest'
import { parseMaxBad, parseTimestamp, parseColumns, topicReadSettings } from '../../../src/cli/kafka-flags.js'
import { readCsv } from '../../../src/data/csv.js'
import { JsonRowEncoder, JsonTableBuilder, parseJsonRow, topLevelKeyOrder } from '../../../src/data/json-rows.js'
import { describeBadMessages, limitRanges } from '../../../src/data/topic-source.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8')

describe('parseJsonRow', () => {
  it('reads an object as the texts the CSV reader would see', () => {
    expect(parseJsonRow(bytes('{"a": 1.5, "b": true, "c": "x", "d": null, "e": "NA", "f": 1e21}'))).toEqual({
      cells: [
        ['a', '1.5'],
        ['b', 'true'],
        ['c', 'x'],
        ['d', ''],
        ['e', 'NA'],
        ['f', '1e+21'],
      ],
    })
  })

  it.each([
    ['not json {', 'not valid JSON'],
    ['', 'empty value'],
    ['[1,2]', 'a JSON array, not an object'],
    ['null', 'JSON null, not an object'],
    ['42', 'a JSON number, not an object'],
    ['"text"', 'a JSON string, not an object'],
    ['{"a": {"b": 1}}', 'field "a" holds a nested object'],
    ['{"a": 1, "tags": ["x"]}', 'field "tags" holds an array'],
  ])('%j is bad: %s', (text, reason) => {
    expect(parseJsonRow(bytes(text))).toEqual({ bad: reason })
  })

  it('bytes that are not UTF-8 are bad', () => {
    expect(parseJsonRow(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toEqual({ bad: 'not UTF-8 text' })
  })

  it('keeps the written key order even for index-like keys (which JSON.parse moves first)', () => {
    const text = '{"name": "a", "2023": 1, "x": {"9": 0}, "1": "y", "2023": 5}'
    expect(topLevelKeyOrder(text)).toEqual(['name', '2023', 'x', '1'])
    expect(parseJsonRow(bytes('{"name": "a", "2023": 1, "s": "{\\"7\\":1}", "1": "y"}'))).toEqual({
      cells: [
        ['name', 'a'],
        ['2023', '1'],
        ['s', '{"7":1}'],
        ['1', 'y'],
      ],
    })
  })
})

describe('JsonTableBuilder', () => {
  it('columns are the union of keys in first-seen order; earlier rows miss a later column', () => {
    const b = new JsonTableBuilder()
    b.add([['a', '1']])
    b.add([
      ['b', 'x'],
      ['a', '2'],
    ])
    b.add([['c', 'true']])
    const cols = b.finish()
    expect(cols.map((c) => [c.name, c.type])).toEqual([
      ['a', 'numeric'],
      ['b', 'categorical'],
      ['c', 'boolean'],
    ])
    expect(cols[0].type !== 'categorical' && Array.from(cols[0].values)).toEqual([1, 2, NaN])
    expect(cols[1].type === 'categorical' && Array.from(cols[1].codes)).toEqual([-1, 0, -1])
  })

  it('with fixed columns, other keys are ignored and unseen columns are reported', () => {
    const b = new JsonTableBuilder(['b', 'z'])
    b.add([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(b.finish().map((c) => c.name)).toEqual(['b', 'z'])
    expect(b.neverSeen()).toEqual(['z'])
  })
})

describe('JsonRowEncoder', () => {
  it('a table written as JSON rows and read back is the same table', async () => {
    // numbers that turn categorical, booleans in any case, missing tokens, a quoted field, Infinity
    const file = writeFixture(
      dir,
      'mixed.csv',
      'n,b,c,mixed,big,__proto__\n1.50,TRUE,red,1.50,1e400,p\nNA,false,,abc,2,q\n-0,,"blue, dark",1.5,-1e400,\n3,True,null,7,3,r\n',
    )
    const table = await readCsv(file)
    const encoder = new JsonRowEncoder(table)
    expect(encoder.encode(0)).toBe('{"n":1.5,"b":true,"c":"red","mixed":"1.5","big":"1e999","__proto__":"p"}')
    expect(encoder.encode(1)).toBe('{"n":null,"b":false,"c":null,"mixed":"abc","big":2,"__proto__":"q"}')
    const back = new JsonTableBuilder()
    for (let i = 0; i < table.nRows; i++) {
      const row = parseJsonRow(bytes(encoder.encode(i)))
      if ('bad' in row) throw new Error(row.bad)
      back.add(row.cells)
    }
    expect(back.finish()).toEqual(table.columns)
  })

  it('the bundled example survives the round trip exactly', async () => {
    const table = await readCsv('examples/car-sensors.csv')
    const encoder = new JsonRowEncoder(table)
    const back = new JsonTableBuilder()
    for (let i = 0; i < table.nRows; i++) {
      const row = parseJsonRow(bytes(encoder.encode(i)))
      if ('bad' in row) throw new Error(row.bad)
      back.add(row.cells)
    }
    expect(back.finish()).toEqual(table.columns)
  })
})

describe('limitRanges (--max-messages)', () => {
  const ranges = [
    { partition: 0, start: 0, end: 500 },
    { partition: 1, start: 10, end: 310 },
    { partition: 2, start: 0, end: 200 },
  ]
  it('shares the limit in proportion to partition sizes, from the start of each', () => {
    expect(limitRanges(ranges, 100)).toEqual([
      { partition: 0, start: 0, end: 50 },
      { partition: 1, start: 10, end: 40 },
      { partition: 2, start: 0, end: 20 },
    ])
    const odd = limitRanges(ranges, 7)
    expect(odd.reduce((s, r) => s + r.end - r.start, 0)).toBe(7)
    expect(limitRanges(ranges, 7)).toEqual(odd) // deterministic
    expect(limitRanges(ranges, 5000)).toEqual(ranges)
  })
})

describe('topic flags', () => {
  it('--max-bad takes a share or a percentage', () => {
    expect(parseMaxBad('0.05')).toBe(0.05)
    expect(parseMaxBad('5%')).toBe(0.05)
    expect(parseMaxBad('0')).toBe(0)
    expect(parseMaxBad('1')).toBe(1)
    expect(() => parseMaxBad('2')).toThrow('--max-bad: "2" is not a share between 0 and 1')
    expect(() => parseMaxBad('-0.1')).toThrow('--max-bad')
    expect(() => parseMaxBad('lots')).toThrow('--max-bad')
  })

  it('--from-timestamp takes ISO dates and times', () => {
    expect(parseTimestamp('2024-05-01').toISOString()).toBe('2024-05-01T00:00:00.000Z')
    expect(parseTimestamp('2024-05-01T12:30:00Z').toISOString()).toBe('2024-05-01T12:30:00.000Z')
    expect(parseTimestamp('2024-05-01T12:30:00+02:00').toISOString()).toBe('2024-05-01T10:30:00.000Z')
    expect(() => parseTimestamp('May 1')).toThrow('--from-timestamp: "May 1" is not an ISO date or time')
    expect(() => parseTimestamp('2024-13-45')).toThrow('--from-timestamp')
  })

  it('--columns and --format', () => {
    expect(parseColumns('a, b,c')).toEqual(['a', 'b', 'c'])
    expect(() => parseColumns('a,,b')).toThrow('has an empty name')
    expect(() => parseColumns('a,b,a')).toThrow('"a" is named twice')
    expect(() => topicReadSettings({ format: 'csv' })).toThrow('--format csv needs --columns a,b,c')
    expect(topicReadSettings({})).toEqual({ format: 'json', columns: undefined, fromTimestamp: undefined, maxMessages: undefined, maxBadShare: 0.01 })
  })

  it('bad messages are named by partition and offset, the first few', () => {
    const bad = [1, 2, 3, 4, 5].map((o) => ({ partition: 0, offset: o, reason: 'not valid JSON' }))
    expect(describeBadMessages(bad)).toBe('partition 0 offset 1: not valid JSON; partition 0 offset 2: not valid JSON; partition 0 offset 3: not valid JSON; and 2 more')
  })
})
