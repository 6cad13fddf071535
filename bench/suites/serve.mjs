// `mlkafka serve` throughput and latency on a real broker, against a pass-through run of the same stream
// processor (same consumer, producer, batching, acks and commits; messages copied instead of decoded
// and scored). Uses KAFKA_BROKERS, or starts a local broker (scripts/kafka/broker.mjs) and stops it after.
// Each run scores the same input topic from the start with a fresh group; the clock runs from the first
// batch's start to the acknowledgement of the last message (group join and start-up excluded).
// Latency: each batch's ms from its hand-over to the acknowledgement of its last output, and each message's
// decode-and-score us. CPU per message (from /proc, Linux): the main thread (the Kafka client), the other
// threads (scoring worker, GC), the broker (when the suite started it), and how long the main thread waited
// for a core; otherLoadCores is the machine's busy cores that are neither this process nor the broker.
// cpuRatio and mainThreadCpuRatio bound the ratio to expect when every core is busy, and when only the
// main thread is.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
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

/** CPU seconds of a thread or process from its /proc stat file (utime + stime); null elsewhere. */
function cpuSeconds(statFile) {
  try {
    const fields = readFileSync(statFile, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // in USER_HZ (100 on Linux)
  } catch {
    return null
  }
}

/** Seconds the main thread (the one running the Kafka client) waited for a core while runnable; null elsewhere. */
function mainThreadWaitSeconds() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9
  } catch {
    return null
  }
}

/** Busy and total CPU time of the whole machine, in USER_HZ; null elsewhere. */
function machineTicks() {
  try {
    const t = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number)
    const total = t.reduce((a, b) => a + b, 0)
    return { busy: total - t[3] - t[4], total }
  } catch {
    return null
  }
}

/** The CPU counters one run reads before and after. */
function cpuCounters(brokerPid) {
  return {
    main: cpuSeconds(`/proc/self/task/${process.pid}/stat`),
    wait: mainThreadWaitSeconds(),
    process: process.cpuUsage(),
    broker: brokerPid ? cpuSeconds(`/proc/${brokerPid}/stat`) : null,
    machine: machineTicks(),
  }
}

const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p * s.length) / 100) - 1))]
}
const median = (values) => percentile(values, 50)
const round = (v, d = 1) => (v === null || v === undefined ? null : Number(v.toFixed(d)))

/** One run over the whole input topic; resolves with its throughput and latencies. */
async function runOnce({ client, ir, inputTopic, messages, passthrough, workers, runTag, brokerPid }) {
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
          cpuFrom = { ...cpuCounters(brokerPid), handled: n }
        }
        batchMs.push(ms)
        handled += n
        if (handled >= messages && finishedAt === null) {
          finishedAt = now
          cpuTo = cpuCounters(brokerPid)
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
  const perMessage = (from, to) => (from === null || to === null ? null : ((to - from) * 1e6) / counted)
  const processCpu = process.cpuUsage(cpuFrom.process)
  const processCpuUs = (processCpu.user + processCpu.system) / counted
  const mainUs = perMessage(cpuFrom.main, cpuTo.main)
  const brokerUs = perMessage(cpuFrom.broker, cpuTo.broker)
  const m0 = cpuFrom.machine
  const m1 = cpuTo.machine
  // Busy cores of the whole machine over the run, and those not ours (this process and the broker).
  const machineBusyCores = m0 && m1 ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * cpus().length : null
  const ourCores = ((processCpuUs + (brokerUs ?? 0)) * counted) / 1e6 / (seconds * (counted / messages))
  return {
    mainThreadCpuUsPerMessage: mainUs,
    otherThreadsCpuUsPerMessage: mainUs === null ? null : processCpuUs - mainUs,
    processCpuUsPerMessage: processCpuUs,
    brokerCpuUsPerMessage: brokerUs,
    mainThreadWaitUsPerMessage: perMessage(cpuFrom.wait, cpuTo.wait),
    otherLoadCores: machineBusyCores === null || brokerUs === null ? null : Math.max(0, machineBusyCores - ourCores),
    messagesPerSecond: messages / seconds,
    seconds,
    batchMsP50: percentile(batchMs, 50),
    batchMsP99: percentile(batchMs, 99),
    batches: batchMs.length,
    scoreUsP50: summary.latencyUs?.p50 ?? null,
    scoreUsP99: summary.latencyUs?.p99 ?? null,
  }
}

export async function run({ messages = 200_000, partitions = 3, rounds = 5 } = {}) {
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
        results.get(mode.name).push(await runOnce({ client, ir: mode.ir, inputTopic, messages, passthrough: mode.passthrough, workers: mode.workers, runTag: `${r}-${i}`, brokerPid: broker?.pid }))
      }
    }
    const med = (runs, key, digits = 1) => (runs.some((x) => x[key] === null) ? null : round(median(runs.map((x) => x[key])), digits))
    const summarize = (runs) => ({
      messagesPerSecond: Math.round(median(runs.map((x) => x.messagesPerSecond))),
      runsMessagesPerSecond: runs.map((x) => Math.round(x.messagesPerSecond)),
      batchMsP50: med(runs, 'batchMsP50'),
      batchMsP99: med(runs, 'batchMsP99'),
      scoreUsP50: med(runs, 'scoreUsP50'),
      scoreUsP99: med(runs, 'scoreUsP99'),
      mainThreadCpuUsPerMessage: med(runs, 'mainThreadCpuUsPerMessage'),
      otherThreadsCpuUsPerMessage: med(runs, 'otherThreadsCpuUsPerMessage'),
      processCpuUsPerMessage: med(runs, 'processCpuUsPerMessage'),
      brokerCpuUsPerMessage: med(runs, 'brokerCpuUsPerMessage'),
      mainThreadWaitUsPerMessage: med(runs, 'mainThreadWaitUsPerMessage'),
      otherLoadCores: med(runs, 'otherLoadCores', 2),
    })
    const baseRuns = results.get('pass-through')
    const base = summarize(baseRuns)
    const cpuPerMessage = (x) => (x.brokerCpuUsPerMessage === null ? null : x.processCpuUsPerMessage + x.brokerCpuUsPerMessage)
    return modes.map((mode) => {
      const runs = results.get(mode.name)
      const s = mode.passthrough ? base : summarize(runs)
      const ratio = s.messagesPerSecond / base.messagesPerSecond
      return {
        name: mode.passthrough ? 'serve pass-through (baseline)' : `serve ${mode.name}`,
        messages,
        partitions,
        rounds,
        ...s,
        ...(mode.passthrough
          ? { ratioToPassthrough: null, pairedRatioMedian: null, mainThreadCpuRatio: null, cpuRatio: null, goalRatio: null, pass: null }
          : {
              ratioToPassthrough: round(ratio, 3),
              // Each round's serve run against the pass-through run next to it: less hurt by a slow moment.
              pairedRatioMedian: round(median(runs.map((x, r) => x.messagesPerSecond / baseRuns[r].messagesPerSecond)), 3),
              // What the ratio becomes when the Kafka thread is the bottleneck (scoring threads on their own cores).
              mainThreadCpuRatio: s.mainThreadCpuUsPerMessage && base.mainThreadCpuUsPerMessage ? round(base.mainThreadCpuUsPerMessage / s.mainThreadCpuUsPerMessage, 3) : null,
              // ... and when every core is busy (this process and the broker): the ratio of CPU per message.
              cpuRatio: cpuPerMessage(s) && cpuPerMessage(base) ? round(cpuPerMessage(base) / cpuPerMessage(s), 3) : null,
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

// `node bench/suites/serve.mjs [messages [rounds]]`: this suite alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run({ ...(process.argv[2] ? { messages: Number(process.argv[2]) } : {}), ...(process.argv[3] ? { rounds: Number(process.argv[3]) } : {}) })
  for (const r of rows) console.log(JSON.stringify(r))
}
