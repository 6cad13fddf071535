/**
 * Percentiles of the latencies seen in one metrics interval, in bounded memory: every sample is kept
 * up to `capacity`; past that, a uniform random sample of `capacity` of them (reservoir sampling), so
 * a busy interval costs the same as a quiet one. Percentiles are nearest-rank: p50 of [1, 2, 3, 4] is 2.
 */
export class LatencyTracker {
  private readonly samples: Float64Array
  private seen = 0
  private maxSeen = 0
  private seed = 0x9e3779b9

  constructor(readonly capacity = 65_536) {
    this.samples = new Float64Array(capacity)
  }

  /** Samples recorded since the last reset (not only those kept). */
  get count(): number {
    return this.seen
  }

  get max(): number {
    return this.maxSeen
  }

  record(value: number): void {
    if (value > this.maxSeen) this.maxSeen = value
    if (this.seen < this.capacity) this.samples[this.seen] = value
    else {
      const j = Math.floor(this.random() * (this.seen + 1))
      if (j < this.capacity) this.samples[j] = value
    }
    this.seen++
  }

  /** The p-th percentile (0 < p <= 100) of the kept samples; NaN when there are none. */
  percentile(p: number): number {
    return this.percentiles([p])[0]
  }

  /** Several percentiles from one sort. */
  percentiles(ps: number[]): number[] {
    const n = Math.min(this.seen, this.capacity)
    if (n === 0) return ps.map(() => NaN)
    const sorted = this.samples.slice(0, n).sort()
    return ps.map((p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p * n) / 100) - 1))])
  }

  reset(): void {
    this.seen = 0
    this.maxSeen = 0
  }

  /** mulberry32: deterministic, so the same inputs give the same percentiles. */
  private random(): number {
    this.seed = (this.seed + 0x6d2b79f5) >>> 0
    let t = this.seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
