import type { Task } from '../data/target.js'
import type { TreeModelIR } from '../ir/model.js'
import { defaultWorkers, growTrees } from './forest-pool.js'
import { balancedClassWeights, FitAborted, type FitInput, type Learner } from './learner.js'
import { Random } from './random.js'
import { buildTree, type Criterion, type FeatureDraw, type Splitter, type TreeParams } from './tree-builder.js'
import { prepareTreeData, toFlatTree } from './tree-data.js'

/** Features tried per split: all, sqrt(n), log2(n), n / 3 ('third'), a fraction of n, or a count. */
export type MaxFeatures = 'all' | 'sqrt' | 'log2' | 'third' | number

export interface DecisionTreeParams {
  /** 0 = unlimited (grow until leaves are pure or too small). */
  maxDepth: number
  minSamplesLeaf: number
  minSamplesSplit: number
  maxFeatures: MaxFeatures
  criterion: Criterion
  classWeight: 'none' | 'balanced'
  /**
   * Hierarchical shrinkage of the node values toward their ancestors' (lambda; 0, the default, is plain
   * CART): a leaf's value is pulled toward its parent's the more the fewer rows the parent had.
   */
  shrinkage?: number
  /**
   * Which drawn features count toward maxFeatures: 'varying' (the default) those that vary in the node,
   * 'any' every one, as scikit-learn counts them (see FeatureDraw in tree-builder.ts).
   */
  featureDraw?: FeatureDraw
  /** 'best' (CART, the default) or 'random': one random threshold per tried feature (see Splitter in tree-builder.ts). */
  splitter?: Splitter
}

export interface RandomForestParams extends DecisionTreeParams {
  nTrees: number
  bootstrap: boolean
  /** Share of the rows drawn for each tree's bootstrap sample. */
  maxSamples: number
  /** Threads growing trees; the forest is the same for any count. */
  workers: number
}

export function resolveMaxFeatures(m: MaxFeatures, nFeatures: number): number {
  if (m === 'all') return nFeatures
  if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)))
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)))
  if (m === 'third') return Math.max(1, Math.floor(nFeatures / 3))
  if (m > 0 && m <= 1 && !Number.isInteger(m)) return Math.max(1, Math.floor(m * nFeatures))
  return Math.max(1, Math.min(nFeatures, Math.floor(m)))
}

function classWeights(input: FitInput, mode: 'none' | 'balanced'): Float64Array | null {
  const { target, train } = input
  if (mode === 'none' || target.task === 'regression') return null
  const y = new Float64Array(train.length)
  for (let i = 0; i < train.length; i++) y[i] = target.y[train[i]]
  const perClass = balancedClassWeights(y, target.classes!.length)
  return Float64Array.from(y, (c) => perClass[c])
}

function treeParams(p: DecisionTreeParams, nFeatures: number, seed: number, bootstrap: boolean, maxSamples: number): TreeParams {
  return {
    maxDepth: p.maxDepth,
    minSamplesLeaf: Math.max(1, p.minSamplesLeaf),
    minSamplesSplit: Math.max(2, p.minSamplesSplit),
    maxFeatures: resolveMaxFeatures(p.maxFeatures, nFeatures),
    criterion: p.criterion,
    bootstrap,
    maxSamples,
    shrinkage: Math.max(0, p.shrinkage ?? 0),
    featureDraw: p.featureDraw ?? 'varying',
    splitter: p.splitter ?? 'best',
    seed,
  }
}

function defaultCriterion(task: Task): Criterion {
  return task === 'regression' ? 'squared_error' : 'gini'
}

export const decisionTree: Learner<DecisionTreeParams> = {
  family: 'decision_tree',
  encoding: 'tree',
  defaultParams: (task) => ({ maxDepth: 0, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 'all', criterion: defaultCriterion(task), classWeight: 'none', shrinkage: 0, featureDraw: 'varying', splitter: 'best' }),
  fit(input, params): TreeModelIR {
    if (input.signal?.aborted) throw new FitAborted()
    const prepared = prepareTreeData(input, input.train, classWeights(input, params.classWeight))
    const tree = buildTree(prepared.data, treeParams(params, prepared.data.nFeatures, Random.derive(input.seed, 0), false, 1))
    return { type: 'trees', combine: 'single', outputs: tree.outputs, trees: [toFlatTree(tree, prepared.thresholds)] }
  },
}

/** Flattening a grown tree into the IR's arrays takes about this share of growing it (on one thread). */
const FLATTEN_SHARE = 0.125

export const randomForest: Learner<RandomForestParams> = {
  family: 'random_forest',
  encoding: 'tree',
  // scikit-learn's defaults: 100 trees, sqrt features, unlimited depth, min leaf 1; for regression a third
  // of the features (Breiman's and R randomForest's default, also H2O's): scikit-learn's "all" makes the
  // regression baseline several times slower, too slow for a search's budget on mid-size tables.
  defaultParams: (task) => ({
    nTrees: 100,
    maxDepth: 0,
    minSamplesLeaf: 1,
    minSamplesSplit: 2,
    maxFeatures: task === 'regression' ? 'third' : 'sqrt',
    criterion: defaultCriterion(task),
    classWeight: 'none',
    shrinkage: 0,
    featureDraw: 'varying',
    splitter: 'best',
    bootstrap: true,
    maxSamples: 1,
    workers: defaultWorkers(),
  }),
  async fit(input, params): Promise<TreeModelIR> {
    const prepared = prepareTreeData(input, input.train, classWeights(input, params.classWeight))
    const all = Array.from({ length: Math.max(1, params.nTrees) }, (_, i) =>
      treeParams(params, prepared.data.nFeatures, Random.derive(input.seed, 1, i), params.bootstrap, params.maxSamples),
    )
    // Under a time limit, the trees grown must still be flattened on this thread after the last one:
    // about an eighth of a tree's time each (97 trees on 30,000 rows: 1.75 s on 2 threads, then 0.19 s).
    const started = performance.now()
    const threads = Math.max(1, Math.min(params.workers, all.length))
    const timeUp = input.timeUp && ((nextMs = 0): boolean => input.timeUp!(nextMs + FLATTEN_SHARE * threads * (performance.now() - started)))
    const trees = await growTrees(prepared.data, all, params.workers, input.signal, timeUp)
    if (trees.length < all.length) input.report?.({ trees: trees.length, cutShort: true })
    return { type: 'trees', combine: 'average', outputs: trees[0].outputs, trees: trees.map((t) => toFlatTree(t, prepared.thresholds)) }
  },
}
