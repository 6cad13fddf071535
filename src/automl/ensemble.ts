/**
 * Ensemble selection (Caruana et al., 2004, as auto-sklearn and AutoGluon use it): starting from
 * nothing, add (with replacement) the candidate whose out-of-fold scores, averaged with the models
 * picked so far, give the best ranking metric; keep the best round's picks. A model's weight is the
 * share of picks it got. Out-of-fold scores are what the trials already computed for their CV score, so
 * selection needs no extra fitting; only the picked models are refit on all rows.
 */
import type { Task } from '../data/target.js'
import { accuracy, auc, aucpr, computeMetrics, f1, foldSummary, higherIsBetter, logloss, mae, meanPerClassError, predictedClasses, r2, rmse, type MetricName } from './metrics.js'
import type { TrialResult } from './trial.js'

/** At most this many of the best trials are candidates. */
export const ENSEMBLE_CANDIDATES = 10
/**
 * An ensemble wins only when its CV score beats the best single model's by more than this share of the
 * error left: of the score itself for a loss (log loss, RMSE, MAE), of 1 - score for the metrics that
 * reach 1 at best (AUC, accuracy, F1, R2). A blend of near-copies (two ridge fits a few C apart) "wins"
 * by noise, and is only a bigger, slower model.
 */
export const ENSEMBLE_MIN_GAIN = 0.001

/** Whether an ensemble's CV score beats the best single model's by more than ENSEMBLE_MIN_GAIN of the error left. */
export function ensembleWins(ensembleScore: number, bestSingleScore: number, metric: MetricName): boolean {
  const higher = higherIsBetter(metric)
  const gain = higher ? ensembleScore - bestSingleScore : bestSingleScore - ensembleScore
  const errorLeft = higher ? 1 - bestSingleScore : Math.abs(bestSingleScore)
  return gain > ENSEMBLE_MIN_GAIN * errorLeft
}
/** Rounds of selection (each adds one pick). */
export const ENSEMBLE_ROUNDS = 25
/** Selection scores at most this many out-of-fold rows (an even spread over every fold); the final scores use all. */
const SELECTION_ROWS = 20_000

/** The out-of-fold rows: targets in OOF order and where each fold's rows start and end. */
export interface OofLayout {
  task: Task
  outputs: number
  y: Float64Array
  /** Fold f covers rows foldStart[f] .. foldStart[f + 1]. */
  foldStart: number[]
}

export interface EnsembleCandidate {
  row: TrialResult
  oof: Float64Array
}

export interface EnsembleSelection {
  /** Members in candidate order (best first), with weight = picks / all picks. */
  members: { row: TrialResult; picks: number; weight: number }[]
  /** The ranking metric on each fold, its mean and std; every metric's mean over the folds. */
  foldScores: number[]
  score: number
  scoreStd: number
  metrics: Partial<Record<MetricName, number>>
}

/** One metric of scores against targets (only the one asked for, unlike computeMetrics). */
export function metricOf(task: Task, metric: MetricName, scores: Float64Array, y: Float64Array, k: number): number {
  if (task === 'regression') return metric === 'rmse' ? rmse(scores, y) : metric === 'mae' ? mae(scores, y) : r2(scores, y)
  if (metric === 'logloss') return logloss(scores, k, y)
  if (metric === 'auc' || metric === 'aucpr') {
    const p1 = new Float64Array(y.length)
    for (let i = 0; i < y.length; i++) p1[i] = scores[i * 2 + 1]
    return metric === 'auc' ? auc(p1, y) : aucpr(p1, y)
  }
  const pred = predictedClasses(scores, k, y.length)
  return metric === 'accuracy' ? accuracy(pred, y) : metric === 'f1' ? f1(pred, y) : meanPerClassError(pred, y, k)
}

/** Rows each fold keeps for selection: every row, or an even spread when there are more than SELECTION_ROWS. */
function selectionRows(layout: OofLayout): { rows: Int32Array; foldStart: number[] } {
  const n = layout.y.length
  const step = Math.max(1, Math.ceil(n / SELECTION_ROWS))
  const rows: number[] = []
  const foldStart: number[] = []
  for (let f = 0; f + 1 < layout.foldStart.length; f++) {
    foldStart.push(rows.length)
    for (let i = layout.foldStart[f]; i < layout.foldStart[f + 1]; i += step) rows.push(i)
  }
  foldStart.push(rows.length)
  return { rows: Int32Array.from(rows), foldStart }
}

function gather(values: Float64Array, rows: Int32Array, k: number): Float64Array {
  const out = new Float64Array(rows.length * k)
  for (let r = 0; r < rows.length; r++) for (let j = 0; j < k; j++) out[r * k + j] = values[rows[r] * k + j]
  return out
}

/** Mean over the folds of the metric. */
function foldMean(layout: { task: Task; outputs: number }, metric: MetricName, scores: Float64Array, y: Float64Array, foldStart: number[]): number {
  const k = layout.outputs
  let sum = 0
  for (let f = 0; f + 1 < foldStart.length; f++) {
    const a = foldStart[f]
    const b = foldStart[f + 1]
    sum += metricOf(layout.task, metric, scores.subarray(a * k, b * k), y.subarray(a, b), k)
  }
  return sum / (foldStart.length - 1)
}

/**
 * Greedy ensemble selection over the candidates (best first). Returns null unless the best round blends
 * at least two different models and scores strictly better than the best single candidate.
 * `affordable` says whether a set of members can still be refit in time: a model that would break it is
 * not picked (the models already picked stay).
 */
export function selectEnsemble(
  candidates: EnsembleCandidate[],
  layout: OofLayout,
  metric: MetricName,
  options: { rounds?: number; affordable?: (rows: TrialResult[]) => boolean } = {},
): EnsembleSelection | null {
  const rounds = options.rounds ?? ENSEMBLE_ROUNDS
  const affordable = options.affordable ?? ((): boolean => true)
  const usable = candidates.filter((c) => Number.isFinite(c.row.score) && c.oof.length === layout.y.length * layout.outputs)
  if (usable.length < 2) return null
  const k = layout.outputs
  const sign = higherIsBetter(metric) ? -1 : 1
  const { rows, foldStart } = selectionRows(layout)
  const y = gather(layout.y, rows, 1)
  const oofs = usable.map((c) => gather(c.oof, rows, k))
  const sum = new Float64Array(rows.length * k)
  const blend = new Float64Array(rows.length * k)
  const picks = new Array<number>(usable.length).fill(0)
  let bestKey = Infinity
  let bestPicks: number[] | null = null
  let singleKey = Infinity
  for (let round = 1; round <= rounds; round++) {
    let chosen = -1
    let chosenKey = Infinity
    for (let c = 0; c < usable.length; c++) {
      // A model not picked yet joins only if the members' refits still fit the time left.
      if (picks[c] === 0 && !affordable([...usable.filter((_, i) => picks[i] > 0).map((u) => u.row), usable[c].row])) continue
      const o = oofs[c]
      for (let i = 0; i < blend.length; i++) blend[i] = (sum[i] + o[i]) / round
      const key = sign * foldMean(layout, metric, blend, y, foldStart)
      if (key < chosenKey) {
        chosenKey = key
        chosen = c
      }
    }
    if (chosen < 0) break
    const o = oofs[chosen]
    for (let i = 0; i < sum.length; i++) sum[i] += o[i]
    picks[chosen]++
    if (round === 1) singleKey = chosenKey
    if (chosenKey < bestKey) {
      bestKey = chosenKey
      bestPicks = [...picks]
    }
  }
  if (!bestPicks || bestPicks.filter((p) => p > 0).length < 2 || !(bestKey < singleKey)) return null
  const total = bestPicks.reduce((a, b) => a + b, 0)
  const members = usable.flatMap((c, i) => (bestPicks![i] > 0 ? [{ row: c.row, oof: c.oof, picks: bestPicks![i], weight: bestPicks![i] / total }] : []))
  // The final scores: every out-of-fold row, blended as the ensemble IR does (s += weight * member).
  const scores = new Float64Array(layout.y.length * k)
  for (const m of members) for (let i = 0; i < scores.length; i++) scores[i] += m.weight * m.oof[i]
  const perFold: Record<string, number>[] = []
  for (let f = 0; f + 1 < layout.foldStart.length; f++) {
    const a = layout.foldStart[f]
    const b = layout.foldStart[f + 1]
    perFold.push(computeMetrics(layout.task, scores.subarray(a * k, b * k), layout.y.subarray(a, b), k))
  }
  return { members: members.map(({ row, picks, weight }) => ({ row, picks, weight })), ...foldSummary(perFold, metric) }
}
