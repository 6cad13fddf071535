/**
 * Readable or compact: how a model body is printed, decided here once for every language.
 *
 * - Trees print as nested ifs (one function per tree, a comment naming each split's column) when the
 *   model has at most READABLE_MAX_NODES nodes in all and no tree deeper than READABLE_MAX_DEPTH.
 *   A single tree also stays nested ifs up to SINGLE_TREE_MAX_UNITS (splits + leaves x outputs) and
 *   SINGLE_TREE_MAX_DEPTH, for speed: one tree as ifs scores 1.4-2x faster than the array walk (the CPU
 *   predicts and runs ahead), until the function passes V8's limit for optimizing (about 60 KB of
 *   bytecode, near 4000 units; measured on Node 20), where it gets 2x slower.
 *   Otherwise trees print as flat typed arrays (all trees concatenated) walked by a loop. Nested ifs for
 *   big forests are what blows past Java's 64 KB method limit and slows compilers down; a printer with a
 *   tighter code limit (Java) may cap SINGLE_TREE_MAX_UNITS lower. TypeScript walks TREE_LANES trees side
 *   by side on binned features, without a branch on the data (tree-lanes.ts); Java walks a tree at a time.
 *   Either way the leaf values are added in tree order: the evaluator's sums, to the bit.
 * - Linear models and nets print unrolled (one statement per weight, commented with the feature name)
 *   when they have at most READABLE_MAX_WEIGHTS weights; otherwise as typed arrays and loops.
 * Both forms do the same arithmetic in the same order as the IR evaluator.
 */
import type { MemberBodyIR } from '../ir/model.js'

export const READABLE_MAX_NODES = 255
export const READABLE_MAX_DEPTH = 12
export const READABLE_MAX_WEIGHTS = 256
export const SINGLE_TREE_MAX_UNITS = 3072
export const SINGLE_TREE_MAX_DEPTH = 32

export type Layout = 'readable' | 'compact'
/** `auto` applies the size rule above; the others force a form (tests print both for every model). */
export type LayoutChoice = Layout | 'auto'

export interface ModelSize {
  /** Tree nodes in all trees, or weights (biases included) of a linear model or net. */
  units: number
  /** Deepest tree (trees only; 0 otherwise). */
  depth: number
  /** Trees: split nodes plus leaves times outputs, the size of the code nested ifs print (0 otherwise). */
  codeUnits: number
}

export function treeDepth(left: readonly number[], right: readonly number[]): number {
  let deepest = 0
  const stack: [number, number][] = [[0, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (left[node] < 0) deepest = Math.max(deepest, depth)
    else stack.push([left[node], depth + 1], [right[node], depth + 1])
  }
  return deepest
}

export function modelSize(body: MemberBodyIR): ModelSize {
  switch (body.type) {
    case 'trees':
      return {
        units: body.trees.reduce((n, t) => n + t.feature.length, 0),
        depth: body.trees.reduce((d, t) => Math.max(d, treeDepth(t.left, t.right)), 0),
        codeUnits: body.trees.reduce((n, t) => n + t.feature.reduce((m, f) => m + (f < 0 ? body.outputs : 1), 0), 0),
      }
    case 'linear':
      return { units: body.weights.reduce((n, w) => n + w.length, 0) + body.intercepts.length, depth: 0, codeUnits: 0 }
    case 'mlp':
      return { units: body.layers.reduce((n, l) => n + l.weights.reduce((m, w) => m + w.length, 0) + l.biases.length, 0), depth: 0, codeUnits: 0 }
  }
}

export function chooseLayout(body: MemberBodyIR, choice: LayoutChoice = 'auto'): Layout {
  if (choice !== 'auto') return choice
  const size = modelSize(body)
  if (body.type === 'trees') {
    if (size.units <= READABLE_MAX_NODES && size.depth <= READABLE_MAX_DEPTH) return 'readable'
    const fastAsIfs = body.trees.length === 1 && size.codeUnits <= SINGLE_TREE_MAX_UNITS && size.depth <= SINGLE_TREE_MAX_DEPTH
    return fastAsIfs ? 'readable' : 'compact'
  }
  return size.units <= READABLE_MAX_WEIGHTS ? 'readable' : 'compact'
}

/** One line for messages and headers: what form the model was printed in and why. */
export function describeLayout(body: MemberBodyIR, layout: Layout, brief = false): string {
  const size = modelSize(body)
  if (body.type === 'trees') {
    const what = `${body.trees.length} tree${body.trees.length === 1 ? '' : 's'}, ${size.units} nodes, depth ${size.depth}`
    return layout === 'readable' || brief
      ? `${layout === 'readable' ? 'nested ifs' : 'compact arrays'} (${what})`
      : `compact arrays (${what}; nested ifs up to ${READABLE_MAX_NODES} nodes, or one tree up to ${SINGLE_TREE_MAX_UNITS} splits + leaf values)`
  }
  const what = `${size.units} weights`
  return layout === 'readable' ? `unrolled sums (${what})` : brief ? `weight arrays (${what})` : `weight arrays and loops (${what}; unrolled up to ${READABLE_MAX_WEIGHTS})`
}
