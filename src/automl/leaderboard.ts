import type { Task } from '../data/target.js'
import { higherIsBetter, type MetricName } from './metrics.js'
import { keyParams } from './space.js'
import type { TrialResult } from './trial.js'

export interface LeaderboardRow extends TrialResult {
  rank: number
}

export interface Leaderboard {
  task: Task
  target: string
  metric: MetricName
  rows: LeaderboardRow[]
  /** Model id of the winner (see selectWinner); absent in leaderboards written before it was recorded. */
  winner?: string
}

/**
 * How the winner is picked from the leaderboard.
 * - `one-se` (default): a paired one-standard-error rule. A model is as good as the best one, for all
 *   the validation can tell, when its fold-by-fold score differences from the best average no more than
 *   one standard error of those differences (their std / sqrt(folds per partition): repeated partitions
 *   are not independent, so they do not shrink it). Of those models the simplest family wins (logistic
 *   regression, then decision tree, random forest, neural net), and within it the best score. On small
 *   tables this picks a regularized linear model over a net that only looks better by fold luck, while a
 *   model that wins fold after fold keeps its place.
 * - `best`: rank 1.
 */
export type Selection = 'one-se' | 'best'
export const SELECTIONS: readonly Selection[] = ['one-se', 'best']
export const FAMILY_SIMPLICITY: readonly string[] = ['logistic_regression', 'decision_tree', 'random_forest', 'mlp']

export interface Winner {
  row: LeaderboardRow | undefined
  /** One line for people: why this model won. */
  reason: string
}

/** Mean and standard error of a row's fold-by-fold score differences from the best row's, signed so that > 0 is worse. */
export function pairedGap(row: TrialResult, best: TrialResult, sign: number, foldsPerPartition: number): { gap: number; se: number } {
  const n = Math.min(row.foldScores?.length ?? 0, best.foldScores?.length ?? 0)
  if (n === 0) return { gap: sign * (row.score - best.score), se: best.scoreStd / Math.sqrt(Math.max(1, foldsPerPartition)) }
  const d = Array.from({ length: n }, (_, f) => sign * (row.foldScores[f] - best.foldScores[f]))
  const gap = d.reduce((s, v) => s + v, 0) / n
  const sd = n > 1 ? Math.sqrt(d.reduce((s, v) => s + (v - gap) ** 2, 0) / (n - 1)) : 0
  return { gap, se: sd / Math.sqrt(Math.max(1, Math.min(n, foldsPerPartition))) }
}

export function selectWinner(board: Leaderboard, foldsPerPartition: number, selection: Selection): Winner {
  const best = board.rows[0]
  if (!best) return { row: undefined, reason: 'no trial finished' }
  if (selection === 'best' || Number.isNaN(best.score)) return { row: best, reason: `best ${board.metric}` }
  const sign = higherIsBetter(board.metric) ? -1 : 1
  const simplicity = (r: LeaderboardRow): number => FAMILY_SIMPLICITY.indexOf(r.family)
  let row = best
  for (const r of board.rows) {
    if (Number.isNaN(r.score) || simplicity(r) >= simplicity(row)) continue
    const { gap, se } = pairedGap(r, best, sign, foldsPerPartition)
    if (gap <= se) row = r
  }
  if (row === best) return { row, reason: `best ${board.metric}` }
  const { gap, se } = pairedGap(row, best, sign, foldsPerPartition)
  return {
    row,
    reason: `the simplest family within one standard error of the best, ${best.modelId} (${best.family}, ${board.metric} ${best.score.toPrecision(4)}; fold-by-fold gap ${formatSe(gap)} <= ${formatSe(se)})`,
  }
}

const formatSe = (v: number): string => (v === 0 ? '0' : v.toPrecision(2))

/** Ranks trials by the metric (best first); a NaN score ranks last; ties keep trial order. */
export function rankTrials(task: Task, target: string, metric: MetricName, trials: TrialResult[]): Leaderboard {
  const sign = higherIsBetter(metric) ? -1 : 1
  const key = (t: TrialResult): number => (Number.isNaN(t.score) ? Infinity : sign * t.score)
  const sorted = trials.map((t, i) => ({ t, i })).sort((a, b) => key(a.t) - key(b.t) || a.i - b.i)
  return { task, target, metric, rows: sorted.map(({ t }, r) => ({ ...t, rank: r + 1 })) }
}

/** The leaderboard's rows as --json prints them. */
export function leaderboardJson(board: Leaderboard): object[] {
  return board.rows.map((r) => ({
    rank: r.rank,
    modelId: r.modelId,
    family: r.family,
    params: keyParams(r.family, r.params),
    score: r.score,
    scoreStd: r.scoreStd,
    metrics: r.metrics,
    trainMs: r.trainMs,
    predictUsPerRow: r.predictUsPerRow,
    sizeBytes: r.sizeBytes,
  }))
}
