/**
 * Where the Kafka client's log lines go. Quiet by default: only errors, one line each, and not the
 * ones the client retries or hands back to us as a thrown error (those become our own one-line
 * message instead of a burst of "Connection error" lines). MLKAFKA_DEBUG=kafka shows everything from
 * info up, MLKAFKA_DEBUG=kafka:debug every request.
 */

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug'
export type KafkaLogVerbosity = 'quiet' | 'info' | 'debug'

export interface KafkaLogEntry {
  level: KafkaLogLevel
  namespace: string
  message: string
  /** The client's extra fields (broker, topic, error, ...); shown with MLKAFKA_DEBUG only. */
  extra?: Record<string, unknown>
}

/**
 * Namespaces whose errors are retried by the client or end in an error thrown to our code, which
 * reports it once. Authenticators are here too: their failure comes back as a thrown error.
 */
const REPORTED_BY_CALLER = new Set(['Connection', 'BrokerPool', 'Cluster', 'Consumer', 'Runner', 'Producer', 'Messages', 'RequestQueue', 'ConsumerGroup'])

/** MLKAFKA_DEBUG is a comma list of areas (`kafka`, `kafka:debug`, ...). */
export function kafkaLogVerbosity(env: NodeJS.ProcessEnv = process.env): KafkaLogVerbosity {
  const areas = (env.MLKAFKA_DEBUG ?? '').split(',').map((s) => s.trim())
  if (areas.includes('kafka:debug') || areas.includes('*')) return 'debug'
  if (areas.includes('kafka')) return 'info'
  return 'quiet'
}

const SECRET_KEYS = /pass(word|phrase)?|secret|token|sasl|credential|authorization/i

/** The client's extra fields as `k=v`, secrets dropped, each value cut short. */
function formatExtra(extra: Record<string, unknown> | undefined): string {
  if (!extra) return ''
  const parts: string[] = []
  for (const [k, v] of Object.entries(extra)) {
    if (k === 'timestamp' || k === 'logger' || k === 'message' || k === 'stack' || SECRET_KEYS.test(k)) continue
    if (v === undefined) continue
    let text: string
    try {
      text = typeof v === 'string' ? v : JSON.stringify(v)
    } catch {
      continue
    }
    if (text === undefined) continue
    parts.push(`${k}=${text.length > 120 ? `${text.slice(0, 119)}…` : text}`)
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : ''
}

export function formatKafkaLogLine(entry: KafkaLogEntry, verbosity: KafkaLogVerbosity): string {
  const message = entry.message.replace(/\s+/g, ' ').trim()
  const extra = verbosity === 'quiet' ? '' : formatExtra(entry.extra)
  return `kafka ${entry.level}: ${message} [${entry.namespace}]${extra}`
}

/** Whether an entry is shown at the verbosity: quiet shows only errors nobody else reports. */
export function shouldShow(entry: KafkaLogEntry, verbosity: KafkaLogVerbosity): boolean {
  if (verbosity === 'debug') return true
  if (verbosity === 'info') return entry.level !== 'debug'
  return entry.level === 'error' && !REPORTED_BY_CALLER.has(entry.namespace)
}

/** A sink writing one line per shown entry to stderr (stdout stays for results and --json). */
export function stderrKafkaLog(verbosity: KafkaLogVerbosity = kafkaLogVerbosity(), stream: NodeJS.WritableStream = process.stderr): (entry: KafkaLogEntry) => void {
  let last = ''
  return (entry) => {
    if (!shouldShow(entry, verbosity)) return
    const line = formatKafkaLogLine(entry, verbosity)
    if (verbosity === 'quiet' && line === last) return // the same error again is no news
    last = line
    stream.write(`${line}\n`)
  }
}
