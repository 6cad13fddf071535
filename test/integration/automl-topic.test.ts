import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'
import { brokers, freshTopic, suiteName } from './kafka-helpers.js'

const dir = tempDir()

describe.skipIf(!brokers)(suiteName('mlkafka automl train --topic'), () => {
  it('the same rows from a CSV file or from a topic give the same leaderboard with the same seed', () => {
    const topic = freshTopic('train')
    expect(runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', topic, '--brokers', brokers]).status).toBe(0)
    const common = ['--target', 'failure', '--max-trials', '5', '--seed', '11', '--folds', '3', '--json']
    const fromCsv = runCli(['automl', 'train', '--csv', 'examples/car-sensors.csv', ...common, '--out', join(dir, 'csv')], { timeoutMs: 300_000 })
    const fromTopic = runCli(['automl', 'train', '--topic', topic, '--brokers', brokers, ...common, '--out', join(dir, 'topic')], { timeoutMs: 300_000 })
    expect(fromCsv.status, fromCsv.stderr).toBe(0)
    expect(fromTopic.status, fromTopic.stderr).toBe(0)
    const a = JSON.parse(fromCsv.stdout)
    const b = JSON.parse(fromTopic.stdout)
    expect(b.topic).toMatchObject({ name: topic, messages: 5000, skipped: 0 })
    const stable = (rows: { modelId: string; params: unknown; score: number; metrics: unknown }[]) => rows.map((r) => [r.modelId, r.params, r.score, r.metrics])
    expect(stable(b.leaderboard)).toEqual(stable(a.leaderboard))
  }, 600_000)

  it('--csv and --topic together is a usage error', () => {
    const r = runCli(['automl', 'train', '--csv', 'examples/car-sensors.csv', '--topic', 'x', '--target', 'failure'])
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe('Error: pass either --csv FILE or --topic NAME, not both')
  })
})
