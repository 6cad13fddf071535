import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { ForestWorkerMessage } from './forest-worker.js'
import { FitAborted } from './learner.js'
import { buildTree, type BinTree, type TreeData, type TreeParams } from './tree-builder.js'
import { toShared } from '../shared-memory.js'
import { workerScriptUrl } from '../worker-url.js'

let pool: Worker[] = []
let nextFitId = 1

function workers(count: number): Worker[] {
  while (pool.length < count) {
    const w = new Worker(workerScriptUrl('learners/forest-worker'))
    w.unref()
    pool.push(w)
  }
  return pool.slice(0, count)
}

/** Ends the worker threads (they are unref'd, so a process exits without this; tests call it). */
export async function shutdownForestPool(): Promise<void> {
  const all = pool
  pool = []
  await Promise.all(all.map((w) => w.terminate()))
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism())
}

/**
 * Grows one tree per params entry, on `workerCount` threads (in this thread when 1). Tree i depends only
 * on params[i] (its seed), never on which thread grew it: results are identical for any worker count.
 * When `timeUp` says true, it returns the first trees, those grown or growing by then (at least one).
 */
export async function growTrees(data: TreeData, params: TreeParams[], workerCount: number, signal?: AbortSignal, timeUp?: (nextMs?: number) => boolean): Promise<BinTree[]> {
  const threads = Math.min(workerCount, params.length)
  if (threads <= 1) {
    const trees: BinTree[] = []
    let treeMs = 0
    for (const p of params) {
      if (signal?.aborted) throw new FitAborted()
      if (trees.length > 0 && timeUp?.(treeMs)) break
      const t0 = performance.now()
      trees.push(buildTree(data, p))
      treeMs = performance.now() - t0
      // Let timers and signals through between trees.
      if (signal) await new Promise((r) => setImmediate(r))
    }
    return trees
  }
  const fitId = nextFitId++
  const sharedData: TreeData = {
    ...data,
    bins: toShared(data.bins),
    nBins: toShared(data.nBins),
    y: toShared(data.y),
    weight: data.weight ? toShared(data.weight) : null,
    binLow: data.binLow ? toShared(data.binLow) : undefined,
    binHigh: data.binHigh ? toShared(data.binHigh) : undefined,
  }
  const ws = workers(threads)
  const results: BinTree[] = new Array(params.length)
  let next = 0
  let done = 0
  // Once the time is up no more trees are started; the ones growing finish, so the trees kept are
  // always params' first ones (those dispatched, in order).
  let last = params.length
  const started = performance.now()
  return new Promise<BinTree[]>((resolve, reject) => {
    let failed = false
    const listeners = new Map<Worker, (msg: { fitId: number; index: number; tree?: BinTree; error?: string }) => void>()
    const cleanup = (): void => {
      for (const [w, l] of listeners) w.off('message', l)
      signal?.removeEventListener('abort', onAbort)
    }
    const fail = (err: Error): void => {
      if (failed) return
      failed = true
      cleanup()
      reject(err)
    }
    const onAbort = (): void => fail(new FitAborted())
    signal?.addEventListener('abort', onAbort)
    const dispatch = (w: Worker): void => {
      if (next >= last || failed) return
      const index = next++
      w.postMessage({ type: 'tree', fitId, index, params: params[index] } satisfies ForestWorkerMessage)
    }
    for (const w of ws) {
      const listener = (msg: { fitId: number; index: number; tree?: BinTree; error?: string }): void => {
        if (msg.fitId !== fitId) return
        if (msg.error) return fail(new Error(`forest worker failed: ${msg.error}`))
        results[msg.index] = msg.tree!
        done++
        // A tree's time on one thread, from the trees done so far.
        if (last === params.length && timeUp?.(((performance.now() - started) * threads) / done)) last = next
        if (done === last) {
          cleanup()
          resolve(results.slice(0, last))
        } else dispatch(w)
      }
      listeners.set(w, listener)
      w.on('message', listener)
      w.postMessage({ type: 'data', fitId, data: sharedData } satisfies ForestWorkerMessage)
      dispatch(w)
    }
  })
}
