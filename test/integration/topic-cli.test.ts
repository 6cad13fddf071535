import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KafkaClient } from '../../src/kafka/client.js'
import { REPO_ROOT, runCli, type CliResult } from '../helpers/cli.js'
import { tempDir, writeFixture } from '../helpers/files.js'
import { brokers, freshTopic, produce, suiteName, testClient } from './kafka-helpers.js'

/** `mlkafka topic load` and `mlkafka data inspect --topic`, spawned as a user runs them, on a real broker. */

const dir = tempDir()

function inspectJson(args: string[]): { status: number | null; report: Record<string, unknown>; stderr: string } {
  const r = runCli(['data', 'inspect', ...args, '--json'])
  return { status: r.status, report: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr }
}

/** runCli without blocking this process (for tests that serve something to the CLI meanwhile). */
function runCliAsync(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../bin/run.js', import.meta.url)), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve) => child.on('close', (status) => (clearTimeout(killer), resolve({ status, stdout, stderr }))))
}

function withoutSource(report: Record<string, unknown>): Record<string, unknown> {
  const { source: _s, fingerprint: _f, topic: _t, ...rest } = report
  return rest
}

function expectOneLineError(r: { status: number | null; stdout: string; stderr: string }, status: number): string {
  expect(r.status).toBe(status)
  expect(r.stdout).toBe('')
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^Error: /)
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  return lines[0]
}

describe.skipIf(!brokers)(suiteName('mlkafka topic load + data inspect --topic'), () => {
  let client: KafkaClient
  beforeAll(async () => {
    client = await testClient()
  })
  afterAll(async () => {
    await client?.close()
  })

  it('a CSV loaded into a topic inspects exactly like the CSV file', () => {
    const topic = freshTopic('cars')
    const load = runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', topic, '--brokers', brokers])
    expect(load.status, load.stderr).toBe(0)
    expect(load.stdout).toMatch(new RegExp(`^loaded 5000 rows from examples/car-sensors\\.csv into topic ${topic} \\(1 partition\\) in \\d+\\.\\d s\\n$`))
    expect(load.stderr).toBe('')

    const fromTopic = inspectJson(['--topic', topic, '--brokers', brokers, '--target', 'failure'])
    expect(fromTopic.status, fromTopic.stderr).toBe(0)
    const fromFile = inspectJson(['examples/car-sensors.csv', '--target', 'failure'])
    expect(fromFile.status).toBe(0)
    expect(withoutSource(fromTopic.report)).toEqual(withoutSource(fromFile.report))
    expect(fromTopic.report.source).toBe(`topic ${topic}`)
    expect(fromTopic.report.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(fromTopic.report.topic).toEqual({ name: topic, partitions: 1, messages: 5000, skipped: 0, bad: [] })

    const text = runCli(['data', 'inspect', '--topic', topic, '--brokers', brokers, '--target', 'failure'])
    expect(text.status).toBe(0)
    expect(text.stdout).toContain(`topic ${topic}: 5000 rows x 16 columns`)
    expect(text.stdout).toMatch(/yes\s+416\s+8\.3%/)
    expect(text.stderr).toBe('') // no progress line without a terminal, no client log noise
  })

  it('dates go to the topic as text and read back as dates: the topic inspects like the file', () => {
    const file = writeFixture(dir, 'dates.csv', ['when,x,y', ...Array.from({ length: 40 }, (_, i) => `2024-0${1 + (i % 9)}-1${i % 10}${i % 3 === 0 ? 'T08:30:00Z' : ''},${i},${i % 2 ? 'a' : 'b'}`)].join('\n') + '\n')
    const topic = freshTopic('dates')
    const load = runCli(['topic', 'load', file, '--topic', topic, '--brokers', brokers, '--key', 'when'])
    expect(load.status, load.stderr).toBe(0)
    const fromTopic = inspectJson(['--topic', topic, '--brokers', brokers])
    const fromFile = inspectJson([file])
    expect(fromFile.report.columns[0]).toMatchObject({ name: 'when', type: 'numeric', dateCells: { count: 40, firstRow: 0 } })
    expect(withoutSource(fromTopic.report)).toEqual(withoutSource(fromFile.report))
  })

  it('3 partitions keyed by a column: the same schema, the same snapshot on every read; loading again appends', () => {
    const topic = freshTopic('cars3')
    const load = runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', topic, '--brokers', brokers, '--partitions', '3', '--key', 'car_id', '--json'])
    expect(load.status, load.stderr).toBe(0)
    expect(JSON.parse(load.stdout)).toMatchObject({ file: 'examples/car-sensors.csv', topic, rows: 5000, partitions: 3, created: true, messagesBefore: 0 })

    const a = inspectJson(['--topic', topic, '--brokers', brokers])
    const b = inspectJson(['--topic', topic, '--brokers', brokers])
    const csv = inspectJson(['examples/car-sensors.csv'])
    expect(withoutSource(a.report)).toEqual(withoutSource(csv.report))
    expect(a.report.fingerprint).toBe(b.report.fingerprint)
    expect(a.report.topic).toMatchObject({ partitions: 3, messages: 5000 })

    const again = runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', topic, '--brokers', brokers, '--partitions', '2'])
    expect(again.status).toBe(0)
    expect(again.stdout).toContain('(3 partitions)')
    expect(again.stderr).toContain(`topic ${topic} already held 5000 messages`)
    expect(again.stderr).toContain('--partitions 2 applies only when it is created')
  })

  it('--max-messages reads at most that many, shared among the partitions', () => {
    const topic = freshTopic('maxmsg')
    expect(runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', topic, '--brokers', brokers, '--partitions', '3']).status).toBe(0)
    const r = inspectJson(['--topic', topic, '--brokers', brokers, '--max-messages', '1000'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.report.rows).toBe(1000)
    expect(r.report.topic).toMatchObject({ messages: 1000, partitions: 3 })
  })

  describe('bad messages', () => {
    const topic = freshTopic('bad')
    const good = 400
    beforeAll(async () => {
      const rows = Array.from({ length: good }, (_, i) => ({ value: JSON.stringify({ id: i, speed: i * 1.5, ok: i % 2 === 0, color: i % 3 ? 'red' : 'blue' }) }))
      // offsets 100, 200, 300: not JSON, a JSON array, an object with a nested object
      rows.splice(100, 0, { value: 'not json {' })
      rows.splice(200, 0, { value: '[1, 2, 3]' })
      rows.splice(300, 0, { value: JSON.stringify({ id: 1, speed: { value: 3 } }) })
      await produce(client, topic, rows)
    })

    it('under --max-bad: reported with partition and offset, the other rows loaded', () => {
      const r = runCli(['data', 'inspect', '--topic', topic, '--brokers', brokers])
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toContain(`topic ${topic}: 400 rows x 4 columns`)
      expect(r.stderr).toContain(`warning: topic ${topic}: skipped 3 messages of 403 that are not a row (0.74%, within --max-bad 1%):`)
      expect(r.stderr).toContain('partition 0 offset 100: not valid JSON')
      expect(r.stderr).toContain('partition 0 offset 200: a JSON array, not an object')
      expect(r.stderr).toContain('partition 0 offset 300: field "speed" holds a nested object')

      const j = inspectJson(['--topic', topic, '--brokers', brokers])
      expect(j.report.rows).toBe(good)
      expect(j.report.topic).toMatchObject({ messages: 403, skipped: 3, bad: [{ partition: 0, offset: 100, reason: 'not valid JSON' }, { partition: 0, offset: 200 }, { partition: 0, offset: 300 }] })
      expect(j.report.columns).toEqual([
        expect.objectContaining({ name: 'id', type: 'numeric', missing: 0 }),
        expect.objectContaining({ name: 'speed', type: 'numeric' }),
        expect.objectContaining({ name: 'ok', type: 'boolean' }),
        expect.objectContaining({ name: 'color', type: 'categorical', distinct: 2 }),
      ])
    })

    it('over --max-bad: a one-line error naming partition and offset, exit 1', () => {
      const r = runCli(['data', 'inspect', '--topic', topic, '--brokers', brokers, '--max-bad', '0.5%'])
      const line = expectOneLineError(r, 1)
      expect(line).toContain(`topic ${topic}: 3 of 403 messages are not rows (flat JSON objects) (0.74%, more than --max-bad 0.5%)`)
      expect(line).toContain('partition 0 offset 100: not valid JSON; partition 0 offset 200: a JSON array, not an object')
      expect(line).toContain('raise --max-bad')
    })
  })

  it('--format csv --columns: one CSV line per message; a wrong field count or a header line is a bad message', async () => {
    const topic = freshTopic('csvfmt')
    const lines = Array.from({ length: 200 }, (_, i) => ({ value: `${i},"c, ${i % 4}",${i % 5 === 0 ? '' : (i * 0.25).toFixed(2)}` }))
    lines.push({ value: '7,only-two' })
    lines.push({ value: 'n,label,x' })
    await produce(client, topic, lines)
    const r = inspectJson(['--topic', topic, '--brokers', brokers, '--format', 'csv', '--columns', 'n,label,x'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.report.rows).toBe(200)
    expect(r.report.columns).toEqual([
      expect.objectContaining({ name: 'n', type: 'numeric', missing: 0, min: 0, max: 199 }),
      expect.objectContaining({ name: 'label', type: 'categorical', distinct: 4 }),
      expect.objectContaining({ name: 'x', type: 'numeric', missing: 40 }),
    ])
    expect(r.report.topic).toMatchObject({
      skipped: 2,
      bad: [
        { partition: 0, offset: 200, reason: '2 fields but --columns names 3' },
        { partition: 0, offset: 201, reason: 'a header line (the names --columns gives), not a row' },
      ],
    })

    const noColumns = runCli(['data', 'inspect', '--topic', topic, '--brokers', brokers, '--format', 'csv'])
    expect(expectOneLineError(noColumns, 2)).toContain('--format csv needs --columns a,b,c')
  })

  it('a row too big for a Kafka message is a one-line error before anything is written; long rows go in several requests', async () => {
    const topic = freshTopic('big-row')
    const rows = ['id,text', ...Array.from({ length: 30 }, (_, i) => `${i},${'y'.repeat(i === 20 ? 1_100_000 : 40_000)}`)]
    const file = writeFixture(dir, 'big-row.csv', rows.join('\n') + '\n')
    const r = runCli(['topic', 'load', file, '--topic', topic, '--brokers', brokers])
    expect(expectOneLineError(r, 1)).toBe(
      `Error: ${file}: data row 21 is 1.10 MB as a JSON message, over Kafka's default max message size (1 MB). Shorten its long cells or leave their columns out of the file; nothing was written`,
    )
    expect(await client.topicExists(topic)).toBe(false)
    // Without it: 29 rows of 40 kB, 1.2 MB in all, more than one produce request may hold.
    const long = writeFixture(dir, 'long-rows.csv', rows.filter((_, i) => i !== 21).join('\n') + '\n')
    const load = runCli(['topic', 'load', long, '--topic', topic, '--brokers', brokers])
    expect(load.status, load.stderr).toBe(0)
    expect((await client.fetchEndOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0)).toBe(29)
  })

  it('an empty topic and a missing topic are one-line errors', async () => {
    const topic = freshTopic('empty')
    await client.createTopicIfMissing(topic, 2)
    const empty = expectOneLineError(runCli(['data', 'inspect', '--topic', topic, '--brokers', brokers]), 1)
    expect(empty).toContain(`topic ${topic}: the topic has no messages (2 partitions). Produce rows to it first`)

    const missing = freshTopic('missing')
    const r = runCli(['data', 'inspect', '--topic', missing, '--brokers', brokers])
    expect(expectOneLineError(r, 1)).toContain(`topic "${missing}" not found on ${brokers}`)
    expect(await client.topicExists(missing)).toBe(false) // looking did not auto-create it
  })

  it('an unreachable broker: a clear one-line error in bounded time', () => {
    const t0 = Date.now()
    const r = runCli(['data', 'inspect', '--topic', 'anything', '--brokers', '127.0.0.1:1'], { timeoutMs: 60_000 })
    const seconds = (Date.now() - t0) / 1000
    const line = expectOneLineError(r, 1)
    expect(line).toMatch(/^Error: cannot reach Kafka at 127\.0\.0\.1:1 \(ECONNREFUSED\) after \d+ s: check --brokers \/ KAFKA_BROKERS and that the broker is running/)
    expect(seconds).toBeLessThan(30)

    const load = runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', 'anything', '--brokers', '127.0.0.1:1'], { timeoutMs: 60_000 })
    expect(expectOneLineError(load, 1)).toContain('cannot reach Kafka at 127.0.0.1:1')
  })

  it('a server that accepts connections but never answers: the same error after the 10 s connect deadline', async () => {
    const server = createServer((socket) => socket.on('data', () => {}))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    try {
      // Spawned asynchronously: this process must keep serving the silent socket meanwhile.
      const t0 = Date.now()
      const r = await runCliAsync(['data', 'inspect', '--topic', 'anything', '--brokers', `127.0.0.1:${port}`])
      const line = expectOneLineError(r, 1)
      expect(line).toMatch(new RegExp(`^Error: cannot reach Kafka at 127\\.0\\.0\\.1:${port} \\(no answer\\) after 1\\d s`))
      expect((Date.now() - t0) / 1000).toBeLessThan(30)
    } finally {
      server.close()
    }
  })

  it('flag mistakes are one-line usage errors (exit 2) before anything connects', () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['data', 'inspect', '--topic', 't'], { KAFKA_BROKERS: '' }, 'no Kafka brokers: pass --brokers HOST:PORT or set KAFKA_BROKERS'],
      [['data', 'inspect', '--topic', 't', '--brokers', 'localhost'], {}, '--brokers: "localhost" is not HOST:PORT'],
      [['data', 'inspect', '--topic', 't'], { KAFKA_BROKERS: 'a:b' }, 'KAFKA_BROKERS: "a:b" is not HOST:PORT'],
      [['data', 'inspect'], {}, 'pass a CSV FILE or --topic NAME to inspect'],
      [['data', 'inspect', 'examples/car-sensors.csv', '--topic', 't'], {}, 'pass either a CSV FILE or --topic NAME, not both'],
      [['data', 'inspect', 'examples/car-sensors.csv', '--max-bad', '0.1'], {}, '--max-bad only applies with --topic'],
      [['data', 'inspect', '--topic', 't', '--brokers', brokers, '--max-bad', '5'], {}, '--max-bad: "5" is not a share between 0 and 1'],
      [['data', 'inspect', '--topic', 't', '--brokers', brokers, '--from-timestamp', 'yesterday'], {}, '--from-timestamp: "yesterday" is not an ISO date'],
      [['data', 'inspect', '--topic', 't', '--brokers', brokers, '--delimiter', ';'], {}, '--delimiter only applies to a CSV file'],
    ]
    for (const [args, env, expected] of cases) {
      const r = runCli(args, { env })
      expect(expectOneLineError(r, 2), args.join(' ')).toContain(expected)
    }
  })

  it('--kafka-config: a bad key or bad JSON is a one-line error naming the file; secrets are never echoed', () => {
    const typo = writeFixture(dir, 'typo.json', JSON.stringify({ sasl: { mechanism: 'plain', username: 'ann', pasword: 'hunter2' } }))
    const r = runCli(['data', 'inspect', '--topic', 't', '--brokers', brokers, '--kafka-config', typo])
    expect(expectOneLineError(r, 1)).toBe(`Error: ${typo}: unknown key "sasl.pasword" (allowed: mechanism, username, password)`)

    const broken = writeFixture(dir, 'broken.json', '{\n  "sasl": {"mechanism": "plain", "username": "ann", "password": "hunter2" x}\n}\n')
    const b = runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', 't', '--brokers', brokers, '--kafka-config', broken])
    const line = expectOneLineError(b, 1)
    expect(line).toContain(`${broken}:2:`)
    expect(line).toContain('not valid JSON')
    expect(line).not.toContain('hunter2')

    const json = runCli(['data', 'inspect', '--topic', 't', '--brokers', brokers, '--kafka-config', typo, '--json'])
    expect(json.status).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: `${typo}: unknown key "sasl.pasword" (allowed: mechanism, username, password)`, kind: 'KafkaConfigError', exitCode: 1 } })
  })

  it('--kafka-config with TLS or a SASL login against the plaintext port: an error that says so, not "unreachable"', () => {
    const tls = writeFixture(dir, 'tls.json', JSON.stringify({ ssl: true }))
    const t = runCli(['data', 'inspect', '--topic', 't', '--brokers', brokers, '--kafka-config', tls], { timeoutMs: 60_000 })
    expect(expectOneLineError(t, 1)).toBe(`Error: Kafka at ${brokers} reset the TLS connection (ECONNRESET): if that port is plaintext, remove "ssl" from ${tls}, or use the broker's TLS listener`)
    const sasl = writeFixture(dir, 'sasl.json', JSON.stringify({ sasl: { mechanism: 'plain', username: 'ann', password: 'hunter2' } }))
    const l = runCli(['data', 'inspect', '--topic', 't', '--brokers', brokers, '--kafka-config', sasl], { timeoutMs: 60_000 })
    const line = expectOneLineError(l, 1)
    expect(line).toMatch(new RegExp(`^Error: Kafka at ${brokers.replace(/\./g, '\\.')} does not take (a SASL login on this port|the SASL mechanism plain) \\(`))
    expect(line).not.toContain('hunter2')
  }, 90_000)

  it('topic load: --key must be a column', () => {
    const r = runCli(['topic', 'load', 'examples/car-sensors.csv', '--topic', freshTopic('key'), '--brokers', brokers, '--key', 'vin'])
    expect(expectOneLineError(r, 2)).toContain('--key: column "vin" is not in examples/car-sensors.csv')
  })
})
