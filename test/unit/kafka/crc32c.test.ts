import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import '../../../src/kafka/client.js'
import { crc32c, KAFKAJS_CRC32C_MODULE } from '../../../src/kafka/crc32c.js'

/** The textbook CRC-32C, one bit at a time. */
function bitwise(bytes: Uint8Array): number {
  let crc = -1
  for (const b of bytes) {
    crc ^= b
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ -1) >>> 0
}

describe('crc32c', () => {
  it('gives the standard check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(0))).toBe(0)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa) // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
  })

  it('matches the bit-at-a-time definition at every length and offset', () => {
    const data = Uint8Array.from({ length: 1200 }, (_, i) => (i * 2654435761) >>> 23)
    for (let len = 0; len < 70; len++) for (const at of [0, 1, 3, 7]) expect(crc32c(data.subarray(at, at + len))).toBe(bitwise(data.subarray(at, at + len)))
    expect(crc32c(data)).toBe(bitwise(data))
  })

  it("is the CRC kafkajs's record batches are checksummed with, once the client module is loaded", () => {
    const require = createRequire(import.meta.url)
    expect(require.cache[require.resolve(KAFKAJS_CRC32C_MODULE)]?.exports).toBe(crc32c)
  })
})
