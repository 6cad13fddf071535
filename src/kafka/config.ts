import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { KafkaBrokersError, KafkaConfigError } from './errors.js'

/**
 * Where to connect and how: the brokers (--brokers or KAFKA_BROKERS) and the optional --kafka-config
 * JSON file (TLS, SASL, client id, timeouts). Validation errors name the file and the bad key and
 * never echo a secret.
 */

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]

export interface SaslSettings {
  mechanism: SaslMechanism
  username: string
  password: string
}

/** TLS settings as written in the file: certificate paths are relative to the file. */
export interface TlsSettings {
  ca?: string
  cert?: string
  key?: string
  passphrase?: string
  rejectUnauthorized?: boolean
  servername?: string
}

export interface KafkaConfigFile {
  file: string
  ssl?: boolean | TlsSettings
  sasl?: SaslSettings
  clientId?: string
  connectionTimeout?: number
  requestTimeout?: number
}

/** TLS options ready for the client: the PEM files' contents instead of their paths. */
export interface TlsOptions {
  ca?: string
  cert?: string
  key?: string
  passphrase?: string
  rejectUnauthorized?: boolean
  servername?: string
}

export interface KafkaConnectionSettings {
  brokers: string[]
  /** Which of --brokers / KAFKA_BROKERS named them, for messages. */
  brokersFrom: '--brokers' | 'KAFKA_BROKERS'
  ssl?: boolean | TlsOptions
  sasl?: SaslSettings
  clientId: string
  connectionTimeout: number
  requestTimeout: number
  configFile?: string
}

export const DEFAULT_CLIENT_ID = 'mlkafka'
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3000
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

const HOST_PORT = /^(?<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?<port>\d{1,5})$/

/** `HOST:PORT[,HOST:PORT...]` into a list; `from` names the flag or variable in the error. */
export function parseBrokers(text: string, from: '--brokers' | 'KAFKA_BROKERS'): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  if (list.length === 0) throw new KafkaBrokersError(`${from} is empty: pass HOST:PORT[,HOST:PORT...], e.g. 127.0.0.1:9092`)
  for (const b of list) {
    const m = HOST_PORT.exec(b)
    const port = m ? Number(m.groups!.port) : NaN
    if (!m || port < 1 || port > 65535) {
      throw new KafkaBrokersError(`${from}: "${b}" is not HOST:PORT (e.g. 127.0.0.1:9092; separate several with commas)`)
    }
  }
  return list
}

/** --brokers wins over KAFKA_BROKERS; neither is an error that says both. */
export function resolveBrokers(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { brokers: string[]; from: '--brokers' | 'KAFKA_BROKERS' } {
  if (flag !== undefined) return { brokers: parseBrokers(flag, '--brokers'), from: '--brokers' }
  const fromEnv = env.KAFKA_BROKERS?.trim()
  if (fromEnv) return { brokers: parseBrokers(fromEnv, 'KAFKA_BROKERS'), from: 'KAFKA_BROKERS' }
  throw new KafkaBrokersError('no Kafka brokers: pass --brokers HOST:PORT or set KAFKA_BROKERS')
}

// ------------------------------------------------------------------ the config file

const TOP_KEYS = ['ssl', 'sasl', 'clientId', 'connectionTimeout', 'requestTimeout'] as const
const SSL_KEYS = ['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername'] as const
const SASL_KEYS = ['mechanism', 'username', 'password'] as const

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function kindOf(v: Json): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  return `a ${typeof v}`
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkKeys(file: string, obj: { [key: string]: Json }, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const near = allowed.find((a) => a.toLowerCase() === key.toLowerCase())
      const hint = near ? `did you mean "${prefix}${near}"?` : `allowed: ${allowed.join(', ')}`
      throw new KafkaConfigError(file, `unknown key "${prefix}${key}" (${hint})`)
    }
  }
}

function stringAt(file: string, obj: { [key: string]: Json }, key: string, path: string, secret = false): string | undefined {
  const v = obj[key]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || v.length === 0) {
    // A secret's value is never echoed, not even its type when it is a string.
    throw new KafkaConfigError(file, `"${path}" must be a non-empty string${secret ? '' : ` (got ${kindOf(v)})`}`)
  }
  return v
}

function timeoutAt(file: string, obj: { [key: string]: Json }, key: string): number | undefined {
  const v = obj[key]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 600_000) {
    throw new KafkaConfigError(file, `"${key}" must be a whole number of milliseconds between 1 and 600000 (got ${JSON.stringify(v)})`)
  }
  return v
}

/** Where and what a JSON syntax error is, without quoting the file's text (it may hold a password). */
function jsonSyntaxProblem(text: string, err: Error): { at: string; problem: string } {
  const m = /^(.*?) in JSON at position (\d+)/.exec(err.message)
  if (m) {
    const pos = Number(m[2])
    const before = text.slice(0, pos)
    const line = before.split('\n').length
    const column = pos - before.lastIndexOf('\n')
    return { at: `:${line}:${column}`, problem: `not valid JSON (${m[1].charAt(0).toLowerCase()}${m[1].slice(1)})` }
  }
  if (/end of JSON input/.test(err.message)) return { at: '', problem: 'not valid JSON (it ends too early)' }
  const token = /^Unexpected token '(.)'/.exec(err.message)
  return { at: '', problem: `not valid JSON${token ? ` (unexpected '${token[1]}')` : ''}` }
}

/** Validates the text of a --kafka-config file; `file` is only used in messages. */
export function parseKafkaConfig(text: string, file: string): KafkaConfigFile {
  let doc: Json
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, '')) as Json
  } catch (err) {
    const { at, problem } = jsonSyntaxProblem(text, err as Error)
    throw new KafkaConfigError(file, problem, at)
  }
  if (!isObject(doc)) throw new KafkaConfigError(file, `must hold a JSON object like {"sasl": {...}, "ssl": true} (got ${kindOf(doc)})`)
  checkKeys(file, doc, TOP_KEYS, '')
  const config: KafkaConfigFile = { file }

  if (doc.ssl !== undefined) {
    const ssl = doc.ssl
    if (typeof ssl === 'boolean') config.ssl = ssl
    else if (isObject(ssl)) {
      checkKeys(file, ssl, SSL_KEYS, 'ssl.')
      const tls: TlsSettings = {}
      for (const key of ['ca', 'cert', 'key', 'servername'] as const) {
        const v = stringAt(file, ssl, key, `ssl.${key}`)
        if (v !== undefined) tls[key] = v
      }
      const passphrase = stringAt(file, ssl, 'passphrase', 'ssl.passphrase', true)
      if (passphrase !== undefined) tls.passphrase = passphrase
      if (ssl.rejectUnauthorized !== undefined) {
        if (typeof ssl.rejectUnauthorized !== 'boolean') {
          throw new KafkaConfigError(file, `"ssl.rejectUnauthorized" must be true or false (got ${kindOf(ssl.rejectUnauthorized)})`)
        }
        tls.rejectUnauthorized = ssl.rejectUnauthorized
      }
      config.ssl = tls
    } else {
      throw new KafkaConfigError(file, `"ssl" must be true, false or an object {"ca": "ca.pem", ...} (got ${kindOf(ssl)})`)
    }
  }

  if (doc.sasl !== undefined) {
    const sasl = doc.sasl
    if (!isObject(sasl)) {
      throw new KafkaConfigError(file, `"sasl" must be an object {"mechanism": "plain", "username": "...", "password": "..."} (got ${kindOf(sasl)})`)
    }
    checkKeys(file, sasl, SASL_KEYS, 'sasl.')
    const mechanism = stringAt(file, sasl, 'mechanism', 'sasl.mechanism')?.toLowerCase()
    if (mechanism === undefined) throw new KafkaConfigError(file, `"sasl.mechanism" is required (one of ${SASL_MECHANISMS.join(', ')})`)
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new KafkaConfigError(file, `"sasl.mechanism" must be one of ${SASL_MECHANISMS.join(', ')} (got ${JSON.stringify(sasl.mechanism)})`)
    }
    const username = stringAt(file, sasl, 'username', 'sasl.username')
    if (username === undefined) throw new KafkaConfigError(file, '"sasl.username" is required')
    const password = stringAt(file, sasl, 'password', 'sasl.password', true)
    if (password === undefined) throw new KafkaConfigError(file, '"sasl.password" is required')
    config.sasl = { mechanism: mechanism as SaslMechanism, username, password }
  }

  const clientId = stringAt(file, doc, 'clientId', 'clientId')
  if (clientId !== undefined) config.clientId = clientId
  const connectionTimeout = timeoutAt(file, doc, 'connectionTimeout')
  if (connectionTimeout !== undefined) config.connectionTimeout = connectionTimeout
  const requestTimeout = timeoutAt(file, doc, 'requestTimeout')
  if (requestTimeout !== undefined) config.requestTimeout = requestTimeout
  return config
}

export async function readKafkaConfigFile(file: string): Promise<KafkaConfigFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new KafkaConfigError(file, 'file not found (--kafka-config)')
    if (code === 'EISDIR') throw new KafkaConfigError(file, 'is a directory, not a JSON file (--kafka-config)')
    throw new KafkaConfigError(file, `cannot read the file (${code ?? (err as Error).message})`)
  }
  return parseKafkaConfig(text, file)
}

/** Reads the PEM files a TLS section names (paths relative to the config file). */
async function loadTls(config: KafkaConfigFile): Promise<boolean | TlsOptions | undefined> {
  const ssl = config.ssl
  if (ssl === undefined || typeof ssl === 'boolean') return ssl
  const out: TlsOptions = { ...ssl }
  for (const key of ['ca', 'cert', 'key'] as const) {
    const path = ssl[key]
    if (path === undefined) continue
    try {
      out[key] = await readFile(resolve(dirname(config.file), path), 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new KafkaConfigError(config.file, `"ssl.${key}": cannot read ${path} (${code ?? (err as Error).message}; paths are relative to this file)`)
    }
  }
  return out
}

/** Everything a client needs, from the flags and the environment. */
export async function resolveConnectionSettings(
  options: { brokers?: string; kafkaConfig?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<KafkaConnectionSettings> {
  const { brokers, from } = resolveBrokers(options.brokers, env)
  const file = options.kafkaConfig !== undefined ? await readKafkaConfigFile(options.kafkaConfig) : undefined
  return {
    brokers,
    brokersFrom: from,
    ssl: file ? await loadTls(file) : undefined,
    sasl: file?.sasl,
    clientId: file?.clientId ?? DEFAULT_CLIENT_ID,
    connectionTimeout: file?.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: file?.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
    configFile: file?.file,
  }
}

/** One line for logs and messages: where and how we connect; secrets are never part of it. */
export function describeConnection(s: Pick<KafkaConnectionSettings, 'brokers' | 'brokersFrom' | 'ssl' | 'sasl' | 'clientId' | 'configFile'>): string {
  const parts = [`brokers ${s.brokers.join(',')} (from ${s.brokersFrom})`]
  if (s.ssl) parts.push(typeof s.ssl === 'object' && s.ssl.rejectUnauthorized === false ? 'TLS (certificates not verified)' : 'TLS')
  if (s.sasl) parts.push(`SASL ${s.sasl.mechanism} as "${s.sasl.username}" (password hidden)`)
  parts.push(`client id "${s.clientId}"`)
  if (s.configFile) parts.push(`config ${s.configFile}`)
  return parts.join(', ')
}
