import type { TrialEvent } from '../automl/search.js'
import { formatDuration } from './durations.js'
import { formatNumber } from './text-table.js'

/** How often the bar is redrawn between trials on a TTY (the time left keeps counting down). */
const TICK_MS = 1000

export interface SearchProgress {
  onTrial: (e: TrialEvent) => void
  /** A line of its own (a note while the search runs): the bar is cleared, the line written, the bar drawn again. */
  note: (line: string) => void
  end: () => void
}

/**
 * Search progress on stderr: a redrawn status line on a TTY (trials done, best score, ETA or time
 * left, counting down between trials), plain log lines otherwise (CI logs). The status line is cut to
 * the terminal's width: a line that wraps leaves its first rows behind at every redraw, as `\x1b[2K`
 * clears only the row the cursor is on.
 */
export function searchProgress(metric: string, stream: NodeJS.WriteStream = process.stderr): SearchProgress {
  const tty = stream.isTTY === true
  let drawn = false
  let last: { e: TrialEvent; at: number } | null = null
  let timer: NodeJS.Timeout | undefined

  /** Trials done, the best score and the time left (or ETA), as of `elapsedMs`. */
  const summary = (e: TrialEvent, elapsedMs: number): { count: string; best: string; eta: string } => {
    const best = e.best ? `best ${metric} ${formatNumber(e.best.score)} (${e.best.modelId})` : 'no trial finished yet'
    let eta = ''
    if (e.budgetMs !== null) eta = `, ${formatDuration(Math.max(0, e.budgetMs - elapsedMs))} left`
    else if (e.planned !== null && e.done > 0) eta = `, ETA ${formatDuration((e.elapsedMs / e.done) * (e.planned - e.done))}`
    return { count: e.planned !== null ? `${e.done}/${e.planned}` : `${e.done}`, best, eta }
  }
  const statusLine = (e: TrialEvent, elapsedMs: number): string => {
    const { count, best, eta } = summary(e, elapsedMs)
    const width = 20
    const share = e.planned !== null ? e.done / e.planned : e.budgetMs !== null ? elapsedMs / e.budgetMs : 0
    const filled = Math.max(0, Math.min(width, Math.round(share * width)))
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] trials ${count}, ${best}${eta}`
  }
  const draw = (): void => {
    if (!last) return
    // Time goes on between trials: a budget's time left is counted from when the event came.
    const elapsed = last.e.budgetMs !== null ? last.e.elapsedMs + (Date.now() - last.at) : last.e.elapsedMs
    stream.write(`\r\x1b[2K${fitWidth(statusLine(last.e, elapsed), stream.columns)}`)
    drawn = true
  }

  const onTrial = (e: TrialEvent): void => {
    if (tty) {
      last = { e, at: Date.now() }
      draw()
      if (!timer && e.budgetMs !== null) {
        timer = setInterval(draw, TICK_MS)
        timer.unref()
      }
      return
    }
    const { count, best, eta } = summary(e, e.elapsedMs)
    if (e.failed) stream.write(`trial ${e.failed.modelId} failed: ${e.failed.reason}\n`)
    else if (e.trial) {
      const rows = e.rowFraction < 1 ? ` on ${Math.round(e.rowFraction * 100)}% of rows` : ''
      const short = e.trial.cutShort ? (e.trial.family === 'random_forest' ? `, stopped by its time limit at ${e.trial.params.nTrees} trees` : ', stopped by its time limit') : ''
      stream.write(`trial ${count}: ${e.trial.modelId}${rows} ${metric}=${formatNumber(e.trial.score)} (${e.trial.trainMs} ms${short}); ${best}${eta}\n`)
    }
  }
  const stopTicking = (): void => {
    if (timer) clearInterval(timer)
    timer = undefined
  }
  return {
    onTrial,
    note: (line) => {
      if (!drawn) {
        stream.write(line + '\n')
        return
      }
      stream.write(`\r\x1b[2K${line}\n`)
      draw()
    },
    end: () => {
      stopTicking()
      if (drawn) stream.write('\n')
      drawn = false
      last = null
    },
  }
}

/** A status line cut to a terminal's width (one column spare, so the cursor never wraps); as it is when the width is unknown. */
export function fitWidth(line: string, columns: number | undefined): string {
  if (!columns || columns < 2) return line
  const chars = Array.from(line)
  return chars.length <= columns - 1 ? line : chars.slice(0, Math.max(1, columns - 2)).join('') + '…'
}
