/** A small seedable PRNG (mulberry32): the same seed gives the same stream on every machine. */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next()
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
  /** Shuffles in place (Fisher-Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = a[i]
      a[i] = a[j]
      a[j] = t
    }
    return a
  }
  /** A derived seed for a sub-task (tree i, fold k), independent of how work is split. */
  static derive(seed: number, ...parts: number[]): number {
    let h = seed >>> 0
    for (const p of parts) {
      h = Math.imul(h ^ (p + 0x9e3779b9), 0x85ebca6b) >>> 0
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
      h = (h ^ (h >>> 16)) >>> 0
    }
    return h
  }
}
