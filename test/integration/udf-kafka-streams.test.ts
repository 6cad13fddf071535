/**
 * `mlkafka export udf --target kafka-streams` for real (slow: Maven; about a minute warm, more when Maven
 * Central downloads Kafka Streams the first time): the projects for a tree, a forest (hostile names), a
 * linear model and a net are generated, then built by ONE Maven run over an aggregator pom, which compiles
 * them and runs each project's generated TopologyTestDriver test (good records scored like the scorer,
 * bad ones to the DLQ with serve's headers). Needs mvn and Maven Central (or a warm ~/.m2).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Task } from '../../src/data/target.js'
import { kafkaStreamsProject } from '../../src/export/udf/kafka-streams.js'
import { writeScaffold } from '../../src/export/udf/scaffold.js'
import type { ModelIR } from '../../src/ir/model.js'
import { fitModel } from '../../src/learners/fit-model.js'
import { shutdownForestPool } from '../../src/learners/forest-pool.js'
import { logisticRegression } from '../../src/learners/linear.js'
import { mlp } from '../../src/learners/mlp.js'
import { decisionTree, randomForest } from '../../src/learners/trees.js'
import { compileModel } from '../../src/ir/evaluate.js'
import type { TopicRecord } from '../../src/kafka/client.js'
import { tempDir } from '../helpers/files.js'
import { mixedTable, PLAIN_NAMES } from '../helpers/scorer-parity.js'
import { brokers, freshTopic, produce, testClient } from './kafka-helpers.js'

const dir = tempDir('mlkafka-udf-kstreams-')
const HOSTILE = ['engine "temp"\n*/ \\u000a \\ end', 'class', 'caf\u00e9 \ud83d\ude00', 'public', 'lev*/el', 'x\\y', 'the target']

async function fitOne(task: Task, learner: { family: string; defaultParams(t: Task): object }, params: object, hostile = false): Promise<ModelIR> {
  const data = mixedTable({ rows: 200, task, seed: 4, ...(hostile ? { names: HOSTILE, levels: ['"q"', 'back\\slash', '*/', 'caf\u00e9'] } : {}) })
  const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
  return fitModel(learner as never, data.table, data.target, train, { ...learner.defaultParams(task), ...params }, { modelId: `${learner.family}-${task}`, seed: 3 })
}

afterAll(shutdownForestPool)

let built: { dir: string; ir: ModelIR } | null = null

async function readAll(topic: string, count: number, timeoutMs: number): Promise<TopicRecord[]> {
  const client = await testClient()
  const deadline = Date.now() + timeoutMs
  try {
    for (;;) {
      const ends = await client.fetchEndOffsets(topic)
      if (ends.reduce((n, p) => n + p.high, 0) >= count || Date.now() > deadline) {
        const out: TopicRecord[] = []
        await client.readRanges(topic, ends.map((p) => ({ partition: p.partition, start: p.low, end: p.high })), (records) => out.push(...records))
        return out
      }
      await new Promise((r) => setTimeout(r, 500))
    }
  } finally {
    await client.close()
  }
}

describe('kafka-streams scaffold: generated Maven projects build and pass their TopologyTestDriver tests', () => {
  it('tree, forest (hostile names), linear model and net: one mvn package over all four', async () => {
    const models: [string, ModelIR][] = [
      ['tree', await fitOne('binary', decisionTree, { maxDepth: 4 })],
      ['forest', await fitOne('multiclass', randomForest, { nTrees: 40, maxDepth: 6, workers: 1 }, true)],
      ['linear', await fitOne('regression', logisticRegression, {})],
      ['net', await fitOne('binary', mlp, { hidden: [8], epochs: 10 })],
    ]
    for (const [id, ir] of models) {
      const project = await kafkaStreamsProject(ir, { name: id === 'net' ? 'Churn' : undefined, packageName: `com.example.${id}`, now: new Date('2026-01-01T00:00:00Z') })
      const files = await writeScaffold(join(dir, id), project.files)
      expect(files.length).toBe(5)
      // Same artifactId in several modules would clash in one reactor: give each its own.
      const pom = join(dir, id, 'pom.xml')
      writeFileSync(pom, readFileSync(pom, 'utf8').replace(`<artifactId>${project.artifactId}</artifactId>`, `<artifactId>${id}-scoring</artifactId>`))
      if (id === 'forest') expect(project.scorer.plan.layout).toBe('compact')
    }
    writeFileSync(
      join(dir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>t</groupId><artifactId>all</artifactId><version>1</version><packaging>pom</packaging><modules>${models.map(([id]) => `<module>${id}</module>`).join('')}</modules></project>\n`,
    )
    mkdirSync(join(dir, 'logs'), { recursive: true })
    const t0 = performance.now()
    const mvn = spawnSync('mvn', ['-B', '-q', 'package'], { cwd: dir, encoding: 'utf8', timeout: 170_000 })
    const ms = performance.now() - t0
    expect(mvn.status, (mvn.stdout + mvn.stderr).slice(-6000)).toBe(0)
    for (const [id] of models) {
      expect(existsSync(join(dir, id, 'target', `${id}-scoring-1.0.0.jar`))).toBe(true)
      const report = readFileSync(join(dir, id, 'target', 'surefire-reports', `com.example.${id}.ScoringAppTest.txt`), 'utf8')
      expect(report).toMatch(/Tests run: 4, Failures: 0, Errors: 0, Skipped: 0/)
    }
    built = { dir: join(dir, 'tree'), ir: models[0][1] }
    console.log(`kafka-streams: 4 generated projects built and tested by one mvn package in ${(ms / 1000).toFixed(1)} s`)
  }, 180_000)

  it.skipIf(!brokers)('the built tree app (java -jar) scores a real topic and dead-letters bad messages', async () => {
    expect(built).not.toBeNull()
    const { dir: project, ir } = built!
    const input = freshTopic('kstreams-in')
    const output = `${input}.scored`
    const good = [{ [PLAIN_NAMES[0]]: 95.5, [PLAIN_NAMES[3]]: true, [PLAIN_NAMES[4]]: 'red' }, {}]
    const bad = ['not json', JSON.stringify({ [PLAIN_NAMES[0]]: 'hot' })]
    const client = await testClient()
    try {
      await client.createTopicIfMissing(output, 1)
      await client.createTopicIfMissing(`${input}.dlq`, 1)
      await produce(client, input, [...good.map((g) => ({ key: 'k', value: JSON.stringify(g) })), ...bad.map((b) => ({ key: 'b', value: b }))])
    } finally {
      await client.close()
    }
    const t0 = performance.now()
    const child = spawn('java', ['-jar', join(project, 'target', 'tree-scoring-1.0.0.jar')], {
      cwd: project,
      env: { ...process.env, BOOTSTRAP_SERVERS: brokers, INPUT_TOPIC: input, OUTPUT_TOPIC: output, APPLICATION_ID: `${input}-app` },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d))
    child.stdout!.resume()
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    try {
      const scored = await readAll(output, good.length, 60_000)
      const dead = await readAll(`${input}.dlq`, bad.length, 20_000)
      console.log(`kafka-streams: the app scored its first messages ${((performance.now() - t0) / 1000).toFixed(1)} s after java -jar`)
      expect(scored, log.slice(-3000)).toHaveLength(good.length)
      const model = compileModel(ir)
      scored.forEach((r, i) => {
        const doc = JSON.parse(r.value!.toString('utf8'))
        const p = model.predictRecord(good[i]) as { label: string; probabilities: number[] }
        expect(doc.prediction).toBe(p.label)
        expect([doc.p_no, doc.p_yes]).toEqual(p.probabilities)
        expect(doc.model_id).toBe(ir.modelId)
      })
      expect(dead.map((r) => String(r.headers!['mlkafka-error-kind']))).toEqual(['not-json', 'ill-typed-field'])
      expect(String(dead[1].headers!['mlkafka-error'])).toBe(`field "${PLAIN_NAMES[0]}": expected a number, got "hot"`)
      expect(dead.map((r) => String(r.headers!['mlkafka-source-offset']))).toEqual(['2', '3'])
      // Kafka Streams' own log lines reach stderr (a mismatched slf4j API made them all no-ops).
      expect(log).not.toMatch(/SLF4J: (Failed to load class|No SLF4J providers)/)
      expect(log).toMatch(/\[.*\] INFO org\.apache\.kafka\.streams/)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).not.toBeNull()
  }, 120_000)
})
