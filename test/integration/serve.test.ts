import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileModel } from '../../src/ir/evaluate.js'
import { loadModel } from '../../src/ir/io.js'
import type { ModelIR } from '../../src/ir/model.js'
import type { KafkaClient, MessageHeaders, ProducedMessage, TopicRecord } from '../../src/kafka/client.js'
import { REPO_ROOT, runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'
import { brokers, createTopicWithConfig, freshTopic, killStarted, messageCount, produce, startProcess, stopProcess, suiteName, testClient, waitFor, type Running } from './kafka-helpers.js'

/** `mlkafka serve` spawned as a user runs it, scoring a real topic on the real broker. */

const dir = tempDir('mlkafka-serve-test-')
const RUN = join(REPO_ROOT, 'bin', 'run.js')
const ADDED = ['prediction', 'p_no', 'p_yes', 'model_id', 'latency_us']

/** Starts `mlkafka serve` without waiting for it (it runs until signalled). */
function startServe(args: string[], on = brokers, env: Record<string, string> = {}): Running {
  return startProcess([RUN, 'serve', '--brokers', on, ...args], { cwd: REPO_ROOT, env })
}

const stopServe = stopProcess

async function readAll(client: KafkaClient, topic: string): Promise<TopicRecord[]> {
  const ends = await client.fetchEndOffsets(topic)
  const out: TopicRecord[] = []
  await client.readRanges(topic, ends.map((e) => ({ partition: e.partition, start: e.low, end: e.high })), (records) => out.push(...records))
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}

function headerText(headers: MessageHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name]
  return v === undefined ? undefined : String(Array.isArray(v) ? v[v.length - 1] : v)
}

describe.skipIf(!brokers)(suiteName('mlkafka serve'), () => {
  let client: KafkaClient
  let modelFile: string
  let ir: ModelIR
  /** examples/car-sensors.csv with a leading `id` column (row-1 ..), to match outputs to rows. */
  let csvWithIds: string
  let rows: Record<string, string>[]

  beforeAll(async () => {
    client = await testClient()
    const out = join(dir, 'run')
    const train = runCli(['automl', 'train', '--csv', 'examples/car-sensors.csv', '--target', 'failure', '--max-trials', '2', '--families', 'decision_tree,logistic_regression', '--folds', '2', '--seed', '1', '--json', '--out', out])
    expect(train.status, train.stderr).toBe(0)
    modelFile = (JSON.parse(train.stdout) as { winner: { modelPath: string } }).winner.modelPath
    ir = await loadModel(modelFile)

    const lines = readFileSync(join(REPO_ROOT, 'examples/car-sensors.csv'), 'utf8').trimEnd().split('\n')
    csvWithIds = join(dir, 'cars-with-ids.csv')
    writeFileSync(csvWithIds, lines.map((l, i) => `${i === 0 ? 'id' : `row-${i}`},${l}`).join('\n') + '\n')
    rows = parse(readFileSync(csvWithIds, 'utf8'), { columns: true }) as Record<string, string>[]
  })

  afterAll(async () => {
    killStarted()
    await client?.close()
  })

  it('scores every message like `mlkafka predict`, keys kept; unscorable messages go unchanged to the DLQ with headers', async () => {
    const input = freshTopic('serve-in')
    const output = `${input}.scored`
    const dlq = `${input}.dlq`
    const load = runCli(['topic', 'load', csvWithIds, '--topic', input, '--brokers', brokers, '--partitions', '3', '--key', 'car_id'])
    expect(load.status, load.stderr).toBe(0)
    const bad: ProducedMessage[] = [
      { key: 'bad-json', value: 'not json {' },
      { key: 'bad-array', value: '[1, 2, 3]' },
      { key: 'bad-rpm', value: JSON.stringify({ id: 'bad-rpm', car_id: 'car-0001', rpm: 'fast' }) },
      { key: 'bad-utf8', value: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      { key: 'bad-tombstone', value: null },
    ]
    // Missing fields are not errors: scored as missing values.
    // Its headers go with its output.
    const sparse: ProducedMessage = { key: 'sparse', value: JSON.stringify({ id: 'sparse', rpm: 2000 }), headers: { trace: 'abc-1', hops: ['a', 'b'] } }
    await produce(client, input, [...bad, sparse], 3)
    const expectedOutputs = rows.length + 1

    const serve = startServe(['--model', modelFile, '--input-topic', input, '--output-topic', output])
    await waitFor(
      `${expectedOutputs} outputs and ${bad.length} dead letters`,
      async () => (await messageCount(client, output)) >= expectedOutputs && (await messageCount(client, dlq)) >= bad.length,
      90_000,
      serve,
    )
    const exit = await stopServe(serve)
    expect(exit, serve.stderr()).toEqual({ status: 0, signal: null })
    expect(serve.stderr()).toContain(`serve: model ${ir.modelId} (${ir.family}, binary) reads ${input} (3 partitions) -> ${output}; unscorable -> ${dlq}; group mlkafka-serve-${ir.modelId}`)
    expect(serve.stderr()).toContain(`serve: created topic ${output} (3 partitions)`)
    expect(serve.stderr()).toMatch(new RegExp(`serve: stopped after \\d+\\.\\d s: ${expectedOutputs} scored, ${bad.length} to ${dlq.replace(/\./g, '\\.')}; offsets committed`))

    const predicted = join(dir, 'predicted.csv')
    const predict = runCli(['predict', '--model', modelFile, '--csv', csvWithIds, '--out', predicted])
    expect(predict.status, predict.stderr).toBe(0)
    const expected = new Map((parse(readFileSync(predicted, 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => [r.id, r]))

    const inputRecords = await readAll(client, input)
    const inputById = new Map<string, Record<string, unknown>>()
    for (const r of inputRecords) {
      try {
        const o = JSON.parse(r.value?.toString('utf8') ?? '') as Record<string, unknown>
        if (o && typeof o === 'object' && !Array.isArray(o)) inputById.set(String(o.id), o)
      } catch {
        /* a bad message */
      }
    }

    const outputs = await readAll(client, output)
    expect(outputs).toHaveLength(expectedOutputs)
    const seen = new Set<string>()
    for (const m of outputs) {
      const o = JSON.parse(m.value!.toString('utf8')) as Record<string, unknown>
      const id = String(o.id)
      expect(seen.has(id), id).toBe(false)
      seen.add(id)
      // The original fields first, unchanged and in order, then the added ones.
      expect(Object.keys(o).slice(-ADDED.length)).toEqual(ADDED)
      const original = Object.fromEntries(Object.entries(o).filter(([k]) => !ADDED.includes(k)))
      expect(original).toEqual(inputById.get(id))
      expect(Object.keys(original)).toEqual(Object.keys(inputById.get(id)!))
      expect(o.model_id).toBe(ir.modelId)
      expect(typeof o.latency_us).toBe('number')
      if (id === 'sparse') {
        const p = compileModel(ir).predictRecord({ rpm: 2000 })
        expect('label' in p && [p.label, ...p.probabilities]).toEqual([o.prediction, o.p_no, o.p_yes])
        expect(m.key!.toString()).toBe('sparse')
        expect(headerText(m.headers, 'trace')).toBe('abc-1')
        expect((m.headers!.hops as Buffer[]).map(String)).toEqual(['a', 'b'])
        continue
      }
      const row = expected.get(id)!
      expect(m.key!.toString(), id).toBe(row.car_id)
      expect(o.prediction, id).toBe(row.prediction)
      expect(o.p_no, id).toBe(Number(row.p_no)) // exactly the same doubles
      expect(o.p_yes, id).toBe(Number(row.p_yes))
      expect(row.prediction_error).toBe('')
      expect(m.headers).toEqual({})
    }
    expect(seen.size).toBe(expectedOutputs)

    const dead = await readAll(client, dlq)
    expect(dead).toHaveLength(bad.length)
    const reasons: Record<string, [string, string]> = {
      'bad-json': ['not-json', 'not valid JSON'],
      'bad-array': ['not-object', 'a JSON array, not an object'],
      'bad-rpm': ['ill-typed-field', 'field "rpm": expected a number, got "fast"'],
      'bad-utf8': ['not-utf8', 'not UTF-8 text'],
      'bad-tombstone': ['tombstone', 'no value (a tombstone)'],
    }
    for (const m of dead) {
      const key = m.key!.toString()
      const sent = bad.find((b) => b.key === key)!
      expect(sent, key).toBeDefined()
      // Key and value byte for byte.
      expect(m.value === null ? null : Buffer.compare(m.value, Buffer.from(sent.value as string | Buffer)), key).toBe(sent.value === null ? null : 0)
      expect(headerText(m.headers, 'mlkafka-error-kind'), key).toBe(reasons[key][0])
      expect(headerText(m.headers, 'mlkafka-error'), key).toBe(reasons[key][1])
      expect(headerText(m.headers, 'mlkafka-source-topic')).toBe(input)
      expect(headerText(m.headers, 'mlkafka-model-id')).toBe(ir.modelId)
      const partition = Number(headerText(m.headers, 'mlkafka-source-partition'))
      const offset = Number(headerText(m.headers, 'mlkafka-source-offset'))
      const source = inputRecords.find((r) => r.partition === partition && r.offset === offset)
      expect(source?.key?.toString(), key).toBe(key)
      expect(m.partition, 'the DLQ mirrors the input partitions').toBe(partition)
    }
  }, 180_000)

  it('stopped with SIGTERM in the middle and restarted with the same group: every message gets an output, none is lost', async () => {
    const input = freshTopic('serve-restart')
    const output = `${input}.scored`
    const group = `${input}-group`
    const total = 40_000
    const base = JSON.parse(JSON.stringify(rows[0])) as Record<string, string>
    const messages: ProducedMessage[] = Array.from({ length: total }, (_, i) => ({ key: `k${i % 97}`, value: JSON.stringify({ ...base, id: i, rpm: 1000 + (i % 3000) }) }))
    await produce(client, input, messages, 3)

    const args = ['--model', modelFile, '--input-topic', input, '--output-topic', output, '--group', group]
    const first = startServe(args)
    await waitFor('the first outputs', async () => (await messageCount(client, output)) > 0, 60_000, first, 20)
    expect(await stopServe(first), first.stderr()).toEqual({ status: 0, signal: null })
    const afterFirst = await messageCount(client, output)
    expect(afterFirst, 'the first run should stop before the end (stopped too late to test a restart)').toBeLessThan(total)
    const firstScored = Number(/(\d+) scored/.exec(first.stderr())?.[1])
    expect(firstScored).toBe(afterFirst)

    const second = startServe(args)
    await waitFor(`${total} outputs`, async () => (await messageCount(client, output)) >= total, 90_000, second)
    // Idle: the group has committed the end of every partition.
    await waitFor('lag 0', async () => {
      const committed = await client.fetchCommittedOffsets(group, input)
      const ends = await client.fetchEndOffsets(input)
      return ends.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.high)
    }, 30_000, second)
    expect(await stopServe(second), second.stderr()).toEqual({ status: 0, signal: null })

    const ids = new Map<number, number>()
    const idsByPartition: number[][] = [[], [], []]
    for (const m of await readAll(client, output)) {
      const id = (JSON.parse(m.value!.toString()) as { id: number }).id
      ids.set(id, (ids.get(id) ?? 0) + 1)
      idsByPartition[m.partition].push(id)
    }
    expect(ids.size).toBe(total)
    // Each output partition in its input partition's order (ids were produced in increasing order),
    // though serve scores a partition's next batch while it writes the one before.
    for (const p of idsByPartition) expect(p).toEqual([...p].sort((a, b) => a - b))
    const duplicates = [...ids.values()].reduce((n, c) => n + c - 1, 0)
    // A clean stop commits everything it wrote: the second run starts exactly where the first stopped.
    expect(duplicates).toBe(0)
    expect(Number(/(\d+) scored/.exec(second.stderr())?.[1])).toBe(total - afterFirst)
  }, 240_000)

  it('prints a metrics line every interval and produces it as JSON to --metrics-topic (and: --workers 0, --output-fields)', async () => {
    const input = freshTopic('serve-metrics')
    const metricsTopic = `${input}.metrics`
    await produce(client, input, [...Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ ...rows[i], id: i }) })), { value: '{' }], 2)
    const serve = startServe(['--model', modelFile, '--input-topic', input, '--output-topic', `${input}.out`, '--metrics-topic', metricsTopic, '--metrics-interval', '500ms', '--group', `${input}-g`, '--workers', '0', '--output-fields', 'id,car_id'])
    const lines = (): string[] => serve.stderr().split('\n').filter((l) => l.startsWith('serve: ') && l.includes('msg/s'))
    await waitFor('a metrics line showing all messages handled and lag 0', async () => lines().some((l) => / \(51 total\)$/.test(l) && / lag 0 /.test(l)), 60_000, serve)
    await waitFor('a metrics message', async () => (await messageCount(client, metricsTopic)) >= 2, 30_000, serve)
    expect(await stopServe(serve)).toEqual({ status: 0, signal: null })

    const line = /^serve: (\d+\.\d) msg\/s \| latency p50 ([\d.]+|-) us, p99 ([\d.]+|-) us \| dlq (\d+) \((\d+) total\) \| lag (\d+|\?) \| (\d+) messages in (\d+\.\d) s \((\d+) total\)$/
    for (const l of lines()) expect(l).toMatch(line)
    const busy = lines().find((l) => Number(line.exec(l)![7]) > 0)!
    expect(busy).toMatch(/latency p50 [\d.]+ us, p99 [\d.]+ us/)
    expect(lines().at(-1)).toMatch(/\| dlq \d+ \(1 total\) \| lag 0 \|/)

    const docs = (await readAll(client, metricsTopic)).map((m) => JSON.parse(m.value!.toString()) as Record<string, unknown>)
    expect(docs[0]).toMatchObject({
      type: 'mlkafka.serve.metrics',
      model_id: ir.modelId,
      group: `${input}-g`,
      input_topic: input,
      output_topic: `${input}.out`,
      dlq_topic: `${input}.dlq`,
    })
    for (const d of docs) {
      expect(Object.keys(d)).toEqual(['type', 'time', 'model_id', 'group', 'instance', 'input_topic', 'output_topic', 'dlq_topic', 'interval_ms', 'messages', 'messages_per_s', 'scored', 'dlq', 'latency_us', 'lag', 'total'])
      expect(typeof d.messages_per_s).toBe('number')
    }
    const last = docs.at(-1)!
    expect(last.total).toEqual({ messages: 51, scored: 50, dlq: 1 })
    const scoredDoc = docs.find((d) => (d.scored as number) > 0)!
    expect(scoredDoc.latency_us).toEqual({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) })

    const outputs = (await readAll(client, `${input}.out`)).map((m) => JSON.parse(m.value!.toString()) as Record<string, unknown>)
    expect(outputs).toHaveLength(50)
    for (const o of outputs) expect(Object.keys(o)).toEqual(['id', 'car_id', ...ADDED])
    expect(outputs.find((o) => o.id === 7)?.car_id).toBe(rows[7].car_id)
  }, 120_000)

  it('scales out: two instances in one group share the partitions; --start latest skips what is already there; a second signal exits 130', async () => {
    const input = freshTopic('serve-scale')
    const output = `${input}.scored`
    const group = `${input}-group`
    const total = 6000
    await produce(client, input, Array.from({ length: total }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ id: i, rpm: 1500 + i }) })), 4)
    const args = ['--model', modelFile, '--input-topic', input, '--output-topic', output, '--group', group, '--metrics-interval', '1s']
    const a = startServe(args)
    const b = startServe(args)
    const assigned = (s: Running): number[] => {
      const lines = [...s.stderr().matchAll(/assigned \d+ partitions? of \S+ \(([\d, ]+)\)/g)]
      return lines.length === 0 ? [] : lines[lines.length - 1][1].split(', ').map(Number)
    }
    await waitFor(`${total} outputs`, async () => (await messageCount(client, output)) >= total, 90_000, a)
    await waitFor('both members assigned', async () => assigned(a).length > 0 && assigned(b).length > 0, 30_000, b)
    expect([...assigned(a), ...assigned(b)].sort()).toEqual([0, 1, 2, 3])
    expect((await Promise.all([stopServe(a), stopServe(b)])).map((r) => r.status)).toEqual([0, 0])
    const ids = new Set((await readAll(client, output)).map((m) => (JSON.parse(m.value!.toString()) as { id: number }).id))
    expect(ids.size).toBe(total) // duplicates allowed (a rebalance may replay a batch), none lost

    // A new group with --start latest only scores what arrives after it joined.
    const late = startServe(['--model', modelFile, '--input-topic', input, '--output-topic', `${input}.late`, '--group', `${group}-late`, '--start', 'latest'])
    await waitFor('the late member assigned', async () => late.stderr().includes('assigned 4 partitions'), 30_000, late)
    await produce(client, input, Array.from({ length: 20 }, (_, i) => ({ key: `n${i}`, value: JSON.stringify({ id: total + i }) })), 4)
    await waitFor('20 late outputs', async () => (await messageCount(client, `${input}.late`)) >= 20, 30_000, late)
    // A second signal (sent as soon as the first is handled: signals sent together merge into one) does
    // not wait for the clean stop.
    late.child.stderr!.on('data', (d: string) => {
      if (d.includes('serve: stopping')) late.child.kill('SIGINT')
    })
    late.child.kill('SIGTERM')
    expect((await late.exited).status).toBe(130)
    expect(await messageCount(client, `${input}.late`)).toBe(20)
  }, 180_000)

  it('a scored message too large for the output topic goes to the DLQ with its reason; the messages after it are scored', async () => {
    const input = freshTopic('serve-large')
    const output = `${input}.scored`
    // An output topic that takes messages up to 20,000 bytes: an input of 19,950 fits its own topic, not with the added fields.
    await createTopicWithConfig(output, { 'max.message.bytes': '20000' })
    const big = JSON.stringify({ id: 1, rpm: 2000, note: 'x'.repeat(19_900) })
    const values = [JSON.stringify({ id: 0, rpm: 1500 }), big, JSON.stringify({ id: 2, rpm: 2500 })]
    await produce(client, input, values.map((value, i) => ({ key: `k${i}`, value })))
    const s = startServe(['--model', modelFile, '--input-topic', input, '--output-topic', output])
    await waitFor('2 outputs and 1 dead letter', async () => (await messageCount(client, output)) >= 2 && (await messageCount(client, `${input}.dlq`)) >= 1, 60_000, s)
    expect((await stopServe(s)).status).toBe(0)
    expect((await readAll(client, output)).map((m) => (JSON.parse(m.value!.toString()) as { id: number }).id)).toEqual([0, 2])
    const [dead] = await readAll(client, `${input}.dlq`)
    expect(dead.value!.toString()).toBe(big)
    expect(headerText(dead.headers, 'mlkafka-error-kind')).toBe('output-too-large')
    expect(headerText(dead.headers, 'mlkafka-error')).toBe(`the scored message is too large for topic ${output} (MESSAGE_TOO_LARGE: over the broker's or the topic's max message size)`)
    expect(headerText(dead.headers, 'mlkafka-source-offset')).toBe('1')
    expect(s.stderr()).toMatch(/2 scored, 1 to \S+\.dlq; offsets committed/)
  }, 120_000)

  it('a topic of CSV lines goes to the DLQ whole, and serve says so once', async () => {
    const input = freshTopic('serve-csv')
    const lines = readFileSync(join(REPO_ROOT, 'examples/car-sensors.csv'), 'utf8').split('\n').slice(1, 151)
    await produce(client, input, lines.map((value) => ({ key: null, value })))
    const s = startServe(['--model', modelFile, '--input-topic', input, '--output-topic', `${input}.scored`])
    await waitFor('150 dead letters', async () => (await messageCount(client, `${input}.dlq`)) >= 150, 60_000, s)
    await waitFor('the warning', async () => s.stderr().includes('serve: warning'), 10_000, s)
    expect((await stopServe(s)).status).toBe(0)
    const warnings = s.stderr().split('\n').filter((l) => l.includes('serve: warning'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(new RegExp(`^serve: warning: none of the first \\d+ messages could be scored; all went to ${input}\\.dlq \\(its mlkafka-error header says why\\)\\. serve scores JSON objects with the model's fields \\(CSV lines: --format csv --columns a,b,c\\): is ${input} such a topic\\?$`))
  }, 90_000)

  it('--format csv --columns: CSV lines are scored as `mlkafka predict` scores the file, fields kept as texts; a line of other fields goes to the DLQ', async () => {
    const input = freshTopic('serve-csvlines')
    const [header, ...all] = readFileSync(csvWithIds, 'utf8').trimEnd().split('\n')
    const lines = all.slice(0, 200)
    await produce(client, input, [
      ...lines.map((value) => ({ key: null, value })),
      { key: 'short', value: 'row-x,car-0001,sedan-a' },
      { key: 'quote', value: 'row-y,"car-0002' },
    ])
    const s = startServe(['--model', modelFile, '--input-topic', input, '--output-topic', `${input}.scored`, '--format', 'csv', '--columns', header])
    await waitFor('200 outputs', async () => (await messageCount(client, `${input}.scored`)) >= 200, 60_000, s)
    await waitFor('2 dead letters', async () => (await messageCount(client, `${input}.dlq`)) >= 2, 30_000, s)
    expect((await stopServe(s)).status).toBe(0)
    expect(s.stderr()).not.toContain('warning')

    const file = join(dir, 'csv-lines.csv')
    writeFileSync(file, [header, ...lines].join('\n') + '\n')
    const predicted = join(dir, 'csv-lines-predicted.csv')
    const predict = runCli(['predict', '--model', modelFile, '--csv', file, '--out', predicted])
    expect(predict.status, predict.stderr).toBe(0)
    const expected = parse(readFileSync(predicted, 'utf8'), { columns: true }) as Record<string, string>[]
    const outputs = (await readAll(client, `${input}.scored`)).map((r) => JSON.parse(r.value!.toString('utf8')) as Record<string, unknown>)
    expect(outputs).toHaveLength(200)
    outputs.forEach((o, i) => {
      expect(Object.keys(o)).toEqual([...header.split(','), ...ADDED])
      expect(o.id).toBe(expected[i].id)
      expect(o.rpm).toBe(expected[i].rpm)
      expect([o.prediction, o.p_no, o.p_yes]).toEqual([expected[i].prediction, Number(expected[i].p_no), Number(expected[i].p_yes)])
    })
    const dead = await readAll(client, `${input}.dlq`)
    expect(dead.map((d) => [d.key?.toString(), headerText(d.headers, 'mlkafka-error-kind'), headerText(d.headers, 'mlkafka-error')])).toEqual([
      ['short', 'not-csv', `3 fields but --columns names ${header.split(',').length}`],
      ['quote', 'not-csv', 'a quoted field is never closed'],
    ])
  }, 120_000)

  it('a group that a consumer of another topic is in: serve refuses to join it (one line), and that consumer goes on', async () => {
    const [a, b] = [freshTopic('serve-group-a'), freshTopic('serve-group-b')]
    const group = `${a}-shared`
    await produce(client, a, [{ key: 'k', value: JSON.stringify({ id: 0 }) }], 2)
    await produce(client, b, [{ key: 'k', value: JSON.stringify({ id: 0 }) }], 2)
    const first = startServe(['--model', modelFile, '--input-topic', a, '--output-topic', `${a}.scored`, '--group', group])
    await waitFor('the first member assigned', async () => first.stderr().includes('assigned 2 partitions'), 30_000, first)
    const second = startServe(['--model', modelFile, '--input-topic', b, '--output-topic', `${b}.scored`, '--group', group])
    // Joining would deal it partitions of the other topic, which it does not read: it refuses, and the first goes on.
    const ended = await Promise.race([second.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))])
    expect(ended?.status, second.stderr()).toBe(2)
    expect(second.stderr().trimEnd().split('\n').at(-1)).toBe(
      `Error: consumer group ${group} is in use by consumers of topic ${a}: joining it would take partitions of theirs that this serve does not read. Give it a --group of its own`,
    )
    await produce(client, a, [{ key: 'k2', value: JSON.stringify({ id: 1 }) }], 2)
    await waitFor('both messages of the first topic scored', async () => (await messageCount(client, `${a}.scored`)) >= 2, 60_000, first)
    expect((await stopServe(first)).status).toBe(0)
  }, 150_000)

  it('two serves of different topics started together in one group: each reads only its own topic, every message of both is scored', async () => {
    const [a, b] = [freshTopic('serve-race-a'), freshTopic('serve-race-b')]
    const group = `${a}-shared`
    const messages = (topic: string): ProducedMessage[] => Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ id: i, topic }) }))
    await produce(client, a, messages(a), 3)
    await produce(client, b, messages(b), 2)
    // Started at about the same time, each sees a group no one is in yet (the check before joining
    // passes), and both join it. Left to chance, the second often starts after the first has joined and
    // refuses (the test above): so the first waits after its check until the second has passed its own.
    const sa = startServe(['--model', modelFile, '--input-topic', a, '--output-topic', `${a}.scored`, '--group', group], brokers, { MLKAFKA_TEST_JOIN_DELAY_MS: '12000' })
    await waitFor('the first serve past its check', async () => sa.stderr().includes(`joining group ${group} in`), 30_000, sa)
    const sb = startServe(['--model', modelFile, '--input-topic', b, '--output-topic', `${b}.scored`, '--group', group])
    await waitFor(`60 outputs of ${a}`, async () => (await messageCount(client, `${a}.scored`)) >= 60, 60_000, sa)
    await waitFor(`60 outputs of ${b}`, async () => (await messageCount(client, `${b}.scored`)) >= 60, 60_000, sb)
    for (const [s, topic, n] of [[sa, a, 3], [sb, b, 2]] as const) {
      const lines = s.stderr().split('\n').filter((l) => l.includes('assigned'))
      expect(lines.at(-1), s.stderr()).toBe(`serve: group ${group}: assigned ${n} partitions of ${topic} (${n === 3 ? '0, 1, 2' : '0, 1'})`)
    }
    expect((await Promise.all([stopServe(sa), stopServe(sb)])).map((r) => r.status)).toEqual([0, 0])
    for (const topic of [a, b]) {
      const outputs = (await readAll(client, `${topic}.scored`)).map((m) => JSON.parse(m.value!.toString()) as { topic: string })
      expect(new Set(outputs.map((o) => o.topic))).toEqual(new Set([topic]))
    }
  }, 150_000)

  it('a signal before it consumes (still connecting) stops it at once, with 0', async () => {
    const s = startServe(['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b'], '127.0.0.1:1')
    // It connects for about 8 s (an unreachable broker is retried): the signal comes well inside that.
    await new Promise((r) => setTimeout(r, 2500))
    const t0 = Date.now()
    s.child.kill('SIGTERM')
    expect((await s.exited).status).toBe(0)
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(s.stderr()).toBe('serve: stopped before it began to consume\n')
  }, 30_000)

  it('start-up errors are one line: unreachable broker (in bounded time), missing topic, bad model, bad flags', async () => {
    const oneLine = (r: { status: number | null; stdout: string; stderr: string }, status: number): string => {
      expect(r.status, r.stderr).toBe(status)
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines, r.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/^Error: /)
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
      return lines[0]
    }
    const t0 = Date.now()
    const unreachable = runCli(['serve', '--model', modelFile, '--brokers', '127.0.0.1:1', '--input-topic', 'in', '--output-topic', 'out'], { timeoutMs: 60_000 })
    expect(oneLine(unreachable, 1)).toMatch(/^Error: cannot reach Kafka at 127\.0\.0\.1:1 \(ECONNREFUSED\) after \d+ s: check --brokers/)
    expect((Date.now() - t0) / 1000).toBeLessThan(30)

    const missing = freshTopic('serve-missing')
    const r = runCli(['serve', '--model', modelFile, '--brokers', brokers, '--input-topic', missing, '--output-topic', `${missing}.out`])
    expect(oneLine(r, 1)).toContain(`topic "${missing}" not found on ${brokers}`)
    expect(await client.topicExists(`${missing}.out`)).toBe(false)

    const noModel = runCli(['serve', '--model', join(dir, 'nope.json'), '--brokers', brokers, '--input-topic', 'in', '--output-topic', 'out'])
    expect(oneLine(noModel, 1)).toContain('nope.json: model file not found')

    const cases: [string[], string][] = [
      [['--input-topic', 'a', '--output-topic', 'b'], 'missing --model FILE'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'a'], '--output-topic must differ from --input-topic (a)'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b', '--dlq-topic', 'b'], '--dlq-topic must differ from --output-topic (b)'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b', '--metrics-interval', 'often'], '--metrics-interval takes a duration'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b', '--output-fields', 'x,,y'], '--output-fields: "x,,y" has an empty name'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b', '--format', 'csv'], '--format csv needs --columns a,b,c'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b', '--columns', 'x,y'], '--columns only applies with --format csv'],
      [['--model', modelFile, '--input-topic', 'a', '--output-topic', 'b', '--format', 'csv', '--columns', 'id,rpm', '--output-fields', 'id,colour'], '--output-fields: "colour" is not one of --columns (id, rpm)'],
    ]
    for (const [args, message] of cases) expect(oneLine(runCli(['serve', '--brokers', brokers, ...args]), 2), args.join(' ')).toContain(message)
  }, 120_000)
})
