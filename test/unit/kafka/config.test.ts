import { describe, expect, it } from 'vitest'
import {
  describeConnection,
  parseBrokers,
  parseKafkaConfig,
  readKafkaConfigFile,
  resolveBrokers,
  resolveConnectionSettings,
} from '../../../src/kafka/config.js'
import { KafkaBrokersError, KafkaConfigError } from '../../../src/kafka/errors.js'
import { formatKafkaLogLine, shouldShow, stderrKafkaLog, kafkaLogVerbosity } from '../../../src/kafka/log.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()
const SECRET = 'hunter2-very-secret'

function configError(text: string, file = 'kafka.json'): KafkaConfigError {
  try {
    parseKafkaConfig(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaConfigError)
    return err as KafkaConfigError
  }
  throw new Error('expected a KafkaConfigError')
}

describe('brokers', () => {
  it('parses HOST:PORT lists', () => {
    expect(parseBrokers('127.0.0.1:9092', '--brokers')).toEqual(['127.0.0.1:9092'])
    expect(parseBrokers(' kafka-1.internal:9093, kafka-2.internal:9093 ,', '--brokers')).toEqual(['kafka-1.internal:9093', 'kafka-2.internal:9093'])
    expect(parseBrokers('[::1]:9092', '--brokers')).toEqual(['[::1]:9092'])
  })

  it.each([
    ['localhost', '--brokers: "localhost" is not HOST:PORT'],
    ['host:0', '"host:0" is not HOST:PORT'],
    ['host:70000', '"host:70000" is not HOST:PORT'],
    ['http://host:9092', '"http://host:9092" is not HOST:PORT'],
    [' , ', '--brokers is empty'],
  ])('%j is a usage error', (text, message) => {
    expect(() => parseBrokers(text, '--brokers')).toThrow(KafkaBrokersError)
    expect(() => parseBrokers(text, '--brokers')).toThrow(message)
  })

  it('--brokers wins over KAFKA_BROKERS; neither is the documented error', () => {
    expect(resolveBrokers('a:1', { KAFKA_BROKERS: 'b:2' })).toEqual({ brokers: ['a:1'], from: '--brokers' })
    expect(resolveBrokers(undefined, { KAFKA_BROKERS: 'b:2,c:3' })).toEqual({ brokers: ['b:2', 'c:3'], from: 'KAFKA_BROKERS' })
    expect(() => resolveBrokers(undefined, { KAFKA_BROKERS: '  ' })).toThrow('no Kafka brokers: pass --brokers HOST:PORT or set KAFKA_BROKERS')
    expect(() => resolveBrokers(undefined, { KAFKA_BROKERS: 'b' })).toThrow('KAFKA_BROKERS: "b" is not HOST:PORT')
    const err = (() => {
      try {
        resolveBrokers(undefined, {})
      } catch (e) {
        return e as KafkaBrokersError
      }
    })()
    expect(err?.exitCode).toBe(2)
  })
})

describe('--kafka-config validation', () => {
  it('accepts the documented keys', () => {
    const config = parseKafkaConfig(
      JSON.stringify({
        ssl: { ca: 'ca.pem', rejectUnauthorized: true, servername: 'kafka.example' },
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'ann', password: SECRET },
        clientId: 'etl',
        connectionTimeout: 5000,
        requestTimeout: 60000,
      }),
      'kafka.json',
    )
    expect(config).toEqual({
      file: 'kafka.json',
      ssl: { ca: 'ca.pem', rejectUnauthorized: true, servername: 'kafka.example' },
      sasl: { mechanism: 'scram-sha-512', username: 'ann', password: SECRET },
      clientId: 'etl',
      connectionTimeout: 5000,
      requestTimeout: 60000,
    })
    expect(parseKafkaConfig('{"ssl": true}', 'k.json')).toEqual({ file: 'k.json', ssl: true })
    expect(parseKafkaConfig('\uFEFF{}', 'k.json')).toEqual({ file: 'k.json' })
  })

  it.each([
    ['{"brokers": "a:1"}', 'kafka.json: unknown key "brokers" (allowed: ssl, sasl, clientId, connectionTimeout, requestTimeout)'],
    ['{"clientid": "x"}', 'kafka.json: unknown key "clientid" (did you mean "clientId"?)'],
    ['{"sasl": {"mechanism": "plain", "username": "u", "pasword": "p"}}', 'kafka.json: unknown key "sasl.pasword" (allowed: mechanism, username, password)'],
    ['{"ssl": {"cafile": "x"}}', 'kafka.json: unknown key "ssl.cafile" (allowed: ca, cert, key, passphrase, rejectUnauthorized, servername)'],
    ['{"sasl": {"mechanism": "gssapi", "username": "u", "password": "p"}}', '"sasl.mechanism" must be one of plain, scram-sha-256, scram-sha-512 (got "gssapi")'],
    ['{"sasl": {"username": "u", "password": "p"}}', '"sasl.mechanism" is required'],
    ['{"sasl": {"mechanism": "plain", "password": "p"}}', '"sasl.username" is required'],
    ['{"sasl": {"mechanism": "plain", "username": "u"}}', '"sasl.password" is required'],
    ['{"sasl": "plain"}', '"sasl" must be an object'],
    ['{"ssl": "yes"}', '"ssl" must be true, false or an object'],
    ['{"ssl": {"rejectUnauthorized": "no"}}', '"ssl.rejectUnauthorized" must be true or false (got a string)'],
    ['{"connectionTimeout": "3s"}', '"connectionTimeout" must be a whole number of milliseconds between 1 and 600000 (got "3s")'],
    ['{"requestTimeout": -1}', '"requestTimeout" must be a whole number of milliseconds'],
    ['{"clientId": 7}', '"clientId" must be a non-empty string (got a number)'],
    ['[1, 2]', 'kafka.json: must hold a JSON object'],
    ['', 'kafka.json: not valid JSON (it ends too early)'],
  ])('%s', (text, message) => {
    const err = configError(text)
    expect(err.message).toContain(message)
    expect(err.message).not.toContain('\n')
    expect(err.exitCode).toBe(1)
  })

  it('a JSON syntax error gives line and column, never the text (it may hold a password)', () => {
    const text = `{\n  "sasl": {\n    "mechanism": "plain", "username": "ann", "password": "${SECRET}" oops\n  }\n}\n`
    const err = configError(text)
    expect(err.message).toMatch(/^kafka\.json:3:\d+: not valid JSON \(expected ',' or '}' after property value\)$/)
    expect(err.message).not.toContain(SECRET)
    const token = configError(`{"password": ${SECRET}}`)
    expect(token.message).not.toContain(SECRET)
  })

  it('a password of the wrong type is reported without its value', () => {
    const err = configError(JSON.stringify({ sasl: { mechanism: 'plain', username: 'ann', password: 12345678 } }))
    expect(err.message).toBe('kafka.json: "sasl.password" must be a non-empty string')
    expect(configError('{"ssl": {"passphrase": 987654}}').message).not.toContain('987654')
  })

  it('reads the file; a missing file or certificate is a one-line error naming it', async () => {
    await expect(readKafkaConfigFile(`${dir}/nope.json`)).rejects.toThrow(`${dir}/nope.json: file not found (--kafka-config)`)
    const file = writeFixture(dir, 'tls.json', JSON.stringify({ ssl: { ca: 'missing-ca.pem' } }))
    await expect(resolveConnectionSettings({ brokers: 'a:1', kafkaConfig: file }, {})).rejects.toThrow(
      `${file}: "ssl.ca": cannot read missing-ca.pem (ENOENT; paths are relative to this file)`,
    )
    writeFixture(dir, 'ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    const ok = writeFixture(dir, 'tls-ok.json', JSON.stringify({ ssl: { ca: 'ca.pem' }, clientId: 'x' }))
    const settings = await resolveConnectionSettings({ brokers: 'a:1', kafkaConfig: ok }, {})
    expect(settings).toMatchObject({ brokers: ['a:1'], brokersFrom: '--brokers', clientId: 'x', connectionTimeout: 3000, requestTimeout: 30000 })
    expect(settings.ssl).toEqual({ ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' })
  })
})

describe('redaction', () => {
  it('describeConnection names brokers, TLS, mechanism and user, never the password', async () => {
    const file = writeFixture(dir, 'sasl.json', JSON.stringify({ ssl: true, sasl: { mechanism: 'plain', username: 'ann', password: SECRET } }))
    const settings = await resolveConnectionSettings({ kafkaConfig: file }, { KAFKA_BROKERS: 'k1:9093,k2:9093' })
    expect(settings.sasl?.password).toBe(SECRET)
    const text = describeConnection(settings)
    expect(text).toBe(`brokers k1:9093,k2:9093 (from KAFKA_BROKERS), TLS, SASL plain as "ann" (password hidden), client id "mlkafka", config ${file}`)
    expect(text).not.toContain(SECRET)
    expect(JSON.stringify(describeConnection(settings))).not.toContain(SECRET)
  })

  it('client log lines drop secret-looking fields, and quiet mode shows only errors nobody else reports', () => {
    const entry = { level: 'error' as const, namespace: 'Admin', message: 'Failed\n to  do it', extra: { broker: 'k1:9093', password: SECRET, sasl: { password: SECRET }, retryCount: 2 } }
    const info = formatKafkaLogLine(entry, 'info')
    expect(info).toBe('kafka error: Failed to do it [Admin] (broker=k1:9093, retryCount=2)')
    expect(info).not.toContain(SECRET)
    expect(formatKafkaLogLine(entry, 'quiet')).toBe('kafka error: Failed to do it [Admin]')

    expect(shouldShow(entry, 'quiet')).toBe(true)
    expect(shouldShow({ ...entry, namespace: 'Connection' }, 'quiet')).toBe(false) // retried, then our own one-line error
    expect(shouldShow({ ...entry, level: 'warn' }, 'quiet')).toBe(false)
    expect(shouldShow({ ...entry, level: 'info', namespace: 'Connection' }, 'info')).toBe(true)
    expect(shouldShow({ ...entry, level: 'debug' }, 'info')).toBe(false)
    expect(shouldShow({ ...entry, level: 'debug' }, 'debug')).toBe(true)

    const written: string[] = []
    const sink = stderrKafkaLog('quiet', { write: (s: string) => written.push(s) } as unknown as NodeJS.WritableStream)
    sink(entry)
    sink(entry) // the same error again is not repeated
    sink({ ...entry, namespace: 'BrokerPool' })
    expect(written).toEqual(['kafka error: Failed to do it [Admin]\n'])
  })

  it('MLKAFKA_DEBUG=kafka turns the client log up', () => {
    expect(kafkaLogVerbosity({})).toBe('quiet')
    expect(kafkaLogVerbosity({ MLKAFKA_DEBUG: 'search,kafka' })).toBe('info')
    expect(kafkaLogVerbosity({ MLKAFKA_DEBUG: 'kafka:debug' })).toBe('debug')
  })
})
