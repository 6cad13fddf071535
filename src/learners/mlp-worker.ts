/**
 * Worker thread of MLP training: computes parts of mini-batches for the fit it was last sent (buffers
 * shared with the fitting thread; see mlp-threads.ts), until that fit ends, then waits for the next.
 */
import { parentPort } from 'node:worker_threads'
import { MlpNetwork } from './mlp.js'
import { claimPart, computePart, CTL, reportFailure, waitWhile, WORKER_SPIN_MS, type MlpWorkerFit } from './mlp-threads.js'

let current: MlpWorkerFit | null = null

// A thread that ends mid-fit (an uncaught error, process.exit) tells the fitting thread, which would otherwise wait.
process.on('exit', (code) => {
  if (current && !Atomics.load(current.ctl, CTL.end)) reportFailure(current.ctl, current.errorBytes, `mlp worker thread exited (code ${code})`)
})

parentPort!.on('message', (msg: MlpWorkerFit) => {
  if (msg.type !== 'fit') return
  current = msg
  try {
    serve(msg)
  } catch (err) {
    reportFailure(msg.ctl, msg.errorBytes, (err as Error).stack ?? String(err))
  } finally {
    current = null
  }
})

/** Claims and computes parts of each batch the fitting thread publishes, until it ends the fit. */
function serve(fit: MlpWorkerFit): void {
  const { ctl } = fit
  const net = new MlpNetwork(fit.sizes, fit.activation, fit.output, fit.params)
  for (;;) {
    if (Atomics.load(ctl, CTL.end)) return
    const seen = Atomics.load(ctl, CTL.claim)
    const word = claimPart(ctl)
    if (word < 0) {
      // Every part of this batch is taken: wait until the claim word moves (the next batch, or the end).
      waitWhile(ctl, CTL.claim, seen, WORKER_SPIN_MS)
      continue
    }
    if (fit.fault === 'exit') process.exit(70)
    if (fit.fault === 'throw') throw new Error('injected mlp worker fault')
    computePart(net, fit, Atomics.load(ctl, CTL.rows), (word >> 4) & 15, word & 15, Atomics.load(ctl, CTL.epoch), Atomics.load(ctl, CTL.batch))
    Atomics.add(ctl, CTL.workerParts, 1)
    Atomics.add(ctl, CTL.done, 1)
    Atomics.notify(ctl, CTL.done)
  }
}
