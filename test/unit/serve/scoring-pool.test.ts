import { buildEnsemble } from '../../../src/ir/ensemble.js'
import { describe, expect, it } from 'vitest'
import { InlineScorer, ScoringPool } from '../../../src/serve/scoring-pool.js'
import { packValues, unpackValues } from '../../../src/serve/scoring-protocol.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import { MessageScorer, referenceScorer, servingScorer } from '../../../src/serve/message-scorer.js'
import type { CompiledScorer } from '../../../src/export/compiled-scorer.js'
import { OutputRecordBuilder } from '../../../src/serve/output-record.js'
import { overflowingModel, ridgeModel, stumpModel } from '../../helpers/ir-fixtures.js'
import { NO_SCORE } from '../../../src/export/record-rules.js'
import { decodeRecordFields } from '../../../src/kafka/record-fields.js'
import type { TopicRecord } from '../../../src/kafka/client.js'

const values = [
  '{"id": 1, "speed": 60.5, "color": "blue"}',
  null,
  '{"id": 2, "speed": "fast"}',
  '[1]',
  '{"id": 3, "note": "é ü"}',
  '{}',
].map((v) => (v === null ? null : Buffer.from(v, 'utf8')))
const keys = values.map((_, i) => (i === 2 ? null : Buffer.from(`key-${i}`)))
const records: TopicRecord[] = values.map((value, i) => ({ partition: 0, offset: i, key: keys[i], value, timestamp: 0, headers: i === 4 ? { trace: Buffer.from('t-4'), tags: ['a', Buffer.from('b')] } : {} }))

/** The output value of each message's record fields (null: dead). */
const outputValues = (fields: (Buffer | null)[]): (string | null)[] => fields.map((f) => (f === null ? null : decodeRecordFields(f).value!.toString('utf8')))

describe('packValues / unpackValues', () => {
  it('round-trip values, empty ones and nulls', () => {
    const input = [Buffer.from('abc'), null, Buffer.alloc(0), Buffer.from([0xff, 0x00])]
    const { data, lengths } = packValues(input)
    expect(Array.from(lengths)).toEqual([3, -1, 0, 2])
    expect(unpackValues(data, lengths)).toEqual(input)
  })
})

describe('MessageScorer.scoreBatch', () => {
  it('scores each message as the evaluator scores its record and writes what the builder builds; dead letters do not shift the rows', () => {
    // "speed": "fast" is ill-typed for the stump; the ridge model reads only "a".
    for (const [ir, deadAt] of [[stumpModel(), [1, 2, 3]], [ridgeModel(), [1, 3]]] as const) {
      const model = compileModel(ir)
      for (const outputFields of [undefined, ['id', 'note']]) {
        const builder = new OutputRecordBuilder(ir, { outputFields })
        const batch = new MessageScorer(ir, { outputFields }).scoreBatch(values, keys)
        const outputs = unpackValues(batch.data, batch.lengths).map((f) => (f === null ? null : decodeRecordFields(f)))
        expect(batch.dead.map((d) => d.index)).toEqual(deadAt)
        for (const [i, v] of values.entries()) {
          if (batch.dead.some((d) => d.index === i)) {
            expect(outputs[i]).toBeNull()
            continue
          }
          const text = v!.toString('utf8')
          const record = JSON.parse(text) as Record<string, unknown>
          const latency = batch.latencies[i]
          expect(latency).toBeGreaterThanOrEqual(0)
          expect(outputs[i]!.value!.toString('utf8')).toBe(builder.build(text, record, model.predictRecord(record), latency))
          expect(outputs[i]!.key).toEqual(keys[i])
          expect(outputs[i]!.headers).toEqual({})
        }
      }
    }
  })

  it('a message the model gives no number for is a dead letter of kind no-score (it had been written with null probabilities)', () => {
    const batch = new MessageScorer(overflowingModel(), {}).scoreBatch(['{"__proto__": 1, "b": 1}', '{"__proto__": 1e10, "b": -1e10}'].map((v) => Buffer.from(v)), [null, null])
    expect(batch.dead).toEqual([{ index: 1, reason: { kind: 'no-score', message: NO_SCORE } }])
    expect(Array.from(batch.lengths).map((n) => n > 0)).toEqual([true, false])
  })

  it('the exported JavaScript scorer it runs and the IR evaluator (its fallback) agree: scores and field errors', () => {
    const records = [{ speed: 60.5, color: 'blue' }, { speed: '12', color: 'red' }, {}, { speed: 'fast' }, { color: 7 }, { a: 2.5 }, { a: [1] }]
    const ensemble = buildEnsemble([{ ir: stumpModel(), weight: 0.25 }, { ir: { ...stumpModel(), modelId: 'stump-2' }, weight: 0.75 }], 'ensemble_1')
    for (const ir of [stumpModel(), ridgeModel(), ensemble]) {
      const fast = servingScorer(ir)
      const reference = referenceScorer(ir)
      expect(fast.predictScores.name).toBe('predictScores') // the printed module's function
      for (const record of records) {
        const outcome = (s: CompiledScorer): unknown => {
          const f = new Float64Array(s.width)
          const out = new Float64Array(s.outputs)
          try {
            s.encode(record, f)
          } catch (err) {
            expect(s.isScoringError(err)).toBe(true)
            return (err as Error).message
          }
          s.predictScores(f, out)
          return Array.from(out)
        }
        expect(outcome(fast)).toEqual(outcome(reference))
      }
    }
  })
})

describe('InlineScorer and ScoringPool', () => {
  it('score a batch alike: outputs with their keys and headers, dead letters with reasons, latencies (the pool runs the built worker in dist/)', async () => {
    const inline = new InlineScorer(stumpModel())
    const pool = new ScoringPool(stumpModel(), {}, 2)
    try {
      await Promise.all([inline.ready(), pool.ready()])
      const a = await inline.score(records)
      const [b, c] = await Promise.all([pool.score(records), pool.score(records.slice(0, 1))])
      const strip = (v: string | null): unknown => (v === null ? null : { ...(JSON.parse(v) as object), latency_us: 0 })
      expect(outputValues(b.fields).map(strip)).toEqual(outputValues(a.fields).map(strip))
      expect(outputValues(c.fields)[0]).toContain('"prediction":"no","p_no":0.7,"p_yes":0.3,"model_id":"tree-1"')
      for (const s of [a, b]) {
        const f = s.fields.map((x) => (x === null ? null : decodeRecordFields(x)))
        expect(f.map((x) => x?.key?.toString() ?? null)).toEqual(['key-0', null, null, null, 'key-4', 'key-5'])
        expect(f[4]!.headers).toEqual({ trace: [Buffer.from('t-4')], tags: [Buffer.from('a'), Buffer.from('b')] })
        expect(f[0]!.headers).toEqual({})
      }
      expect(b.dead).toEqual(a.dead)
      expect(a.dead).toEqual([
        { index: 1, reason: { kind: 'tombstone', message: 'no value (a tombstone)' } },
        { index: 2, reason: { kind: 'ill-typed-field', message: 'field "speed": expected a number, got "fast"' } },
        { index: 3, reason: { kind: 'not-object', message: 'a JSON array, not an object' } },
      ])
      expect(JSON.parse(outputValues(b.fields)[4]!)).toMatchObject({ note: 'é ü', prediction: 'yes' })
      for (const s of [a, b]) {
        expect(Array.from(s.latencies).map(Number.isNaN)).toEqual([false, true, true, true, false, false])
      }
    } finally {
      await pool.close()
    }
    await expect(pool.score(records)).rejects.toThrow('scoring pool closed')
  })

  it('keep a header named __proto__ (a header name is any string)', async () => {
    const headers = Object.defineProperty({}, '__proto__', { value: Buffer.from('p'), enumerable: true })
    const one: TopicRecord[] = [{ ...records[0], headers }]
    const inline = new InlineScorer(stumpModel())
    const pool = new ScoringPool(stumpModel(), {}, 1)
    try {
      await Promise.all([inline.ready(), pool.ready()])
      for (const s of [await inline.score(one), await pool.score(one)]) expect(decodeRecordFields(s.fields[0]!).headers['__proto__']).toEqual([Buffer.from('p')])
    } finally {
      await pool.close()
    }
  })

  it('a model the evaluator cannot compile fails ready(), not the first batch', async () => {
    const broken = stumpModel()
    ;(broken.model as { trees: unknown }).trees = null
    const pool = new ScoringPool(broken, {}, 1)
    try {
      await expect(pool.ready()).rejects.toThrow()
    } finally {
      await pool.close()
    }
  })
})
