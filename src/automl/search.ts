import { availableParallelism } from 'node:os'
import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import type { ModelIR } from '../ir/model.js'
import { fitModel } from '../learners/fit-model.js'
import type { Family } from '../learners/learner.js'
import { Random } from '../learners/random.js'
import { rankTrials, selectWinner, type Leaderboard, type Selection, type Winner } from './leaderboard.js'
import { higherIsBetter, type MetricName } from './metrics.js'
import { LEARNERS, sampleParams } from './space.js'
import { holdoutSplit, kFolds, type Fold } from './split.js'
import { TrialCutOff, TrialPool } from './trial-pool.js'
import type { TrialResult, TrialSpec } from './trial.js'

/** Above this many rows a single holdout split replaces k-fold CV (unless told otherwise). */
export const HOLDOUT_ABOVE_ROWS = 100_000
/** Tables up to this many rows get repeated k-fold CV by default (their trials are cheap; their scores noisy). */
export const REPEAT_CV_UP_TO_ROWS = 1_000
/** How many k-fold partitions small tables get by default. */
export const SMALL_TABLE_REPEATS = 3
/** Successive halving: each rung keeps the best 1/ETA of its trials for the next, ETA times the rows. */
export const ETA = 3
/** A cheap rung must still fit on at least this many rows per fold, or it is skipped. */
const MIN_RUNG_ROWS = 400

export type Strategy = 'halving' | 'random'

export interface SearchOptions {
  families: Family[]
  metric: MetricName
  seed: number
  strategy: Strategy
  /** Stop after sampling this many configurations. */
  maxTrials?: number
  /** Hard wall-clock budget for the whole run (search and refits), counted from `startedAt`. */
  timeBudgetMs?: number
  /** performance.now() when the run started (the command's start, so loading data counts too). */
  startedAt?: number
  folds: number
  /**
   * k-fold partitions, each with its own shuffle; a trial's score is the mean over every fold of
   * every partition. Default: SMALL_TABLE_REPEATS up to REPEAT_CV_UP_TO_ROWS rows, else 1.
   */
  repeats?: number
  /** How the winner is picked from the leaderboard (default 'one-se'; see selectWinner). */
  selection?: Selection
  /** 'auto': k-fold up to HOLDOUT_ABOVE_ROWS rows, a 20% holdout above. */
  validation: 'auto' | 'cv' | 'holdout'
  /** Trials run at once, each on its own worker thread. */
  workers: number
  /** How many of the best models to refit on all rows and keep. */
  keep: number
  /** Stops the search (Ctrl-C): finished trials still make the leaderboard. */
  signal?: AbortSignal
  onTrial?: (event: TrialEvent) => void
}

export interface TrialEvent {
  /** Trials evaluated so far (every rung). */
  done: number
  /** Evaluations planned, when a trial count bounds the run. */
  planned: number | null
  elapsedMs: number
  budgetMs: number | null
  trial: TrialResult | null
  /** Share of the training rows the trial was fitted on (1 = full; less on cheap rungs). */
  rowFraction: number
  failed?: { modelId: string; family: Family; reason: string }
  best: TrialResult | null
}

export interface SearchResult {
  leaderboard: Leaderboard
  /** The winner (first) and the best other models, refit on every training row. */
  models: ModelIR[]
  /** The leaderboard row of the winner, and why it won. */
  winner: Winner
  validation: { kind: 'cv' | 'holdout'; folds: number; repeats: number }
  strategy: Strategy
  rungs: number[]
  /** Configurations evaluated only on cheap rungs (screened out by successive halving). */
  screened: number
  trialsFailed: { modelId: string; family: Family; reason: string }[]
  stoppedBy: 'max-trials' | 'time-budget' | 'interrupted'
  elapsedMs: number
}

/** Row fractions of the rungs, cheapest first, always ending at 1; rungs too small to learn from are skipped. */
export function rungFractions(trainRows: number, strategy: Strategy): number[] {
  if (strategy === 'random') return [1]
  const rungs: number[] = []
  for (const f of [1 / (ETA * ETA), 1 / ETA]) if (trainRows * f >= MIN_RUNG_ROWS) rungs.push(f)
  rungs.push(1)
  return rungs
}

/** Evaluations a halving run of maxTrials configurations makes (for progress). */
export function plannedEvaluations(maxTrials: number, families: number, rungs: number[]): number {
  let total = Math.min(maxTrials, families)
  let left = maxTrials - total
  const bracket = ETA ** (rungs.length - 1)
  while (left > 0) {
    let n = Math.min(bracket, left)
    left -= n
    for (let r = 0; r < rungs.length; r++) {
      total += n
      n = Math.ceil(n / ETA)
    }
  }
  return total
}

/**
 * The AutoML search. Configuration t is family t mod F, drawn from that family's space with a seed
 * derived from (seed, t); the first of each family is its defaults. `halving` (default): the defaults
 * run on all rows as baselines while brackets of ETA^2 configurations start on 1/9 of the rows and the
 * best third moves up each rung to all rows. `random`: every configuration on all rows, each started
 * when a worker is free. Which configurations run, on which rung, depends only on the seed and on the
 * scores of whole rungs, so with maxTrials and a seed the leaderboard is exactly reproducible for any
 * worker count; with a time budget, how far it gets depends on the machine.
 */
export async function runSearch(table: Table, target: TargetData, options: SearchOptions): Promise<SearchResult> {
  const start = options.startedAt ?? performance.now()
  const elapsed = (): number => performance.now() - start
  const budget = options.timeBudgetMs ?? null
  const useHoldout = options.validation === 'holdout' || (options.validation === 'auto' && target.y.length > HOLDOUT_ABOVE_ROWS)
  const repeats = useHoldout ? 1 : (options.repeats ?? (target.y.length <= REPEAT_CV_UP_TO_ROWS ? SMALL_TABLE_REPEATS : 1))
  // The first partition is the plain k-fold of the seed, so one repeat is ordinary k-fold CV.
  const folds: Fold[] = useHoldout
    ? [holdoutSplit(target, 0.2, options.seed)]
    : Array.from({ length: repeats }, (_, r) => kFolds(target, options.folds, r === 0 ? options.seed : Random.derive(options.seed, 0xcf, r))).flat()
  const rungs = rungFractions(folds[0].train.length, options.strategy)
  const forestThreads = Math.max(1, Math.floor(availableParallelism() / options.workers))
  const pool = new TrialPool(table, target, folds, options.metric, options.workers)

  let stoppedBy: SearchResult['stoppedBy'] = 'max-trials'
  let stopped = false
  const stop = (why: SearchResult['stoppedBy']): void => {
    if (stopped) return
    stopped = true
    stoppedBy = why
    void pool.cutOff()
  }
  const onUserAbort = (): void => stop('interrupted')
  options.signal?.addEventListener('abort', onUserAbort)
  if (options.signal?.aborted) stop('interrupted')
  let timer: NodeJS.Timeout | undefined
  // The share of the budget kept for refitting the winner on all rows, from its measured fit times.
  let refitReserveMs = 0
  const scheduleBudget = (): void => {
    if (budget === null) return
    clearTimeout(timer)
    timer = setTimeout(() => stop('time-budget'), Math.max(0, budget - refitReserveMs - elapsed()))
  }
  scheduleBudget()

  const full: { result: TrialResult; index: number }[] = []
  const failed: SearchResult['trialsFailed'] = []
  let screened = 0
  let done = 0
  let best: TrialResult | null = null
  const planned = options.maxTrials === undefined ? null : plannedEvaluations(options.maxTrials, options.families.length, rungs)
  const sign = higherIsBetter(options.metric) ? -1 : 1
  const rankKey = (r: TrialResult): number => (Number.isNaN(r.score) ? Infinity : sign * r.score)

  const perFamily = new Map<Family, number>()
  const configs: TrialSpec[] = []
  const config = (t: number): TrialSpec => {
    while (configs.length <= t) {
      const i = configs.length
      const family = options.families[i % options.families.length]
      const k = perFamily.get(family) ?? 0
      perFamily.set(family, k + 1)
      const params = sampleParams(family, target.task, k, new Random(Random.derive(options.seed, i)))
      if (family === 'random_forest') params.workers = forestThreads
      if (family === 'mlp') params.threads = forestThreads
      configs.push({ modelId: `${family}_${i + 1}`, family, params, seed: Random.derive(options.seed, i, 1) })
    }
    return configs[t]
  }

  /** Runs config indices on one rung; returns the finished ones (index and result), in index order. */
  const runRung = async (indices: number[], rung: number): Promise<{ index: number; result: TrialResult }[]> => {
    const fraction = rungs[rung]
    const settled = await Promise.allSettled(
      indices.map(async (index) => {
        const spec = { ...config(index), rowFraction: fraction, subsampleSeed: Random.derive(options.seed, 0x5ab, rung) }
        try {
          const result = await pool.run(spec)
          done++
          if (fraction === 1) {
            full.push({ result, index })
            const leader = full.reduce((a, b) => (rankKey(b.result) < rankKey(a.result) || (rankKey(b.result) === rankKey(a.result) && b.index < a.index) ? b : a))
            best = leader.result
            refitReserveMs = (best.trainMs / folds.length) * (useHoldout ? 1.25 : options.folds / (options.folds - 1)) * 1.3
            scheduleBudget()
          }
          options.onTrial?.({ done, planned, elapsedMs: elapsed(), budgetMs: budget, trial: result, rowFraction: fraction, best })
          return { index, result }
        } catch (err) {
          if (err instanceof TrialCutOff) throw err
          const reason = (err as Error).message
          done++
          failed.push({ modelId: spec.modelId, family: spec.family, reason })
          options.onTrial?.({ done, planned, elapsedMs: elapsed(), budgetMs: budget, trial: null, rowFraction: fraction, failed: { modelId: spec.modelId, family: spec.family, reason }, best })
          throw err
        }
      }),
    )
    const finished: { index: number; result: TrialResult }[] = []
    for (const s of settled) if (s.status === 'fulfilled') finished.push(s.value)
    return finished.sort((a, b) => a.index - b.index)
  }

  const limit = options.maxTrials ?? Infinity
  let next = 0
  try {
    if (options.strategy === 'random' || rungs.length === 1) {
      // A trial starts as soon as a worker is free: a slow one (a big forest) holds one worker, not all.
      const running = new Set<Promise<unknown>>()
      while (!stopped && next < limit) {
        while (running.size < options.workers && next < limit && !stopped) {
          const trial: Promise<unknown> = runRung([next++], rungs.length - 1).finally(() => running.delete(trial))
          running.add(trial)
        }
        if (running.size > 0) await Promise.race(running)
      }
      await Promise.all(running)
    } else {
      // Baselines first: each family's defaults on all rows. The brackets do not wait for them: the
      // pool starts their trials as workers come free, so a slow baseline holds one worker, not all.
      const baselines: number[] = []
      while (baselines.length < options.families.length && next < limit) baselines.push(next++)
      const baselinesDone = runRung(baselines, rungs.length - 1)
      const bracketSize = ETA ** (rungs.length - 1)
      while (!stopped && next < limit) {
        let alive: number[] = []
        while (alive.length < bracketSize && next < limit) alive.push(next++)
        for (let rung = 0; rung < rungs.length && !stopped && alive.length > 0; rung++) {
          const finished = await runRung(alive, rung)
          if (rung === rungs.length - 1) break
          finished.sort((a, b) => rankKey(a.result) - rankKey(b.result) || a.index - b.index)
          const keep = Math.ceil(alive.length / ETA)
          screened += finished.length - Math.min(keep, finished.length)
          alive = finished.slice(0, keep).map((f) => f.index)
        }
      }
      await baselinesDone
    }
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onUserAbort)
    await pool.close()
  }

  full.sort((a, b) => a.index - b.index)
  const leaderboard = rankTrials(target.task, target.name, options.metric, full.map((f) => f.result))
  const winner = selectWinner(leaderboard, useHoldout ? 1 : options.folds, options.selection ?? 'one-se')
  leaderboard.winner = winner.row?.modelId
  const all = Int32Array.from({ length: target.y.length }, (_, i) => i)
  const models: ModelIR[] = []
  const refits = winner.row ? [winner.row, ...leaderboard.rows.filter((r) => r !== winner.row)].slice(0, options.keep) : []
  for (const row of refits) {
    // The winner is always refit on all rows; the runners-up only while the budget allows.
    if (models.length > 0 && budget !== null && elapsed() + (row.trainMs / folds.length) * 1.5 > budget) break
    if (models.length > 0 && options.signal?.aborted) break
    const params = row.family === 'random_forest' ? { ...row.params, workers: availableParallelism() } : row.family === 'mlp' ? { ...row.params, threads: availableParallelism() } : row.params
    models.push(await fitModel(LEARNERS[row.family], table, target, all, params, { modelId: row.modelId, seed: row.seed }))
  }
  return {
    leaderboard,
    models,
    winner,
    validation: { kind: useHoldout ? 'holdout' : 'cv', folds: useHoldout ? 1 : options.folds, repeats },
    strategy: options.strategy,
    rungs,
    screened,
    trialsFailed: failed,
    stoppedBy,
    elapsedMs: elapsed(),
  }
}
