import { describe, expect, it } from 'vitest'
import { consumerLag, formatMetricsLine, metricsDocument, ServeMetrics } from '../../../src/serve/serve-metrics.js'
import { splitRequests } from '../../../src/serve/produce-requests.js'

describe('ServeMetrics', () => {
  it('counts an interval, then starts the next; totals carry on', () => {
    const m = new ServeMetrics(0)
    for (const us of [3, 1, 2, 50]) m.latency.record(us)
    m.addBatch(4, 1)
    const a = m.snapshot(12, 2000, new Date('2026-01-01T00:00:00Z'))
    expect(a).toEqual({
      time: new Date('2026-01-01T00:00:00Z'),
      intervalMs: 2000,
      messages: 5,
      scored: 4,
      deadLettered: 1,
      messagesPerSecond: 2.5,
      latencyUs: { p50: 2, p99: 50, max: 50 },
      totals: { messages: 5, scored: 4, deadLettered: 1 },
      lag: 12,
    })
    expect(formatMetricsLine(a)).toBe('serve: 2.5 msg/s | latency p50 2 us, p99 50 us | dlq 1 (1 total) | lag 12 | 5 messages in 2.0 s (5 total)')

    const b = m.snapshot(null, 7000, new Date('2026-01-01T00:00:05Z'))
    expect(b).toMatchObject({ intervalMs: 5000, messages: 0, messagesPerSecond: 0, latencyUs: null, totals: { messages: 5, scored: 4, deadLettered: 1 }, lag: null })
    expect(formatMetricsLine(b)).toBe('serve: 0.0 msg/s | latency p50 - us, p99 - us | dlq 0 (1 total) | lag ? | 0 messages in 5.0 s (5 total)')

    const doc = metricsDocument(a, { modelId: 'dt-1', group: 'g', instance: 'host/1', inputTopic: 'in', outputTopic: 'out', dlqTopic: 'in.dlq' })
    expect(doc).toEqual({
      type: 'mlkafka.serve.metrics',
      time: '2026-01-01T00:00:00.000Z',
      model_id: 'dt-1',
      group: 'g',
      instance: 'host/1',
      input_topic: 'in',
      output_topic: 'out',
      dlq_topic: 'in.dlq',
      interval_ms: 2000,
      messages: 5,
      messages_per_s: 2.5,
      scored: 4,
      dlq: 1,
      latency_us: { p50: 2, p99: 50, max: 50 },
      lag: 12,
      total: { messages: 5, scored: 4, dlq: 1 },
    })
  })
})

describe('consumerLag', () => {
  const end = [
    { partition: 0, low: 0, high: 100 },
    { partition: 1, low: 40, high: 50 },
    { partition: 2, low: 5, high: 5 },
  ]
  it('end minus committed, summed; a partition with nothing committed counts from where the group starts', () => {
    expect(consumerLag(end, [{ partition: 0, offset: 90 }, { partition: 1, offset: 50 }, { partition: 2, offset: 5 }], true)).toBe(10)
    expect(consumerLag(end, [{ partition: 0, offset: 90 }, { partition: 1, offset: null }], true)).toBe(10 + 10)
    expect(consumerLag(end, [{ partition: 0, offset: 90 }, { partition: 1, offset: null }], false)).toBe(10)
    expect(consumerLag(end, [], true)).toBe(110)
    // A committed offset the log has since deleted (retention) counts from the log's start.
    expect(consumerLag(end, [{ partition: 0, offset: 90 }, { partition: 1, offset: 10 }, { partition: 2, offset: 5 }], true)).toBe(20)
  })
})

describe('splitRequests', () => {
  it('keeps the order, groups by topic, and starts a new request before one grows past the limit', () => {
    const out = Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: 'x'.repeat(100 + i) }))
    const dead = [{ key: 'd', value: Buffer.alloc(50), headers: { 'mlkafka-error': 'e' } }]
    const requests = splitRequests('out', out, 'dlq', dead, 300)
    expect(requests.map((r) => r.map((t) => `${t.topic}:${t.messages.length}`))).toEqual([['out:2'], ['out:2'], ['out:1', 'dlq:1']])
    expect(requests.flatMap((r) => r.flatMap((t) => t.messages))).toEqual([...out, ...dead])
    // A message bigger than the limit goes alone.
    expect(splitRequests('out', [{ value: 'y'.repeat(1000) }, { value: 'z' }], 'dlq', [], 300).map((r) => r[0].messages.length)).toEqual([1, 1])
    expect(splitRequests('out', [], 'dlq', [], 300)).toEqual([])
  })
})

describe('resolveServeTopics', () => {
  it('defaults the DLQ to <input>.dlq; two roles on one topic are usage errors', async () => {
    const { resolveServeTopics } = await import('../../../src/serve/serve-topics.js')
    expect(resolveServeTopics({ input: 'in', output: 'out' })).toEqual({ input: 'in', output: 'out', dlq: 'in.dlq', metrics: undefined })
    expect(() => resolveServeTopics({ input: 'in', output: 'in' })).toThrow('--output-topic must differ from --input-topic (in): serve would read its own output')
    expect(() => resolveServeTopics({ input: 'in', output: 'out', dlq: 'in' })).toThrow('--dlq-topic must differ from --input-topic')
    expect(() => resolveServeTopics({ input: 'in', output: 'out', dlq: 'out' })).toThrow('--dlq-topic must differ from --output-topic (out)')
    expect(() => resolveServeTopics({ input: 'in', output: 'out', metrics: 'in.dlq' })).toThrow('--metrics-topic must differ from the output and dead-letter topics')
  })
})
