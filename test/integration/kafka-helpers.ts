import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { inject } from 'vitest'
import { createKafkaClient, type KafkaClient, type ProducedMessage } from '../../src/kafka/client.js'
import type { KafkaLogEntry } from '../../src/kafka/log.js'

/** The test cluster ('' when Kafka tests are skipped: no Java outside CI). */
export const brokers = inject('kafkaBrokers')
export const skipReason = inject('kafkaSkipReason')
export const suiteName = (name: string): string => `${name} (kafka ${brokers || `skipped: ${skipReason}`})`

/** A topic name no other test (or earlier run on the same cluster) uses. */
export function freshTopic(prefix: string): string {
  return `mlkafka-test-${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

/** A client on the test cluster whose log lines are kept, not printed. */
export async function testClient(): Promise<KafkaClient & { logged: KafkaLogEntry[] }> {
  const logged: KafkaLogEntry[] = []
  const client = await createKafkaClient({ brokers, log: (e) => logged.push(e) })
  return Object.assign(client, { logged })
}

/** Creates the topic and produces the messages in batches (in order, per partition when given). */
export async function produce(client: KafkaClient, topic: string, messages: ProducedMessage[], partitions = 1): Promise<void> {
  await client.createTopicIfMissing(topic, partitions)
  const producer = await client.openProducer()
  try {
    for (let i = 0; i < messages.length; i += 500) await producer.send(topic, messages.slice(i, i + 500))
  } finally {
    await producer.close()
  }
}

/** Creates a 1-partition topic with topic configs (say max.message.bytes), through kafkajs's admin. */
export async function createTopicWithConfig(topic: string, configs: Record<string, string>): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }], waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}

/** A process started by startProcess: its stderr so far, and how it ended. */
export interface Running {
  child: ChildProcess
  stderr: () => string
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>
}

const started: ChildProcess[] = []

/** Starts `node args...` (CI=true, NO_COLOR=1, plus `env`) without waiting for it: it runs until signalled or it exits. */
export function startProcess(args: string[], options: { cwd: string; env?: Record<string, string> }): Running {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  child.stdout!.resume()
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal })))
  return { child, stderr: () => stderr, exited }
}

/** Stops a started process with SIGTERM and waits for it (SIGKILL after 30 s). */
export async function stopProcess(r: Running): Promise<{ status: number | null; signal: NodeJS.Signals | null }> {
  r.child.kill('SIGTERM')
  const killer = setTimeout(() => r.child.kill('SIGKILL'), 30_000)
  const ended = await r.exited
  clearTimeout(killer)
  return ended
}

/** Kills every started process still running (for afterAll). */
export function killStarted(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
}

/** Messages in a topic (0 while it does not exist). */
export async function messageCount(client: KafkaClient, topic: string): Promise<number> {
  if (!(await client.topicExists(topic))) return 0
  try {
    return (await client.fetchEndOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0)
  } catch (err) {
    // Right after it was created, a topic's leaders may not be known yet: counted again later.
    if (/NOT_LEADER|LEADER_NOT_AVAILABLE|UNKNOWN_TOPIC/.test((err as Error).message)) return 0
    throw err
  }
}

/** Polls until `done()` holds; fails with `what` (and the process's stderr) after `ms`. */
export async function waitFor(what: string, done: () => Promise<boolean>, ms = 60_000, r?: { stderr: () => string }, pollMs = 200): Promise<void> {
  const t0 = Date.now()
  while (!(await done())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}${r ? `; stderr:\n${r.stderr()}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
