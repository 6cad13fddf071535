import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import '../../../src/kafka/client.js'
import { decodeRecordFields, encodeRecordFields, FieldsBuffer, writeBytesField, type RecordHeaders } from '../../../src/kafka/record-fields.js'
import { frameRecord, KAFKAJS_RECORD_MODULE, RECORD_FIELDS, recordFramingInstalled } from '../../../src/kafka/record-framing.js'

type Encoded = { buffer: Buffer }
/** kafkajs's record encoder as its produce request sees it (the framing in front, once the client is loaded). */
const Record = createRequire(import.meta.url)(KAFKAJS_RECORD_MODULE) as (m: object) => Encoded

const keys = [null, 'car-0417', Buffer.from([0, 255, 7]), 'é-ü-字', Buffer.alloc(0)]
const values = [null, Buffer.alloc(0), Buffer.from('{"a":1}'), Buffer.from('x'.repeat(200)), Buffer.alloc(20_000, 0x61), '{"text":"ü"}']
const headerSets: (RecordHeaders | undefined)[] = [undefined, {}, { trace: 'abc' }, { 'mlkafka-error': 'not valid JSON', bin: Buffer.from([1, 2, 3]), many: ['a', Buffer.from('b'), 'ç'] }, { empty: '' }]
const deltas: [number, number][] = [
  [0, 0],
  [63, 1],
  [64, -1],
  [8191, 70_000],
  [8192, -70_000],
  [1_000_000, 2 ** 31],
  [5, 2 ** 40 + 3],
  [6, -(2 ** 40)],
]

describe('record framing in front of kafkajs', () => {
  it('is installed when the client module loads', () => {
    expect(recordFramingInstalled()).toBe(true)
  })

  it('writes every record byte for byte as kafkajs does: keys, values and headers of all kinds, small and large deltas', () => {
    let n = 0
    for (const key of keys) {
      for (const value of values) {
        for (const headers of headerSets) {
          for (const [offsetDelta, timestampDelta] of deltas) {
            const message = { key, value, headers, offsetDelta, timestampDelta }
            const want = Record(message).buffer
            const got = Record({ offsetDelta, timestampDelta, value: Buffer.alloc(0), [RECORD_FIELDS]: encodeRecordFields(key, value, headers) }).buffer
            expect(Buffer.compare(got, want), JSON.stringify({ key, value: value?.length, headers, offsetDelta, timestampDelta })).toBe(0)
            n++
          }
        }
      }
    }
    expect(n).toBe(keys.length * values.length * headerSets.length * deltas.length)
  })
})

describe('record framing of odd timestamps', () => {
  it('a NaN timestamp delta is written as kafkajs writes it (0); a fractional one in whole milliseconds (kafkajs throws)', () => {
    const fields = encodeRecordFields('k', Buffer.from('v'))
    expect(Buffer.compare(frameRecord(fields, 1, NaN), Record({ key: 'k', value: Buffer.from('v'), offsetDelta: 1, timestampDelta: NaN }).buffer)).toBe(0)
    for (const [given, as] of [[NaN, 0], [12.7, 12], [-3.5, -3]]) expect(frameRecord(fields, 1, given)).toEqual(frameRecord(fields, 1, as))
  })
})

describe('record fields', () => {
  it('read back as written: keys, values, headers (several values under a key kept in order)', () => {
    const f = decodeRecordFields(encodeRecordFields('k', Buffer.from('v'), { a: 'x', b: [Buffer.from([9]), 'y'] }))
    expect(f).toEqual({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { a: [Buffer.from('x')], b: [Buffer.from([9]), Buffer.from('y')] } })
    expect(decodeRecordFields(encodeRecordFields(null, null))).toEqual({ key: null, value: null, headers: {} })
    const odd = decodeRecordFields(encodeRecordFields('k', 'v', Object.defineProperty({}, '__proto__', { value: 'p', enumerable: true })))
    expect(Object.keys(odd.headers)).toEqual(['__proto__'])
    expect(odd.headers['__proto__']).toEqual([Buffer.from('p')])
  })

  it('a length prefix added after the bytes moves them right by the varint size (1, 2 and 3 bytes)', () => {
    for (const n of [0, 63, 64, 8191, 8192, 100_000]) {
      const sink = new FieldsBuffer(16) // grows while writing
      writeBytesField(sink, 'key')
      const start = sink.length
      sink.text('z'.repeat(n))
      sink.prefixLength(start)
      sink.varint(0)
      expect(decodeRecordFields(sink.take()).value!.length).toBe(n)
    }
  })

  it('refuses bytes that are not fields', () => {
    expect(() => decodeRecordFields(Uint8Array.from([0x80]))).toThrow('truncated varint')
    expect(() => decodeRecordFields(Uint8Array.from([20, 1]))).toThrow('runs past the end')
    expect(() => decodeRecordFields(Uint8Array.from([1, 1, 0, 0]))).toThrow('bytes after the headers')
  })
})
