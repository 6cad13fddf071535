/**
 * Hyperparameter search spaces, one per family. The first trial of each family uses its defaults
 * (scikit-learn-like baselines), so every run, however short, has the strong baselines; the next few take
 * the family's portfolio of settings known to win where the defaults do not; random draws follow.
 */
import type { Task } from '../data/target.js'
import type { Family, Learner } from '../learners/learner.js'
import { decisionTree, randomForest } from '../learners/trees.js'
import { logisticRegression } from '../learners/linear.js'
import { mlp } from '../learners/mlp.js'
import { Random } from '../learners/random.js'
import type { RowFamily } from './trial.js'

export const LEARNERS: Record<Family, Learner<object>> = {
  decision_tree: decisionTree as unknown as Learner<object>,
  random_forest: randomForest as unknown as Learner<object>,
  logistic_regression: logisticRegression as unknown as Learner<object>,
  mlp: mlp as unknown as Learner<object>,
}

const pick = <T>(r: Random, items: readonly T[]): T => items[r.int(items.length)]
const logUniform = (r: Random, lo: number, hi: number): number => Math.exp(Math.log(lo) + r.next() * (Math.log(hi) - Math.log(lo)))
const logInt = (r: Random, lo: number, hi: number): number => Math.round(logUniform(r, lo, hi))
const sig = (v: number): number => Number(v.toPrecision(3))

/**
 * The C values a logistic (ridge) regression tries: scikit-learn's grid of decades, 0.01 to 100. Its
 * family searches this grid and nothing between: the first trial is C = 1 (the defaults), the next one a
 * path that fits the other four on every fold and keeps the best (see runTrial), and for classification
 * with unequal classes (see UNEQUAL_CLASSES) one more path over all five with balanced class weights.
 * Then the family has no configuration left (see familySize), and its turns go to the other families.
 *
 * Why a grid (session 18, from session 15's record of 13 C values, the decades and the half-decades, on
 * 64 splits' training folds and test rows): a C tuned between the decades follows the noise of the
 * folds' scores. Where scikit-learn's winner is its logistic or ridge regression (29 splits), the best
 * of the 13 by CV gave at least its test score on 12, the best of these five on 15 (wine: the 13 took C
 * = 1000 and 32 where the five take scikit-learn's 100 and 10, 21% and 13% worse log loss on the test
 * rows; the runs' random draws took 856 and 20.7). It can cost: on iris (split 1) C = 32 is 33% better
 * than the grid's 10. The decades 0.001 and 1000, tried since session 8, were picked on 5 of the 64:
 * worse on the test rows than the grid's ends on 3 (wine, medexp, movies), better on 1 (pneumon). And
 * the draws took one configuration in four, on all rows (iris: 148 linear trials in 60 s).
 */
export const C_GRID: readonly number[] = [0.01, 0.1, 1, 10, 100]
/** The path after the defaults' C = 1. */
export const C_PATH: readonly number[] = C_GRID.filter((C) => C !== 1)

/**
 * A family's settings for its trials after the defaults, before the random draws: the corners of a
 * forest's and a tree's space that won on real tables where the defaults did not, so that a run which
 * fits few trials of a family (a big table) still tries them; random draws rarely land on them (a
 * forest's random draws never sample all the rows per tree, and take a min leaf of 1 one time in 8, of 5
 * one in 17). They run on all rows at once, like the defaults (see skipsRungs in search.ts).
 * - Regression forests: a min leaf of 5 (it won 5-fold CV on noisy tables: movies, ofp, doctoraus,
 *   medexp, and was within 0.4% of the best on males, slid, star, where the default, grown to single
 *   rows, was slower and worse), drawing features by scikit-learn's rule (featureDraw 'any'; session
 *   11, 5-fold CV at a min leaf of 5: movies 1.336 RMSE against 1.350, ofp 6.066 against 6.092, rwm5yr
 *   5.665 against 5.694, slid 6.329 against 6.369; 0.2% to 0.8% worse on males, doctoraus, star), then
 *   all the features with a min leaf of 5 (vietnam: 0.417 CV RMSE against the default's 0.455), then
 *   half the features (syn_cat_reg, computers), then half with a min leaf of 5 (males, star, diabetes).
 * - Classification forests (session 10: 5-fold CV of six min-leaf and feature settings on 14
 *   classification tables, then of shrinkage 5 to 100 on 15 with cracker): a min leaf of 5 (the best of
 *   the six or near it on 10: bfi, flchain, aids, the synthetic binary ones), then hierarchical shrinkage
 *   of 100 (the best AUC on the noisy real tables: benefits 0.671 against the default's 0.645 and min
 *   leaf 5's 0.657, aids, nwtco, flchain, hdma; car's log loss 1.533 against 1.591), then half the
 *   features per split (digits, fishing and the 4-class synthetic table, where trees grown to single
 *   rows win), then a shrinkage of 20 (between the 5 and 25 that did best on cracker's and chile's log
 *   loss, where a pure leaf's zero probabilities cost a forest of 100 trees more than 2x its log loss).
 * - Trees: a min leaf of 20 (scikit-learn's grid's usual pick), then a shrinkage of 100 and of 25 (a
 *   tree grown to single rows with a shrinkage of 25 matched the best forest's log loss on cracker,
 *   0.657 against 1.27 for a min leaf of 20; car 1.62 against 3.43; ofp 6.25 against 6.42 RMSE).
 *   Logistic regression: the C path, and for classification the whole grid with balanced class weights
 *   where the classes are unequal (see C_GRID and UNEQUAL_CLASSES).
 * classRatio: the largest class's rows over the smallest's (Infinity when not known; see classRatioOf).
 */
export function portfolio(family: Family, task: Task, classRatio = Infinity): Record<string, unknown>[] {
  switch (family) {
    case 'random_forest':
      return task === 'regression'
        ? [{ minSamplesLeaf: 5, featureDraw: 'any' }, { maxFeatures: 'all', minSamplesLeaf: 5 }, { maxFeatures: 0.5 }, { maxFeatures: 0.5, minSamplesLeaf: 5 }, EXTREMELY_RANDOMIZED]
        : [{ minSamplesLeaf: 5 }, { shrinkage: 100 }, { maxFeatures: 0.5 }, { shrinkage: 20 }, EXTREMELY_RANDOMIZED]
    case 'decision_tree':
      return [{ minSamplesLeaf: 20 }, { shrinkage: 100 }, { shrinkage: 25 }]
    case 'logistic_regression':
      return task === 'regression' || classRatio < UNEQUAL_CLASSES ? [{ cPath: [...C_PATH] }] : [{ cPath: [...C_PATH] }, { cPath: [...C_GRID], classWeight: 'balanced' }]
    case 'mlp':
      return []
  }
}

/**
 * Extremely randomized trees (scikit-learn's ExtraTrees, H2O's XRT): one random threshold per tried
 * feature, every feature tried, no bootstrap sample (see Splitter in tree-builder.ts). Session 23, on
 * 25 cached splits of automl-study, automl-fresh4 and automl-fresh5 (scikit-learn's RandomForest and
 * ExtraTrees, each on its forest grid plus all the features, 5-fold CV, 300 trees): the ExtraTrees picked by
 * CV scored better on the test rows than the random forest picked by CV on 21 (log loss above all:
 * digits 0.197 against 0.272, fgl 0.513 against 0.626), and ours at these settings beat scikit-learn's
 * forest on boston (2.822 against 3.055 RMSE) and modechoice (0.9825 against 0.9773 AUC), two forest
 * misses. Last in the portfolio: on a big table, where a run fits few forests, the ones before it are
 * the settings measured there.
 */
export const EXTREMELY_RANDOMIZED: Record<string, unknown> = { splitter: 'random', maxFeatures: 'all', bootstrap: false }

/**
 * How many configurations a family has: a linear model's grid is its defaults and its portfolio (see
 * C_GRID); the other families draw at random after theirs, without end.
 */
export function familySize(family: Family, task: Task, classRatio = Infinity): number {
  return family === 'logistic_regression' ? 1 + portfolio(family, task, classRatio).length : Infinity
}

/**
 * From how unequal classes (the largest's rows over the smallest's) a linear model tries balanced class
 * weights. Below it the weights are near 1 (at 1.5, 0.83 and 1.25 for two classes), the weighted path a
 * near-copy of the unweighted one that only the folds' noise could pick (iris, split 2: 37, 37 and 38
 * training rows; the weighted path won by 0.0001 of CV log loss at the same C, 100, and scored 0.02289
 * on the test rows against the unweighted model's 0.02230).
 */
export const UNEQUAL_CLASSES = 1.5

/** The largest class's rows over the smallest's (Infinity for a regression, or a class with no rows). */
export function classRatioOf(classCounts: ArrayLike<number> | undefined): number {
  if (classCounts === undefined || classCounts.length === 0) return Infinity
  let lo = Infinity
  let hi = 0
  for (let c = 0; c < classCounts.length; c++) {
    lo = Math.min(lo, classCounts[c])
    hi = Math.max(hi, classCounts[c])
  }
  return lo === 0 ? Infinity : hi / lo
}

/**
 * Params for a family: its defaults on the first trial, its portfolio next (see portfolio), a random draw
 * from its space after (not for a family whose familySize is spent: the search asks no more of it).
 */
export function sampleParams(family: Family, task: Task, trialOfFamily: number, random: Random, classRatio = Infinity): Record<string, unknown> {
  const defaults = LEARNERS[family].defaultParams(task) as Record<string, unknown>
  if (trialOfFamily === 0) return defaults
  const settings = portfolio(family, task, classRatio)
  if (trialOfFamily <= settings.length) return { ...defaults, ...settings[trialOfFamily - 1] }
  const classWeight = task === 'regression' ? 'none' : pick(random, ['none', 'balanced'] as const)
  switch (family) {
    case 'decision_tree':
      return {
        ...defaults,
        maxDepth: pick(random, [0, 3, 4, 5, 6, 8, 10, 12, 15, 20]),
        minSamplesLeaf: logInt(random, 1, 100),
        maxFeatures: pick(random, ['all', 'all', 'sqrt', 0.5]),
        criterion: task === 'regression' ? 'squared_error' : pick(random, ['gini', 'entropy']),
        classWeight,
        shrinkage: pick(random, [0, 0, 5, 25, 100]),
        featureDraw: pick(random, ['varying', 'any'] as const),
      }
    case 'random_forest': {
      // Half the draws are extremely randomized trees, on all the rows (no bootstrap sample), as scikit-learn grows them.
      const extra = pick(random, [false, true])
      return {
        ...defaults,
        nTrees: pick(random, [50, 100, 150, 200, 300]),
        maxDepth: pick(random, [0, 0, 8, 12, 16, 24]),
        minSamplesLeaf: logInt(random, 1, 30),
        maxFeatures: pick(random, ['sqrt', 'log2', 0.3, 0.5, 'all']),
        maxSamples: extra ? 1 : sig(0.5 + random.next() * 0.5),
        criterion: task === 'regression' ? 'squared_error' : pick(random, ['gini', 'entropy']),
        classWeight,
        shrinkage: pick(random, [0, 0, 0, 5, 25, 100]),
        featureDraw: pick(random, ['varying', 'any'] as const),
        splitter: extra ? 'random' : 'best',
        bootstrap: !extra,
      }
    }
    case 'logistic_regression':
      throw new Error(`logistic_regression has ${familySize(family, task, classRatio)} configurations, not ${trialOfFamily + 1}`)
    case 'mlp':
      return {
        ...defaults,
        hidden: pick(random, [[32], [64], [128], [64, 64], [128, 64], [64, 64, 64]]),
        activation: pick(random, ['relu', 'tanh']),
        learningRate: sig(logUniform(random, 3e-4, 1e-2)),
        alpha: sig(logUniform(random, 1e-6, 1e-2)),
        dropout: pick(random, [0, 0, 0.1, 0.2]),
        batchSize: pick(random, [64, 128, 256]),
        classWeight,
      }
  }
}

/** The params a leaderboard shows for a family (the ones the search varies; no class weights for a regression). */
export function keyParams(family: RowFamily, params: Record<string, unknown>, task?: Task): Record<string, unknown> {
  // An ensemble's params are its members' weights.
  if (family === 'ensemble') return params
  const keys: Record<Family, string[]> = {
    decision_tree: ['maxDepth', 'minSamplesLeaf', 'maxFeatures', 'criterion', 'classWeight', 'shrinkage', 'featureDraw'],
    random_forest: ['nTrees', 'maxDepth', 'minSamplesLeaf', 'maxFeatures', 'maxSamples', 'classWeight', 'shrinkage', 'featureDraw', 'splitter', 'bootstrap'],
    logistic_regression: ['C', 'classWeight'],
    mlp: ['hidden', 'activation', 'learningRate', 'alpha', 'dropout', 'batchSize', 'classWeight'],
  }
  return Object.fromEntries(keys[family].filter((k) => k in params && !(k === 'classWeight' && task === 'regression')).map((k) => [k, params[k]]))
}
