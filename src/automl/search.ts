import { availableParallelism } from 'node:os'
import type { Table } from '../data/table.js'
import { UsageError } from '../errors.js'
import type { TargetData, Task } from '../data/target.js'
import { buildEnsemble } from '../ir/ensemble.js'
import type { ModelIR } from '../ir/model.js'
import { targetsOf, type Family } from '../learners/learner.js'
import { Random } from '../learners/random.js'
import { rankTrials, selectWinner, type Leaderboard, type LeaderboardRow, type Selection, type Winner } from './leaderboard.js'
import { formatScore, higherIsBetter, rankKey, type MetricName } from './metrics.js'
import { classRatioOf, familySize, portfolio, sampleParams } from './space.js'
import { holdoutSplit, kFolds, type Fold } from './split.js'
import { shareWithWorkers, TrialCutOff, TrialPool } from './trial-pool.js'
import { ENSEMBLE_MAX_LOSS, ensembleCandidates, ensembleWins, selectEnsemble, type EnsembleSelection } from './ensemble.js'
import { EXTRA_TREES_BUDGET_SHARE, REFIT_MARGIN, REFIT_TREES, RefitPlan } from './refit-plan.js'
import { refitModel, trialTimeMs, type TimeLimit, type TrialResult, type TrialSpec } from './trial.js'

/** Above this many rows a single holdout split replaces k-fold CV (unless told otherwise). */
export const HOLDOUT_ABOVE_ROWS = 100_000
/**
 * With a time budget, a holdout split also replaces k-fold CV above this many cells (rows x feature
 * columns, a categorical counting one per level up to 32) per second of budget: k-fold CV fits each
 * trial k times, and on a big table the default forest alone would take the budget. A 40,000-row table of
 * 26 such columns gets a holdout at 60 s (its default forest took 50 s in 5-fold CV), a 17,000 x 25 one
 * keeps CV.
 */
export const HOLDOUT_ABOVE_CELLS_PER_BUDGET_SECOND = 10_000
/** ... but only above this many rows: smaller tables fit fast whatever their width, and their holdout would be noisy. */
export const HOLDOUT_BY_BUDGET_ABOVE_ROWS = 10_000
/** Tables up to this many rows get repeated k-fold CV by default (their trials are cheap; their scores noisy). */
export const REPEAT_CV_UP_TO_ROWS = 1_000
/** How many k-fold partitions small tables get by default. */
export const SMALL_TABLE_REPEATS = 3
/** Successive halving: each rung keeps the best 1/ETA of its trials for the next, ETA times the rows. */
export const ETA = 3
/**
 * Refits are cut off, and the run's files written, by this share of the budget (the goal: within 5%; the
 * rest is for misjudged write times and the process's exit: a 60 s run on a 58,000-row table that
 * aimed at 4% ended at 63.1 s).
 */
const REFIT_BUDGET_EDGE = 1.03
/** A model refit in this long (or in this share of the winner's refit time) is a cheap backup for the winner's refit. */
const CHEAP_REFIT_MS = 200
const CHEAP_REFIT_SHARE = 0.1
/** After the refits' edge: stopping the refit workers and returning take up to this long (on short budgets more than 1% of them). */
const AFTER_EDGE_MS = 100
/**
 * Under a time budget each trial gets its part of the time left when it starts (see TrialSpec.timeLimit):
 * it and its refit should be done by this share of the budget. On a 200,000-row table the default forest
 * (95 s for 100 trees on 160,000 rows) and net (46 s) ran into the budget's edge and were lost, and the
 * run's winner was a blend of a tree and a logistic regression (1.08 log loss where the net, had it
 * finished, scored 0.20).
 */
const TRIAL_END_SHARE = 0.95
/**
 * At the search's edge, with a holdout, trials in progress get this long (at most) to finish with what
 * they have: their trees and epochs so far (TrialPool.wrapUp). The edge comes this much earlier.
 */
const WRAP_UP_MS = 1500
const WRAP_UP_BUDGET_SHARE = 0.02
/**
 * A trial is not started when its time limit would be under this share of its family's quickest trial
 * on all rows so far: on a 400-column table, forests started late got 0.3 to 7.5 s (1 to 26 trees, where
 * their quickest took 19.5 s for 100) and filled the leaderboard with stunted models.
 */
const MIN_LIMIT_SHARE = 0.5
/**
 * A forest's refit stops growing trees before the refits' edge by twice its trees' time and its file's
 * write time (the trees growing then finish, and its model is sent back), at most by this share of the
 * budget (a tree of a 200,000-row table took a second). It was this share on every table: on the small
 * ones, whose refits have the 3 s or so a search leaves, a forest's refit then grew 1 tree and counted as
 * cut off (participation, titanic: the winning forest gave way to the fifth model on the leaderboard;
 * modechoice, fair, biochemists: the ensemble gave way to the best single model).
 */
const FOREST_REFIT_EDGE_SHARE = 0.05
/**
 * A forest refit that stopped at the edge with fewer than this share of the trees its trial grew counts
 * as cut off: the forest the leaderboard measured is not what it would save. On a busy machine a
 * 300-tree winner (0.9816 CV AUC on treatment) was saved with 1 tree and scored 0.9112 on the test rows.
 */
const MIN_REFIT_TREE_SHARE = 0.5

/** Whether a refit model is too stunted to stand for its leaderboard row (see MIN_REFIT_TREE_SHARE). */
export function refitTooShort(row: Pick<TrialResult, 'family' | 'params'>, ir: Pick<ModelIR, 'params'>): boolean {
  return row.family === 'random_forest' && Number(ir.params.nTrees) < MIN_REFIT_TREE_SHARE * Number(row.params.nTrees)
}
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
  /**
   * Build an ensemble of the best trials by ensemble selection on their out-of-fold scores (default
   * true). It joins the leaderboard and wins unless its CV score is behind the best single model's by
   * more than ENSEMBLE_MAX_LOSS.
   */
  ensemble?: boolean
  /** 'auto': k-fold CV, or a 20% holdout for a table big for the time budget (see useHoldoutFor). */
  validation: 'auto' | 'cv' | 'holdout'
  /** Trials run at once, each on its own worker thread. */
  workers: number
  /** How many of the best models to refit on all rows and keep. */
  keep: number
  /** Stops the search (Ctrl-C): finished trials still make the leaderboard. */
  signal?: AbortSignal
  /** Called once as the search starts (done 0, no trial), then after every trial. */
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
  /** 'search-space': every configuration of the families was tried (only a linear model's grid ends). */
  stoppedBy: 'max-trials' | 'time-budget' | 'interrupted' | 'search-space'
  elapsedMs: number
}

/**
 * A refit on this thread with every core (when the pool's was cut off at the budget's edge); a forest's
 * stops growing trees at `endAt` (see refitModel).
 */
function refitOn(table: Table, target: TargetData, row: TrialResult, given: Record<string, unknown>, endAt?: number): Promise<ModelIR> {
  const family = row.family as Family
  const params = family === 'random_forest' ? { ...given, workers: availableParallelism() } : family === 'mlp' ? { ...given, threads: availableParallelism() } : given
  return refitModel(table, target, { modelId: row.modelId, family, params, seed: row.seed }, endAt)
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const formatWeight = (w: number): string => String(Number(w.toFixed(3)))

/** Row fractions of the rungs, cheapest first, always ending at 1; rungs too small to learn from are skipped. */
export function rungFractions(trainRows: number, strategy: Strategy): number[] {
  if (strategy === 'random') return [1]
  const rungs: number[] = []
  for (const f of [1 / (ETA * ETA), 1 / ETA]) if (trainRows * f >= MIN_RUNG_ROWS) rungs.push(f)
  rungs.push(1)
  return rungs
}

/**
 * Families whose configurations skip the cheap rungs and run on all rows at once: a logistic (ridge)
 * regression on every row costs less than screening a forest or a net on a ninth of them, and on a
 * ninth of the rows its score ranks it against models that it beats on all of them (car, 69 columns:
 * 2 of 10 full trials were linear, and the C scikit-learn's grid found was never tried on all rows).
 */
export const UNSCREENED: readonly Family[] = ['logistic_regression']

/**
 * Configuration i of a search: families take turns, so it is its family's trial number i / F (from 0),
 * until a family has no configuration left (see familySize: a linear model's grid); the others then take
 * turns without it. Null past the last configuration of every family.
 */
export function slotOf(i: number, families: readonly Family[], task: Task, classRatio = Infinity): { family: Family; trialOfFamily: number } | null {
  let alive = [...families]
  let before = 0
  let offset = i
  while (alive.length > 0) {
    const size = Math.min(...alive.map((f) => familySize(f, task, classRatio)))
    const span = (size - before) * alive.length
    if (offset < span) return { family: alive[offset % alive.length], trialOfFamily: before + Math.floor(offset / alive.length) }
    offset -= span
    before = size
    alive = alive.filter((f) => familySize(f, task, classRatio) > size)
  }
  return null
}

/** How many configurations the families have together (Infinity unless every one's is finite). */
export function searchSize(families: readonly Family[], task: Task, classRatio = Infinity): number {
  return families.reduce((n, f) => n + familySize(f, task, classRatio), 0)
}

/**
 * Whether configuration i skips the cheap rungs: a linear model's (see UNSCREENED), and its family's
 * portfolio settings (see space.ts). The portfolio holds settings known to win, and a run on a
 * big table fits few trials: screened on a ninth of the rows, a forest with a min leaf of 5 competes
 * where 5 rows mean something else, and only one configuration of a bracket reaches all rows (vietnam,
 * 22,000 rows, 5-fold CV in 60 s: 7 trials on all rows, none of them the portfolio's).
 */
export function skipsRungs(i: number, families: readonly Family[], task: Task, classRatio = Infinity): boolean {
  const { family, trialOfFamily } = slotOf(i, families, task, classRatio)!
  return UNSCREENED.includes(family) || (trialOfFamily >= 1 && trialOfFamily <= portfolio(family, task, classRatio).length)
}

/** Evaluations a halving run of maxTrials configurations makes (for progress). */
export function plannedEvaluations(maxTrials: number, families: readonly Family[], task: Task, rungs: number[], classRatio = Infinity): number {
  maxTrials = Math.min(maxTrials, searchSize(families, task, classRatio))
  let total = Math.min(maxTrials, families.length)
  let next = total
  const bracket = ETA ** (rungs.length - 1)
  while (next < maxTrials) {
    let n = 0
    for (const end = Math.min(next + bracket, maxTrials); next < end; next++) {
      if (rungs.length > 1 && skipsRungs(next, families, task, classRatio)) total++
      else n++
    }
    for (let r = 0; r < rungs.length && n > 0; r++) {
      total += n
      n = Math.ceil(n / ETA)
    }
  }
  return total
}

/** 'auto' validation: a holdout above HOLDOUT_ABOVE_ROWS rows, or above the cells a time budget affords for CV. */
export function useHoldoutFor(table: Table, target: TargetData, timeBudgetMs: number | null): boolean {
  const rows = target.y.length
  if (rows > HOLDOUT_ABOVE_ROWS) return true
  if (timeBudgetMs === null || rows <= HOLDOUT_BY_BUDGET_ABOVE_ROWS) return false
  let width = 0
  for (const c of table.columns) if (c.name !== target.name) width += c.type === 'categorical' ? Math.min(c.levels.length, 32) : 1
  return rows * width > (HOLDOUT_ABOVE_CELLS_PER_BUDGET_SECOND * timeBudgetMs) / 1000
}

/**
 * The AutoML search. Configuration t is family t mod F, drawn from that family's space with a seed
 * derived from (seed, t); the first of each family is its defaults, the next few its portfolio (see
 * space.ts). `halving` (default): the defaults run on all rows as baselines while brackets of ETA^2
 * configurations start on 1/9 of the rows and the best third moves up each rung to all rows (a
 * bracket's linear models and portfolio settings run on all rows at once, see skipsRungs). `random`:
 * every configuration on all rows, each started when a worker is free. Which configurations run, on
 * which rung, depends only on the seed and on the scores of whole rungs, so with maxTrials and a seed the leaderboard is exactly reproducible for any
 * worker count; with a time budget, how far it gets depends on the machine.
 */
export async function runSearch(table: Table, target: TargetData, options: SearchOptions): Promise<SearchResult> {
  const start = options.startedAt ?? performance.now()
  // The refits' workers start now, idle until the search ends: starting threads takes a while on a busy
  // machine, and at the search's end that while is the budget's. Both pools read one shared copy of the table.
  const data = shareWithWorkers(table, target)
  const refitPool = new TrialPool(data.table, data.target, [], options.metric, options.workers)
  try {
    return await searchAndRefit(table, target, data, refitPool, options, start)
  } finally {
    await refitPool.close()
  }
}

/**
 * AUC (and AUCPR) on a validation fold need both classes in it: with fewer rows of a class than folds,
 * some fold has none, and its score is not a number. A usage error says what to change.
 */
function checkFoldsScoreable(target: TargetData, folds: Fold[], options: SearchOptions, useHoldout: boolean): void {
  // Fewer rows than folds leaves folds empty, and every score NaN.
  const rows = target.y.length
  if (rows < 2) throw new UsageError(`${target.name} has a value in ${rows} row${rows === 1 ? '' : 's'}: too few to train and validate a model. Add rows`)
  if (!useHoldout && rows < options.folds) throw new UsageError(`${target.name} has a value in ${rows} rows, too few for ${options.folds} validation folds: use --folds ${rows}, or add rows`)
  if (target.task !== 'binary' || (options.metric !== 'auc' && options.metric !== 'aucpr')) return
  const counts = target.classCounts!
  const rare = counts[0] <= counts[1] ? 0 : 1
  const lacking = folds.some((f) => {
    let has = 0
    for (const i of f.valid) if (target.y[i] === rare) has++
    return has === 0 || has === f.valid.length
  })
  if (!lacking) return
  const n = counts[rare]
  const fix = n >= 2 ? `use --folds ${Math.min(n, 20)}${useHoldout ? ' --validation cv' : ''}, or --metric logloss` : 'use --metric logloss, or add rows of that class'
  throw new UsageError(
    `--metric ${options.metric} needs both classes in every validation ${useHoldout ? 'split' : 'fold'}, but class "${target.classes![rare]}" of ${target.name} has ${n} row${n === 1 ? '' : 's'} for ${useHoldout ? 'a holdout' : `${options.folds} folds`}: ${fix}`,
  )
}

async function searchAndRefit(table: Table, target: TargetData, data: { table: Table; target: TargetData }, refitPool: TrialPool, options: SearchOptions, start: number): Promise<SearchResult> {
  const elapsed = (): number => performance.now() - start
  const budget = options.timeBudgetMs ?? null
  const useHoldout = options.validation === 'holdout' || (options.validation === 'auto' && useHoldoutFor(table, target, options.timeBudgetMs ?? null))
  const repeats = useHoldout ? 1 : (options.repeats ?? (target.y.length <= REPEAT_CV_UP_TO_ROWS ? SMALL_TABLE_REPEATS : 1))
  // The first partition is the plain k-fold of the seed, so one repeat is ordinary k-fold CV.
  const folds: Fold[] = useHoldout
    ? [holdoutSplit(target, 0.2, options.seed)]
    : Array.from({ length: repeats }, (_, r) => kFolds(target, options.folds, r === 0 ? options.seed : Random.derive(options.seed, 0xcf, r))).flat()
  checkFoldsScoreable(target, folds, options, useHoldout)
  const rungs = rungFractions(folds[0].train.length, options.strategy)
  const forestThreads = Math.max(1, Math.floor(availableParallelism() / options.workers))
  const pool = new TrialPool(data.table, data.target, folds, options.metric, options.workers)

  // Without a budget's or a signal's stop, the search ends at --max-trials, or after the last configuration
  // of families that have a last one (--families logistic_regression: its grid).
  const classRatio = classRatioOf(target.classCounts)
  const size = searchSize(options.families, target.task, classRatio)
  const limit = Math.min(options.maxTrials ?? Infinity, size)
  let stoppedBy: SearchResult['stoppedBy'] = options.maxTrials !== undefined && options.maxTrials <= size ? 'max-trials' : 'search-space'
  let stopped = false
  // With a holdout, trials in progress at the budget's edge finish with what they have (see runFolds);
  // in k-fold CV, and on Ctrl-C, they are cut off.
  const wrapUpMs = budget === null || !useHoldout ? 0 : Math.min(WRAP_UP_MS, WRAP_UP_BUDGET_SHARE * budget)
  const stop = (why: SearchResult['stoppedBy']): void => {
    if (stopped) return
    stopped = true
    stoppedBy = why
    void (why === 'time-budget' && wrapUpMs > 0 ? pool.wrapUp(wrapUpMs) : pool.cutOff())
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
    timer = setTimeout(() => stop('time-budget'), Math.max(0, budget - refitReserveMs - wrapUpMs - elapsed()))
  }
  scheduleBudget()

  const full: { result: TrialResult; index: number }[] = []
  // Out-of-fold scores of the full trials that may join an ensemble (the best ones; the rest are dropped).
  const oofs = new Map<TrialResult, Float64Array>()
  const ensembleOn = options.ensemble !== false
  /** All training rows against a fold's: what a refit's time and its model's size grow by. */
  const fullRows = useHoldout ? 1.25 : options.folds / (options.folds - 1)
  const refits = new RefitPlan(budget, fullRows, folds.length, options.workers)
  const failed: SearchResult['trialsFailed'] = []
  let screened = 0
  let done = 0
  let best: TrialResult | null = null
  const planned = limit === Infinity ? null : plannedEvaluations(limit, options.families, target.task, rungs, classRatio)
  // A first event as the search starts (no trial yet): a progress bar shows from the start, not after the first trial.
  options.onTrial?.({ done: 0, planned, elapsedMs: elapsed(), budgetMs: budget, trial: null, rowFraction: 1, best: null })
  const keyOf = (r: TrialResult): number => rankKey(options.metric, r.score)
  // Each trial's time limit: it and its refit (a fold's fit on all rows, with the planning margin; for a
  // forest, with its extra trees) by TRIAL_END_SHARE of the budget, on the wall clock the workers share.
  const budgetEndAt = budget === null ? 0 : Date.now() + budget * TRIAL_END_SHARE - elapsed()
  // A family's quickest trial on all rows so far: a trial whose time limit would be under MIN_LIMIT_SHARE
  // of it (its share of the rows, on a cheap rung) is not started.
  const quickest = new Map<Family, number>()
  const timeLimitOf = (spec: TrialSpec, fraction: number): TimeLimit | undefined => {
    if (budget === null) return undefined
    const limit: TimeLimit = { endAt: budgetEndAt, refitShare: (REFIT_MARGIN * fullRows) / folds.length }
    const trees = spec.family === 'random_forest' ? Number(spec.params.nTrees) : 0
    // A forest's refit grows extra trees (see RefitPlan.scale). (A net's bag is not counted: its extra nets
    // take what time is left at the refits, see refitModel.)
    if (trees > 0 && trees < REFIT_TREES) Object.assign(limit, { extraScale: REFIT_TREES / trees, extraMs: REFIT_MARGIN * EXTRA_TREES_BUDGET_SHARE * budget })
    const known = quickest.get(spec.family)
    if (known !== undefined) limit.minMs = MIN_LIMIT_SHARE * known * fraction
    return limit
  }
  /** Families whose trials no longer get enough time to start (see timeLimitOf); when all are, the search stops. */
  const outOfTime = new Set<Family>()

  const configs: TrialSpec[] = []
  const config = (t: number): TrialSpec => {
    while (configs.length <= t) {
      const i = configs.length
      const { family, trialOfFamily } = slotOf(i, options.families, target.task, classRatio)!
      const params = sampleParams(family, target.task, trialOfFamily, new Random(Random.derive(options.seed, i)), classRatio)
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
        const spec: TrialSpec = { ...config(index), rowFraction: fraction, subsampleSeed: Random.derive(options.seed, 0x5ab, rung) }
        spec.timeLimit = timeLimitOf(spec, fraction)
        const limit = spec.timeLimit
        if (limit?.minMs !== undefined && trialTimeMs(limit, Date.now()) < limit.minMs) {
          // Too late for this family already (its trials would be stopped too short to mean much).
          outOfTime.add(spec.family)
          if (options.families.every((f) => outOfTime.has(f))) stop('time-budget')
          // Through the event loop first, so a search that skips trial after trial never starves the budget's timer.
          await new Promise((resolve) => setImmediate(resolve))
          throw new TrialCutOff()
        }
        try {
          const { result, oof } = await pool.run(spec)
          done++
          if (fraction === 1) {
            if (!result.cutShort) quickest.set(spec.family, Math.min(quickest.get(spec.family) ?? Infinity, result.trainMs))
            full.push({ result, index })
            const ranked = [...full].sort((a, b) => keyOf(a.result) - keyOf(b.result) || a.index - b.index)
            best = ranked[0].result
            if (ensembleOn && oof) {
              oofs.set(result, oof)
              const keep = new Set(ensembleCandidates(ranked.map((f) => f.result), Infinity))
              for (const r of oofs.keys()) if (!keep.has(r)) oofs.delete(r)
            }
            // Time kept for refitting on all rows, side by side on the workers, and writing the files: the
            // best model, or for an ensemble the best three (at most a quarter of the budget more; a model
            // whose own refit takes more could not join it anyway), plus a little for stopping the workers
            // and selecting the ensemble.
            const alone = refits.ms(best) * 1.3 + refits.writeMs([best])
            const top = ranked
              .slice(0, 3)
              .map((f) => f.result)
              .filter((r) => r === best || budget === null || refits.ms(r) * 1.3 <= 0.25 * budget)
            refitReserveMs =
              budget === null ? 0 : ensembleOn ? Math.min(refits.makespan(top) * 1.3 + refits.writeMs(top, top), alone + 0.25 * budget) + Math.min(0.02 * budget, 1000) : alone
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
      // Linear models and portfolio settings of a bracket run on all rows beside its rungs (see skipsRungs).
      const unscreened: Promise<unknown>[] = []
      while (!stopped && next < limit) {
        let alive: number[] = []
        const direct: number[] = []
        for (const end = Math.min(next + bracketSize, limit); next < end; next++) (skipsRungs(next, options.families, target.task, classRatio) ? direct : alive).push(next)
        if (direct.length > 0) unscreened.push(runRung(direct, rungs.length - 1))
        // A bracket with nothing to screen (--families logistic_regression) waits for its trials.
        if (alive.length === 0) await unscreened.at(-1)
        for (let rung = 0; rung < rungs.length && !stopped && alive.length > 0; rung++) {
          const finished = await runRung(alive, rung)
          // Nothing screened (every trial skipped for lack of time): wait for the bracket's other trials.
          if (finished.length === 0 && direct.length > 0) await unscreened.at(-1)
          if (rung === rungs.length - 1) break
          finished.sort((a, b) => keyOf(a.result) - keyOf(b.result) || a.index - b.index)
          const keep = Math.ceil(alive.length / ETA)
          screened += finished.length - Math.min(keep, finished.length)
          alive = finished.slice(0, keep).map((f) => f.index)
        }
      }
      await Promise.all([baselinesDone, ...unscreened])
    }
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onUserAbort)
    await pool.close()
  }

  full.sort((a, b) => a.index - b.index)
  const singles = rankTrials(target.task, target.name, options.metric, full.map((f) => f.result))
  const single = selectWinner(singles, useHoldout ? 1 : options.folds, options.selection ?? 'one-se')
  const deadline = budget === null ? Infinity : Math.min(budget * REFIT_BUDGET_EDGE, budget * 1.05 - AFTER_EDGE_MS)
  const left = (): number => deadline - elapsed()
  let ensemble: { row: TrialResult; selection: EnsembleSelection } | null = null
  const layout = {
    task: target.task,
    outputs: target.task === 'regression' ? 1 : target.classes!.length,
    y: concat(folds.map((fold) => targetsOf(target, fold.valid))),
    foldStart: folds.reduce((starts, fold) => [...starts, starts.at(-1)! + fold.valid.length], [0]),
    foldsPerPartition: useHoldout ? 1 : options.folds,
  }
  const candidates = ensembleOn ? ensembleCandidates(singles.rows).flatMap((row) => {
    const oof = oofs.get(full.find((f) => f.result.modelId === row.modelId)!.result)
    return oof ? [{ row, oof }] : []
  }) : []
  const bestSingle = singles.rows[0]
  /**
   * An ensemble's leaderboard row (its members' weights as params), or null when it is behind the best
   * single model by more than ENSEMBLE_MAX_LOSS (see ensembleWins). (The one-se rule was tried on it too, so that a linear model
   * within one standard error of the ensemble would win: on flchain that kept a ridge-like model at
   * 0.8455 test AUC, where the ensemble had 0.8457 to 0.8461.)
   */
  const ensembleRow = (selection: EnsembleSelection | null): TrialResult | null => {
    if (!selection || !bestSingle || !ensembleWins(selection.score, bestSingle.score, options.metric)) return null
    const members = selection.members
    return {
      modelId: 'ensemble_1',
      family: 'ensemble',
      params: { weights: Object.fromEntries(members.map((m) => [m.row.modelId, m.weight])) },
      score: selection.score,
      scoreStd: selection.scoreStd,
      foldScores: selection.foldScores,
      metrics: selection.metrics,
      trainMs: members.reduce((ms, m) => ms + m.row.trainMs, 0),
      predictUsPerRow: members.reduce((us, m) => us + m.row.predictUsPerRow, 0),
      sizeBytes: members.reduce((n, m) => n + m.row.sizeBytes, 0),
      seed: options.seed,
    }
  }
  /** Why an ensemble with this CV score wins over the best single model. */
  const ensembleVersus = (score: number): string => {
    const ahead = higherIsBetter(options.metric) ? score > bestSingle.score : score < bestSingle.score
    if (ahead) return `beats the best single model, ${bestSingle.modelId} (${options.metric} ${formatScore(bestSingle.score)})`
    return `scores within ${ENSEMBLE_MAX_LOSS * 100}% of the error left of the best single model, ${bestSingle.modelId} (${options.metric} ${formatScore(score)} against its ${formatScore(bestSingle.score)}): the best of ${full.length} trials is flattered by its own CV score, the ensemble's is cross-validated`
  }
  // Under a budget the models to refit are chosen by their refits with one net for a net (see RefitPlan.netBag).
  if (budget !== null) refits.netBag = 1
  if (ensembleOn && !options.signal?.aborted) {
    // Only members whose refits (with the single winner's, side by side on the workers) fit in what is
    // left of the budget, with a margin as estimates vary.
    const withSingle = (rows: TrialResult[]): TrialResult[] => (single.row && !rows.includes(single.row) ? [...rows, single.row] : rows)
    const affordable = (rows: TrialResult[]): boolean => refits.fits(withSingle(rows), rows, left())
    const selection = selectEnsemble(candidates, layout, options.metric, { affordable })
    const row = ensembleRow(selection)
    if (selection && row) ensemble = { selection, row }
  }
  const leaderboard = ensemble ? rankTrials(target.task, target.name, options.metric, [...full.map((f) => f.result), ensemble.row]) : singles
  const rowOf = (r: TrialResult | undefined): LeaderboardRow | undefined => (r ? leaderboard.rows.find((x) => x.modelId === r.modelId) : undefined)
  const singleRow = rowOf(single.row)
  // Past the refits' edge (see below) a forest grows trees only up to the budget's 5%.
  const refitHere = (row: TrialResult): Promise<ModelIR> => refitOn(table, target, row, refits.params(row), budget === null ? undefined : Date.now() + budget * 1.05 - AFTER_EDGE_MS - elapsed())

  // Refits run on worker threads like the trials (so their times are the trials' per-fold times, scaled),
  // side by side; whatever is still running at the budget's edge is cut off (a forest stops growing
  // trees just before it, see refitEndOf).
  const jobs = new Map<string, Promise<ModelIR>>()
  // The refits' edge (Date.now(); set below). A forest's refit stops growing trees a little before it,
  // a net's bag fitting nets just before it (see refitEndOf).
  let refitEdgeAt: number | undefined
  const refitEndOf = (row: TrialResult): number | undefined => {
    if (refitEdgeAt === undefined) return undefined
    if (row.family !== 'random_forest') return refitEdgeAt - AFTER_EDGE_MS
    const treeMs = refits.ownMs(row) / Math.max(1, Number(row.params.nTrees))
    return refitEdgeAt - Math.min(FOREST_REFIT_EDGE_SHARE * budget!, Math.max(AFTER_EDGE_MS, 2 * treeMs + refits.writeMs([row])))
  }
  const refitOnPool = (row: TrialResult): Promise<ModelIR> => {
    let job = jobs.get(row.modelId)
    if (!job) {
      job = refitPool.fit({ modelId: row.modelId, family: row.family as Family, params: refits.params(row), seed: row.seed, refitEndAt: refitEndOf(row) }).then((ir) => {
        if (refitTooShort(row, ir)) throw new TrialCutOff()
        return ir
      })
      job.catch(() => {}) // awaited (or dropped) below
      jobs.set(row.modelId, job)
    }
    return job
  }
  // What is refit: the ensemble's members and the single winner, then the best others (up to `keep`
  // model files) as far as the budget allows, all queued at once on the refit workers. The others are
  // also the backups: if the winning single model's refit is cut off at the budget's edge, the best of
  // them refit by then wins instead. Without an ensemble, when none of them is quick to refit, the best
  // quick model is refit too, as a backup for when the estimates were wrong (a busy machine): right
  // after the winner, beside it, with two or more workers; before it with one. The files of the models
  // refit by then are written after the edge.
  const memberRows = ensemble?.selection.members.map((m) => m.row) ?? []
  const toWrite = [...memberRows]
  if (singleRow && !toWrite.some((r) => r.modelId === singleRow.modelId)) toWrite.push(singleRow)
  const inPlan = (row: TrialResult): boolean => toWrite.some((r) => r.modelId === row.modelId)
  const files = (ensemble ? 1 : 0) + toWrite.length
  // The nets' bags first, for the winner and the members only: the other models refit after, in the time
  // the bags leave (see RefitPlan.sizeBags). With the others in the plan, their nets had bags too, and on
  // small tables led by nets the winner was refit as one net beside four others (wages1, cowles).
  refits.sizeBags(toWrite, memberRows, left() - CHEAP_REFIT_MS)
  const more: LeaderboardRow[] = []
  for (const row of leaderboard.rows) {
    if (files + more.length >= options.keep || options.signal?.aborted) break
    if (row.family === 'ensemble' || inPlan(row)) continue
    const plan = [...toWrite, ...more, row]
    if (refits.makespan(plan) * 1.2 + refits.writeMs(plan, memberRows) > left() - (budget === null ? 0 : budget * (REFIT_BUDGET_EDGE - 1.02))) break
    more.push(row)
  }
  const cheap = (row: TrialResult): boolean => singleRow !== undefined && refits.ms(row) <= Math.max(CHEAP_REFIT_MS, refits.ms(singleRow) * CHEAP_REFIT_SHARE)
  const backup =
    Number.isFinite(deadline) && singleRow && !ensemble && !options.signal?.aborted && !more.some(cheap)
      ? leaderboard.rows.find((r) => r.family !== 'ensemble' && !inPlan(r) && !more.includes(r) && cheap(r))
      : undefined
  const backups = backup ? [backup, ...more].sort((a, b) => a.rank - b.rank) : more
  const edgeMs = left() - refits.writeMs([...toWrite, ...backups], memberRows)
  const edge = Number.isFinite(deadline) ? setTimeout(() => void refitPool.cutOff(), Math.max(0, edgeMs)) : undefined
  // A forest's refit keeps the trees it grew by a little before the edge, where it would be cut off whole;
  // a net's bag fits its next net only when it would end by the edge (see refitModel). (A bag stopped
  // where a forest does, on small tables led by nets, had little of the time after the search: cowles,
  // 3.2 s left, the winner's bag of 5 cut to 3 nets of 60 ms.)
  if (Number.isFinite(deadline)) refitEdgeAt = Date.now() + edgeMs
  edge?.unref()
  /** A refit's model, or null when it failed (cut off at the budget's edge, or an error). */
  const refitOrNull = (row: TrialResult): Promise<ModelIR | null> => refitOnPool(row).catch(() => null)
  /** A refit's model, or null when the budget's edge cut it off (other errors are thrown). */
  const refitted = async (row: TrialResult): Promise<ModelIR | null> =>
    refitOnPool(row).catch((err: unknown) => {
      if (err instanceof TrialCutOff) return null
      throw err
    })
  let winner: Winner = { ...single, row: singleRow }
  let fellBack = false
  const models: ModelIR[] = []
  try {
    const order = options.workers > 1 ? [singleRow, backup, ...memberRows, ...more] : [backup, singleRow, ...memberRows, ...more]
    for (const row of order) if (row) void refitOnPool(row)
    const kept: ModelIR[] = []
    if (ensemble) {
      // A member whose refit failed (cut off, or an error) leaves the ensemble, as below.
      const fitted = await Promise.all(memberRows.map(refitOrNull))
      const refit = new Map(memberRows.map((r, i) => [r.modelId, fitted[i]]))
      const row = rowOf(ensemble.row)!
      let selection: EnsembleSelection | null = ensemble.selection
      let how = ''
      if (fitted.some((ir) => ir === null)) {
        // Some members' refits were cut off at the budget's edge: the ensemble is chosen again from
        // the members that were refit (from the same out-of-fold scores), if it still wins over the best single model.
        selection = selectEnsemble(candidates.filter((c) => refit.get(c.row.modelId)), layout, options.metric)
        const again = ensembleRow(selection)
        if (again) Object.assign(row, again)
        else selection = null
        how = 'of the members refit within the time budget '
      }
      if (selection) {
        const parts = selection.members.map((m) => ({ ir: refit.get(m.row.modelId)!, weight: m.weight }))
        models.push(buildEnsemble(parts, row.modelId, row.params), ...parts.map((p) => p.ir))
        winner = { row, reason: `an ensemble ${how}of ${parts.length} models (${parts.map((p) => `${p.ir.modelId} ${formatWeight(p.weight)}`).join(', ')}) ${ensembleVersus(row.score)}` }
      } else {
        winner = { ...winner, reason: `the ensemble's members could not all be refit within the time budget, so the best single model: ${winner.reason}` }
        fellBack = true
      }
      // Members refit but not in the ensemble saved are kept like the others, while there is room.
      for (const ir of fitted) if (ir && !models.includes(ir)) kept.push(ir)
    }
    const others = await Promise.all(backups.map(refitOrNull))
    // The single winner: next to an ensemble only a smaller alternative, left out if its refit was cut
    // off. As the winner, a cut-off refit gives way to the best other model refit in time; only when
    // there is none is it refit here, on this thread, past the budget.
    if (singleRow && !models.some((m) => m.modelId === singleRow.modelId)) {
      const done = kept.find((m) => m.modelId === singleRow.modelId)
      if (winner.row !== singleRow) {
        const ir = done ?? (await refitOrNull(singleRow))
        if (ir) models.push(ir)
      } else {
        const ir = done ?? (await refitted(singleRow))
        const i = others.findIndex((o) => o !== null)
        if (ir) {
          models.unshift(ir)
        } else if (i >= 0) {
          const why = fellBack ? `${winner.reason}; but ` : ''
          winner = { row: backups[i], reason: `${why}${singleRow.modelId} could not be refit on all rows within the time budget, so the best model that could: ${backups[i].modelId} (${options.metric} ${formatScore(backups[i].score)})` }
          fellBack = true
          models.unshift(others[i]!)
        } else {
          models.unshift(await refitHere(singleRow))
        }
      }
    }
    // The others are kept up to `keep` files (the cheap backup only when there is room).
    for (const ir of [...kept, ...others]) if (ir && !models.some((m) => m.modelId === ir.modelId) && models.length < options.keep) models.push(ir)
  } finally {
    clearTimeout(edge)
    await refitPool.close()
  }
  leaderboard.winner = winner.row?.modelId
  if (winner.row && (winner.row !== leaderboard.rows[0] || fellBack)) leaderboard.winnerReason = winner.reason
  if (winner.row?.family === 'ensemble' && singleRow && models.some((m) => m.modelId === singleRow.modelId)) leaderboard.singleWinner = singleRow.modelId
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
