import { parentPort } from 'node:worker_threads'
import type { DeadLetterReason } from './dead-letter.js'
import { MessageScorer } from './message-scorer.js'
import { unpackValues, type FromScoringWorker, type ToScoringWorker } from './scoring-protocol.js'

/** A scoring worker thread: decodes, scores and encodes the outputs of the batches it is sent. */

const utf8 = new TextEncoder()
let scorer: MessageScorer | null = null
let out = new Uint8Array(1 << 20)

function scoreBatch(id: number, data: Uint8Array, lengths: Int32Array): FromScoringWorker {
  const values = unpackValues(data, lengths)
  const n = values.length
  const outLengths = new Int32Array(n)
  const latencies = new Float64Array(n)
  const dead: { index: number; reason: DeadLetterReason }[] = []
  let at = 0
  for (let i = 0; i < n; i++) {
    const r = scorer!.score(values[i])
    if ('dead' in r) {
      outLengths[i] = -1
      latencies[i] = NaN
      dead.push({ index: i, reason: r.dead })
      continue
    }
    // Every UTF-16 unit is at most 3 UTF-8 bytes.
    if (out.length - at < r.value.length * 3) {
      const bigger = new Uint8Array(Math.max(out.length * 2, at + r.value.length * 3))
      bigger.set(out.subarray(0, at))
      out = bigger
    }
    const written = utf8.encodeInto(r.value, out.subarray(at)).written
    outLengths[i] = written
    latencies[i] = r.latencyUs
    at += written
  }
  // A fresh buffer goes back (transferred); the scratch one stays here.
  return { type: 'scored', id, data: out.slice(0, at), lengths: outLengths, latencies, dead }
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
