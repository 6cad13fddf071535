import { parentPort } from 'node:worker_threads'
import { MessageScorer } from './message-scorer.js'
import { unpackValues, type FromScoringWorker, type ToScoringWorker } from './scoring-protocol.js'

/** A scoring worker thread: decodes, scores and encodes the outputs of the batches it is sent. */

const utf8 = new TextEncoder()
let scorer: MessageScorer | null = null
let out = new Uint8Array(1 << 20)

function scoreBatch(id: number, data: Uint8Array, lengths: Int32Array): FromScoringWorker {
  const scored = scorer!.scoreBatch(unpackValues(data, lengths))
  const n = scored.values.length
  const outLengths = new Int32Array(n)
  let at = 0
  for (let i = 0; i < n; i++) {
    const value = scored.values[i]
    if (value === null) {
      outLengths[i] = -1
      continue
    }
    // Every UTF-16 unit is at most 3 UTF-8 bytes.
    if (out.length - at < value.length * 3) {
      const bigger = new Uint8Array(Math.max(out.length * 2, at + value.length * 3))
      bigger.set(out.subarray(0, at))
      out = bigger
    }
    const written = utf8.encodeInto(value, out.subarray(at)).written
    outLengths[i] = written
    at += written
  }
  // A fresh buffer goes back (transferred); the scratch one stays here.
  return { type: 'scored', id, data: out.slice(0, at), lengths: outLengths, latencies: scored.latencies, dead: scored.dead }
}

parentPort!.on('message', (msg: ToScoringWorker) => {
  if (msg.type === 'init') {
    // A model the evaluator cannot compile throws here: the pool reports it before serve consumes.
    scorer = new MessageScorer(msg.ir, { outputFields: msg.outputFields })
    parentPort!.postMessage({ type: 'ready' } satisfies FromScoringWorker)
    return
  }
  let reply: FromScoringWorker
  try {
    reply = scoreBatch(msg.id, msg.data, msg.lengths)
  } catch (err) {
    const e = err as Error
    reply = { type: 'failed', id: msg.id, message: e.message, stack: e.stack }
  }
  const transfer = reply.type === 'scored' ? [reply.data.buffer as ArrayBuffer, reply.lengths.buffer as ArrayBuffer, reply.latencies.buffer as ArrayBuffer] : []
  parentPort!.postMessage(reply, transfer)
})
