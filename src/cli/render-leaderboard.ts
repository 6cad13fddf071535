import type { Leaderboard } from '../automl/leaderboard.js'
import { keyParams } from '../automl/space.js'
import { formatNumber, renderTable } from './text-table.js'

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('x') : typeof v === 'object' && v !== null ? Object.entries(v).map(([a, b]) => `${a}:${formatNumber(b as number, 3)}`).join(',') : String(v)}`)
    .join(' ')
}

/** The leaderboard as a text table, with notes on the winner and (unless singleNote is false: train says more) the best single model. */
export function renderLeaderboard(board: Leaderboard, options: { singleNote?: boolean } = {}): string {
  const others = board.rows[0] ? Object.keys(board.rows[0].metrics).filter((m) => m !== board.metric) : []
  const header = ['rank', 'model', 'family', `${board.metric} (cv)`, '± std', ...others, 'train ms', 'us/row', 'size', 'params']
  const winner = board.winner ?? board.rows[0]?.modelId
  const rows = board.rows.map((r) => [
    r.modelId === winner ? `*${r.rank}` : String(r.rank),
    r.modelId,
    r.family,
    formatNumber(r.score),
    formatNumber(r.scoreStd, 2),
    ...others.map((m) => formatNumber((r.metrics as Record<string, number>)[m])),
    String(r.trainMs),
    formatNumber(r.predictUsPerRow, 3),
    r.sizeBytes >= 1e6 ? `${(r.sizeBytes / 1e6).toFixed(1)} MB` : `${Math.ceil(r.sizeBytes / 1e3)} kB`,
    paramsText(keyParams(r.family, r.params, board.task)),
  ])
  const right = header.map((_, j) => j !== 1 && j !== 2 && j !== header.length - 1)
  const table = renderTable(header, rows, right)
  const notes: string[] = []
  if (winner !== board.rows[0]?.modelId) notes.push(`* the winner: ${board.winnerReason ?? 'a linear model within one standard error of the best score'}`)
  if (board.singleWinner && options.singleNote !== false) notes.push(`best single model: ${board.singleWinner} (models/${board.singleWinner}.json)`)
  return [table, ...notes].join('\n')
}
