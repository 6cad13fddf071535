import { parentPort } from 'node:worker_threads'
import { MessageScorer } from './message-scorer.js'
import { unpackValues, type FromScoringWorker, type ToScoringWorker } from './scoring-protocol.js'

/** A scoring worker thread: decodes, scores and writes the outputs of the batches it is sent. */

let scorer: MessageScorer | null = null

parentPort!.on('message', (msg: ToScoringWorker) => {
  if (msg.type === 'init') {
    // A model that cannot be compiled throws here: the pool reports it before serve consumes.
    scorer = new MessageScorer(msg.ir, { outputFields: msg.outputFields, csvColumns: msg.csvColumns })
    scorer.warmUp()
    parentPort!.postMessage({ type: 'ready' } satisfies FromScoringWorker)
    return
  }
  let reply: FromScoringWorker
  try {
    reply = { type: 'scored', id: msg.id, ...scorer!.scoreBatch(unpackValues(msg.data, msg.lengths), unpackValues(msg.keyData, msg.keyLengths), msg.headers) }
  } catch (err) {
    const e = err as Error
    reply = { type: 'failed', id: msg.id, message: e.message, stack: e.stack }
  }
  const transfer = reply.type === 'scored' ? [reply.data.buffer as ArrayBuffer, reply.lengths.buffer as ArrayBuffer, reply.latencies.buffer as ArrayBuffer] : []
  parentPort!.postMessage(reply, transfer)
})
