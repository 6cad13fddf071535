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
import type { TopicRecord } from '../../src/kafka/client.js'
import { fitModel } from '../../src/learners/fit-model.js'
import { logisticRegression } from '../../src/learners/linear.js'
import { mlp } from '../../src/learners/mlp.js'
import { shutdownForestPool } from '../../src/learners/forest-pool.js'
import { decisionTree, randomForest } from '../../src/learners/trees.js'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'
import { mixedTable, PLAIN_NAMES } from '../helpers/scorer-parity.js'
import { brokers, createTopicWithConfig, freshTopic, produce, suiteName, testClient } from './kafka-helpers.js'

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

describe.skipIf(!brokers)(suiteName('kafkajs scaffold'), () => {
  it('compiles, scores a topic like the IR evaluator, dead-letters bad messages and commits on SIGTERM', async () => {
    // A column named like an Object.prototype member: the service's cast to the scorer's input type failed to compile on it.
    const data = mixedTable({ rows: 200, task: 'binary', seed: 6, names: PLAIN_NAMES.map((n) => (n === 'rpm' ? 'constructor' : n)) })
    const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
    const ir = await fitModel(decisionTree as never, data.table, data.target, train, { ...decisionTree.defaultParams('binary'), maxDepth: 4 }, { modelId: 'tree-kafkajs', seed: 1 })
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
