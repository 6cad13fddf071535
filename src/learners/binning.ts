/**
 * Histogram binning for the tree learners: every numeric feature is cut once per table into at most
 * 255 bins (missing values get bin 255), and every fit reuses those bins. Split thresholds are bin
 * edges, so `x <= edge[b]` on raw values is exactly `bin(x) <= b`.
 */
import type { NumericColumn, Table } from '../data/table.js'

export const MAX_BINS = 255
export const MISSING_BIN = 255
const SAMPLE_LIMIT = 200_000

export interface BinnedColumn {
  /** Bin of each table row; MISSING_BIN for missing. */
  bins: Uint8Array
  /** edges[b] = largest value in bin b (as a split threshold); the last bin's edge is Infinity. */
  edges: Float64Array
  /** The smallest and largest value seen in each bin (of the sample the edges came from). */
  lows: Float64Array
  highs: Float64Array
}

/** Upper edges for the distinct sorted values, grouped into at most MAX_BINS bins of similar counts. */
export function binEdges(sortedPresent: Float64Array): Float64Array {
  const n = sortedPresent.length
  if (n === 0) return Float64Array.of(Infinity)
  const distinct: number[] = []
  const counts: number[] = []
  for (let i = 0; i < n; i++) {
    const v = sortedPresent[i]
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]++
    else {
      distinct.push(v)
      counts.push(1)
    }
  }
  const edges: number[] = []
  if (distinct.length <= MAX_BINS) {
    for (let i = 0; i + 1 < distinct.length; i++) edges.push(midpoint(distinct[i], distinct[i + 1]))
  } else {
    // Greedy equal-frequency cuts over distinct values (a heavy value never straddles two bins).
    let seen = 0
    let binStart = 0
    for (let i = 0; i + 1 < distinct.length && edges.length < MAX_BINS - 1; i++) {
      seen += counts[i]
      const target = ((edges.length + 1) * n) / MAX_BINS
      if (seen >= target && seen > binStart) {
        edges.push(midpoint(distinct[i], distinct[i + 1]))
        binStart = seen
      }
    }
  }
  edges.push(Infinity)
  return Float64Array.from(edges)
}

/** The smallest and largest of the sorted values in each bin of `edges`. */
export function binRanges(sortedPresent: Float64Array, edges: Float64Array): { lows: Float64Array; highs: Float64Array } {
  const lows = new Float64Array(edges.length).fill(NaN)
  const highs = new Float64Array(edges.length).fill(NaN)
  let b = 0
  for (let i = 0; i < sortedPresent.length; i++) {
    const v = sortedPresent[i]
    while (v > edges[b]) b++
    if (Number.isNaN(lows[b])) lows[b] = v
    highs[b] = v
  }
  return { lows, highs }
}

export function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2
  // Keep a < m: an edge equal to the upper value would put it in the lower bin.
  return m < b ? m : a
}

/** Bin of a value: the first b with value <= edges[b]. */
export function binOf(edges: Float64Array, value: number): number {
  if (Number.isNaN(value)) return MISSING_BIN
  let lo = 0
  let hi = edges.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (value <= edges[mid]) hi = mid
    else lo = mid + 1
  }
  return lo
}

function binNumeric(column: NumericColumn): BinnedColumn {
  const values = column.values
  let present = 0
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present++
  // A deterministic stride sample keeps edge finding cheap on large tables.
  const stride = Math.max(1, Math.ceil(present / SAMPLE_LIMIT))
  const sample = new Float64Array(Math.ceil(present / stride))
  let seen = 0
  let s = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (Number.isNaN(v)) continue
    if (seen++ % stride === 0) sample[s++] = v
  }
  const sorted = sample.subarray(0, s).sort()
  const edges = binEdges(sorted)
  const bins = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) bins[i] = binOf(edges, values[i])
  return { bins, edges, ...binRanges(sorted, edges) }
}

const cache = new WeakMap<Table, Map<string, BinnedColumn>>()

/** The binned form of a numeric or boolean column, computed once per table and shared by every fit. */
export function binnedColumn(table: Table, column: NumericColumn): BinnedColumn {
  let perTable = cache.get(table)
  if (!perTable) {
    perTable = new Map()
    cache.set(table, perTable)
  }
  let binned = perTable.get(column.name)
  if (!binned) {
    binned = binNumeric(column)
    perTable.set(column.name, binned)
  }
  return binned
}
