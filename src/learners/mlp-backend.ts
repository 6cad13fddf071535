/**
 * Which code trains an MLP: the typed-array loop (mlp.ts, the default) or TensorFlow.js (mlp-tfjs.ts).
 *
 * Measured on the learner benchmark's 2x64 net (2 cores): the typed-array loop beats TensorFlow.js's
 * wasm and cpu backends by far (README, Learners), so TensorFlow.js trains only when asked for, or under
 * 'auto' when its native bindings (@tensorflow/tfjs-node, which download libtensorflow at install time)
 * are installed and load. The setting: MlpParams.backend, else the MLKAFKA_NN_BACKEND environment
 * variable, else 'auto'.
 *
 * TensorFlow.js is loaded only by dynamic import, on first use: `@tensorflow/tfjs-node` (backend
 * 'tensorflow') if it loads, else `@tensorflow/tfjs` on `@tensorflow/tfjs-backend-wasm` if installed,
 * else `@tensorflow/tfjs` on its plain JavaScript 'cpu' backend. None is a runtime dependency of mlkafka.
 */
import { createRequire } from 'node:module'
import type * as Tf from '@tensorflow/tfjs'
import { UserError } from '../errors.js'

export type MlpBackendSetting = 'auto' | 'typed' | 'tfjs'
export const MLP_BACKEND_SETTINGS: readonly MlpBackendSetting[] = ['auto', 'typed', 'tfjs']
export const MLP_BACKEND_ENV = 'MLKAFKA_NN_BACKEND'

/** TensorFlow.js's name for the backend that ran: libtensorflow (tfjs-node), WebAssembly, or plain JS. */
export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu'
export const TFJS_BACKENDS: readonly TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu']

/** TensorFlow.js, loaded, with the backend it computes on. */
export interface TfjsRuntime {
  tf: typeof Tf
  backend: TfjsBackendName
}

/** What trained (or will train) an MLP. */
export type MlpBackendUsed = { kind: 'typed' } | { kind: 'tfjs'; runtime: TfjsRuntime }

/** The setting in force: the params' own, else MLKAFKA_NN_BACKEND, else 'auto'. */
export function mlpBackendSetting(given?: MlpBackendSetting, env: NodeJS.ProcessEnv = process.env): MlpBackendSetting {
  const setting = given ?? (env[MLP_BACKEND_ENV]?.trim().toLowerCase() || 'auto')
  if (!(MLP_BACKEND_SETTINGS as readonly string[]).includes(setting)) {
    const where = given !== undefined ? 'mlp backend' : MLP_BACKEND_ENV
    throw new UserError(`${where} must be one of ${MLP_BACKEND_SETTINGS.join(', ')} (got "${setting}")`)
  }
  return setting as MlpBackendSetting
}

/** The choice before anything is loaded: 'auto' means TensorFlow.js only when its native bindings are installed. */
export function pickMlpBackend(setting: MlpBackendSetting, tfjsNodeInstalled: boolean): 'typed' | 'tfjs' {
  if (setting === 'auto') return tfjsNodeInstalled ? 'tfjs' : 'typed'
  return setting
}

const require = createRequire(import.meta.url)
const resolved = new Map<string, boolean>()

/** Whether a package resolves from mlkafka's install (cached; nothing is loaded). */
export function packageInstalled(name: string): boolean {
  let found = resolved.get(name)
  if (found === undefined) {
    try {
      require.resolve(name)
      found = true
    } catch {
      found = false
    }
    resolved.set(name, found)
  }
  return found
}

export const tfjsNodeInstalled = (): boolean => packageInstalled('@tensorflow/tfjs-node')

// One load per backend order and thread: TensorFlow.js's backend is global state.
const loads = new Map<string, Promise<TfjsRuntime>>()

/**
 * Loads TensorFlow.js on the first backend of `order` that works (default: tensorflow, wasm, cpu) and
 * makes it the active one. Throws a UserError when @tensorflow/tfjs is not installed at all.
 */
export function loadTfjs(order: readonly TfjsBackendName[] = TFJS_BACKENDS): Promise<TfjsRuntime> {
  const key = order.join(',')
  let load = loads.get(key)
  if (!load) {
    // A failure is kept too: every trial of a run would fail the same way.
    load = loadFirst(order)
    loads.set(key, load)
  }
  return load.then(async (runtime) => {
    // Another order may have switched the global backend since.
    if (runtime.tf.getBackend() !== runtime.backend) await runtime.tf.setBackend(runtime.backend)
    return runtime
  })
}

/** Module names in variables: TypeScript must not need packages that are optional. */
const TFJS_NODE = '@tensorflow/tfjs-node'
const TFJS = '@tensorflow/tfjs'
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm'

async function loadFirst(order: readonly TfjsBackendName[]): Promise<TfjsRuntime> {
  const failures: string[] = []
  for (const backend of order) {
    try {
      let tf: typeof Tf
      if (backend === 'tensorflow') {
        if (!tfjsNodeInstalled()) throw new Error('not installed')
        // tfjs-node registers the 'tensorflow' backend (libtensorflow) and makes it the active one.
        tf = (await import(TFJS_NODE)) as typeof Tf
      } else {
        tf = (await import(TFJS)) as typeof Tf
        if (backend === 'wasm') {
          if (!packageInstalled(TFJS_WASM)) throw new Error('not installed')
          await import(TFJS_WASM)
        }
      }
      // Production mode: no debug checks, and no "install tfjs-node" banner on the console.
      tf.enableProdMode()
      if (!(await tf.setBackend(backend))) throw new Error(`setBackend('${backend}') failed`)
      await tf.ready()
      return { tf, backend }
    } catch (err) {
      failures.push(`${backend}: ${(err as Error).message.split('\n')[0]}`)
    }
  }
  if (!packageInstalled(TFJS) && !tfjsNodeInstalled()) {
    throw new UserError(`the tfjs mlp backend needs TensorFlow.js: npm install @tensorflow/tfjs (or @tensorflow/tfjs-node, with internet access), or set ${MLP_BACKEND_ENV}=typed`)
  }
  throw new Error(`TensorFlow.js loaded no backend of ${order.join(', ')} (${failures.join('; ')})`)
}

/**
 * The backend an MLP fit with this setting runs on, loading TensorFlow.js if it is chosen. Under
 * 'auto', tfjs-node that is installed but does not load (no libtensorflow, or a worker thread where its
 * native addon will not register again) means the typed-array loop, not a pure-JS TensorFlow.js backend.
 */
export async function resolveMlpBackend(setting: MlpBackendSetting): Promise<MlpBackendUsed> {
  if (pickMlpBackend(setting, tfjsNodeInstalled()) === 'typed') return { kind: 'typed' }
  const runtime = await loadTfjs(setting === 'auto' ? ['tensorflow'] : TFJS_BACKENDS).catch((err: unknown) => {
    if (setting === 'auto') return null
    throw err
  })
  return runtime ? { kind: 'tfjs', runtime } : { kind: 'typed' }
}

/** One line naming the backend: 'typed arrays (2 threads)', 'tfjs wasm'. */
export function describeMlpBackend(used: MlpBackendUsed, threads = 1): string {
  if (used.kind === 'typed') return `typed arrays (${threads} thread${threads === 1 ? '' : 's'})`
  return `tfjs ${used.runtime.backend}`
}

/**
 * The line `automl train` prints before it starts: the backend its MLP trials will train on, with
 * `threads` (each trial's) for the typed-array loop. Loads TensorFlow.js if that is what runs, so a
 * missing package or a wrong MLKAFKA_NN_BACKEND is reported before the search, not by every trial.
 */
export async function mlpBackendLine(threads: number): Promise<string> {
  return `mlp backend: ${describeMlpBackend(await resolveMlpBackend(mlpBackendSetting()), threads)}`
}
