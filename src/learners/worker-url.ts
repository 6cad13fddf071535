import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PACKAGE_ROOT } from '../version.js'

/**
 * The compiled JS of a worker module next to this folder. When mlkafka runs from TypeScript sources
 * (tests), worker threads cannot load .ts files, so they use the build in dist/ (`npm run build`).
 */
export function workerScriptUrl(name: string): URL {
  const here = new URL(`./${name}.js`, import.meta.url)
  if (existsSync(fileURLToPath(here))) return here
  const built = join(PACKAGE_ROOT, 'dist', 'src', 'learners', `${name}.js`)
  if (!existsSync(built)) throw new Error(`worker script ${built} is missing: run \`npm run build\` first`)
  return pathToFileURL(built)
}
