/**
 * A category's levels as a small perfect hash table, for the generated level lookups. A level's slot
 * comes from a hash of its length and a few of its characters (chosen so no two levels agree on all of
 * them), spread by a per-bucket seed so that no two levels share a slot; a lookup hashes the text, reads
 * the slot and compares the level there with ===, which keeps the answer exact whatever the hash does.
 *
 * Why not a switch or a Map: a switch over levels that arrive in random order mispredicts a branch at
 * nearly every record, and Map.get hashes the whole text of every new string (JSON.parse makes new ones);
 * the table lookup is branch-free and reads two or three characters. Measured on the example dataset's
 * 254 car ids and 6-level columns: the scorer's records per second went up by a third.
 */

/** The table. The generated lookup computes exactly `levelSlot` below. */
export interface LevelTable {
  /**
   * Character positions hashed after the length: p >= 0 is charCodeAt(p), p < 0 counts from the end
   * (-1: the last). Positions inside every level are preferred: a read past the end (NaN, hashed as 0)
   * takes V8 a slower path.
   */
  positions: number[]
  /** The hash's multiplier, then the one that spreads a hash and its bucket's seed over the slots. */
  mix: number
  spread: number
  /** 2^bucketBits seeds, one per bucket. */
  bucketBits: number
  seeds: number[]
  /** 2^slotBits slots; each holds a level and its code, or null. */
  slotBits: number
  slots: ([string, number] | null)[]
}

/** Odd multipliers tried for the hash (the golden ratio's, then its odd multiples). */
const MIX = Array.from({ length: 32 }, (_, i) => Math.imul(2 * i + 1, 0x9e3779b1))
const SPREAD = 0x85ebca6b | 0
/** Tries per bucket before the table grows. */
const SEED_TRIES = 4096

function charAt(text: string, p: number): number {
  return text.charCodeAt(p >= 0 ? p : text.length + p)
}

function textHash(text: string, positions: number[], mix: number): number {
  // The length multiplied first: length ^ character alone is the same for ("truck-t", 't') and ("van-v", 'v').
  let h = Math.imul(text.length, mix)
  for (const p of positions) h = Math.imul(h ^ charAt(text, p), mix)
  return h
}

function slotOf(h: number, seed: number, slotBits: number): number {
  return Math.imul(h ^ seed, SPREAD) >>> (32 - slotBits)
}

/** Where a text's level would be in the table (the generated lookup prints these same operations). */
export function levelSlot(table: LevelTable, text: string): number {
  const h = textHash(text, table.positions, table.mix)
  return slotOf(h, table.seeds[h >>> (32 - table.bucketBits)], table.slotBits)
}

/** Most character positions a lookup hashes; level sets that need more get a Map lookup instead. */
const MAX_POSITIONS = 4
/** Positions are looked for among the first and the last this many characters. */
const POSITION_WINDOW = 16

/**
 * Positions whose characters, with the length, tell every two levels apart (greedy: the one that splits
 * the levels into most groups next, inside every level if one helps); null when MAX_POSITIONS positions
 * in the window do not.
 */
function distinguishingPositions(levels: string[]): number[] | null {
  const longest = levels.reduce((m, l) => Math.max(m, l.length), 0)
  const shortest = levels.reduce((m, l) => Math.min(m, l.length), longest)
  const inside = (p: number): boolean => (p >= 0 ? p < shortest : -p <= shortest)
  const candidates: number[] = []
  for (let p = 0; p < Math.min(longest, POSITION_WINDOW); p++) candidates.push(p, -1 - p)
  const positions: number[] = []
  const groups = (ps: number[]): number => new Set(levels.map((l) => [l.length, ...ps.map((p) => charAt(l, p))].join(','))).size
  let have = groups(positions)
  while (have < levels.length) {
    if (positions.length === MAX_POSITIONS) return null
    let best = 0
    let bestGroups = have
    for (const safe of [true, false]) {
      for (const p of candidates) {
        if (inside(p) !== safe || positions.includes(p)) continue
        const g = groups([...positions, p])
        if (g > bestGroups) [best, bestGroups] = [p, g]
      }
      if (bestGroups > have) break
    }
    // Levels that differ only outside the window: no position in it adds a group.
    if (bestGroups === have) return null
    positions.push(best)
    have = bestGroups
  }
  return positions
}

/**
 * The table for distinct levels with their codes (at least one): 1.5 to 3 slots per level, rarely more.
 * null when the levels need too many characters read to tell apart, or collide under every multiplier
 * (level names made to): the printer then looks levels up in a Map.
 */
export function levelTable(entries: [string, number][]): LevelTable | null {
  const positions = distinguishingPositions(entries.map(([l]) => l))
  if (positions === null) return null
  const n = entries.length
  let bits = 1
  while (2 ** bits < 1.5 * n) bits++
  for (let slotBits = bits; slotBits <= Math.min(30, bits + 4); slotBits++) {
    for (const mix of MIX) {
      const hashes = entries.map(([l]) => textHash(l, positions, mix))
      if (new Set(hashes).size < n) continue
      const table = place(entries, hashes, positions, mix, Math.max(1, slotBits - 1), slotBits)
      if (table !== null) return table
    }
  }
  return null
}

/** Hash and displace: the largest buckets first, each with the first seed that lands its levels in free slots. */
function place(entries: [string, number][], hashes: number[], positions: number[], mix: number, bucketBits: number, slotBits: number): LevelTable | null {
  const buckets: number[][] = Array.from({ length: 2 ** bucketBits }, () => [])
  hashes.forEach((h, i) => buckets[h >>> (32 - bucketBits)].push(i))
  const seeds = new Array<number>(buckets.length).fill(0)
  const slots = new Array<[string, number] | null>(2 ** slotBits).fill(null)
  const order = buckets.map((_, b) => b).sort((a, b) => buckets[b].length - buckets[a].length || a - b)
  for (const b of order) {
    const members = buckets[b]
    if (members.length === 0) break
    let placed = false
    for (let seed = 0; seed < SEED_TRIES && !placed; seed++) {
      const at = members.map((i) => slotOf(hashes[i], seed, slotBits))
      if (new Set(at).size < at.length || at.some((s) => slots[s] !== null)) continue
      members.forEach((i, j) => (slots[at[j]] = entries[i]))
      seeds[b] = seed
      placed = true
    }
    if (!placed) return null
  }
  return { positions, mix, spread: SPREAD, bucketBits, seeds, slotBits, slots }
}
