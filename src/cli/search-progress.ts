import type { TrialEvent } from '../automl/search.js'
import { formatDuration } from './durations.js'
import { formatNumber } from './text-table.js'

/**
 * Search progress on stderr: a redrawn status line on a TTY (trials done, best score, ETA), plain log
 * lines otherwise (CI logs).
 */
export function searchProgress(metric: string, stream: NodeJS.WriteStream = process.stderr): { onTrial: (e: TrialEvent) => void; end: () => void } {
  const tty = stream.isTTY === true
  let drawn = false
  const onTrial = (e: TrialEvent): void => {
    const best = e.best ? `best ${metric} ${formatNumber(e.best.score)} (${e.best.modelId})` : 'no trial finished yet'
    let eta = ''
    if (e.budgetMs !== null) eta = `, ${formatDuration(e.budgetMs - e.elapsedMs)} left`
    else if (e.planned !== null && e.done > 0) eta = `, ETA ${formatDuration((e.elapsedMs / e.done) * (e.planned - e.done))}`
    const count = e.planned !== null ? `${e.done}/${e.planned}` : `${e.done}`
    if (tty) {
      const width = 20
      const share = e.planned !== null ? e.done / e.planned : e.budgetMs !== null ? e.elapsedMs / e.budgetMs : 0
      const filled = Math.min(width, Math.round(share * width))
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] trials ${count}, ${best}${eta}`)
      drawn = true
      return
    }
    if (e.failed) stream.write(`trial ${e.failed.modelId} failed: ${e.failed.reason}\n`)
    else if (e.trial) {
      const rows = e.rowFraction < 1 ? ` on ${Math.round(e.rowFraction * 100)}% of rows` : ''
      const short = e.trial.cutShort ? (e.trial.family === 'random_forest' ? `, stopped by its time limit at ${e.trial.params.nTrees} trees` : ', stopped by its time limit') : ''
      stream.write(`trial ${count}: ${e.trial.modelId}${rows} ${metric}=${formatNumber(e.trial.score)} (${e.trial.trainMs} ms${short}); ${best}${eta}\n`)
    }
  }
  return { onTrial, end: () => drawn && stream.write('\n') }
}
