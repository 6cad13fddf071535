import type { Task } from '../data/target.js'
import { formatScore, higherIsBetter, rankKey, type MetricName } from './metrics.js'
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
  /** Why the winner won, when it is not rank 1. */
  winnerReason?: string
  /** When an ensemble wins: the single model that wins without it (also refit and kept when the budget allows). */
  singleWinner?: string
  /** How the scores were validated (saved in leaderboard.json; absent in a board not yet written). */
  validation?: { kind: 'cv' | 'holdout'; folds: number; repeats: number }
}

/**
 * How the winner is picked from the leaderboard.
 * - `one-se` (default): a paired one-standard-error rule for the linear model. A model is as good as the
 *   best one, for all the validation can tell, when its fold-by-fold score differences from the best
 *   average no more than one standard error of those differences (their std / sqrt(folds per partition):
 *   repeated partitions are not independent, so they do not shrink it). When a logistic (ridge) regression
 *   is, the best such one wins: on small tables it does as well on new rows as a net that only looks
 *   better by fold luck, while a model that wins fold after fold keeps its place. Only the linear model
 *   displaces rank 1: a forest or tree whose fold scores merely wander around the best passes the test by
 *   its noise, and was measured to do worse on held-out rows (breast cancer: a forest at 0.976 test AUC
 *   in place of a net at 0.992).
 * - `best`: rank 1.
 */
export type Selection = 'one-se' | 'best'
export const SELECTIONS: readonly Selection[] = ['one-se', 'best']
/** The family the one-se rule prefers when it is within one standard error of the best. */
export const SIMPLE_FAMILY = 'logistic_regression'

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
  // A linear model at rank 1 keeps its place.
  if (selection === 'best' || Number.isNaN(best.score) || best.family === SIMPLE_FAMILY) return { row: best, reason: `best ${board.metric}` }
  const sign = higherIsBetter(board.metric) ? -1 : 1
  // Rows are in rank order: the first linear model within one standard error is the best such one.
  const row = board.rows.find((r) => r.family === SIMPLE_FAMILY && !Number.isNaN(r.score) && withinOneSe(r, best, sign, foldsPerPartition))
  if (!row) return { row: best, reason: `best ${board.metric}` }
  const { gap, se } = pairedGap(row, best, sign, foldsPerPartition)
  return {
    row,
    reason: `a linear model within one standard error of the best, ${best.modelId} (${best.family}, ${board.metric} ${formatScore(best.score)}; fold-by-fold gap ${formatSe(gap)} <= ${formatSe(se)})`,
  }
}

function withinOneSe(row: TrialResult, best: TrialResult, sign: number, foldsPerPartition: number): boolean {
  const { gap, se } = pairedGap(row, best, sign, foldsPerPartition)
  return gap <= se
}

const formatSe = (v: number): string => (v === 0 ? '0' : formatScore(v, 2))

/** Ranks trials by the metric (best first); a NaN score ranks last; ties keep trial order. */
export function rankTrials(task: Task, target: string, metric: MetricName, trials: TrialResult[]): Leaderboard {
  const key = (t: TrialResult): number => rankKey(metric, t.score)
  const sorted = trials.map((t, i) => ({ t, i })).sort((a, b) => key(a.t) - key(b.t) || a.i - b.i)
  return { task, target, metric, rows: sorted.map(({ t }, r) => ({ ...t, rank: r + 1 })) }
}

/** The leaderboard's rows as --json prints them. */
export function leaderboardJson(board: Leaderboard): object[] {
  return board.rows.map((r) => ({
    rank: r.rank,
    modelId: r.modelId,
    family: r.family,
    params: keyParams(r.family, r.params, board.task),
    score: r.score,
    scoreStd: r.scoreStd,
    metrics: r.metrics,
    trainMs: r.trainMs,
    predictUsPerRow: r.predictUsPerRow,
    sizeBytes: r.sizeBytes,
  }))
}
