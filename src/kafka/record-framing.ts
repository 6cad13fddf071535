import { replaceKafkajsModule } from './kafkajs-modules.js'
import { encodeRecordFields, putVarint, varintSize } from './record-fields.js'

/**
 * Lets kafkajs send records whose key, value and headers are already encoded (record-fields.ts): serve's
 * scoring threads write them, and the thread that runs the Kafka client only adds each record's length,
 * attributes and deltas. kafkajs's own record encoder (kept for every other message) allocates a zeroed
 * 512-byte buffer per record and per header and grows it by copying; on the Kafka thread that was the
 * largest cost of writing a scored message after the produce request itself.
 *
 * Like crc32c.ts this replaces a kafkajs module before kafkajs loads (kafkajs-modules.ts), since
 * kafkajs's produce request keeps the function it required.
 */

/** On a message given to kafkajs: its encoded fields (kafkajs copies it onto the record it encodes). */
export const RECORD_FIELDS = Symbol.for('mlkafka.recordFields')

/** kafkajs 2.2.4's record (message format v2) encoder, and the encoder class it returns. */
export const KAFKAJS_RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/index.js'
const KAFKAJS_ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js'

interface KafkajsEncoder {
  buf: Buffer
  offset: number
  readonly buffer: Buffer
}

type RecordEncoder = (message: Record<string | symbol, unknown>) => KafkajsEncoder

/** Bytes of the zig-zag varint of an integer timestamp delta (milliseconds; 64-bit in the format). */
function varlongBytes(n: number): Uint8Array | null {
  if (n >= -(2 ** 30) && n < 2 ** 30) return null // the 32-bit path
  let u = (BigInt(n) << 1n) ^ (BigInt(n) >> 63n)
  u &= (1n << 64n) - 1n
  const out: number[] = []
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80)
    u >>= 7n
  }
  out.push(Number(u))
  return Uint8Array.from(out)
}

/** A record: its length, attributes (none), timestamp delta, offset delta, then the encoded fields. */
export function frameRecord(fields: Uint8Array, offsetDelta: number, timestampDelta: number): Buffer {
  // Milliseconds as kafkajs's Long takes them: whole, and 0 for NaN.
  const td = Number.isFinite(timestampDelta) ? Math.trunc(timestampDelta) : 0
  const long = varlongBytes(td)
  const body = 1 + (long ? long.length : varintSize(td)) + varintSize(offsetDelta) + fields.length
  const out = Buffer.allocUnsafe(varintSize(body) + body)
  let at = putVarint(out, 0, body)
  out[at++] = 0
  if (long) {
    out.set(long, at)
    at += long.length
  } else at = putVarint(out, at, td)
  at = putVarint(out, at, offsetDelta)
  out.set(fields, at)
  return out
}

let installed = false

/** Whether kafkajs takes messages with RECORD_FIELDS (false: encode them as key, value and headers). */
export function recordFramingInstalled(): boolean {
  return installed
}

/**
 * Puts the framing in front of kafkajs's record encoder. Returns false, and changes nothing, when
 * kafkajs's files are not laid out as in 2.2.4 or its encoder writes a sample record differently.
 */
export function installRecordFraming(): boolean {
  if (installed) return true
  installed = replaceKafkajsModule(KAFKAJS_RECORD_MODULE, 'kafkajs/src/protocol/requests/produce/v3/request.js', (original, require) => {
    let encoderClass: unknown
    try {
      encoderClass = require(KAFKAJS_ENCODER_MODULE)
    } catch {
      return null
    }
    if (typeof original !== 'function' || typeof encoderClass !== 'function') return null
    const encoderPrototype = (encoderClass as { prototype: KafkajsEncoder }).prototype
    const kafkajsRecord = original as RecordEncoder
    const framed: RecordEncoder = (message) => {
      const fields = message[RECORD_FIELDS] as Uint8Array | undefined
      if (fields === undefined) return kafkajsRecord(message)
      const buf = frameRecord(fields, (message.offsetDelta as number | undefined) ?? 0, Number(message.timestampDelta ?? 0))
      // What kafkajs's batch encoder reads of a record: `buf` (a Buffer) and `buffer` (its written bytes).
      const encoder = Object.create(encoderPrototype) as KafkajsEncoder
      encoder.buf = buf
      encoder.offset = buf.length
      return encoder
    }
    return sameAsKafkajs(kafkajsRecord, framed) ? framed : null
  })
  return installed
}

/** Our fields and framing write a sample record byte for byte as kafkajs does. */
function sameAsKafkajs(kafkajsRecord: RecordEncoder, framed: RecordEncoder): boolean {
  const sample = { key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: { h: 'v', two: [Buffer.from([1]), 'x'] }, offsetDelta: 300, timestampDelta: 70_000 }
  try {
    const want = kafkajsRecord(sample).buffer
    const fields = encodeRecordFields(sample.key, sample.value, sample.headers)
    const got = framed({ ...sample, [RECORD_FIELDS]: fields }).buffer
    return Buffer.compare(want, got) === 0
  } catch {
    return false
  }
}

installRecordFraming()
