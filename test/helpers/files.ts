import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temp folder for one test file's fixtures. */
export function tempDir(prefix = 'mlkafka-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function writeFixture(dir: string, name: string, content: string | Buffer): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}
