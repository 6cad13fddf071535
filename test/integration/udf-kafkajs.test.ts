/**
 * `mlkafka export udf --target kafkajs` against the real broker: the generated service is compiled with
 * tsc (its node_modules is a link to the repo's, so no network install) and run with node; good and bad
 * messages go in, scored messages and dead letters (with serve's headers) come out, SIGTERM exits 0 with
 * the group's offsets committed past every message.
 */
import { spawn, spawnSync } from 'node:child_process'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildUdfProject } from '../../src/export/udf/index.js'
import { writeScaffold } from '../../src/export/udf/scaffold.js'
import { compileModel } from '../../src/ir/evaluate.js'
import { saveModel } from '../../src/ir/io.js'
import type { ModelIR } from '../../src/ir/model.js'
import type { TopicRecord } from '../../src/kafka/client.js'
import { fitModel } from '../../src/learners/fit-model.js'
import { logisticRegression } from '../../src/learners/linear.js'
import { mlp } from '../../src/learners/mlp.js'
import { shutdownForestPool } from '../../src/learners/forest-pool.js'
import { decisionTree, randomForest } from '../../src/learners/trees.js'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'
import { mixedTable, PLAIN_NAMES } from '../helpers/scorer-parity.js'
import { brokers, createTopicWithConfig, freshTopic, killStarted, messageCount, produce, startProcess, stopProcess, suiteName, testClient, waitFor } from './kafka-helpers.js'

const dir = tempDir('mlkafka-udf-kafkajs-')
afterAll(shutdownForestPool)

async function readAll(topic: string, count: number, timeoutMs: number): Promise<TopicRecord[]> {
  const client = await testClient()
  const deadline = Date.now() + timeoutMs
  try {
    for (;;) {
      const ends = (await client.topicExists(topic)) ? await client.fetchEndOffsets(topic) : []
      const total = ends.reduce((n, p) => n + p.high, 0)
      if (total >= count || Date.now() > deadline) {
        const out: TopicRecord[] = []
        await client.readRanges(topic, ends.map((p) => ({ partition: p.partition, start: p.low, end: p.high })), (records) => out.push(...records))
        return out
      }
      await new Promise((r) => setTimeout(r, 300))
    }
  } finally {
    await client.close()
  }
}

afterAll(killStarted)

describe.skipIf(!brokers)(suiteName('kafkajs scaffold'), () => {
  let treeModel: ModelIR
  it('compiles, scores a topic like the IR evaluator, dead-letters bad messages and commits on SIGTERM', async () => {
    // A column named like an Object.prototype member: the service's cast to the scorer's input type failed to compile on it.
    const data = mixedTable({ rows: 200, task: 'binary', seed: 6, names: PLAIN_NAMES.map((n) => (n === 'rpm' ? 'constructor' : n)) })
    const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
    const ir = await fitModel(decisionTree as never, data.table, data.target, train, { ...decisionTree.defaultParams('binary'), maxDepth: 4 }, { modelId: 'tree-kafkajs', seed: 1 })
    treeModel = ir
    const project = await buildUdfProject(ir, { target: 'kafkajs' })
    const out = join(dir, 'service')
    await writeScaffold(out, project.files)
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'), 'dir')
    const tsc = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: out, encoding: 'utf8' })
    expect(tsc.stdout + tsc.stderr).toBe('')

    const input = freshTopic('kafkajs-in')
    const output = `${input}.scored`
    const good = [
      { [PLAIN_NAMES[0]]: 95.5, [PLAIN_NAMES[3]]: true, [PLAIN_NAMES[4]]: 'red' },
      { [PLAIN_NAMES[0]]: '80', [PLAIN_NAMES[1]]: null, [PLAIN_NAMES[5]]: 'P0100', prediction: 'theirs' },
      {},
    ]
    const bad = ['not json', '[1]', JSON.stringify({ [PLAIN_NAMES[0]]: 'hot' }), null]
    // A backlog of 1.2 MB after them: one fetched batch (up to 1 MB) and its added fields pass the broker's 1 MB request limit.
    const backlog = Array.from({ length: 400 }, (_, i) => JSON.stringify({ [PLAIN_NAMES[0]]: i, pad: 'x'.repeat(3000) }))
    const client = await testClient()
    try {
      await client.createTopicIfMissing(output, 1)
      await client.createTopicIfMissing(`${input}.dlq`, 1)
      await produce(client, input, [...good.map((g) => ({ key: 'k', value: JSON.stringify(g) })), ...bad.map((b) => ({ key: 'b', value: b, headers: { mine: 'kept' } }))])
      for (let i = 0; i < backlog.length; i += 200) await produce(client, input, backlog.slice(i, i + 200).map((value) => ({ key: 'p', value })))
    } finally {
      await client.close()
    }
    const group = `${input}-group`
    const child = spawn(process.execPath, ['dist/service.js'], { cwd: out, env: { ...process.env, BOOTSTRAP_SERVERS: brokers, INPUT_TOPIC: input, OUTPUT_TOPIC: output, GROUP_ID: group }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.stdout!.resume()
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    try {
      const scored = await readAll(output, good.length + backlog.length, 40_000)
      const dead = await readAll(`${input}.dlq`, bad.length, 20_000)
      expect(scored, stderr).toHaveLength(good.length + backlog.length)
      expect(scored.slice(good.length).map((r) => JSON.parse(r.value!.toString('utf8'))[PLAIN_NAMES[0]])).toEqual(backlog.map((_, i) => i))
      scored.splice(good.length)
      const model = compileModel(ir)
      scored.forEach((r, i) => {
        const doc = JSON.parse(r.value!.toString('utf8'))
        const p = model.predictRecord(good[i]) as { label: string; probabilities: number[] }
        const predictionName = 'prediction' in good[i] ? 'prediction_mlkafka' : 'prediction'
        expect(doc[predictionName]).toBe(p.label)
        expect([doc.p_no, doc.p_yes]).toEqual(p.probabilities)
        expect(doc.model_id).toBe('tree-kafkajs')
        expect(typeof doc.latency_us).toBe('number')
        for (const [k, v] of Object.entries(good[i])) expect(doc[k]).toEqual(v)
      })
      expect(dead).toHaveLength(bad.length)
      const h = (r: TopicRecord, k: string): string => String(r.headers![k])
      expect(dead.map((r) => h(r, 'mlkafka-error-kind'))).toEqual(['not-json', 'not-object', 'ill-typed-field', 'tombstone'])
      expect(h(dead[2], 'mlkafka-error')).toBe(`field "${PLAIN_NAMES[0]}": expected a number, got "hot"`)
      expect(dead.map((r) => h(r, 'mlkafka-source-offset'))).toEqual(['3', '4', '5', '6'])
      expect(dead.map((r) => r.value?.toString('utf8') ?? null)).toEqual(bad)
      expect(h(dead[0], 'mine')).toBe('kept')
      expect(h(dead[0], 'mlkafka-model-id')).toBe('tree-kafkajs')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited, stderr).toBe(0)
    // Its one line on start: neither kafkajs's logs of errors it retries (a new broker's group coordinator
    // not ready yet: LOG_LEVEL=warn shows them) nor its warning that its default partitioner changed in 2.0.
    expect(stderr.split('\n').filter((l) => l !== '')).toEqual([`scoring ${input} -> ${output} (dlq ${input}.dlq, group ${group}) with model tree-kafkajs`])
    const after = await testClient()
    try {
      expect(await after.fetchCommittedOffsets(group, input)).toEqual([{ partition: 0, offset: good.length + bad.length + backlog.length }])
    } finally {
      await after.close()
    }
  }, 120_000)

  it('an output too large for its topic goes to the DLQ with its reason; the messages after it are scored', async () => {
    const out = join(dir, 'service') // compiled by the test above
    const input = freshTopic('kafkajs-large')
    const output = `${input}.scored`
    // An output topic that takes messages up to 20,000 bytes: an input of 19,950 fits its own topic, not with the added fields.
    await createTopicWithConfig(output, { 'max.message.bytes': '20000' })
    const big = JSON.stringify({ [PLAIN_NAMES[0]]: 1, pad: 'x'.repeat(19_900) })
    const values = [JSON.stringify({ [PLAIN_NAMES[0]]: 0 }), big, JSON.stringify({ [PLAIN_NAMES[0]]: 2 })]
    const client = await testClient()
    try {
      await client.createTopicIfMissing(`${input}.dlq`, 1)
      await produce(client, input, values.map((value) => ({ key: 'k', value })))
    } finally {
      await client.close()
    }
    const child = spawn(process.execPath, ['dist/service.js'], { cwd: out, env: { ...process.env, BOOTSTRAP_SERVERS: brokers, INPUT_TOPIC: input, OUTPUT_TOPIC: output, GROUP_ID: `${input}-group` }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.stdout!.resume()
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    try {
      const scored = await readAll(output, 2, 40_000)
      const dead = await readAll(`${input}.dlq`, 1, 20_000)
      expect(scored.map((r) => JSON.parse(r.value!.toString('utf8'))[PLAIN_NAMES[0]]), stderr).toEqual([0, 2])
      expect(dead).toHaveLength(1)
      expect(dead[0].value!.toString('utf8')).toBe(big)
      expect(String(dead[0].headers!['mlkafka-error-kind'])).toBe('output-too-large')
      expect(String(dead[0].headers!['mlkafka-source-offset'])).toBe('1')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited, stderr).toBe(0)
  }, 120_000)

  it("the client's own log: one line per error nothing retries by default, the retried ones with LOG_LEVEL=warn; a bad LOG_LEVEL is refused", async () => {
    const out = join(dir, 'service') // compiled by the first test
    // Nothing listens on port 1: kafkajs retries the connection, then the service reports the failure itself.
    const env = { BOOTSTRAP_SERVERS: '127.0.0.1:1', INPUT_TOPIC: 'nowhere', OUTPUT_TOPIC: 'nowhere.scored' }
    const quiet = startProcess(['dist/service.js'], { cwd: out, env })
    const loud = startProcess(['dist/service.js'], { cwd: out, env: { ...env, LOG_LEVEL: 'warn' } })
    const wrong = startProcess(['dist/service.js'], { cwd: out, env: { ...env, LOG_LEVEL: 'loud' } })
    expect(await wrong.exited).toEqual({ status: 2, signal: null })
    expect(wrong.stderr()).toBe('LOG_LEVEL must be error, warn, info or debug, not "loud"\n')
    expect((await quiet.exited).status, quiet.stderr()).toBe(1)
    const quietLines = quiet.stderr().trimEnd().split('\n')
    expect(quietLines, quiet.stderr()).toHaveLength(1)
    expect(quietLines[0]).toBe('error: cannot reach Kafka at 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1): check BOOTSTRAP_SERVERS and that the brokers run')
    expect((await loud.exited).status, loud.stderr()).toBe(1)
    const loudLines = loud.stderr().trimEnd().split('\n')
    expect(loudLines.at(-1)).toBe(quietLines[0])
    const clientLines = loudLines.slice(0, -1)
    expect(clientLines.length, loud.stderr()).toBeGreaterThan(0)
    for (const line of clientLines) expect(line).toMatch(/^kafka (error|warn): .+ \[[A-Za-z]+\]$/)
    expect(clientLines.some((l) => l.includes('ECONNREFUSED')), loud.stderr()).toBe(true)
  }, 90_000)

  it('a group that a consumer of another topic is in: the service refuses it (one line, exit 2), and that consumer goes on', async () => {
    const out = join(dir, 'service') // compiled by the first test
    const [a, b] = [freshTopic('kafkajs-group-a'), freshTopic('kafkajs-group-b')]
    const group = `${a}-shared`
    const client = await testClient()
    try {
      for (const t of [a, b]) await produce(client, t, [{ key: 'k', value: JSON.stringify({ [PLAIN_NAMES[0]]: 1 }) }], 2)
      const first = startProcess(['dist/service.js'], { cwd: out, env: { BOOTSTRAP_SERVERS: brokers, INPUT_TOPIC: a, OUTPUT_TOPIC: `${a}.scored`, GROUP_ID: group } })
      await waitFor(`the message of ${a} scored`, async () => (await messageCount(client, `${a}.scored`)) >= 1, 40_000, first)
      const second = startProcess(['dist/service.js'], { cwd: out, env: { BOOTSTRAP_SERVERS: brokers, INPUT_TOPIC: b, OUTPUT_TOPIC: `${b}.scored`, GROUP_ID: group } })
      const ended = await Promise.race([second.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000))])
      expect(ended, second.stderr()).toEqual({ status: 2, signal: null })
      expect(second.stderr().trimEnd().split('\n')).toEqual([
        `error: consumer group ${group} is in use by consumers of topic ${a}: joining it would take partitions of theirs that this service does not read. Set GROUP_ID to a group of its own`,
      ])
      await produce(client, a, [{ key: 'k2', value: JSON.stringify({ [PLAIN_NAMES[0]]: 2 }) }], 2)
      await waitFor(`both messages of ${a} scored`, async () => (await messageCount(client, `${a}.scored`)) >= 2, 40_000, first)
      expect((await stopProcess(first)).status, first.stderr()).toBe(0)
    } finally {
      await client.close()
    }
  }, 120_000)

  it('a service and `mlkafka serve` of different topics joining one group at once: each reads only its own topic, every message is scored', async () => {
    const out = join(dir, 'service') // compiled by the first test
    const modelFile = join(dir, 'tree-kafkajs.json')
    await saveModel(modelFile, treeModel)
    const [a, b] = [freshTopic('kafkajs-race-a'), freshTopic('kafkajs-race-b')]
    const group = `${a}-shared`
    const messages = (topic: string): { key: string; value: string }[] => Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ [PLAIN_NAMES[0]]: i, topic }) }))
    const client = await testClient()
    try {
      await produce(client, a, messages(a), 3)
      await produce(client, b, messages(b), 2)
      // serve passes its check of the group (no one in it), then waits; the service passes its own and
      // joins first, so it leads the group and deals its partitions: with kafkajs's round robin it would
      // deal its own topic to both members and the serve's topic to no one.
      const serveArgs = [join(REPO_ROOT, 'bin', 'run.js'), 'serve', '--brokers', brokers, '--model', modelFile, '--input-topic', a, '--output-topic', `${a}.scored`, '--group', group]
      const serve = startProcess(serveArgs, { cwd: REPO_ROOT, env: { MLKAFKA_TEST_JOIN_DELAY_MS: '10000' } })
      await waitFor('serve past its check of the group', async () => serve.stderr().includes(`joining group ${group} in`), 30_000, serve)
      const service = startProcess(['dist/service.js'], { cwd: out, env: { BOOTSTRAP_SERVERS: brokers, INPUT_TOPIC: b, OUTPUT_TOPIC: `${b}.scored`, GROUP_ID: group } })
      await waitFor(`60 outputs of ${a}`, async () => (await messageCount(client, `${a}.scored`)) >= 60, 60_000, serve)
      await waitFor(`60 outputs of ${b}`, async () => (await messageCount(client, `${b}.scored`)) >= 60, 60_000, service)
      const assigned = serve.stderr().split('\n').filter((l) => l.includes('assigned'))
      expect(assigned.at(-1), serve.stderr()).toBe(`serve: group ${group}: assigned 3 partitions of ${a} (0, 1, 2)`)
      expect((await Promise.all([stopProcess(serve), stopProcess(service)])).map((r) => r.status)).toEqual([0, 0])
    } finally {
      await client.close()
    }
    for (const topic of [a, b]) {
      const scored = await readAll(`${topic}.scored`, 60, 10_000)
      expect(scored, topic).toHaveLength(60)
      expect(new Set(scored.map((r) => (JSON.parse(r.value!.toString('utf8')) as { topic: string }).topic))).toEqual(new Set([topic]))
    }
  }, 150_000)

  it('a forest, a linear model and a net give services that compile too', async () => {
    const data = mixedTable({ rows: 200, task: 'multiclass', seed: 7 })
    const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
    const models = [
      [randomForest, { nTrees: 8, workers: 1 }],
      [logisticRegression, {}],
      [mlp, { hidden: [8], epochs: 10 }],
    ] as const
    for (const [learner, params] of models) {
      const ir = await fitModel(learner as never, data.table, data.target, train, { ...learner.defaultParams('multiclass'), ...params }, { modelId: `${learner.family}-kafkajs`, seed: 1 })
      const out = join(dir, `service-${learner.family}`)
      await writeScaffold(out, (await buildUdfProject(ir, { target: 'kafkajs' })).files)
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'), 'dir')
      const tsc = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: out, encoding: 'utf8' })
      expect(tsc.stdout + tsc.stderr, learner.family).toBe('')
    }
  }, 120_000)
})
