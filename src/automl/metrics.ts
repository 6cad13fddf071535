/**
 * Leaderboard metrics, computed from the IR evaluator's scores (class probabilities, row-major n x k,
 * or values) against the true targets (class index or value).
 */
import type { Task } from '../data/target.js'

export type MetricName = 'auc' | 'logloss' | 'accuracy' | 'f1' | 'aucpr' | 'mean_per_class_error' | 'rmse' | 'mae' | 'r2'

export const METRICS_BY_TASK: Record<Task, readonly MetricName[]> = {
  binary: ['auc', 'logloss', 'accuracy', 'f1', 'aucpr'],
  multiclass: ['logloss', 'accuracy', 'mean_per_class_error'],
  regression: ['rmse', 'mae', 'r2'],
}

export const DEFAULT_METRIC: Record<Task, MetricName> = { binary: 'auc', multiclass: 'logloss', regression: 'rmse' }

/** A score in a sentence: 4 significant digits (or `digits`), never in exponent form for ordinary sizes (22320, not 2.232e+4). */
export function formatScore(v: number, digits = 4): string {
  return String(Number(v.toPrecision(digits)))
}

/** True when larger values are better. */
export function higherIsBetter(metric: MetricName): boolean {
  return metric === 'auc' || metric === 'accuracy' || metric === 'f1' || metric === 'aucpr' || metric === 'r2'
}

/** A score as a sort key: lower is better whatever the metric, and NaN (a failed score) last. */
export function rankKey(metric: MetricName, score: number): number {
  return Number.isNaN(score) ? Infinity : higherIsBetter(metric) ? -score : score
}

const EPS = 1e-15

/** Area under the ROC curve from P(positive), ties counted half (the Mann-Whitney statistic). */
export function auc(p1: Float64Array, y: Float64Array): number {
  // The Mann-Whitney rank sum of the positives, ties at their mid-rank: each positive's rank range is
  // found by binary search in a natively sorted copy (a comparator sort of indices was 10 times slower,
  // and ensemble selection computes thousands of AUCs). Ranks are half-integers, so the sum is exact.
  const n = y.length
  const sorted = Float64Array.from(p1.subarray(0, n)).sort()
  if (n > 0 && Number.isNaN(sorted[n - 1])) return NaN
  let positives = 0
  let rankSum = 0
  for (let i = 0; i < n; i++) {
    if (y[i] !== 1) continue
    const v = p1[i]
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (sorted[mid] < v) lo = mid + 1
      else hi = mid
    }
    let end = lo
    hi = n
    while (end < hi) {
      const mid = (end + hi) >>> 1
      if (sorted[mid] <= v) end = mid + 1
      else hi = mid
    }
    positives++
    rankSum += (lo + end - 1) / 2 + 1
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return NaN
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

/** Area under the precision-recall curve as average precision (scikit-learn's definition). */
export function aucpr(p1: Float64Array, y: Float64Array): number {
  const n = y.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p1[b] - p1[a])
  let positives = 0
  for (let i = 0; i < n; i++) if (y[i] === 1) positives++
  if (positives === 0) return NaN
  let tp = 0
  let fp = 0
  let ap = 0
  let lastRecall = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && p1[order[j + 1]] === p1[order[i]]) j++
    for (let t = i; t <= j; t++) if (y[order[t]] === 1) tp++
    else fp++
    const recall = tp / positives
    ap += (recall - lastRecall) * (tp / (tp + fp))
    lastRecall = recall
    i = j + 1
  }
  return ap
}

export function logloss(scores: Float64Array, k: number, y: Float64Array): number {
  let sum = 0
  for (let i = 0; i < y.length; i++) sum -= Math.log(Math.min(1 - EPS, Math.max(EPS, scores[i * k + y[i]])))
  return sum / y.length
}

/** Predicted class per row: the highest probability, the first one on a tie (as the IR evaluator). */
export function predictedClasses(scores: Float64Array, k: number, n: number): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c
    out[i] = best
  }
  return out
}

export function accuracy(pred: Int32Array, y: Float64Array): number {
  let correct = 0
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) correct++
  return correct / y.length
}

/** F1 of the positive class (class 1). */
export function f1(pred: Int32Array, y: Float64Array): number {
  let tp = 0
  let fp = 0
  let fn = 0
  for (let i = 0; i < y.length; i++) {
    if (pred[i] === 1 && y[i] === 1) tp++
    else if (pred[i] === 1) fp++
    else if (y[i] === 1) fn++
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
}

/** Mean over the classes present of each class's error rate (H2O's mean_per_class_error). */
export function meanPerClassError(pred: Int32Array, y: Float64Array, k: number): number {
  const total = new Float64Array(k)
  const wrong = new Float64Array(k)
  for (let i = 0; i < y.length; i++) {
    total[y[i]]++
    if (pred[i] !== y[i]) wrong[y[i]]++
  }
  let sum = 0
  let present = 0
  for (let c = 0; c < k; c++) if (total[c] > 0) {
    sum += wrong[c] / total[c]
    present++
  }
  return sum / present
}

export function rmse(pred: Float64Array, y: Float64Array): number {
  let ss = 0
  for (let i = 0; i < y.length; i++) ss += (pred[i] - y[i]) ** 2
  return Math.sqrt(ss / y.length)
}

export function mae(pred: Float64Array, y: Float64Array): number {
  let s = 0
  for (let i = 0; i < y.length; i++) s += Math.abs(pred[i] - y[i])
  return s / y.length
}

export function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0
  for (let i = 0; i < y.length; i++) mean += y[i]
  mean /= y.length
  let ssRes = 0
  let ssTot = 0
  for (let i = 0; i < y.length; i++) {
    ssRes += (pred[i] - y[i]) ** 2
    ssTot += (y[i] - mean) ** 2
  }
  return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot
}

/** Every metric of the task for one set of scores. */
export function computeMetrics(task: Task, scores: Float64Array, y: Float64Array, nClasses: number): Record<MetricName, number> {
  const out = {} as Record<MetricName, number>
  if (task === 'regression') {
    out.rmse = rmse(scores, y)
    out.mae = mae(scores, y)
    out.r2 = r2(scores, y)
    return out
  }
  const pred = predictedClasses(scores, nClasses, y.length)
  if (task === 'binary') {
    const p1 = new Float64Array(y.length)
    for (let i = 0; i < y.length; i++) p1[i] = scores[i * 2 + 1]
    out.auc = auc(p1, y)
    out.logloss = logloss(scores, 2, y)
    out.accuracy = accuracy(pred, y)
    out.f1 = f1(pred, y)
    out.aucpr = aucpr(p1, y)
    return out
  }
  out.logloss = logloss(scores, nClasses, y)
  out.accuracy = accuracy(pred, y)
  out.mean_per_class_error = meanPerClassError(pred, y, nClasses)
  return out
}

/** Per-fold metrics summed up: every metric's mean over the folds, and the ranking metric per fold, its mean and std. */
export function foldSummary(perFold: Record<string, number>[], metric: MetricName): { metrics: Record<string, number>; foldScores: number[]; score: number; scoreStd: number } {
  const metrics: Record<string, number> = {}
  for (const name of Object.keys(perFold[0])) metrics[name] = perFold.reduce((s, m) => s + m[name], 0) / perFold.length
  const foldScores = perFold.map((m) => m[metric])
  const score = metrics[metric]
  const scoreStd = foldScores.length > 1 ? Math.sqrt(foldScores.reduce((s, v) => s + (v - score) ** 2, 0) / (foldScores.length - 1)) : 0
  return { metrics, foldScores, score, scoreStd }
}
