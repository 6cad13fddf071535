/** Worker thread: grows forest trees on data shared by the main thread (SharedArrayBuffers). */
import { parentPort } from 'node:worker_threads'
import { buildTree, type TreeData, type TreeParams } from './tree-builder.js'

export type ForestWorkerMessage =
  | { type: 'data'; fitId: number; data: TreeData }
  | { type: 'tree'; fitId: number; index: number; params: TreeParams }

let current: { fitId: number; data: TreeData } | null = null

parentPort!.on('message', (msg: ForestWorkerMessage) => {
  if (msg.type === 'data') {
    current = { fitId: msg.fitId, data: msg.data }
    return
  }
  try {
    if (!current || current.fitId !== msg.fitId) throw new Error(`no data for fit ${msg.fitId}`)
    const tree = buildTree(current.data, msg.params)
    const buffers = [tree.feature.buffer, tree.thresholdBin.buffer, tree.left.buffer, tree.right.buffer, tree.missingLeft.buffer, tree.value.buffer]
    parentPort!.postMessage({ fitId: msg.fitId, index: msg.index, tree }, buffers as ArrayBuffer[])
  } catch (err) {
    parentPort!.postMessage({ fitId: msg.fitId, index: msg.index, error: (err as Error).stack ?? String(err) })
  }
})
