/**
 * The last three fields of a Kafka record (message format v2): key, value and headers, as the record
 * holds them after its offset delta. Serve's scoring threads write each output message this way, so the
 * thread that runs the Kafka client only frames finished bytes (record-framing.ts) instead of encoding
 * every field. Pure encoding: no kafkajs here, so a worker thread can load it.
 *
 *   Key     => varint length (-1: null), bytes
 *   Value   => varint length (-1: null), bytes
 *   Headers => varint count, then per header: varint length + UTF-8 key, varint length (-1: null) + value
 *
 * Varints are zig-zag LEB128, as in Kafka's DefaultRecord.
 */

/** Header values as the client takes them: text (UTF-8) or bytes, or several of them under one key. */
export type HeaderValue = string | Uint8Array
export type RecordHeaders = Record<string, HeaderValue | HeaderValue[] | null | undefined>

/** Where the fields are written (FieldsBuffer). */
export interface FieldSink {
  /** Bytes written so far. */
  readonly length: number
  /** Appends bytes[0 .. end). */
  bytes(bytes: Uint8Array, end: number): void
  /** Appends the text's UTF-8. */
  text(s: string): void
  /** Appends a zig-zag varint (a 32-bit integer). */
  varint(n: number): void
  /** Turns what was written since `start` into a length-prefixed field: its varint byte length, then the bytes. */
  prefixLength(start: number): void
}

/** Bytes of the zig-zag varint of a 32-bit integer. */
export function varintSize(n: number): number {
  let u = ((n << 1) ^ (n >> 31)) >>> 0
  let size = 1
  while (u >= 0x80) {
    u >>>= 7
    size++
  }
  return size
}

/** Writes the zig-zag varint of a 32-bit integer at `at`; returns the position after it. */
export function putVarint(buf: Uint8Array, at: number, n: number): number {
  let u = ((n << 1) ^ (n >> 31)) >>> 0
  while (u >= 0x80) {
    buf[at++] = (u & 0x7f) | 0x80
    u >>>= 7
  }
  buf[at++] = u
  return at
}

/** A key, a value or a header value: its length then its bytes (text as UTF-8); -1 for null. */
export function writeBytesField(sink: FieldSink, v: HeaderValue | null | undefined): void {
  if (v === null || v === undefined) {
    sink.varint(-1)
    return
  }
  if (typeof v === 'string') {
    const start = sink.length
    sink.text(v)
    sink.prefixLength(start)
    return
  }
  sink.varint(v.length)
  sink.bytes(v, v.length)
}

/** The headers field: in key order, a key with several values once per value (as kafkajs writes them). */
export function writeHeaders(sink: FieldSink, headers: RecordHeaders | undefined): void {
  if (headers === undefined) {
    sink.varint(0)
    return
  }
  let count = 0
  for (const k of Object.keys(headers)) {
    const v = headers[k]
    count += Array.isArray(v) ? v.length : 1
  }
  sink.varint(count)
  for (const k of Object.keys(headers)) {
    const v = headers[k]
    for (const one of Array.isArray(v) ? v : [v]) {
      writeBytesField(sink, k)
      writeBytesField(sink, one)
    }
  }
}

/**
 * A growing buffer that is a FieldSink: values written one after the other, taken at once as one
 * buffer that can be transferred to another thread (serve's scoring protocol).
 */
export class FieldsBuffer implements FieldSink {
  private buf: Buffer
  private at = 0

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(capacity)
  }

  get length(): number {
    return this.at
  }

  bytes(bytes: Uint8Array, end: number): void {
    this.reserve(end)
    this.buf.set(end === bytes.length ? bytes : bytes.subarray(0, end), this.at)
    this.at += end
  }

  text(s: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    this.reserve(s.length * 3)
    this.at += this.buf.write(s, this.at, 'utf8')
  }

  varint(n: number): void {
    this.reserve(5)
    this.at = putVarint(this.buf, this.at, n)
  }

  prefixLength(start: number): void {
    const n = this.at - start
    const size = varintSize(n)
    this.reserve(size)
    this.buf.copyWithin(start + size, start, this.at)
    putVarint(this.buf, start, n)
    this.at += size
  }

  /** Forgets what was written. */
  clear(): void {
    this.at = 0
  }

  /** The bytes written, in a new buffer of their own (not a pool's); the writer starts again empty. */
  take(): Uint8Array {
    const out = Uint8Array.prototype.slice.call(this.buf, 0, this.at)
    this.at = 0
    return out
  }

  private reserve(n: number): void {
    if (this.buf.length - this.at >= n) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n))
    this.buf.copy(bigger, 0, 0, this.at)
    this.buf = bigger
  }
}

/** A record's key, value and headers encoded: the fields of one message, in a buffer of their own. */
export function encodeRecordFields(key: HeaderValue | null | undefined, value: HeaderValue | null, headers?: RecordHeaders): Uint8Array {
  const sink = new FieldsBuffer(64 + (value?.length ?? 0) * 3 + (typeof key === 'string' ? key.length * 3 : (key?.length ?? 0)))
  writeBytesField(sink, key)
  writeBytesField(sink, value)
  writeHeaders(sink, headers)
  return sink.take()
}

/** Reads encoded fields back (for tests and for a client without record framing); header values stay bytes. */
export function decodeRecordFields(bytes: Uint8Array): { key: Buffer | null; value: Buffer | null; headers: Record<string, (Buffer | null)[]> } {
  let at = 0
  const varint = (): number => {
    let u = 0
    let shift = 0
    for (;;) {
      if (at >= bytes.length) throw new Error('record fields: truncated varint')
      const b = bytes[at++]
      u |= (b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7
      if (shift > 28) throw new Error('record fields: varint too long')
    }
    return (u >>> 1) ^ -(u & 1)
  }
  const field = (): Buffer | null => {
    const n = varint()
    if (n < 0) return null
    if (at + n > bytes.length) throw new Error('record fields: a field runs past the end')
    const out = Buffer.from(bytes.buffer, bytes.byteOffset + at, n)
    at += n
    return out
  }
  const key = field()
  const value = field()
  // No prototype: a header may be named __proto__.
  const headers: Record<string, (Buffer | null)[]> = Object.create(null) as Record<string, (Buffer | null)[]>
  for (let count = varint(); count > 0; count--) {
    const k = field()
    if (k === null) throw new Error('record fields: a header without a key')
    const name = k.toString('utf8')
    ;(headers[name] ??= []).push(field())
  }
  if (at !== bytes.length) throw new Error('record fields: bytes after the headers')
  return { key, value, headers }
}
