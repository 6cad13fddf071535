import { describe, expect, it } from 'vitest'
import { DLQ_HEADERS, deadLetterHeaders, deadLetterMessage } from '../../../src/serve/dead-letter.js'
import { decodeMessage } from '../../../src/serve/message-decoder.js'

describe('dead letters', () => {
  it('headers name the error, its kind, the source topic, partition, offset and timestamp, and the model', () => {
    expect(deadLetterHeaders({ topic: 'cars', partition: 2, offset: 1041, timestamp: 1700000000000 }, { kind: 'ill-typed-field', message: 'field "rpm": expected a number, got "fast"' }, 'dt-1')).toEqual({
      'mlkafka-error': 'field "rpm": expected a number, got "fast"',
      'mlkafka-error-kind': 'ill-typed-field',
      'mlkafka-source-topic': 'cars',
      'mlkafka-source-partition': '2',
      'mlkafka-source-offset': '1041',
      'mlkafka-source-timestamp': '1700000000000',
      'mlkafka-model-id': 'dt-1',
    })
    expect(Object.values(DLQ_HEADERS).sort()).toEqual(Object.keys(deadLetterHeaders({ topic: 't', partition: 0, offset: 0, timestamp: 0 }, { kind: 'not-json', message: 'x' }, 'm')).sort())
  })

  it('the message keeps key, value and headers byte for byte; ours replace same-named ones', () => {
    const key = Buffer.from('car-1')
    const value = Buffer.from([0xff, 0x00, 0x7b])
    const m = deadLetterMessage('cars', { partition: 1, offset: 5, key, value, timestamp: 9, headers: { trace: Buffer.from('abc'), 'mlkafka-error': 'older' } }, { kind: 'not-utf8', message: 'not UTF-8 text' }, 'm1')
    expect(m.key).toBe(key)
    expect(m.value).toBe(value)
    expect(m.headers).toMatchObject({ trace: Buffer.from('abc'), 'mlkafka-error': 'not UTF-8 text', 'mlkafka-source-offset': '5' })
    expect(deadLetterMessage('t', { partition: 0, offset: 0, key: null, value: null, timestamp: 0 }, { kind: 'tombstone', message: 'no value (a tombstone)' }, 'm')).toMatchObject({ key: null, value: null })
  })
})

describe('decodeMessage', () => {
  const bytes = (s: string): Buffer => Buffer.from(s, 'utf8')
  it.each([
    ['not json {', 'not-json', 'not valid JSON'],
    ['  ', 'not-json', 'empty value'],
    ['[1,2]', 'not-object', 'a JSON array, not an object'],
    ['null', 'not-object', 'JSON null, not an object'],
    ['42', 'not-object', 'a JSON number, not an object'],
    ['"text"', 'not-object', 'a JSON string, not an object'],
  ])('%j: %s (%s)', (text, kind, reason) => {
    expect(decodeMessage(bytes(text))).toEqual({ ok: false, kind, reason })
  })

  it('a tombstone and bytes that are not UTF-8 are unscorable', () => {
    expect(decodeMessage(null)).toEqual({ ok: false, kind: 'tombstone', reason: 'no value (a tombstone)' })
    expect(decodeMessage(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toEqual({ ok: false, kind: 'not-utf8', reason: 'not UTF-8 text' })
  })

  it('an object is a record, nested values and all (only the fields the model reads are checked)', () => {
    expect(decodeMessage(bytes('{"a": 1, "tags": ["x"], "é": "ü"}'))).toEqual({ ok: true, text: '{"a": 1, "tags": ["x"], "é": "ü"}', record: { a: 1, tags: ['x'], é: 'ü' } })
  })

  it('with CSV columns: one line of as many fields is a record of texts; anything else is not-csv, said as automl train --topic says it', () => {
    const columns = ['a', 'b', 'c']
    expect(decodeMessage(bytes('1.5,"x, y",'), columns)).toEqual({ ok: true, text: '1.5,"x, y",', record: { a: '1.5', b: 'x, y', c: '' } })
    expect(decodeMessage(bytes('one field'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: '1 field but --columns names 3' })
    expect(decodeMessage(bytes('{"a": 1}'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: 'malformed CSV' })
    expect(decodeMessage(bytes('1,2,3,4'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: '4 fields but --columns names 3' })
    expect(decodeMessage(bytes('1,2,3\n4,5,6'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: '2 CSV lines in one message (one expected)' })
    expect(decodeMessage(bytes('1,"2,3'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: 'a quoted field is never closed' })
    expect(decodeMessage(bytes(''), columns)).toEqual({ ok: false, kind: 'not-csv', reason: 'empty value' })
    expect(decodeMessage(null, columns)).toMatchObject({ kind: 'tombstone' })
  })

  it('with CSV columns: read as a CSV file\'s lines are (a byte-order mark, blank lines, CRLF), a header line is no row, and __proto__ is a field', () => {
    const columns = ['a', 'b', 'c']
    expect(decodeMessage(bytes('\uFEFFx,2,3'), columns)).toMatchObject({ ok: true, record: { a: 'x', b: '2', c: '3' } })
    expect(decodeMessage(bytes('1,2,3\r\n\r\n'), columns)).toMatchObject({ ok: true, record: { a: '1', b: '2', c: '3' } })
    expect(decodeMessage(bytes('\n'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: 'empty value' })
    expect(decodeMessage(bytes('a, b ,c'), columns)).toEqual({ ok: false, kind: 'not-csv', reason: 'a header line (the names --columns gives), not a row' })
    const proto = decodeMessage(bytes('1.5,x,y'), ['__proto__', 'b', 'c'])
    expect(proto.ok && Object.hasOwn(proto.record, '__proto__') && proto.record.__proto__).toBe('1.5')
  })
})
