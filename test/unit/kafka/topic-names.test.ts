import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../src/errors.js'
import { checkTopicName } from '../../../src/kafka/topic-names.js'
import { resolveServeTopics } from '../../../src/serve/serve-topics.js'

describe('topic names', () => {
  it('Kafka\'s names pass as they are', () => {
    for (const name of ['events', 'car.sensors-v2_scored', 'a'.repeat(249), '..x']) expect(checkTopicName('--topic', name)).toBe(name)
  })

  it('a name the broker would refuse is a usage error that says why, before anything is created', () => {
    expect(() => checkTopicName('--topic', 'bad topic!')).toThrow(new UsageError('--topic "bad topic!": a topic name may hold only letters, digits, ".", "_" and "-" (not " ", "!")'))
    expect(() => checkTopicName('--topic', '')).toThrow('--topic: a topic name cannot be empty')
    expect(() => checkTopicName('--topic', '..')).toThrow(/"\." and "\.\." are not topic names/)
    expect(() => checkTopicName('--topic', 'x'.repeat(250))).toThrow('--topic: a topic name has at most 249 characters (this one has 250)')
    expect(() => checkTopicName('--topic', 'café')).toThrow(/not "é"/)
    // serve checks all four, the dead-letter topic's default too, before it creates any of them.
    expect(() => resolveServeTopics({ input: 'in', output: 'out', dlq: 'bad dlq!' })).toThrow(/^--dlq-topic "bad dlq!"/)
    expect(() => resolveServeTopics({ input: 'i'.repeat(248), output: 'out' })).toThrow(/^--dlq-topic \(default: <input-topic>\.dlq\): a topic name has at most 249/)
    expect(() => resolveServeTopics({ input: 'in', output: 'out', metrics: 'm?' })).toThrow(/^--metrics-topic/)
  })
})
