import { describe, expect, it } from 'vitest'
import { compileModel, toPrediction } from '../../../src/ir/evaluate.js'
import { predictionColumns } from '../../../src/ir/score-csv.js'
import { OutputRecordBuilder, outputFieldNames, parseOutputFields } from '../../../src/serve/output-record.js'
import { ridgeModel, stumpModel } from '../../helpers/ir-fixtures.js'
import { FieldsBuffer } from '../../../src/kafka/record-fields.js'

const ir = stumpModel()
const model = compileModel(ir)

function scoreText(builder: OutputRecordBuilder, text: string, latency = 3.5): string {
  const record = JSON.parse(text) as Record<string, unknown>
  return builder.build(text, record, model.predictRecord(record), latency)
}

describe('OutputRecordBuilder', () => {
  it('keeps the input text as it is and adds prediction, p_<class>, model_id and latency_us', () => {
    const out = scoreText(new OutputRecordBuilder(ir), '{"id": 7, "speed": 60.50, "color": "blue"}')
    expect(out).toBe('{"id": 7, "speed": 60.50, "color": "blue","prediction":"no","p_no":0.7,"p_yes":0.3,"model_id":"tree-1","latency_us":3.5}')
    const p = model.predictRecord({ speed: 60.5, color: 'blue' })
    const o = JSON.parse(out) as Record<string, unknown>
    expect('label' in p && [p.label, ...p.probabilities]).toEqual([o.prediction, o.p_no, o.p_yes])
  })

  it('the probabilities parse back to exactly the evaluator\'s doubles', () => {
    const builder = new OutputRecordBuilder(ir)
    const record = { speed: 10 }
    const prediction = { label: 'yes', probabilities: [0.1 + 0.2, 1 / 3] }
    const o = JSON.parse(builder.build(JSON.stringify(record), record, prediction, 0)) as { p_no: number; p_yes: number }
    expect(o.p_no).toBe(0.1 + 0.2)
    expect(o.p_yes).toBe(1 / 3)
  })

  it('an empty object, blanks before the brace, and index-like keys keep their order', () => {
    const builder = new OutputRecordBuilder(ir)
    // Missing speed and color: the stump's missing-value route gives yes (0.2, 0.8).
    expect(scoreText(builder, '{ }')).toBe('{ "prediction":"yes","p_no":0.2,"p_yes":0.8,"model_id":"tree-1","latency_us":3.5}')
    expect(scoreText(builder, '{"b": 1, "2": "x"}\n')).toBe('{"b": 1, "2": "x","prediction":"yes","p_no":0.2,"p_yes":0.8,"model_id":"tree-1","latency_us":3.5}')
    expect(JSON.parse(scoreText(builder, '{\n  "speed": 1\n}\n'))).toEqual({ speed: 1, prediction: 'no', p_no: 0.9, p_yes: 0.1, model_id: 'tree-1', latency_us: 3.5 })
  })

  it('--output-fields keeps only those fields, in that order, null for a missing one', () => {
    const builder = new OutputRecordBuilder(ir, { outputFields: ['color', 'id', 'nope'] })
    const out = scoreText(builder, '{"id": 7, "speed": 60.5, "color": "blue", "extra": [1]}')
    expect(out).toBe('{"color":"blue","id":7,"nope":null,"prediction":"no","p_no":0.7,"p_yes":0.3,"model_id":"tree-1","latency_us":3.5}')
  })

  it('a name the input already has gets _mlkafka, like mlkafka predict\'s columns', () => {
    const builder = new OutputRecordBuilder(ir)
    const text = '{"prediction": "old", "p_yes": 1, "model_id": "m0"}'
    const o = JSON.parse(scoreText(builder, text)) as Record<string, unknown>
    expect(Object.keys(o)).toEqual(['prediction', 'p_yes', 'model_id', 'prediction_mlkafka', 'p_no', 'p_yes_mlkafka', 'model_id_mlkafka', 'latency_us'])
    expect(o).toMatchObject({ prediction: 'old', p_yes: 1, model_id: 'm0', model_id_mlkafka: 'tree-1' })
    const names = outputFieldNames(ir, ['prediction', 'p_yes', 'model_id'])
    expect([names.prediction, ...names.probabilities]).toEqual(predictionColumns(ir, new Set(['prediction', 'p_yes', 'model_id'])).slice(0, -1))
    // Output fields are the names taken when only some fields are kept.
    const kept = new OutputRecordBuilder(ir, { outputFields: ['latency_us'] })
    expect(Object.keys(JSON.parse(scoreText(kept, '{"latency_us": 9}')) as object)).toEqual(['latency_us', 'prediction', 'p_no', 'p_yes', 'model_id', 'latency_us_mlkafka'])
  })

  it('regression: prediction is the value, no p_ fields; a value JSON cannot hold is null', () => {
    const ridge = ridgeModel()
    const builder = new OutputRecordBuilder(ridge)
    const record = { a: 2 }
    expect(builder.build('{"a":2}', record, compileModel(ridge).predictRecord(record), 1)).toBe('{"a":2,"prediction":5,"model_id":"ridge-1","latency_us":1}')
    expect(builder.build('{"a":1e308}', { a: 1e308 }, { value: Infinity }, 1)).toBe('{"a":1e308,"prediction":null,"model_id":"ridge-1","latency_us":1}')
  })
})

/** What appendFromScores writes for a message whose value is `text`, as text. */
function fromScores(builder: OutputRecordBuilder, text: string, record: Record<string, unknown>, scores: Float64Array, base: number, latencyUs: number): string {
  const sink = new FieldsBuffer()
  builder.appendFromScores(sink, Buffer.from(text, 'utf8'), record, scores, base, latencyUs)
  return Buffer.from(sink.take()).toString('utf8')
}

describe('OutputRecordBuilder.appendFromScores', () => {
  it('writes what build() writes from toPrediction of the same scores: the first most probable class wins a tie', () => {
    const builder = new OutputRecordBuilder(ir)
    const text = '{"speed": 1, "prediction": 2}'
    const record = JSON.parse(text) as Record<string, unknown>
    const scores = Float64Array.from([9, 0.25, 0.75, 0.5, 0.5, 0.1 + 0.2, 1 / 3])
    for (const base of [1, 3, 5]) {
      expect(fromScores(builder, text, record, scores, base, 2.25)).toBe(builder.build(text, record, toPrediction(ir, scores, base), 2.25))
    }
    expect(fromScores(builder, text, record, scores, 3, 0)).toContain('"prediction_mlkafka":"no","p_no":0.5,"p_yes":0.5,')
    const ridge = ridgeModel()
    const r = new OutputRecordBuilder(ridge, { outputFields: ['a'] })
    expect(fromScores(r, '{"a":2}', { a: 2 }, Float64Array.from([5, NaN]), 1, 1)).toBe('{"a":2,"prediction":null,"model_id":"ridge-1","latency_us":1}')
  })

  it('latency_us is rounded to tenths, written as JSON writes the rounded number', () => {
    const builder = new OutputRecordBuilder(ir)
    const latency = (us: number): unknown => (JSON.parse(fromScores(builder, '{}', {}, Float64Array.from([1, 0]), 0, us)) as { latency_us: unknown }).latency_us
    for (const us of [0, 0.04, 0.05, 0.66, 3.5, 12, 12.96, 999999.94, 1e12, NaN]) {
      expect(latency(us), String(us)).toBe(Number.isFinite(us) ? Math.round(us * 10) / 10 : null)
    }
    expect(fromScores(builder, '{}', {}, Float64Array.from([1, 0]), 0, 12.96)).toMatch(/"latency_us":13}$/)
    expect(fromScores(builder, '{}', {}, Float64Array.from([1, 0]), 0, 0.04)).toMatch(/"latency_us":0}$/)
  })
})

describe('parseOutputFields', () => {
  it('splits and trims; an empty or repeated name is a usage error', () => {
    expect(parseOutputFields(' a, b ,c')).toEqual(['a', 'b', 'c'])
    expect(() => parseOutputFields('a,,b')).toThrow('--output-fields: "a,,b" has an empty name (use a,b,c)')
    expect(() => parseOutputFields('a,b,a')).toThrow('--output-fields: "a" is named twice')
  })
})
