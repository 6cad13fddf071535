import { isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'
import { DataError } from '../errors.js'

/** How many leading bytes of buf end on a whole UTF-8 character (a character cut by the chunk's end waits for the next). */
function wholeLength(buf: Buffer): number {
  const end = buf.length
  for (let i = end - 1; i >= Math.max(0, end - 4); i--) {
    const b = buf[i]
    if (b < 0x80) return end
    if (b >= 0xc0) {
      const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2
      return end - i < needed ? i : end
    }
  }
  return end
}

/** The offset of the first byte that does not start a valid UTF-8 character in buf (which isUtf8 refused). */
function firstInvalid(buf: Buffer): number {
  let i = 0
  while (i < buf.length) {
    const b = buf[i]
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0
    if (n === 0 || i + n > buf.length) return i
    for (let k = 1; k < n; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i
    // Overlong and surrogate forms isUtf8 also refuses.
    if ((b === 0xe0 && buf[i + 1] < 0xa0) || (b === 0xed && buf[i + 1] >= 0xa0) || (b === 0xf0 && buf[i + 1] < 0x90) || (b === 0xf4 && buf[i + 1] >= 0x90)) return i
    i += n
  }
  return buf.length
}

/** The 1-based line of a byte offset in the file. */
async function lineAt(file: string, offset: number): Promise<number> {
  let line = 1
  if (offset === 0) return line
  for await (const chunk of createReadStream(file, { end: offset - 1 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) line++
  }
  return line
}

/**
 * Checks a file's bytes as they stream by: text that is not UTF-8 (a Latin-1 or Windows-1252 export,
 * say) would otherwise be read with replacement characters, and levels differing only in an accented
 * letter would become one. push() each chunk, then end(); either returns the byte offset of the first
 * invalid byte, or -1.
 */
export class Utf8Check {
  private carry: Buffer | null = null
  private checked = 0

  push(chunk: Buffer): number {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk
    const whole = wholeLength(buf)
    const head = buf.subarray(0, whole)
    if (!isUtf8(head)) return this.checked + firstInvalid(head)
    this.checked += whole
    this.carry = whole < buf.length ? Buffer.from(buf.subarray(whole)) : null
    return -1
  }

  end(): number {
    return this.carry ? this.checked : -1
  }
}

/** Thrown inside a reader when a file's bytes are not UTF-8, at `offset` (see notUtf8Error). */
export class NotUtf8 extends Error {
  constructor(readonly offset: number) {
    super(`not UTF-8 at byte ${offset}`)
  }
}

/** The error for a file that is not UTF-8 text, naming the line of its first invalid byte. */
export async function notUtf8Error(file: string, offset: number): Promise<DataError> {
  return new DataError(
    { file, line: await lineAt(file, offset) },
    `the file is not UTF-8 text (byte ${offset} is not part of a UTF-8 character; a Latin-1 or Windows-1252 export?)`,
    `Save it as UTF-8, or convert it: iconv -f WINDOWS-1252 -t UTF-8 ${file} > converted.csv`,
  )
}
