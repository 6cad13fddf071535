/**
 * The one module around kafkajs: nothing else imports it (kafkajs is unmaintained; swapping the client
 * should touch this file only, and drop the replacements of kafkajs's internals it loads first:
 * crc32c.ts, message-grouping.ts, record-framing.ts). It turns the client's errors into one-line UserErrors, bounds how long
 * a connect may take, and routes the client's log to ours (src/kafka/log.ts).
 */
import { randomUUID } from 'node:crypto'
// First: they replace kafkajs's CRC-32C, its message grouping and put record framing before its record
// encoder, before kafkajs loads (see kafkajs-modules.ts).
import './crc32c.js'
import './message-grouping.js'
import './broker-connect.js'
import { RECORD_FIELDS, recordFramingInstalled } from './record-framing.js'
import { decodeRecordFields } from './record-fields.js'
import {
  AssignerProtocol,
  Kafka,
  logLevel,
  Partitioners,
  PartitionAssigners,
  type Admin,
  type Consumer,
  type GroupDescription,
  type KafkaConfig,
  type LogEntry,
  type Message,
  type PartitionAssigner,
  type Producer,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs'
import { UserError } from '../errors.js'
import { describeConnection, resolveConnectionSettings, type KafkaConnectionSettings } from './config.js'
import {
  KafkaAuthError,
  KafkaMessageTooLargeError,
  KafkaOperationError,
  KafkaUnreachableError,
  TopicNotFoundError,
  TopicReadStalledError,
} from './errors.js'
import { kafkaLogVerbosity, stderrKafkaLog, type KafkaLogEntry, type KafkaLogLevel } from './log.js'
import { AnswerWatch } from './answer-watch.js'

/** A connect gives up after this long, whatever the retries would still try. */
export const CONNECT_DEADLINE_MS = 10_000
/** A snapshot read with no progress for this long is stuck (a partition's data never arrives). */
export const SNAPSHOT_IDLE_TIMEOUT_MS = 30_000

/**
 * Few retries with a short backoff: about 9 s of retrying before an operation fails, instead of
 * kafkajs's default of minutes (and an idempotent producer's default of forever).
 */
const RETRY: RetryOptions = { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 }

/**
 * Round robin over each topic's subscribers only. kafkajs's own round robin deals the leader's topics to
 * every member, and a member drops what it did not subscribe to, while topics only other members read
 * are dealt to no one: of two serves of different topics that join one group at once (each saw it
 * empty; see groupTopics), one would read part of its topic and the other nothing. Offered before
 * kafkajs's, which a group with other kafkajs members (offering only that one) still agrees on.
 */
const subscribedRoundRobin: PartitionAssigner = ({ cluster }) => ({
  name: 'MlkafkaSubscribedRoundRobin',
  version: 0,
  // kafkajs passes the leader's own topics: the members' subscriptions say which topics there are.
  async assign({ members }) {
    const subscribers = new Map<string, string[]>()
    for (const m of members) {
      let subscribed: string[] = []
      try {
        subscribed = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []
      } catch {
        // unreadable metadata: the member gets nothing
      }
      for (const t of subscribed) subscribers.set(t, [...(subscribers.get(t) ?? []), m.memberId])
    }
    const topics = [...subscribers.keys()].sort()
    await cluster.addMultipleTargetTopics(topics) // metadata of the topics only other members read
    const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]))
    for (const topic of topics) {
      const ids = subscribers.get(topic)!.sort()
      const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((x, y) => x - y)
      partitions.forEach((p, i) => {
        const to = assignment.get(ids[i % ids.length])!
        ;(to[topic] ??= []).push(p)
      })
    }
    return [...assignment].map(([memberId, a]) => ({ memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: a, userData: Buffer.alloc(0) }) }))
  },
  protocol({ topics }) {
    return { name: 'MlkafkaSubscribedRoundRobin', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) }
  },
})

export interface PartitionOffsets {
  partition: number
  /** First offset still in the log. */
  low: number
  /** Offset the next message will get (the end of the log). */
  high: number
}

/** Offsets [start, end) of one partition. */
export interface OffsetRange {
  partition: number
  start: number
  end: number
}

/** Message headers; a name given more than once has an array of values. */
export type MessageHeaders = Record<string, string | Buffer | (string | Buffer)[]>

export interface TopicRecord {
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  /** Milliseconds since the epoch (producer or log-append time). */
  timestamp: number
  /** Set by the stream consumer (snapshot reads leave it out). */
  headers?: MessageHeaders
}

export interface ProducedMessage {
  key?: string | Buffer | null
  /** null produces a tombstone. */
  value: string | Buffer | null
  /**
   * The record's key, value and headers already encoded (record-fields.ts, written off this thread);
   * when set, `value` and `headers` are not read, and `key` only picks the partition.
   */
  fields?: Uint8Array
  /** The message's time (default: now, set by the producer). */
  timestamp?: Date
  headers?: MessageHeaders
  /** Pins the partition; by default the key picks it (murmur2, like the Java client). */
  partition?: number
}

/** Messages for one topic, as part of a multi-topic send. */
export interface TopicMessages {
  topic: string
  messages: ProducedMessage[]
}

/** A group's committed offset of one partition; null when the group has committed none there. */
export interface CommittedOffset {
  partition: number
  offset: number | null
}

export interface KafkaClientOptions {
  /** --brokers HOST:PORT[,HOST:PORT]; else KAFKA_BROKERS. */
  brokers?: string
  /** --kafka-config FILE (JSON). */
  kafkaConfig?: string
  /** Where the client's log lines go; stderr by default. */
  log?: (entry: KafkaLogEntry) => void
  env?: NodeJS.ProcessEnv
}

const LEVEL_NAMES: Record<number, KafkaLogLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
}

function rootCause(err: unknown): Error & { code?: string; type?: string; name: string } {
  let e = err as Error & { cause?: unknown; originalError?: unknown }
  for (let i = 0; i < 10; i++) {
    const next = e.cause ?? e.originalError
    if (!next || typeof next !== 'object') break
    e = next as typeof e
  }
  return e as Error & { code?: string; type?: string }
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ERR_OSSL/i
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET'])

/** Creates a client from the flags (and KAFKA_BROKERS); nothing connects until it is used. */
export async function createKafkaClient(options: KafkaClientOptions = {}): Promise<KafkaClient> {
  const settings = await resolveConnectionSettings({ brokers: options.brokers, kafkaConfig: options.kafkaConfig }, options.env)
  const log = options.log ?? stderrKafkaLog(kafkaLogVerbosity(options.env))
  log({ level: 'info', namespace: 'mlkafka', message: `connecting to ${describeConnection(settings)}` })
  return new KafkaClient(settings, log)
}

export class KafkaClient {
  readonly settings: KafkaConnectionSettings
  private readonly kafka: Kafka
  private admin: Admin | null = null
  private adminConnecting: Promise<Admin> | null = null
  private readonly open = new Set<{ disconnect(): Promise<void> }>()
  /** The last socket error code the client logged (ECONNREFUSED, ...), for the unreachable message. */
  private lastSocketCode: string | undefined
  /** Which brokers stopped answering this client's requests (timed out) and which answer again. */
  readonly answers = new AnswerWatch()

  constructor(settings: KafkaConnectionSettings, log: (entry: KafkaLogEntry) => void) {
    this.settings = settings
    const verbosity = kafkaLogVerbosity()
    const config: KafkaConfig = {
      brokers: settings.brokers,
      clientId: settings.clientId,
      connectionTimeout: settings.connectionTimeout,
      requestTimeout: settings.requestTimeout,
      retry: RETRY,
      logLevel: verbosity === 'debug' ? logLevel.DEBUG : verbosity === 'info' ? logLevel.INFO : logLevel.ERROR,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log
        if (entry.namespace === 'Connection') {
          const code = /\b(E[A-Z_]{3,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(message)?.[1]
          if (code) this.lastSocketCode = code
        }
        log({ level: LEVEL_NAMES[entry.level] ?? 'info', namespace: entry.namespace, message, extra })
      },
    }
    if (settings.ssl !== undefined) config.ssl = settings.ssl
    if (settings.sasl !== undefined) config.sasl = { ...settings.sasl } as SASLOptions
    this.kafka = new Kafka(config)
  }

  /** Feeds a consumer's, producer's or admin's request timeouts and answers to `answers`. */
  private watchAnswers(c: Admin | Producer | Consumer): void {
    // The three have the same two events under their own names; on() is typed per kind.
    type Listener = (e: { payload: { broker: string; apiName: string; sentAt: number } }) => void
    const on = (event: string, listener: Listener): void => void (c.on as unknown as (event: string, listener: Listener) => unknown).call(c, event, listener)
    on(c.events.REQUEST_TIMEOUT, (e) => this.answers.timedOut(e.payload.broker, e.payload.apiName, e.payload.sentAt))
    on(c.events.REQUEST, (e) => this.answers.answered(e.payload.broker))
  }

  /** Where and how this client connects, without secrets. */
  describeConnection(): string {
    return describeConnection(this.settings)
  }

  // ---------------------------------------------------------------- errors and connecting

  /** Any error from the client as a one-line UserError; `doing` says what we were doing. */
  toUserError(err: unknown, doing: string): Error {
    if (err instanceof UserError) return err
    if (notConnected(err)) return new KafkaUnreachableError(this.settings.brokers, this.lastSocketCode, { doing })
    const e = err as Error & { name?: string }
    if (!e || typeof e.name !== 'string' || !e.name.startsWith('KafkaJS')) return err as Error
    const root = rootCause(err)
    const brokers = this.settings.brokers.join(',')
    if (root.name === 'KafkaJSSASLAuthenticationError' || e.name === 'KafkaJSSASLAuthenticationError') {
      const sasl = this.settings.sasl
      return new KafkaAuthError(
        `Kafka at ${brokers} rejected the SASL ${sasl?.mechanism ?? ''} login${sasl ? ` of user "${sasl.username}"` : ''} (${oneLine(root.message)}): check "sasl" in ${this.settings.configFile ?? '--kafka-config'}`,
      )
    }
    const code = root.code ?? this.lastSocketCode
    if (code && TLS_CODES.test(code)) {
      return new KafkaAuthError(`TLS handshake with Kafka at ${brokers} failed (${code}): check "ssl" in ${this.settings.configFile ?? '--kafka-config'}`)
    }
    if (root.name === 'KafkaJSConnectionError' || root.name === 'KafkaJSConnectionClosedError' || (code && UNREACHABLE_CODES.has(code))) {
      return new KafkaUnreachableError(this.settings.brokers, code, { doing })
    }
    if (root.type === 'ILLEGAL_SASL_STATE' || root.type === 'UNSUPPORTED_SASL_MECHANISM') {
      return new KafkaAuthError(
        `Kafka at ${brokers} does not take ${root.type === 'ILLEGAL_SASL_STATE' ? 'a SASL login on this port' : `the SASL mechanism ${this.settings.sasl?.mechanism ?? ''}`} (${root.type}): use the broker's SASL listener and mechanism, or remove "sasl" from ${this.settings.configFile ?? '--kafka-config'}`,
      )
    }
    if (root.type && /AUTHORIZATION_FAILED/.test(root.type)) {
      return new KafkaAuthError(`Kafka at ${brokers} denied ${doing} (${root.type}): ask for the ACLs, or check the user in ${this.settings.configFile ?? '--kafka-config'}`)
    }
    const message = `Kafka error while ${doing}: ${oneLine(root.message)}${root.type ? ` (${root.type})` : ''}`
    return root.type === 'MESSAGE_TOO_LARGE' ? new KafkaMessageTooLargeError(message) : new KafkaOperationError(message)
  }

  /**
   * Runs a connect with the deadline; an unreachable cluster becomes KafkaUnreachableError with
   * the time it took. `disconnect` stops the client's own retries when the deadline wins.
   */
  private async connecting<T>(connect: Promise<T>, disconnect: () => Promise<void>, doing: string): Promise<T> {
    const t0 = Date.now()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('deadline')), CONNECT_DEADLINE_MS)
    })
    try {
      return await Promise.race([connect, deadline])
    } catch (err) {
      const seconds = Math.max(1, Math.round((Date.now() - t0) / 1000))
      connect.catch(() => {}) // settled later or never: not an unhandled rejection
      // Stop the client's retries, but do not wait on a broker that does not answer.
      await withinMs(disconnect(), 1000)
      const late = (err as Error).message === 'deadline'
      const mapped = late ? null : this.toUserError(err, doing)
      const code = late ? this.lastSocketCode : mapped instanceof KafkaUnreachableError ? mapped.code : undefined
      // A TLS client on a plaintext port: the broker drops the connection at the handshake.
      if (this.settings.ssl && code === 'ECONNRESET') {
        throw new KafkaAuthError(
          `Kafka at ${this.settings.brokers.join(',')} reset the TLS connection (ECONNRESET): if that port is plaintext, remove "ssl" from ${this.settings.configFile ?? '--kafka-config'}, or use the broker's TLS listener`,
        )
      }
      if (mapped === null || mapped instanceof KafkaUnreachableError) throw new KafkaUnreachableError(this.settings.brokers, code, { seconds })
      throw mapped
    } finally {
      clearTimeout(timer)
    }
  }

  private async getAdmin(): Promise<Admin> {
    if (this.admin) return this.admin
    if (!this.adminConnecting) {
      const admin = this.kafka.admin({ retry: RETRY })
      this.watchAnswers(admin)
      this.adminConnecting = this.connecting(admin.connect(), () => admin.disconnect(), 'connecting').then(
        () => {
          this.admin = admin
          this.open.add(admin)
          return admin
        },
        (err) => {
          this.adminConnecting = null
          throw err
        },
      )
    }
    return this.adminConnecting
  }

  /** Runs an admin call, its errors made one line. */
  private async withAdmin<T>(doing: string, call: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = await this.getAdmin()
    try {
      return await call(admin)
    } catch (err) {
      throw this.toUserError(err, doing)
    }
  }

  // ---------------------------------------------------------------- topics and offsets

  async topicExists(topic: string): Promise<boolean> {
    // listTopics asks for all topics: asking for the one topic would be retried as "unknown" for seconds.
    const topics = await this.withAdmin('listing topics', (admin) => admin.listTopics())
    return topics.includes(topic)
  }

  /** Number of partitions; TopicNotFoundError when the topic does not exist. */
  async partitionCount(topic: string): Promise<number> {
    if (!(await this.topicExists(topic))) throw new TopicNotFoundError(topic, this.settings.brokers)
    const meta = await this.withAdmin(`reading the metadata of topic ${topic}`, (admin) => admin.fetchTopicMetadata({ topics: [topic] }))
    return meta.topics[0].partitions.length
  }

  /** Creates the topic with `partitions` partitions unless it exists; says which and how many. */
  async createTopicIfMissing(topic: string, partitions: number): Promise<{ created: boolean; partitions: number }> {
    if (await this.topicExists(topic)) return { created: false, partitions: await this.partitionCount(topic) }
    const created = await this.withAdmin(`creating topic ${topic}`, (admin) =>
      admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }),
    )
    return { created, partitions: await this.partitionCount(topic) }
  }

  /**
   * The topics the consumer group's current members subscribe to (none for a group no one is in). A
   * member that joins a group whose members read other topics is dealt their partitions too, by the
   * group's leader, and does not read them (kafkajs drops them from its assignment): they would wait.
   */
  async groupTopics(groupId: string): Promise<string[]> {
    // Members' subscriptions are known only while the group is settled (not in a rebalance): a few tries.
    let group: GroupDescription | undefined
    for (let attempt = 0; attempt < 10; attempt++) {
      const { groups } = await this.withAdmin(`describing consumer group ${groupId}`, (admin) => admin.describeGroups([groupId]))
      group = groups[0]
      if (!group || ['Stable', 'Empty', 'Dead'].includes(group.state)) break
      await new Promise((r) => setTimeout(r, 500))
    }
    if (!group || group.protocolType !== 'consumer') return []
    const topics = new Set<string>()
    for (const member of group.members) {
      try {
        for (const t of AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.topics ?? []) topics.add(t)
      } catch {
        // Another client's metadata format: its topics are unknown.
      }
    }
    return [...topics].sort()
  }

  /** Low and high offsets of every partition, by partition number. */
  async fetchEndOffsets(topic: string): Promise<PartitionOffsets[]> {
    if (!(await this.topicExists(topic))) throw new TopicNotFoundError(topic, this.settings.brokers)
    const offsets = await this.withAdmin(`reading the offsets of topic ${topic}`, (admin) => admin.fetchTopicOffsets(topic))
    return offsets
      .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition)
  }

  /** Per partition, the first offset whose timestamp is at or after `time` (the end when none is). */
  async fetchOffsetsAt(topic: string, time: Date): Promise<{ partition: number; offset: number }[]> {
    if (!(await this.topicExists(topic))) throw new TopicNotFoundError(topic, this.settings.brokers)
    const offsets = await this.withAdmin(`looking up offsets by time in topic ${topic}`, (admin) =>
      admin.fetchTopicOffsetsByTimestamp(topic, time.getTime()),
    )
    return offsets.map((o) => ({ partition: o.partition, offset: Number(o.offset) })).sort((a, b) => a.partition - b.partition)
  }

  /** The offsets `groupId` has committed in `topic`, by partition number. */
  async fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]> {
    const res = await this.withAdmin(`reading the committed offsets of group ${groupId}`, (admin) => admin.fetchOffsets({ groupId, topics: [topic] }))
    const partitions = res.find((t) => t.topic === topic)?.partitions ?? []
    return partitions
      .map((p) => ({ partition: p.partition, offset: Number(p.offset) >= 0 ? Number(p.offset) : null }))
      .sort((a, b) => a.partition - b.partition)
  }

  // ---------------------------------------------------------------- producing

  /** A producer that waits for all in-sync replicas (acks all) and is idempotent. */
  async openProducer(): Promise<TopicProducer> {
    return new TopicProducer(await this.connectProducer(), this)
  }

  /** @internal for TopicProducer: a connected producer, closed with the client unless released. */
  async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: true,
      retry: RETRY,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner, // Java-compatible murmur2, the same as other clients
    })
    this.watchAnswers(producer)
    await this.connecting(producer.connect(), () => producer.disconnect(), 'connecting the producer')
    this.open.add(producer)
    return producer
  }

  /** @internal for TopicProducer: a producer it closes itself. */
  releaseProducer(producer: Producer): void {
    this.open.delete(producer)
  }

  // ---------------------------------------------------------------- consuming

  /**
   * Reads the offsets [start, end) of each partition and stops: later messages (a live topic) are
   * never waited for. Uses a throwaway consumer group that commits nothing and is deleted after.
   * `onRecords` gets each partition's records in offset order (partitions interleave).
   */
  async readRanges(
    topic: string,
    ranges: OffsetRange[],
    onRecords: (records: TopicRecord[]) => void,
    options: { idleTimeoutMs?: number } = {},
  ): Promise<void> {
    const pending = new Map<number, OffsetRange>()
    for (const r of ranges) if (r.end > r.start) pending.set(r.partition, r)
    if (pending.size === 0) return
    const idleTimeoutMs = options.idleTimeoutMs ?? SNAPSHOT_IDLE_TIMEOUT_MS
    const groupId = `mlkafka-snapshot-${randomUUID()}`
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250, // at the end of a partition, do not wait long for more
      retry: { ...RETRY, restartOnFailure: async () => false },
    })
    await this.connecting(consumer.connect(), () => consumer.disconnect(), 'connecting the consumer')
    this.open.add(consumer)
    const position = new Map<number, number>()
    let watchdog: NodeJS.Timeout | undefined
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await new Promise<void>((resolve, reject) => {
        let lastProgress = Date.now()
        const reached = (partition: number, lastOffset: number): void => {
          lastProgress = Date.now()
          position.set(partition, lastOffset + 1)
          const r = pending.get(partition)
          if (r && lastOffset >= r.end - 1) {
            pending.delete(partition)
            consumer.pause([{ topic, partitions: [partition] }])
            if (pending.size === 0) resolve()
          }
        }
        consumer.on(consumer.events.CRASH, (e) => reject(this.toUserError(e.payload.error, `reading topic ${topic}`)))
        // Also fires for batches that hold only control records or aborted messages (no eachBatch call).
        consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, Number(e.payload.lastOffset)))
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const r = pending.get(batch.partition)
              if (!r) return
              const records: TopicRecord[] = []
              for (const m of batch.messages) {
                const offset = Number(m.offset)
                if (offset < r.start) continue
                if (offset >= r.end) break
                records.push({ partition: batch.partition, offset, key: m.key, value: m.value, timestamp: Number(m.timestamp), headers: m.headers as MessageHeaders | undefined })
              }
              if (records.length > 0) onRecords(records)
              reached(batch.partition, Number(batch.lastOffset()))
            },
          })
          .catch((err) => reject(this.toUserError(err, `reading topic ${topic}`)))
        // run() has created the group synchronously: seeks are applied at the first fetch.
        for (const r of pending.values()) consumer.seek({ topic, partition: r.partition, offset: String(r.start) })
        const idle = ranges.filter((r) => !pending.has(r.partition)).map((r) => r.partition)
        if (idle.length > 0) consumer.pause([{ topic, partitions: idle }])
        watchdog = setInterval(() => {
          if (Date.now() - lastProgress < idleTimeoutMs) return
          const where = [...pending.values()]
            .map((r) => `partition ${r.partition} at offset ${position.get(r.partition) ?? r.start} of ${r.start}..${r.end - 1}`)
            .join(', ')
          reject(new TopicReadStalledError(`topic ${topic}: no progress for ${Math.round(idleTimeoutMs / 1000)} s (${where}): the broker may be overloaded, or the log has gaps (compaction); try again or pass --max-messages`))
        }, 1000)
      })
    } catch (err) {
      throw this.toUserError(err, `reading topic ${topic}`)
    } finally {
      clearInterval(watchdog)
      await withinMs(consumer.disconnect(), 5000)
      this.open.delete(consumer)
      // The group committed nothing; remove it now rather than leave it to the broker's cleanup.
      if (this.admin) await withinMs(this.admin.deleteGroups([groupId]), 2000)
    }
  }

  /**
   * A consumer in a named group that hands over records batch by batch and commits after each
   * batch (at-least-once), for long-running readers such as the stream scorer.
   */
  createGroupConsumer(groupId: string): GroupConsumer {
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, retry: RETRY })
    return new GroupConsumer(consumer, this, (c) => (c ? this.open.add(consumer) : this.open.delete(consumer)))
  }

  /**
   * A consumer-group member for a long-running stream processor: hands over each partition's batch
   * and resolves and commits its offsets only after the handler's promise settles (at-least-once).
   */
  createStreamConsumer(groupId: string, options: StreamConsumerOptions = {}): StreamConsumer {
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 500, // a stop waits for the fetch in flight: keep it short
      partitionAssigners: [subscribedRoundRobin, PartitionAssigners.roundRobin],
      retry: {
        ...RETRY,
        restartOnFailure: (err: Error) => stream.shouldRestart(err),
      },
    })
    this.watchAnswers(consumer)
    const stream = new StreamConsumer(consumer, this, options, (c) => (c ? this.open.add(consumer) : this.open.delete(consumer)))
    return stream
  }

  /** Disconnects everything this client opened. */
  async close(): Promise<void> {
    const all = [...this.open]
    this.open.clear()
    this.admin = null
    this.adminConnecting = null
    await Promise.all(all.map((c) => withinMs(c.disconnect(), 2000)))
  }

  /** @internal for the wrappers below */
  connectWithDeadline<T>(connect: Promise<T>, disconnect: () => Promise<void>, doing: string): Promise<T> {
    return this.connecting(connect, disconnect, doing)
  }
}

/** Waits for the promise at most `ms`, ignoring its outcome (for best-effort cleanup). */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))])
  clearTimeout(timer)
}

/** kafkajs's plain Error for a request on a broker connection that is not (or no longer) made. */
function notConnected(err: unknown): boolean {
  return err instanceof Error && err.message === 'Broker not connected'
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim()
}

function toKafkaMessage(m: ProducedMessage): Message {
  if (m.fields !== undefined) {
    if (!recordFramingInstalled()) {
      const f = decodeRecordFields(m.fields)
      return toKafkaMessage({ key: f.key, value: f.value, headers: f.headers as MessageHeaders, timestamp: m.timestamp, partition: m.partition })
    }
    // kafkajs wants a value; the framing writes the fields instead (the value's length is not read).
    const out = { key: m.key ?? null, value: EMPTY, [RECORD_FIELDS]: m.fields } as Message
    if (m.timestamp) out.timestamp = String(m.timestamp.getTime())
    if (m.partition !== undefined) out.partition = m.partition
    return out
  }
  const out: Message = { key: m.key ?? null, value: m.value }
  if (m.timestamp) out.timestamp = String(m.timestamp.getTime())
  if (m.headers) out.headers = m.headers
  if (m.partition !== undefined) out.partition = m.partition
  return out
}

const EMPTY = Buffer.alloc(0)

/** Sends messages to a topic; errors are one-line UserErrors. */
export class TopicProducer {
  constructor(
    private producer: Producer,
    private readonly client: KafkaClient,
  ) {}

  /**
   * Goes on with a new producer (a new producer id, so new sequence numbers). After a request the
   * broker refused for one partition (a message too large), kafkajs winds back the sequence numbers
   * of every partition in it, appended or not, and the next send to an appended one would be refused
   * as out of order.
   */
  async renew(): Promise<void> {
    const old = this.producer
    this.producer = await this.client.connectProducer()
    this.client.releaseProducer(old)
    await withinMs(old.disconnect(), 5000)
  }

  /** One request per call: pass a batch (a few hundred messages). Waits for all in-sync replicas. */
  async send(topic: string, messages: ProducedMessage[]): Promise<void> {
    try {
      await this.producer.send({ topic, acks: -1, messages: messages.map(toKafkaMessage) })
    } catch (err) {
      throw this.client.toUserError(err, `writing to topic ${topic}`)
    }
  }

  /**
   * Messages for several topics in one request (one record batch per partition, in the given order).
   * Waits for all in-sync replicas. Keep each partition's share under the broker's message.max.bytes
   * (1 MB by default).
   */
  async sendTopics(batches: TopicMessages[]): Promise<void> {
    const topicMessages = batches.filter((b) => b.messages.length > 0).map((b) => ({ topic: b.topic, messages: b.messages.map(toKafkaMessage) }))
    if (topicMessages.length === 0) return
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages })
    } catch (err) {
      throw this.client.toUserError(err, `writing to topic${topicMessages.length > 1 ? 's' : ''} ${topicMessages.map((t) => t.topic).join(', ')}`)
    }
  }

  async close(): Promise<void> {
    this.client.releaseProducer(this.producer)
    await withinMs(this.producer.disconnect(), 5000)
  }
}

/** A long-running group member: `start` subscribes and hands batches to `onRecords` until `stop`. */
export class GroupConsumer {
  constructor(
    private readonly consumer: Consumer,
    private readonly client: KafkaClient,
    private readonly track: (open: boolean) => void,
  ) {}

  async start(topic: string, options: { fromBeginning?: boolean; onRecords: (records: TopicRecord[]) => Promise<void> }): Promise<void> {
    await this.client.connectWithDeadline(this.consumer.connect(), () => this.consumer.disconnect(), 'connecting the consumer')
    this.track(true)
    try {
      await this.consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? false })
      await this.consumer.run({
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          const records = batch.messages.map((m) => ({
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            timestamp: Number(m.timestamp),
          }))
          await options.onRecords(records)
          if (records.length > 0) resolveOffset(String(records[records.length - 1].offset))
          await heartbeat()
        },
      })
    } catch (err) {
      throw this.client.toUserError(err, `consuming topic ${topic}`)
    }
  }

  async stop(): Promise<void> {
    this.track(false)
    await withinMs(this.consumer.disconnect(), 5000)
  }
}

/** One partition's messages, in offset order, for a stream processor. */
export interface StreamBatch {
  topic: string
  partition: number
  records: TopicRecord[]
  /** The partition's end offset when the batch was fetched. */
  highWatermark: number
  /**
   * Settles once the previous batch of this partition is handled (rejects when that failed): a handler
   * may start work at once, but writes its output only after this resolves, to keep the partition's order.
   */
  after: Promise<void>
}

export interface StreamConsumerOptions {
  /** Where a group with no committed offset starts: the oldest message (default) or only new ones. */
  fromBeginning?: boolean
  /**
   * Batches of different partitions handled at once (default 1). Each partition's batches stay in
   * order either way.
   */
  partitionsConsumedConcurrently?: number
  /**
   * Batches of one partition in the handler at once (default 1): with 2, the next batch is fetched and
   * its handling started while the one before is still being written (see StreamBatch.after).
   */
  batchesInFlight?: number
  /** How long a fetch waits for new messages; a stop waits for the fetch in flight (default 500 ms). */
  maxWaitTimeMs?: number
  /** Told when the consumer lost the brokers and starts again (attempt counts from 1). */
  onRestart?: (error: Error, attempt: number) => void
  /** Told the partitions of the topic this member holds after each (re)balance. */
  onAssigned?: (partitions: number[]) => void
  /** Restarts in a row (without joining the group in between) before giving up (default 10). */
  maxRestarts?: number
}

/** The batches of one partition in the handler, in order. */
interface Lane {
  /** The group generation they were fetched in. */
  generation: number
  /** The last batch's handling; rejected for good once one fails. */
  tail: Promise<void>
  unfinished: number
  /** Woken when one finishes. */
  waiters: (() => void)[]
}

/** Commit errors that only mean the broker did not answer in time, or the connection was lost: committed again (see flushCommits). */
const COMMIT_RETRY_ERRORS = new Set(['KafkaJSRequestTimeoutError', 'KafkaJSConnectionError', 'KafkaJSConnectionClosedError'])
/** How long commits are tried again (as a lost broker is: about two minutes, see MAX_RESTARTS in serve). */
const COMMIT_RETRY_MS = 120_000

/** Commit errors that only mean the group moved on: the batches are read again by the new owner. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'])

/**
 * A consumer-group member that hands each fetched partition batch to a handler and commits the batch's
 * offsets only once the handler's promise resolves (at-least-once). The fetch position moves on when a
 * batch is handed over, so with batchesInFlight > 1 the next batch is fetched while the handler still
 * writes the last one; commits follow each partition's batches in order. A stop, crash or rebalance in
 * the middle leaves the batches not yet acknowledged to be read again: a batch fetched before a rebalance
 * is never committed after it. A stop finishes the batches in the handler, commits, and leaves the group.
 */
export class StreamConsumer {
  /** A handler failure of the current generation, thrown to kafkajs at the next batch. */
  private handlerError: Error | null = null
  /** The error the consumer gave up on. */
  private fatal: Error | null = null
  private restarts = 0
  private topic = ''
  private readonly finished: Promise<void>
  private settleFinished!: { resolve: () => void; reject: (err: Error) => void }
  private stopping: Promise<void> | null = null
  private draining = false
  /** Counts group joins: batches of an earlier generation are finished but not committed. */
  private generation = 0
  private readonly lanes = new Map<number, Lane>()
  private readonly unfinished = new Set<Promise<void>>()
  /** Next offsets to commit, by partition. */
  private readonly toCommit = new Map<number, number>()
  private committing: Promise<void> | null = null
  /** A failure while finishing the batches on stop. */
  private drainError: Error | null = null

  constructor(
    private readonly consumer: Consumer,
    private readonly client: KafkaClient,
    private readonly options: StreamConsumerOptions,
    private readonly track: (open: boolean) => void,
  ) {
    this.finished = new Promise<void>((resolve, reject) => (this.settleFinished = { resolve, reject }))
    this.finished.catch(() => {}) // observed through done()
  }

  /** Settles when the consumer has stopped: resolves after stop(), rejects when it gives up on an error. */
  done(): Promise<void> {
    return this.finished
  }

  /** Connects (within the connect deadline), joins the group and starts handing over batches. */
  async start(topic: string, handle: (batch: StreamBatch) => Promise<void>): Promise<void> {
    this.topic = topic
    const depth = Math.max(1, this.options.batchesInFlight ?? 1)
    await this.client.connectWithDeadline(this.consumer.connect(), () => this.consumer.disconnect(), 'connecting the consumer')
    this.track(true)
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart) this.settleFinished.reject(this.fatal ?? this.failure(e.payload.error))
    })
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.restarts = 0 // back in the group: the next loss starts a new count
      this.generation++
      this.handlerError = null
      const assigned = e.payload.memberAssignment[topic] ?? []
      // Handled before the rebalance, not committed yet: only where this member still reads.
      for (const p of this.toCommit.keys()) if (!assigned.includes(p)) this.toCommit.delete(p)
      this.options.onAssigned?.([...assigned].sort((a, b) => a - b))
    })
    try {
      await this.consumer.subscribe({ topics: [topic], fromBeginning: this.options.fromBeginning ?? true })
      await this.consumer.run({
        // Offsets are resolved when a batch is handed over (that moves the fetch position) and committed
        // here once it is handled; kafkajs's own commits would cover batches still being written.
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
          this.throwHandlerError()
          if (!isRunning() || isStale() || this.draining || batch.messages.length === 0) return
          const records: TopicRecord[] = batch.messages.map((m) => ({
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            timestamp: Number(m.timestamp),
            headers: m.headers as MessageHeaders | undefined,
          }))
          const lane = this.lane(batch.partition)
          const generation = this.generation
          const last = batch.messages[batch.messages.length - 1].offset
          let handled: Promise<void>
          try {
            handled = handle({ topic: batch.topic, partition: batch.partition, records, highWatermark: Number(batch.highWatermark), after: lane.tail })
          } catch (err) {
            handled = Promise.reject(err)
          }
          lane.tail = handled
          lane.unfinished++
          const finished = handled
            .then(
              () => {
                if (generation === this.generation) this.commitLater(batch.partition, Number(last) + 1)
              },
              (err: Error) => this.fail(err, generation),
            )
            .finally(() => {
              lane.unfinished--
              this.unfinished.delete(finished)
              for (const wake of lane.waiters.splice(0)) wake()
            })
          this.unfinished.add(finished)
          resolveOffset(last)
          while (lane.unfinished >= depth && !this.draining && generation === this.generation) {
            await new Promise<void>((wake) => lane.waiters.push(wake))
          }
          this.throwHandlerError()
        },
      })
    } catch (err) {
      throw this.client.toUserError(err, `consuming topic ${topic}`)
    }
  }

  /** The partition's lane in the current generation; a new one starts after the old one's last batch. */
  private lane(partition: number): Lane {
    const old = this.lanes.get(partition)
    if (old?.generation === this.generation) return old
    const settled = (): void => {}
    const tail = old ? old.tail.then(settled, settled) : Promise.resolve()
    const lane: Lane = { generation: this.generation, tail, unfinished: 0, waiters: [] }
    this.lanes.set(partition, lane)
    return lane
  }

  /**
   * A failed batch: its partition's later batches fail too (their lane is rejected), nothing of it is
   * committed. Only a lost connection is worth the client's retries (thrown at the next batch); anything
   * else ends the consumer now.
   */
  private fail(err: Error, generation: number): void {
    if (generation !== this.generation) return // read again after the rebalance anyway
    if (this.handlerError || this.fatal) return // the partition's later batches fail the same way
    if (this.draining) {
      this.drainError ??= err
      return
    }
    this.handlerError = err
    if (!(err instanceof KafkaUnreachableError)) {
      Object.assign(err as object, { retriable: false })
      this.fatal = err
      this.settleFinished.reject(err)
    }
  }

  private throwHandlerError(): void {
    if (this.handlerError) throw this.handlerError
  }

  /** Commits the partition's next offset soon; commits go one request at a time, latest offsets first. */
  private commitLater(partition: number, offset: number): void {
    this.toCommit.set(partition, Math.max(offset, this.toCommit.get(partition) ?? 0))
    this.startCommitting()
  }

  private startCommitting(): void {
    if (this.committing || this.toCommit.size === 0) return
    this.committing = this.flushCommits().finally(() => {
      this.committing = null
      this.startCommitting() // offsets added after the last request went out
    })
  }

  private async flushCommits(): Promise<void> {
    let failingSince: number | null = null
    while (this.toCommit.size > 0) {
      const offsets = [...this.toCommit].map(([partition, offset]) => ({ topic: this.topic, partition, offset: String(offset) }))
      this.toCommit.clear()
      const generation = this.generation
      try {
        await this.consumer.commitOffsets(offsets)
        failingSince = null
      } catch (err) {
        const root = rootCause(err)
        const type = (root as { type?: string }).type ?? (err as { type?: string }).type
        if (generation !== this.generation || (type !== undefined && REBALANCE_ERRORS.has(type))) continue
        // A broker that does not answer (paused, overloaded) or a lost connection: the offsets are
        // committed again, with any newer ones, until it answers, for as long as a lost broker is retried.
        failingSince ??= Date.now()
        if (COMMIT_RETRY_ERRORS.has(root.name) && Date.now() - failingSince < COMMIT_RETRY_MS && !this.stopping) {
          for (const o of offsets) if (!this.toCommit.has(o.partition)) this.toCommit.set(o.partition, Number(o.offset))
          await new Promise((r) => setTimeout(r, 1000))
          continue
        }
        this.fail(this.client.toUserError(err, `committing the offsets of topic ${this.topic}`), generation)
      }
    }
  }

  /** kafkajs asks this after a retriable crash: start again only when the brokers were lost. */
  async shouldRestart(err: Error): Promise<boolean> {
    const mapped = this.failure(err)
    this.restarts++
    if (!(mapped instanceof KafkaUnreachableError) || this.restarts > (this.options.maxRestarts ?? 10)) {
      this.fatal = mapped
      return false
    }
    this.options.onRestart?.(mapped, this.restarts)
    return true
  }

  private failure(err: Error): Error {
    const failure = this.handlerError ?? this.client.toUserError(err, `consuming topic ${this.topic}`)
    this.handlerError = null
    return failure
  }

  /**
   * Stops fetching, finishes the batches in the handler, commits, leaves the group and disconnects.
   * Rejects when a batch failed meanwhile (it is not committed: it will be read again).
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.draining = true
      for (const lane of this.lanes.values()) for (const wake of lane.waiters.splice(0)) wake()
      try {
        // Paused partitions are not fetched: no batches to turn away while the last ones finish.
        this.consumer.pause([{ topic: this.topic }])
      } catch {
        // not running yet
      }
      await withinMs(this.drain(), 30_000)
      await withinMs(this.consumer.stop(), 30_000)
      await withinMs(this.consumer.disconnect(), 5000)
      this.track(false)
      this.settleFinished.resolve()
      if (this.drainError) throw this.drainError
    })()
    return this.stopping
  }

  /** Waits for every batch in the handler and the commits they lead to. */
  private async drain(): Promise<void> {
    while (this.unfinished.size > 0) await Promise.all([...this.unfinished])
    while (this.committing) await this.committing
  }
}
