import { describe, expect, it } from 'vitest'
import { LatencyTracker } from '../../../src/serve/latency-tracker.js'

describe('LatencyTracker', () => {
  it('nearest-rank percentiles of what it saw; NaN when empty; reset starts over', () => {
    const t = new LatencyTracker()
    expect(t.percentile(50)).toBeNaN()
    for (const v of [4, 1, 3, 2]) t.record(v)
    expect(t.percentiles([25, 50, 75, 99, 100])).toEqual([1, 2, 3, 4, 4])
    expect(t.count).toBe(4)
    expect(t.max).toBe(4)
    t.reset()
    expect(t.count).toBe(0)
    expect(t.percentile(50)).toBeNaN()
    t.record(7)
    expect(t.percentiles([1, 50, 99])).toEqual([7, 7, 7])
  })

  it('exact up to its capacity', () => {
    const t = new LatencyTracker(1000)
    for (let i = 1000; i >= 1; i--) t.record(i)
    expect(t.percentiles([50, 99, 99.9])).toEqual([500, 990, 999])
  })

  it('past its capacity: a uniform sample, so percentiles stay close; max stays exact', () => {
    const t = new LatencyTracker(2000)
    for (let i = 1; i <= 200_000; i++) t.record(i % 2 === 0 ? i : 200_001 - i) // no order to exploit
    const [p50, p99] = t.percentiles([50, 99])
    expect(Math.abs(p50 - 100_000) / 100_000).toBeLessThan(0.05)
    expect(Math.abs(p99 - 198_000) / 198_000).toBeLessThan(0.01)
    expect(t.count).toBe(200_000)
    expect(t.max).toBe(200_000)
  })
})
