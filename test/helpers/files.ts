import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/**
 * A fresh temp folder for one test file's fixtures. It is removed after the test file ends
 * (test/setup/temp-cleanup.ts), unless MLKAFKA_KEEP_TEMP=1 keeps it for a look.
 */
export function tempDir(prefix = 'mlkafka-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** Removes the folders tempDir made in this test file. */
export function removeTempDirs(): void {
  if (process.env.MLKAFKA_KEEP_TEMP === '1') return
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function writeFixture(dir: string, name: string, content: string | Buffer): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}
