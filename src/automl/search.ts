import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import type { ModelIR } from '../ir/model.js'
import { fitModel } from '../learners/fit-model.js'
import { FitAborted, type Family } from '../learners/learner.js'
import { Random } from '../learners/random.js'
import { rankTrials, type Leaderboard } from './leaderboard.js'
import type { MetricName } from './metrics.js'
import { LEARNERS, sampleParams } from './space.js'
import { holdoutSplit, kFolds, type Fold } from './split.js'
import { runTrial, type TrialResult } from './trial.js'

/** Above this many rows a single holdout split replaces k-fold CV (unless told otherwise). */
export const HOLDOUT_ABOVE_ROWS = 100_000

export interface SearchOptions {
  families: Family[]
  metric: MetricName
  seed: number
  /** Stop after this many trials. */
  maxTrials?: number
  /** Hard wall-clock budget for the whole run (search and refits). */
  timeBudgetMs?: number
  folds: number
  /** 'auto': k-fold up to HOLDOUT_ABOVE_ROWS rows, a 20% holdout above. */
  validation: 'auto' | 'cv' | 'holdout'
  workers: number
  /** How many of the best models to refit on all rows and keep. */
  keep: number
  /** Stops the search (Ctrl-C): finished trials still make the leaderboard. */
  signal?: AbortSignal
  onTrial?: (event: TrialEvent) => void
}

export interface TrialEvent {
  done: number
  planned: number | null
  elapsedMs: number
  budgetMs: number | null
  trial: TrialResult | null
  failed?: { modelId: string; family: Family; reason: string }
  best: TrialResult | null
}

export interface SearchResult {
  leaderboard: Leaderboard
  /** Best models refit on every training row, best first. */
  models: ModelIR[]
  validation: { kind: 'cv' | 'holdout'; folds: number }
  trialsFailed: { modelId: string; family: Family; reason: string }[]
  stoppedBy: 'max-trials' | 'time-budget' | 'interrupted'
  elapsedMs: number
}

/**
 * Random search over the families' spaces, round-robin by family, the first trial of each family at its
 * defaults. With maxTrials and a seed the run is exactly reproducible; with a time budget, how many
 * trials fit depends on the machine.
 */
export async function runSearch(table: Table, target: TargetData, options: SearchOptions): Promise<SearchResult> {
  const start = performance.now()
  const elapsed = (): number => performance.now() - start
  const budget = options.timeBudgetMs ?? null
  const useHoldout = options.validation === 'holdout' || (options.validation === 'auto' && target.y.length > HOLDOUT_ABOVE_ROWS)
  const folds: Fold[] = useHoldout ? [holdoutSplit(target, 0.2, options.seed)] : kFolds(target, options.folds, options.seed)

  // One controller cuts off a trial in progress when the budget runs out or the user interrupts.
  const controller = new AbortController()
  const onUserAbort = (): void => controller.abort()
  options.signal?.addEventListener('abort', onUserAbort)
  let timer: NodeJS.Timeout | undefined
  // Keep a share of the budget for refitting the winner on all rows.
  let refitReserveMs = 0
  const scheduleBudget = (): void => {
    if (budget === null) return
    clearTimeout(timer)
    timer = setTimeout(() => controller.abort(), Math.max(0, budget - refitReserveMs - elapsed()))
  }
  scheduleBudget()

  const trials: TrialResult[] = []
  const failed: SearchResult['trialsFailed'] = []
  let best: TrialResult | null = null
  const board = (): Leaderboard => rankTrials(target.task, target.name, options.metric, trials)
  const perFamily = new Map<Family, number>()
  let stoppedBy: SearchResult['stoppedBy'] = 'max-trials'
  for (let t = 0; options.maxTrials === undefined || t < options.maxTrials; t++) {
    if (controller.signal.aborted) {
      stoppedBy = options.signal?.aborted ? 'interrupted' : 'time-budget'
      break
    }
    const family = options.families[t % options.families.length]
    const k = perFamily.get(family) ?? 0
    perFamily.set(family, k + 1)
    const params = sampleParams(family, target.task, k, new Random(Random.derive(options.seed, t)))
    if (family === 'random_forest') params.workers = options.workers
    const modelId = `${family}_${t + 1}`
    try {
      const result = await runTrial(table, target, folds, { modelId, family, params, seed: Random.derive(options.seed, t, 1) }, options.metric, controller.signal)
      trials.push(result)
      best = board().rows[0]
      // Refitting on all rows costs about one fold's fit scaled to all rows.
      refitReserveMs = ((best.trainMs / folds.length) * (useHoldout ? 1.25 : folds.length / (folds.length - 1))) * 1.2
      scheduleBudget()
      options.onTrial?.({ done: trials.length, planned: options.maxTrials ?? null, elapsedMs: elapsed(), budgetMs: budget, trial: result, best })
    } catch (err) {
      if (err instanceof FitAborted) {
        stoppedBy = options.signal?.aborted ? 'interrupted' : 'time-budget'
        break
      }
      const reason = (err as Error).message
      failed.push({ modelId, family, reason })
      options.onTrial?.({ done: trials.length, planned: options.maxTrials ?? null, elapsedMs: elapsed(), budgetMs: budget, trial: null, failed: { modelId, family, reason }, best })
    }
  }
  clearTimeout(timer)
  options.signal?.removeEventListener('abort', onUserAbort)

  const leaderboard = board()
  const all = Int32Array.from({ length: target.y.length }, (_, i) => i)
  const models: ModelIR[] = []
  for (const row of leaderboard.rows.slice(0, options.keep)) {
    // The winner is always refit; the runners-up only while the budget allows.
    if (models.length > 0 && budget !== null && elapsed() + (row.trainMs / folds.length) * 1.5 > budget) break
    if (models.length > 0 && options.signal?.aborted) break
    const ir = await fitModel(LEARNERS[row.family], table, target, all, row.params, { modelId: row.modelId, seed: row.seed })
    models.push(ir)
  }
  return {
    leaderboard,
    models,
    validation: { kind: useHoldout ? 'holdout' : 'cv', folds: folds.length },
    trialsFailed: failed,
    stoppedBy,
    elapsedMs: elapsed(),
  }
}
