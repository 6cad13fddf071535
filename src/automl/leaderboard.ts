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
}

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
