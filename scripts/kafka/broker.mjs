#!/usr/bin/env node
// Local single-node Apache Kafka broker for mlkafka's integration tests and for users.
//
//   npm run kafka:up      # node scripts/kafka/broker.mjs up
//   npm run kafka:down    # node scripts/kafka/broker.mjs down
//   node scripts/kafka/broker.mjs status | fetch
//
// What it runs: the official Apache Kafka broker (org.apache.kafka:kafka_2.13 from
// Maven Central) in KRaft mode, one JVM acting as broker AND controller
// (process.roles=broker,controller), listening on 127.0.0.1 only. No Docker, no
// Kafka tarball: the jars are resolved by Maven with scripts/kafka/pom.xml
// (`mvn -q -B -f scripts/kafka/pom.xml dependency:copy-dependencies`), copied once
// into a cache directory and reused afterwards.
//
// Requirements: Java 17+ (`java` on PATH, or JAVA_HOME) always; Maven (`mvn` on
// PATH) only for the first fetch of the jars. If you already have a Kafka
// cluster, set KAFKA_BROKERS=host:port and none of this is needed.
//
// Environment:
//   KAFKA_PORT            port of the PLAINTEXT listener for `up` (default 9092)
//   MLKAFKA_CACHE_DIR     cache root (default ~/.cache/mlkafka); the jars go to
//                         <root>/kafka-<version>/libs, the `up` state to <root>/broker.json
//   MLKAFKA_KAFKA_VERSION Kafka version to fetch and run (default 4.4.0; 3.9.x works too)
//   KAFKA_HEAP_OPTS       JVM heap flags (default "-Xms64m -Xmx512m": the machine is shared)
//   KAFKA_OPTS            extra JVM flags
//
// Layout of a broker's data dir (a fresh temp dir, removed again by stop()/down):
//   server.properties, log4j2.properties, broker.log (all broker output: the
//   JVM's stdout/stderr and log4j2's console appender), kraft-logs/ (log.dirs).
//
// Library use (see broker.d.mts for types):
//   import { startBroker } from './scripts/kafka/broker.mjs'
//   const broker = await startBroker({ port: 0 })  // port 0: pick a free port
//   ... use broker.brokers ('127.0.0.1:<port>') ...
//   await broker.stop()
// A start formats the storage (kafka.tools.StorageTool format --standalone, i.e.
// `kafka-storage format`), launches `java -cp '<libs>/*' kafka.Kafka server.properties`
// and waits (60 s max) until the port answers a real Kafka ApiVersions request
// and the log says "Kafka Server started".
//
// Why Kafka 4.4.0 (no fallback needed): kafkajs 2.2.4, the project's client, was
// checked against a 4.4.0 broker started by this script with a real round trip:
// admin.createTopics (3 partitions), producer.send of 100 messages (+ a gzip batch),
// a consumer group (groupId) reading all of them with auto-commit, an explicit
// consumer.commitOffsets, admin.fetchTopicOffsets, admin.fetchTopicOffsetsByTimestamp,
// admin.fetchOffsets (group offsets), describeGroups, listGroups, describeConfigs,
// createPartitions, resetOffsets, deleteGroups, deleteTopics and a transactional
// producer: all passed. Kafka 4 removed old protocol versions (KIP-896), but kafkajs
// picks the highest version both sides support (from ApiVersions), and its highest
// versions are all still served by 4.4.0 (kafkajs max -> broker range):
//   Produce 7 -> 3..13, Fetch 11 -> 4..18, ListOffsets 3 -> 1..11, Metadata 6 -> 0..13,
//   OffsetCommit 5 -> 2..10, OffsetFetch 3 -> 1..10, JoinGroup 5 -> 0..9,
//   CreateTopics 3 -> 2..7, DescribeConfigs 2 -> 1..4, InitProducerId 1 -> 0..5.
// kafkajs uses the classic group protocol, which Kafka 4 still enables by default.
// Expect kafkajs to log a few retriable ERROR lines on the first group/transaction
// ("The group coordinator is not available", "The coordinator is loading") while the
// broker creates __consumer_offsets / __transaction_state; the calls then succeed.
// MLKAFKA_KAFKA_VERSION=3.9.1 was checked the same way and works too (static quorum).
//
// Logging: kafka_2.13's POM brings slf4j-api 1.7 and log4j-core/api but no slf4j
// binding, so without the extra log4j-slf4j-impl dependency in pom.xml the broker
// would log nothing ("SLF4J: Defaulting to no-operation (NOP) logger").
//
// Errors from the CLI are one line on stderr and exit code 1.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const POM = path.join(HERE, 'pom.xml');

export const DEFAULT_KAFKA_VERSION = '4.4.0';
export const KAFKA_VERSION = process.env.MLKAFKA_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const HOST = '127.0.0.1';

/** Error whose message is meant for people; `code` tells callers what kind it is. */
export class KafkaBrokerError extends Error {
  constructor(message, code = 'ERR_MLKAFKA_BROKER', details = undefined) {
    super(message);
    this.name = 'KafkaBrokerError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}
/** A tool (java, mvn) is missing: callers may skip Kafka tests instead of failing. */
export const MISSING_TOOL = 'ERR_MLKAFKA_MISSING_TOOL';

export function cacheRoot() {
  return process.env.MLKAFKA_CACHE_DIR || path.join(os.homedir(), '.cache', 'mlkafka');
}
export function libsDir(version = KAFKA_VERSION) {
  return path.join(cacheRoot(), `kafka-${version}`, 'libs');
}
export function stateFile() {
  return path.join(cacheRoot(), 'broker.json');
}

// ---------------------------------------------------------------- prerequisites

function findOnPath(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function minJava(version) {
  return Number(version.split('.')[0]) >= 4 ? 17 : 11;
}

function javaMissing(version, why) {
  const need = minJava(version);
  return new KafkaBrokerError(
    `Java ${need}+ is required to run the local Kafka broker${why ? ` (${why})` : ''}: ` +
      `install openjdk-17-jre-headless (apt-get install openjdk-17-jre-headless) ` +
      `or set KAFKA_BROKERS to an existing cluster`,
    MISSING_TOOL,
  );
}

/** Path of a usable `java` (JAVA_HOME first, then PATH); throws a one-line error otherwise. */
export function findJava(version = KAFKA_VERSION) {
  const fromHome = process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java');
  const java = fromHome && fs.existsSync(fromHome) ? fromHome : findOnPath('java');
  if (!java) throw javaMissing(version, '`java` not found on PATH');
  const r = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) throw javaMissing(version, `could not run ${java} -version`);
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  if (major < minJava(version)) throw javaMissing(version, `found Java ${major} at ${java}`);
  return java;
}

export function findMaven() {
  const mvn = findOnPath('mvn');
  if (!mvn) {
    throw new KafkaBrokerError(
      'Maven is required once to fetch the Kafka jars from Maven Central: install maven ' +
        '(apt-get install maven) or set KAFKA_BROKERS to an existing cluster',
      MISSING_TOOL,
    );
  }
  return mvn;
}

/**
 * Check what a start needs, without starting anything.
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function checkPrerequisites(version = KAFKA_VERSION) {
  try {
    findJava(version);
    if (!isFetched(version)) findMaven();
    return { ok: true };
  } catch (err) {
    if (err?.code === MISSING_TOOL) return { ok: false, reason: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------- jars

function isFetched(version) {
  return fs.existsSync(path.join(libsDir(version), '.complete'));
}

/**
 * Make sure the broker jars of `version` are in the cache; fetch them with Maven if not.
 * @returns {Promise<{ libs: string, fetched: boolean, ms: number }>}
 */
export async function ensureJars(version = KAFKA_VERSION) {
  const libs = libsDir(version);
  if (isFetched(version)) return { libs, fetched: false, ms: 0 };
  const mvn = findMaven();
  findJava(version); // Maven needs it too; say so clearly
  const t0 = Date.now();
  const parent = path.dirname(libs);
  await fsp.mkdir(parent, { recursive: true });
  // Fetch into a private dir, then rename: two concurrent first runs cannot see half a cache.
  const tmp = await fsp.mkdtemp(path.join(parent, 'libs.tmp-'));
  const args = [
    '-q', '-B', '-Dstyle.color=never',
    '-f', POM,
    `-Dkafka.version=${version}`,
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmp}`,
  ];
  const out = await run(mvn, args);
  if (out.code !== 0) {
    await fsp.rm(tmp, { recursive: true, force: true });
    const text = out.output.replace(/\x1b\[[0-9;]*m/g, '');
    // Maven's first [ERROR] line says what went wrong; the rest is boilerplate.
    const first = text.split('\n').find((l) => /^\[ERROR\]\s+\S/.test(l)) ?? lastLines(text, 1);
    throw new KafkaBrokerError(
      `Could not fetch Kafka ${version} jars with Maven (mvn exited ${out.code}; ` +
        `is Maven Central reachable?): ${first.replace(/^\[ERROR\]\s*/, '').trim().slice(0, 300) || 'no output'}`,
    );
  }
  await fsp.writeFile(path.join(tmp, '.complete'), `org.apache.kafka:kafka_2.13:${version}\n`);
  try {
    if (isFetched(version)) throw new Error('fetched meanwhile by another process');
    await fsp.rm(libs, { recursive: true, force: true }); // a stale, incomplete one
    await fsp.rename(tmp, libs);
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    if (!isFetched(version)) throw err; // someone else won the race: fine
  }
  return { libs, fetched: true, ms: Date.now() - t0 };
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ code: -1, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

function lastLines(text, n) {
  return text.split('\n').filter((l) => l.trim()).slice(-n).join('\n');
}

// ---------------------------------------------------------------- ports

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', (err) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new KafkaBrokerError(
            `Port ${port} on ${HOST} is already in use (a Kafka broker already running? ` +
              `stop it with: npm run kafka:down, or pick another port with KAFKA_PORT)`,
            'ERR_MLKAFKA_PORT_IN_USE',
          ),
        );
      } else reject(err);
    });
    srv.listen(port, HOST, () => srv.close(() => resolve()));
  });
}

// ---------------------------------------------------------------- config

/** A Kafka cluster id: 16 random bytes, base64url without padding (like `kafka-storage random-uuid`). */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties({ version, port, controllerPort, logDirs }) {
  const major = Number(version.split('.')[0]);
  const quorum =
    major >= 4
      ? // Kafka 4 quickstart: dynamic quorum, formatted with --standalone (KIP-853).
        [`controller.quorum.bootstrap.servers=${HOST}:${controllerPort}`]
      : // Kafka 3.x: static quorum.
        [`controller.quorum.voters=1@${HOST}:${controllerPort}`];
  return [
    '# Written by mlkafka scripts/kafka/broker.mjs: single-node KRaft broker+controller for tests.',
    'process.roles=broker,controller',
    'node.id=1',
    ...quorum,
    `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${port}` +
      (major >= 4 ? `,CONTROLLER://${HOST}:${controllerPort}` : ''),
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDirs}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    // Internal topics: one replica, one partition (faster first group join / transaction).
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    ...(major >= 4
      ? [
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          'share.coordinator.state.topic.num.partitions=1',
        ]
      : []),
    'group.initial.rebalance.delay.ms=0',
    // Small footprint: the machine is shared.
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'log.cleaner.threads=1',
    'log.cleaner.dedupe.buffer.size=8388608',
    '',
  ].join('\n');
}

const LOG4J2 = `# Written by mlkafka scripts/kafka/broker.mjs: everything to stdout (= broker.log).
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
`;

function jvmArgs(dataDir) {
  const split = (s) => (s || '').split(/\s+/).filter(Boolean);
  return [
    ...split(process.env.KAFKA_HEAP_OPTS || '-Xms64m -Xmx512m'),
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xss512k',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(dataDir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${dataDir}`,
    ...split(process.env.KAFKA_OPTS),
  ];
}

// ---------------------------------------------------------------- readiness

/** Send a Kafka ApiVersions v0 request; resolves true if the broker answers with error 0. */
export function probeKafka(port, host = HOST, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const clientId = Buffer.from('mlkafka-probe');
    const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    let o = 0;
    o = req.writeInt32BE(req.length - 4, o);
    o = req.writeInt16BE(18, o); // ApiVersions
    o = req.writeInt16BE(0, o); // v0
    o = req.writeInt32BE(4242, o); // correlation id
    o = req.writeInt16BE(clientId.length, o);
    clientId.copy(req, o);
    let buf = Buffer.alloc(0);
    let done = false;
    const sock = net.connect({ port, host });
    const finish = (ok) => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on('connect', () => sock.write(req));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 10) return;
      finish(buf.readInt32BE(4) === 4242 && buf.readInt16BE(8) === 0);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const STARTED_RE = /Kafka Server started|Transition from STARTING to STARTED/;

function readTail(file, n = 25) {
  try {
    return lastLines(fs.readFileSync(file, 'utf8'), n);
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- processes

function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    // A zombie (exited but not reaped yet) counts as gone.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** True if `pid` is alive and is our Kafka JVM (guards against a reused pid). */
function isOurBroker(pid, dataDir) {
  if (!isAlive(pid)) return false;
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('kafka.Kafka') && (!dataDir || cmd.includes(dataDir));
  } catch {
    return true; // no /proc (not Linux): trust the pid
  }
}

async function waitForExit(pid, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child ? child.exitCode !== null || child.signalCode !== null : !isAlive(pid)) return true;
    await sleep(100);
  }
  return false;
}

/**
 * Stop a broker started by startBroker() (or described by the `up` state file):
 * SIGTERM, wait up to 15 s, then SIGKILL; then remove its data dir.
 * @param {{ pid: number, dataDir?: string, child?: import('node:child_process').ChildProcess }} broker
 */
export async function stopBroker({ pid, dataDir, child } = {}) {
  if (pid && (child ? child.exitCode === null && child.signalCode === null : isOurBroker(pid, dataDir))) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    if (!(await waitForExit(pid, child, STOP_GRACE_MS))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      if (!(await waitForExit(pid, child, 5_000))) {
        throw new KafkaBrokerError(`Kafka broker (pid ${pid}) did not exit after SIGKILL`);
      }
    }
  }
  if (dataDir) await fsp.rm(dataDir, { recursive: true, force: true });
}

/**
 * Start a single-node KRaft Kafka broker on 127.0.0.1.
 * @param {{ port?: number, dataDir?: string, version?: string, detached?: boolean, readyTimeoutMs?: number }} [opts]
 *   port: PLAINTEXT port (default $KAFKA_PORT or 9092; 0 = any free port).
 *   dataDir: empty or missing dir to use (default: a fresh temp dir); removed by stop().
 *   detached: run the JVM in its own session so it survives this process and its
 *   terminal (default true; pass false to let Ctrl-C on the parent reach it too).
 */
export async function startBroker({
  port = Number(process.env.KAFKA_PORT ?? 9092),
  dataDir,
  version = KAFKA_VERSION,
  detached = true,
  readyTimeoutMs = READY_TIMEOUT_MS,
} = {}) {
  const java = findJava(version);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KafkaBrokerError(`Invalid Kafka port: ${port}`);
  }
  if (port === 0) port = await freePort();
  else await assertPortFree(port);
  const { libs } = await ensureJars(version);

  if (dataDir) {
    dataDir = path.resolve(dataDir);
    await fsp.mkdir(dataDir, { recursive: true });
    if ((await fsp.readdir(dataDir)).length > 0) {
      throw new KafkaBrokerError(`Kafka data dir ${dataDir} is not empty (it is wiped on stop, so give an empty one)`);
    }
  } else {
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mlkafka-kafka-'));
  }
  const logFile = path.join(dataDir, 'broker.log');
  const propsFile = path.join(dataDir, 'server.properties');
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  const fail = async (message, pid, child) => {
    const tail = readTail(logFile);
    let kept = '';
    try {
      kept = path.join(cacheRoot(), 'last-failed-broker.log');
      await fsp.mkdir(cacheRoot(), { recursive: true });
      await fsp.copyFile(logFile, kept);
    } catch {
      kept = '';
    }
    await stopBroker({ pid, dataDir, child }).catch(() => {});
    const lastLine = tail.split('\n').pop()?.trim().slice(0, 200);
    return new KafkaBrokerError(
      `${message}${lastLine ? `; last log line: ${lastLine}` : ''}${kept ? ` (full log: ${kept})` : ''}` +
        (tail ? `\n--- last lines of the broker log ---\n${tail}` : ''),
      'ERR_MLKAFKA_BROKER_START',
      { logTail: tail, log: kept || undefined },
    );
  };

  await fsp.writeFile(
    propsFile,
    serverProperties({ version, port, controllerPort, logDirs: path.join(dataDir, 'kraft-logs') }),
  );
  await fsp.writeFile(path.join(dataDir, 'log4j2.properties'), LOG4J2);

  // Format the storage (`kafka-storage format -t <id> -c server.properties [--standalone]`).
  const major = Number(version.split('.')[0]);
  const fmt = await run(java, [
    ...jvmArgs(dataDir).filter((a) => !a.startsWith('-Xms')),
    '-cp', path.join(libs, '*'),
    'kafka.tools.StorageTool', 'format',
    '-t', randomClusterId(),
    '-c', propsFile,
    ...(major >= 4 ? ['--standalone'] : []),
  ]);
  await fsp.writeFile(logFile, `$ kafka-storage format\n${fmt.output}\n`);
  if (fmt.code !== 0) throw await fail(`Formatting the Kafka storage failed (exit ${fmt.code})`);

  const fd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(java, [...jvmArgs(dataDir), '-cp', path.join(libs, '*'), 'kafka.Kafka', propsFile], {
      cwd: dataDir,
      detached,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  let spawnError;
  child.on('error', (err) => (spawnError = err));
  child.unref();
  const pid = child.pid;

  const deadline = Date.now() + readyTimeoutMs;
  let probesOk = 0;
  for (;;) {
    if (spawnError) throw await fail(`Could not launch ${java}: ${spawnError.message}`, pid, child);
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
      throw await fail(`Kafka broker exited during startup (${how})`, pid, child);
    }
    if (await probeKafka(port)) {
      probesOk += 1;
      // Ready: answers ApiVersions and has logged its start (or keeps answering for 2 s).
      if (STARTED_RE.test(readTail(logFile, 400)) || probesOk >= 8) break;
    }
    if (Date.now() > deadline) {
      throw await fail(`Kafka broker did not become ready on ${HOST}:${port} within ${Math.round(readyTimeoutMs / 1000)} s`, pid, child);
    }
    await sleep(250);
  }

  const broker = {
    brokers: `${HOST}:${port}`,
    port,
    pid,
    dataDir,
    logFile,
    version,
    stop: () => stopBroker({ pid, dataDir, child }),
  };
  return broker;
}

// ---------------------------------------------------------------- CLI

function readState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile(), 'utf8'));
  } catch {
    return undefined;
  }
}

async function cli(cmd) {
  switch (cmd) {
    case 'up': {
      const st = readState();
      if (st && isOurBroker(st.pid, st.dataDir)) {
        console.log(`Kafka ${st.version} broker already running at ${st.brokers} (pid ${st.pid}, logs: ${st.logFile}).`);
        return;
      }
      if (st) await stopBroker({ dataDir: st.dataDir }).finally(() => fsp.rm(stateFile(), { force: true }));
      if (!isFetched(KAFKA_VERSION)) {
        console.log(`Fetching Kafka ${KAFKA_VERSION} jars with Maven into ${libsDir()} (first run only)...`);
      }
      const b = await startBroker({ detached: true });
      const state = { pid: b.pid, port: b.port, brokers: b.brokers, dataDir: b.dataDir, logFile: b.logFile, version: b.version, startedAt: new Date().toISOString() };
      await fsp.mkdir(cacheRoot(), { recursive: true });
      await fsp.writeFile(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
      console.log(
        `Kafka ${b.version} broker running at ${b.brokers} (pid ${b.pid}, logs: ${b.logFile}). Stop it with: npm run kafka:down`,
      );
      return;
    }
    case 'down': {
      const st = readState();
      if (!st || !isOurBroker(st.pid, st.dataDir)) {
        if (st) {
          await fsp.rm(st.dataDir, { recursive: true, force: true }).catch(() => {});
          await fsp.rm(stateFile(), { force: true });
        }
        console.log('No Kafka broker running (nothing started with npm run kafka:up).');
        return;
      }
      await stopBroker(st);
      await fsp.rm(stateFile(), { force: true });
      console.log(`Kafka broker at ${st.brokers} (pid ${st.pid}) stopped.`);
      return;
    }
    case 'status': {
      const st = readState();
      if (st && isOurBroker(st.pid, st.dataDir)) {
        const ok = await probeKafka(st.port);
        console.log(`Kafka ${st.version} broker at ${st.brokers} (pid ${st.pid}) is ${ok ? 'up' : 'not answering'}; logs: ${st.logFile}`);
        if (!ok) process.exitCode = 1;
      } else {
        console.log('No Kafka broker running.');
        process.exitCode = 1;
      }
      return;
    }
    case 'fetch': {
      const r = await ensureJars();
      console.log(
        r.fetched
          ? `Fetched Kafka ${KAFKA_VERSION} jars into ${r.libs} in ${(r.ms / 1000).toFixed(1)} s.`
          : `Kafka ${KAFKA_VERSION} jars already in ${r.libs}.`,
      );
      return;
    }
    default:
      throw new KafkaBrokerError(`Usage: node scripts/kafka/broker.mjs up|down|status|fetch (got: ${cmd ?? 'nothing'})`);
  }
}

function isMain() {
  try {
    return !!process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isMain()) {
  cli(process.argv[2]).catch((err) => {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${msg.split('\n')[0]}\n`);
    process.exit(1);
  });
}
