import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: the nearest folder above this file with mlkafka's package.json (src/ or dist/src/). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'mlkafka') return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('mlkafka package.json not found')
    dir = parent
  }
}

export const PACKAGE_ROOT = findPackageRoot()

export const MLKAFKA_VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version
