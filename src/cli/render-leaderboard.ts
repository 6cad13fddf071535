import type { Leaderboard } from '../automl/leaderboard.js'
import { keyParams } from '../automl/space.js'
import { formatNumber, renderTable } from './text-table.js'

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('x') : typeof v === 'object' && v !== null ? Object.entries(v).map(([a, b]) => `${a}:${formatNumber(b as number, 3)}`).join(',') : String(v)}`)
    .join(' ')
}

/** Rows a terminal shows by default; the rest are in leaderboard.json (`mlkafka leaderboard DIR --all`). */
export const SHOWN_ROWS = 20

/**
 * The leaderboard as a text table, with notes on the winner and (unless singleNote is false: train says
 * more) the best single model. With `limit`, the best `limit` rows, plus the winner and the best single
 * model where they rank lower, and a line that says how many are left out (and, given the run's
 * directory, the command that lists them).
 */
export function renderLeaderboard(board: Leaderboard, options: { singleNote?: boolean; limit?: number; runDir?: string } = {}): string {
  const others = board.rows[0] ? Object.keys(board.rows[0].metrics).filter((m) => m !== board.metric) : []
  const holdout = board.validation?.kind === 'holdout'
  // A holdout gives one score per model: no spread to show.
  const header = ['rank', 'model', 'family', `${board.metric} (${holdout ? 'holdout' : 'cv'})`, ...(holdout ? [] : ['± std']), ...others, 'train ms', 'us/row', 'size', 'params']
  const winner = board.winner ?? board.rows[0]?.modelId
  const limit = options.limit ?? Infinity
  const shown = board.rows.filter((r, i) => i < limit || r.modelId === winner || r.modelId === board.singleWinner)
  const rows = shown.map((r) => [
    r.modelId === winner ? `*${r.rank}` : String(r.rank),
    r.modelId,
    r.family,
    formatNumber(r.score),
    ...(holdout ? [] : [formatNumber(r.scoreStd, 2)]),
    ...others.map((m) => formatNumber((r.metrics as Record<string, number>)[m])),
    String(r.trainMs),
    formatNumber(r.predictUsPerRow, 3),
    r.sizeBytes >= 1e6 ? `${(r.sizeBytes / 1e6).toFixed(1)} MB` : `${Math.ceil(r.sizeBytes / 1e3)} kB`,
    paramsText(keyParams(r.family, r.params, board.task)),
  ])
  const right = header.map((_, j) => j !== 1 && j !== 2 && j !== header.length - 1)
  const table = renderTable(header, rows, right)
  const notes: string[] = []
  const left = board.rows.length - shown.length
  if (left > 0) notes.push(`... ${left} more model${left === 1 ? '' : 's'}${options.runDir !== undefined ? `: mlkafka leaderboard ${options.runDir} --all lists them` : ''}`)
  if (winner !== board.rows[0]?.modelId) notes.push(`* the winner: ${board.winnerReason ?? 'a linear model within one standard error of the best score'}`)
  if (board.singleWinner && options.singleNote !== false) notes.push(`best single model: ${board.singleWinner} (models/${board.singleWinner}.json)`)
  return [table, ...notes].join('\n')
}
