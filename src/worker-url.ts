import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PACKAGE_ROOT } from './version.js'

/**
 * The compiled JS of a worker module, by its path under src/ without extension ('automl/trial-worker').
 * When mlkafka runs from TypeScript sources (tests), worker threads cannot load .ts files, so they use
 * the build in dist/ (`npm run build`).
 */
export function workerScriptUrl(pathInSrc: string): URL {
  const here = new URL(`./${pathInSrc}.js`, import.meta.url)
  if (existsSync(fileURLToPath(here))) return here
  const built = join(PACKAGE_ROOT, 'dist', 'src', `${pathInSrc}.js`)
  if (!existsSync(built)) throw new Error(`worker script ${built} is missing: run \`npm run build\` first`)
  return pathToFileURL(built)
}
