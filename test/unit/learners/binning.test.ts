import { describe, expect, it } from 'vitest'
import { binEdges, binOf, binRanges, MAX_BINS } from '../../../src/learners/binning.js'

describe('binning', () => {
  it('gives each bin the smallest and largest value in it: one value per bin when they are few', () => {
    const sorted = Float64Array.of(1, 1, 2, 5, 5, 5, 9)
    const edges = binEdges(sorted)
    expect(Array.from(edges)).toEqual([1.5, 3.5, 7, Infinity])
    const { lows, highs } = binRanges(sorted, edges)
    expect(Array.from(lows)).toEqual([1, 2, 5, 9])
    expect(Array.from(highs)).toEqual([1, 2, 5, 9])
  })

  it('and a range per bin when there are more distinct values than bins, each inside its bin', () => {
    const sorted = Float64Array.from({ length: 3000 }, (_, i) => i * 0.5)
    const edges = binEdges(sorted)
    expect(edges.length).toBe(MAX_BINS)
    const { lows, highs } = binRanges(sorted, edges)
    for (let b = 0; b < edges.length; b++) {
      expect(lows[b]).toBeLessThan(highs[b])
      expect(binOf(edges, lows[b])).toBe(b)
      expect(binOf(edges, highs[b])).toBe(b)
      if (b > 0) expect(lows[b]).toBe(highs[b - 1] + 0.5)
    }
    expect(lows[0]).toBe(0)
    expect(highs[edges.length - 1]).toBe(1499.5)
  })
})
