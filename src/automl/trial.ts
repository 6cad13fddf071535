import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import { buildEnsemble } from '../ir/ensemble.js'
import { compileModel } from '../ir/evaluate.js'
import type { ModelIR } from '../ir/model.js'
import { serializeModel } from '../ir/io.js'
import { fitModel } from '../learners/fit-model.js'
import { tableRowsOf, targetsOf, type Family, type FitFound } from '../learners/learner.js'
import { Random } from '../learners/random.js'
import { computeMetrics, foldSummary, rankKey, type MetricName } from './metrics.js'
import { LEARNERS } from './space.js'
import type { Fold } from './split.js'

/** A leaderboard row's family: a learner's, or an ensemble of trials. */
export type RowFamily = Family | 'ensemble'

/** One finished trial: a family and params, scored by cross-validation through the IR evaluator. */
export interface TrialResult {
  modelId: string
  family: RowFamily
  params: Record<string, unknown>
  /** Ranking metric: mean and standard deviation over the folds. */
  score: number
  scoreStd: number
  /** Ranking metric on each fold, in fold order (the same folds for every trial of a run). */
  foldScores: number[]
  /** Every metric of the task, mean over the folds. */
  metrics: Partial<Record<MetricName, number>>
  /** Fit time summed over the folds. */
  trainMs: number
  /** IR evaluator time per validation row (encoding included). */
  predictUsPerRow: number
  /** Size of the model IR (JSON bytes) fitted on the first fold. */
  sizeBytes: number
  seed: number
  /**
   * The params a refit on all rows uses, when not `params`. With a holdout (big tables, where the refit's
   * time counts most) a net is refit for the best epoch early stopping found, on every row, instead of
   * holding a tenth back to stop early again, which takes as long as it takes. In k-fold CV it stops
   * early again (there, fixed epochs did worse: wine 0.085 against 0.055 log loss), but within the most
   * epochs a fold trained for.
   */
  refitParams?: Record<string, unknown>
  /** The slowest fold's fit time (trials on all rows): what a refit's time is estimated from. */
  slowestFoldMs?: number
  /**
   * Its time limit (TrialSpec.timeLimit) or the budget's edge stopped a fit short: a forest's trees (its
   * params say how many the shortest fold grew) or a net's epochs.
   */
  cutShort?: boolean
}

export interface TrialSpec {
  modelId: string
  family: Family
  params: Record<string, unknown>
  seed: number
  /** Share of each fold's training rows to fit on (successive halving's cheap rungs); 1 = all. */
  rowFraction?: number
  /** Seed of the row subsample: the same for every trial of a rung, so they compete on the same rows. */
  subsampleSeed?: number
  /**
   * Under a time budget: the wall-clock time (Date.now()) by which the trial and its refit on all rows
   * should be done, and the refit's time as a share of the trial's. The trial takes at most its part of
   * the time left when it starts, spread evenly over its folds; forests and nets stop there with the
   * trees and epochs fitted so far (FitInput.timeUp).
   */
  timeLimit?: TimeLimit
  /** A refit's end (Date.now()): a forest stops growing trees then and keeps those it has, a net's bag fits no more nets (see refitModel; the search gives a bag a later end than a forest). */
  refitEndAt?: number
}

/**
 * A trial's time limit (see TrialSpec.timeLimit). A forest's refit may grow up to `extraScale` times its
 * trees, or as many more as `extraMs` allows, whichever is less (see RefitPlan.scale in refit-plan.ts).
 */
export interface TimeLimit {
  endAt: number
  refitShare: number
  extraScale?: number
  extraMs?: number
  minMs?: number
}

/**
 * How long a trial starting at `now` may take: the most T with T + its refit by endAt, the refit taking
 * refitShare x T, for a forest with its extra trees: x extraScale, or + extraMs, whichever is less.
 */
export function trialTimeMs(limit: TimeLimit, now: number): number {
  const left = Math.max(0, limit.endAt - now)
  const s = limit.refitShare
  if (limit.extraScale === undefined || limit.extraMs === undefined) return left / (1 + s)
  return Math.max(left / (1 + s * limit.extraScale), (left - limit.extraMs) / (1 + s))
}

/**
 * A trial not started: its part of the time left was under its timeLimit.minMs (a fit stopped that short
 * would be a fraction of the model its params describe).
 */
export class TrialSkipped extends Error {
  constructor() {
    super('trial skipped: too little time left')
    this.name = 'TrialSkipped'
  }
}

const subsamples = new WeakMap<Int32Array, Map<string, Int32Array>>()

/**
 * The first `fraction` of a fold's training rows after a seeded shuffle, in their original order.
 * The same arguments give the same array object (so the fitted pipeline and encoding are reused).
 */
export function subsampleRows(rows: Int32Array, fraction: number, seed: number): Int32Array {
  if (fraction >= 1) return rows
  let byKey = subsamples.get(rows)
  if (!byKey) subsamples.set(rows, (byKey = new Map()))
  const key = `${fraction}|${seed}`
  let sub = byKey.get(key)
  if (!sub) {
    const m = Math.max(1, Math.round(rows.length * fraction))
    sub = new Random(seed).shuffle(Int32Array.from(rows)).subarray(0, m).sort()
    byKey.set(key, sub)
  }
  return sub
}

/**
 * A finished trial and, when it was fitted on all rows of each fold, its out-of-fold scores: each fold's
 * validation rows scored by the model fitted without them, folds one after another (n x outputs,
 * row-major), what ensemble selection blends.
 */
export interface TrialOutcome {
  result: TrialResult
  oof: Float64Array | null
}

/** One params' fits on every fold: what a trial's result is computed from. */
interface FoldRun {
  params: Record<string, unknown>
  perFold: Record<string, number>[]
  oof: Float64Array | null
  trainMs: number
  slowestMs: number
  predictMs: number
  predictRows: number
  sizeBytes: number
  bestEpochs: number[]
  trainedEpochs: number[]
  /** The fewest trees a fold's forest grew when a time limit stopped one short, else Infinity. */
  fewestTrees: number
  /** A time limit stopped some fold's fit short. */
  cutShort: boolean
}

/** How a trial's fits are stopped short: by its own deadline, or, on a holdout, when the search's budget edge raises `wrapUp`. */
interface TrialClock {
  /** Date.now() by which the trial's fits should be done (Infinity: no limit). */
  deadline: number
  /** Nonzero at index 0 when the search wants its trials to finish now with what they have. */
  wrapUp?: Int32Array
}

async function runFolds(table: Table, target: TargetData, folds: Fold[], spec: TrialSpec, params: Record<string, unknown>, signal?: AbortSignal, clock?: TrialClock): Promise<FoldRun> {
  const learner = LEARNERS[spec.family]
  const nClasses = target.classes?.length ?? 0
  const full = (spec.rowFraction ?? 1) >= 1
  const outputs = target.task === 'regression' ? 1 : nClasses
  const run: FoldRun = {
    params,
    perFold: [],
    oof: full ? new Float64Array(folds.reduce((n, fold) => n + fold.valid.length, 0) * outputs) : null,
    trainMs: 0,
    slowestMs: 0,
    predictMs: 0,
    predictRows: 0,
    sizeBytes: 0,
    bestEpochs: [],
    trainedEpochs: [],
    fewestTrees: Infinity,
    cutShort: false,
  }
  const report = (found: FitFound): void => {
    if (found.bestEpoch !== undefined) run.bestEpochs.push(found.bestEpoch)
    if (found.epochs !== undefined) run.trainedEpochs.push(found.epochs)
    if (found.trees !== undefined) run.fewestTrees = Math.min(run.fewestTrees, found.trees)
    if (found.cutShort) run.cutShort = true
  }
  let at = 0
  for (let f = 0; f < folds.length; f++) {
    const fold = folds[f]
    const train = subsampleRows(fold.train, spec.rowFraction ?? 1, Random.derive(spec.subsampleSeed ?? 0, f))
    const t0 = performance.now()
    // This fold's share of the time left. Only a holdout's one fold wraps up at the budget's edge: in
    // k-fold CV a trial whose last fold stopped short would mix fold models of two kinds (it is cut off).
    const foldEnd = clock && Number.isFinite(clock.deadline) ? Date.now() + (clock.deadline - Date.now()) / (folds.length - f) : Infinity
    const wrapUp = folds.length === 1 ? clock?.wrapUp : undefined
    const timeUp = Number.isFinite(foldEnd) || wrapUp ? (nextMs = 0): boolean => Date.now() + nextMs >= foldEnd || (wrapUp !== undefined && Atomics.load(wrapUp, 0) !== 0) : undefined
    const ir = await fitModel(learner, table, target, train, params, { modelId: spec.modelId, seed: spec.seed, signal, timeUp, report })
    const ms = performance.now() - t0
    run.trainMs += ms
    run.slowestMs = Math.max(run.slowestMs, ms)
    if (f === 0) run.sizeBytes = Buffer.byteLength(serializeModel(ir))
    const p0 = performance.now()
    const scores = compileModel(ir).scoreTable(table, tableRowsOf(target, fold.valid))
    run.predictMs += performance.now() - p0
    if (run.oof) {
      run.oof.set(scores, at)
      at += scores.length
    }
    run.predictRows += fold.valid.length
    run.perFold.push(computeMetrics(target.task, scores, targetsOf(target, fold.valid), nClasses))
  }
  return run
}

/**
 * Fits the trial on each fold, scores the fold's validation rows with the IR evaluator, and averages.
 * A logistic regression path (params.cPath, see space.ts) does so for each C and keeps the best C's
 * scores; its time is the whole path's.
 */
export async function runTrial(table: Table, target: TargetData, folds: Fold[], spec: TrialSpec, metric: MetricName, signal?: AbortSignal, wrapUp?: Int32Array): Promise<TrialOutcome> {
  const { cPath, ...base } = spec.params
  const limit = spec.timeLimit
  // The trial's part of the time left: it and its refit (refitShare of its time) should end by endAt.
  const clock: TrialClock = { deadline: limit ? Date.now() + trialTimeMs(limit, Date.now()) : Infinity, wrapUp }
  if (limit?.minMs !== undefined && clock.deadline - Date.now() < limit.minMs) throw new TrialSkipped()
  const runs: FoldRun[] = []
  if (Array.isArray(cPath)) for (const C of cPath as number[]) runs.push(await runFolds(table, target, folds, spec, { ...base, C }, signal, clock))
  else runs.push(await runFolds(table, target, folds, spec, spec.params, signal, clock))
  const summaries = runs.map((r) => foldSummary(r.perFold, metric))
  let pick = 0
  for (let i = 1; i < runs.length; i++) if (rankKey(metric, summaries[i].score) < rankKey(metric, summaries[pick].score)) pick = i
  const run = runs[pick]
  const { metrics, foldScores, score, scoreStd } = summaries[pick]
  const full = run.oof !== null
  // A forest stopped short says how many trees its shortest fold grew: what its refit starts from.
  const treesCut = run.fewestTrees < Number(run.params.nTrees)
  const result: TrialResult = {
    modelId: spec.modelId,
    family: spec.family,
    params: treesCut ? { ...run.params, nTrees: run.fewestTrees } : run.params,
    score,
    scoreStd,
    foldScores,
    metrics,
    trainMs: Math.round(runs.reduce((ms, r) => ms + r.trainMs, 0)),
    predictUsPerRow: run.predictRows > 0 ? (run.predictMs * 1000) / run.predictRows : 0,
    sizeBytes: run.sizeBytes,
    seed: spec.seed,
  }
  if (full) result.slowestFoldMs = Math.round(run.slowestMs)
  if (run.cutShort) result.cutShort = true
  // A net's refit on all rows: with a holdout, for the best epoch early stopping found, on every row;
  // with k folds, stopping early again (that did better on small tables), but for at most as many epochs
  // as the longest fold trained, so it takes about the time its folds foretold.
  const epochs = medianEpoch(run.bestEpochs, folds.length)
  if (full && folds.length === 1 && epochs !== null) result.refitParams = { ...run.params, epochs, validationFraction: 0 }
  else if (full && folds.length > 1 && run.trainedEpochs.length === folds.length) result.refitParams = { ...run.params, epochs: Math.max(...run.trainedEpochs) }
  return { result, oof: run.oof }
}

/** A bag fits its next net only when that would end by its end even taking this many times the last one's time. */
const BAG_NEXT_MARGIN = 1.5

/** A bag's net i > 0 is fitted from Random.derive(seed, BAG_SEED_PART, i). */
const BAG_SEED_PART = 7919

/**
 * Fits a configuration on every training row (a refit). With `endAt` (Date.now()) a forest grows its
 * trees until then and keeps those grown (at least one; its params then say how many): fewer trees,
 * where a refit cut off at the budget's edge would be lost. A net's refit is not stopped so: its
 * epochs are the ones that were scored. A net with `params.bag` > 1 is a bag of that many nets (see
 * NET_BAG in refit-plan.ts), each from its own seed (the first from the trial's): one model IR whose body
 * is an equal-weight ensemble of them sharing one pipeline. With `endAt` a net after the first is
 * fitted only while 1.5 times the last one's time still fits before it (its params then say how many were).
 */
export async function refitModel(table: Table, target: TargetData, spec: Pick<TrialSpec, 'modelId' | 'family' | 'params' | 'seed'>, endAt?: number): Promise<ModelIR> {
  const all = Int32Array.from({ length: target.y.length }, (_, i) => i)
  const { bag, ...params } = spec.params
  // Whether work taking nextMs more would end past endAt (never without one).
  const timeUp = endAt === undefined ? undefined : (nextMs = 0): boolean => Date.now() + nextMs >= endAt
  if (spec.family === 'mlp' && Number(bag) > 1) {
    const nets: ModelIR[] = []
    let lastMs = 0
    for (let i = 0; i < Number(bag); i++) {
      // With a margin: a cut-off refit loses every net of its bag.
      if (i > 0 && timeUp?.(BAG_NEXT_MARGIN * lastMs)) break
      const t0 = Date.now()
      nets.push(await fitModel(LEARNERS.mlp, table, target, all, params, { modelId: `${spec.modelId}#${i + 1}`, seed: i === 0 ? spec.seed : Random.derive(spec.seed, BAG_SEED_PART, i) }))
      lastMs = Date.now() - t0
    }
    if (nets.length === 1) return { ...nets[0], modelId: spec.modelId }
    const ir = buildEnsemble(nets.map((net) => ({ ir: net, weight: 1 / nets.length })), spec.modelId, { ...params, bag: nets.length })
    return { ...ir, family: 'mlp' }
  }
  let trees: number | undefined
  const ir = await fitModel(LEARNERS[spec.family], table, target, all, params, {
    modelId: spec.modelId,
    seed: spec.seed,
    timeUp: spec.family === 'random_forest' ? timeUp : undefined,
    report: (found) => void (found.trees !== undefined && (trees = found.trees)),
  })
  return trees === undefined ? ir : { ...ir, params: { ...ir.params, nTrees: trees } }
}

/** The median of the folds' best epochs (the lower middle one), or null unless every fold found one. */
function medianEpoch(bestEpochs: number[], folds: number): number | null {
  if (bestEpochs.length !== folds || bestEpochs.some((e) => !(e >= 1))) return null
  const sorted = [...bestEpochs].sort((a, b) => a - b)
  return sorted[(sorted.length - 1) >> 1]
}
