// `mlkafka serve` throughput and latency on a real broker, against a pass-through run of the same stream
// processor (same consumer, producer, batching, acks and commits; messages copied instead of decoded
// and scored). Uses KAFKA_BROKERS, or starts a local broker (scripts/kafka/broker.mjs) and stops it after.
// Each run scores the same input topic from the start with a fresh group; the clock runs from the first
// batch's start to the acknowledgement of the last message (group join and start-up excluded).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url).pathname
const dist = (path) => import(new URL(`../../dist/src/${path}`, import.meta.url).href)

/** Trains the two models the suite scores with: the test suite's quick search winner, and a default random forest. */
function trainModels(dir) {
  const train = (name, families, trials) => {
    const out = join(dir, name)
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'automl', 'train', '--csv', join(ROOT, 'examples/car-sensors.csv'), '--target', 'failure', '--families', families, '--max-trials', String(trials), '--folds', '2', '--seed', '1', '--json', '--out', out], { encoding: 'utf8', env: { ...process.env, CI: 'true' } })
    if (r.status !== 0) throw new Error(`automl train failed: ${r.stderr}`)
    return JSON.parse(r.stdout).winner.modelPath
  }
  return [
    { label: 'quick search winner', file: train('quick', 'decision_tree,logistic_regression', 2) },
    { label: 'random forest (100 trees)', file: train('forest', 'random_forest', 1) },
  ]
}

async function fillInputTopic(client, topic, messages, partitions) {
  const lines = readFileSync(join(ROOT, 'examples/car-sensors.csv'), 'utf8').trimEnd().split('\n')
  const header = lines[0].split(',')
  const { readCsv } = await dist('data/csv.js')
  const { JsonRowEncoder } = await dist('data/json-rows.js')
  const table = await readCsv(join(ROOT, 'examples/car-sensors.csv'))
  const encoder = new JsonRowEncoder(table)
  const carId = header.indexOf('car_id')
  await client.createTopicIfMissing(topic, partitions)
  const producer = await client.openProducer()
  try {
    for (let i = 0; i < messages; i += 500) {
      const batch = []
      for (let j = i; j < Math.min(messages, i + 500); j++) {
        const row = j % table.nRows
        batch.push({ key: lines[row + 1].split(',')[carId], value: encoder.encode(row) })
      }
      await producer.send(topic, batch)
    }
  } finally {
    await producer.close()
  }
}

/** CPU seconds of this process's main thread (the one running the Kafka client), from /proc; null elsewhere. */
function mainThreadCpuSeconds() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return null
  }
}

const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p * s.length) / 100) - 1))]
}
const median = (values) => percentile(values, 50)
const round = (v, d = 1) => (v === null || v === undefined ? null : Number(v.toFixed(d)))

/** One run over the whole input topic; resolves with its throughput and latencies. */
async function runOnce({ client, ir, inputTopic, messages, passthrough, workers, runTag }) {
  const { runStreamScorer } = await dist('serve/stream-scorer.js')
  const stop = new AbortController()
  const batchMs = []
  let firstStart = null
  let handled = 0
  let finishedAt = null
  let cpuFrom = null
  let cpuTo = null
  let finish
  const done = new Promise((resolve) => (finish = resolve))
  const running = runStreamScorer(
    {
      client,
      ir,
      inputTopic,
      outputTopic: `${inputTopic}.out-${runTag}`,
      dlqTopic: `${inputTopic}.dlq-${runTag}`,
      groupId: `${inputTopic}-group-${runTag}`,
      metricsIntervalMs: 3_600_000,
      fromBeginning: true,
      passthrough,
      workers,
      log: () => {},
      onBatch: ({ messages: n, ms }) => {
        const now = performance.now()
        if (firstStart === null) {
          firstStart = now - ms
          cpuFrom = { main: mainThreadCpuSeconds(), process: process.cpuUsage(), handled: n }
        }
        batchMs.push(ms)
        handled += n
        if (handled >= messages && finishedAt === null) {
          finishedAt = now
          cpuTo = { main: mainThreadCpuSeconds(), process: process.cpuUsage(cpuFrom.process) }
          finish()
        }
      },
    },
    stop.signal,
  )
  running.catch(() => finish())
  let timer
  await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 300_000)))])
  clearTimeout(timer)
  stop.abort()
  const summary = await running
  if (finishedAt === null) throw new Error(`serve bench: only ${handled} of ${messages} messages handled`)
  const seconds = (finishedAt - firstStart) / 1000
  const counted = messages - cpuFrom.handled
  return {
    mainThreadCpuUsPerMessage: cpuFrom.main === null ? null : ((cpuTo.main - cpuFrom.main) * 1e6) / counted,
    processCpuUsPerMessage: (cpuTo.process.user + cpuTo.process.system) / counted,
    messagesPerSecond: messages / seconds,
    seconds,
    batchMsP50: percentile(batchMs, 50),
    batchMsP99: percentile(batchMs, 99),
    batches: batchMs.length,
    scoreUsP50: summary.latencyUs?.p50 ?? null,
    scoreUsP99: summary.latencyUs?.p99 ?? null,
  }
}

export async function run({ messages = 50_000, partitions = 3, rounds = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mlkafka-bench-serve-'))
  let broker = null
  let brokers = process.env.KAFKA_BROKERS?.trim()
  if (!brokers) {
    const { startBroker } = await import(new URL('../../scripts/kafka/broker.mjs', import.meta.url).href)
    broker = await startBroker({ port: 0, detached: false })
    brokers = broker.brokers
  }
  const { createKafkaClient } = await dist('kafka/client.js')
  const { loadModel } = await dist('ir/io.js')
  const client = await createKafkaClient({ brokers, log: () => {} })
  try {
    const models = trainModels(dir)
    const inputTopic = `mlkafka-bench-serve-${Date.now().toString(36)}`
    await fillInputTopic(client, inputTopic, messages, partitions)
    const modes = [{ name: 'pass-through', ir: await loadModel(models[0].file), passthrough: true, workers: 0 }]
    for (const m of models) {
      const ir = await loadModel(m.file)
      // --workers 1 (the default: scoring beside the Kafka thread) and --workers 0 (on it).
      for (const workers of [1, 0]) modes.push({ name: `${m.label}: ${ir.modelId}, --workers ${workers}`, ir, passthrough: false, workers })
    }
    const results = new Map(modes.map((m) => [m.name, []]))
    // Rounds interleave the modes, so a slow moment on a shared machine hits them alike.
    for (let r = 0; r < rounds; r++) {
      for (const [i, mode] of modes.entries()) {
        results.get(mode.name).push(await runOnce({ client, ir: mode.ir, inputTopic, messages, passthrough: mode.passthrough, workers: mode.workers, runTag: `${r}-${i}` }))
      }
    }
    const summarize = (runs) => ({
      messagesPerSecond: Math.round(median(runs.map((x) => x.messagesPerSecond))),
      runsMessagesPerSecond: runs.map((x) => Math.round(x.messagesPerSecond)),
      batchMsP50: round(median(runs.map((x) => x.batchMsP50))),
      batchMsP99: round(median(runs.map((x) => x.batchMsP99))),
      scoreUsP50: runs[0].scoreUsP50 === null ? null : round(median(runs.map((x) => x.scoreUsP50))),
      scoreUsP99: runs[0].scoreUsP99 === null ? null : round(median(runs.map((x) => x.scoreUsP99))),
      mainThreadCpuUsPerMessage: runs[0].mainThreadCpuUsPerMessage === null ? null : round(median(runs.map((x) => x.mainThreadCpuUsPerMessage))),
      processCpuUsPerMessage: round(median(runs.map((x) => x.processCpuUsPerMessage))),
    })
    const base = summarize(results.get('pass-through'))
    return modes.map((mode) => {
      const s = mode.passthrough ? base : summarize(results.get(mode.name))
      const ratio = s.messagesPerSecond / base.messagesPerSecond
      return {
        name: mode.passthrough ? 'serve pass-through (baseline)' : `serve ${mode.name}`,
        messages,
        partitions,
        rounds,
        ...s,
        ...(mode.passthrough
          ? {}
          : {
              ratioToPassthrough: round(ratio, 3),
              // What the ratio becomes when the Kafka thread is the bottleneck (scoring threads on their own cores).
              mainThreadCpuRatio: s.mainThreadCpuUsPerMessage && base.mainThreadCpuUsPerMessage ? round(base.mainThreadCpuUsPerMessage / s.mainThreadCpuUsPerMessage, 3) : null,
              goalRatio: 0.9,
              pass: ratio >= 0.9,
            }),
      }
    })
  } finally {
    await client.close()
    if (broker) await broker.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

// `node bench/suites/serve.mjs [messages]`: this suite alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run(process.argv[2] ? { messages: Number(process.argv[2]) } : {})
  for (const r of rows) console.log(JSON.stringify(r))
}
