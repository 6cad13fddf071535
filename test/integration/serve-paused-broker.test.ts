import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type RunningBroker } from '../../scripts/kafka/broker.mjs'
import { createKafkaClient, type KafkaClient, type ProducedMessage } from '../../src/kafka/client.js'
import { REPO_ROOT, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'
import { brokers, produce, suiteName } from './kafka-helpers.js'

/**
 * `mlkafka serve` while its broker stops answering without closing its connections (SIGSTOP: paused,
 * as a stuck or swapping broker is) and then answers again. This test pauses a broker of its own: the
 * run's shared one serves the other test files meanwhile.
 */

const dir = tempDir('mlkafka-serve-paused-')

describe.skipIf(!brokers)(suiteName('mlkafka serve, broker paused'), () => {
  let broker: RunningBroker
  let client: KafkaClient

  beforeAll(async () => {
    broker = await startBroker({ port: 0, detached: false })
    client = await createKafkaClient({ brokers: broker.brokers, log: () => {} })
  }, 90_000)

  afterAll(async () => {
    if (broker) process.kill(broker.pid, 'SIGCONT')
    await client?.close()
    await broker?.stop()
  })

  it('says once that the broker stopped answering and once that it answers again; every message is scored', async () => {
    const train = runCli(['automl', 'train', '--csv', 'examples/car-sensors.csv', '--target', 'failure', '--max-trials', '1', '--families', 'decision_tree', '--folds', '2', '--seed', '1', '--json', '--out', join(dir, 'run')])
    expect(train.status, train.stderr).toBe(0)
    const model = (JSON.parse(train.stdout) as { winner: { modelPath: string } }).winner.modelPath
    const [header, ...lines] = readFileSync(join(REPO_ROOT, 'examples/car-sensors.csv'), 'utf8').trimEnd().split('\n')
    const names = header.split(',')
    const messages = (from: number): ProducedMessage[] =>
      lines.slice(from, from + 100).map((l) => ({ value: JSON.stringify(Object.fromEntries(l.split(',').map((v, i) => [names[i], v]))) }))
    await produce(client, 'in', messages(0), 2)
    // Requests time out after 2 s (the default is 30 s) to keep the pause short.
    const kafkaConfig = join(dir, 'kafka.json')
    writeFileSync(kafkaConfig, JSON.stringify({ requestTimeout: 2000 }))

    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/run.js'), 'serve', '--model', model, '--input-topic', 'in', '--output-topic', 'out', '--brokers', broker.brokers, '--kafka-config', kafkaConfig], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)))
    const scored = async (): Promise<number> => ((await client.topicExists('out')) ? (await client.fetchEndOffsets('out')).reduce((n, p) => n + p.high - p.low, 0) : 0)
    const waitFor = async (what: string, done: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
      const t0 = Date.now()
      while (!(await done())) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; serve stderr:\n${stderr}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    try {
      await waitFor('100 outputs', async () => (await scored()) === 100, 60_000)
      const silent = /^serve: warning: Kafka at (\S+) did not answer an? \w+ request in \d+\.\d s; still trying \(is the broker paused or overloaded\?\)$/m
      process.kill(broker.pid, 'SIGSTOP')
      await waitFor('the warning', () => silent.test(stderr), 20_000)
      expect(silent.exec(stderr)![1]).toBe(broker.brokers)
      await new Promise((r) => setTimeout(r, 2000))
      process.kill(broker.pid, 'SIGCONT')
      const back = /^serve: Kafka at (\S+) answers again after (\d+\.\d) s$/m
      await waitFor('the all-clear', () => back.test(stderr), 20_000)
      expect(Number(back.exec(stderr)![2])).toBeGreaterThanOrEqual(2)
      // Said once each, and serve goes on: new messages are scored.
      expect(stderr.match(new RegExp(silent.source, 'gm'))).toHaveLength(1)
      expect(stderr.match(new RegExp(back.source, 'gm'))).toHaveLength(1)
      await produce(client, 'in', messages(100), 2)
      await waitFor('200 outputs', async () => (await scored()) === 200, 60_000)
    } finally {
      process.kill(broker.pid, 'SIGCONT')
      child.kill('SIGTERM')
    }
    expect(await exited, stderr).toBe(0)
    expect(stderr).toMatch(/stopped after [\d.]+ s: 200 scored, 0 to in\.dlq; offsets committed/)
  }, 180_000)

  it('topic load and a --topic read say so too, and finish once the broker answers again', async () => {
    const kafkaConfig = join(dir, 'kafka.json')
    writeFileSync(kafkaConfig, JSON.stringify({ requestTimeout: 2000 }))
    const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/run.js'), ...args, '--brokers', broker.brokers, '--kafka-config', kafkaConfig], {
          cwd: REPO_ROOT,
          env: { ...process.env, CI: 'true', NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
        child.stderr!.setEncoding('utf8').on('data', (d: string) => {
          stderr += d
          // Resumed as soon as the command says the broker is silent.
          if (/did not answer/.test(stderr)) process.kill(broker.pid, 'SIGCONT')
        })
        child.on('close', (status) => resolve({ status, stdout, stderr }))
      })
    for (const [args, prefix] of [
      [['topic', 'load', 'examples/car-sensors.csv', '--topic', 'loaded'], 'topic load'],
      [['data', 'inspect', '--topic', 'loaded', '--json'], 'reading topic loaded'],
    ] as const) {
      // Paused before the command starts: its first requests go unanswered.
      process.kill(broker.pid, 'SIGSTOP')
      const r = await run([...args])
      process.kill(broker.pid, 'SIGCONT')
      expect(r.status, r.stderr).toBe(0)
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines.filter((l) => l.startsWith(`${prefix}: warning: Kafka at ${broker.brokers} did not answer `)), r.stderr).toHaveLength(1)
      expect(lines.filter((l) => new RegExp(`^${prefix}: Kafka at ${broker.brokers.replace(/\./g, '\\.')} answers again after \\d+\\.\\d s$`).test(l)), r.stderr).toHaveLength(1)
      if (args[0] === 'data') expect((JSON.parse(r.stdout) as { rows: number }).rows).toBe(5000)
      else expect(r.stdout).toMatch(/^loaded 5000 rows from examples\/car-sensors\.csv into topic loaded/)
    }
  }, 180_000)
})
